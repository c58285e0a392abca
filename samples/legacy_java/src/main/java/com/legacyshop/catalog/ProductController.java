package com.legacyshop.catalog;

import java.math.BigDecimal;
import java.util.List;
import org.springframework.web.bind.annotation.*;

@RestController
@RequestMapping("/api/products")
public class ProductController {

    private final CatalogService catalog;

    public ProductController(CatalogService catalog) { this.catalog = catalog; }

    @GetMapping("/{id}")
    public Product get(@PathVariable Long id) { return catalog.product(id); }

    @GetMapping
    public List<Product> inCategory(@RequestParam Long category) { return catalog.inCategory(category); }

    @GetMapping("/categories")
    public List<Category> categories() { return catalog.roots(); }

    @GetMapping("/{id}/quote")
    public BigDecimal quote(@PathVariable Long id, @RequestParam int quantity) {
        return catalog.quote(id, quantity);
    }

    @PostMapping
    public Product create(@RequestBody Product product) { return catalog.save(product); }
}
