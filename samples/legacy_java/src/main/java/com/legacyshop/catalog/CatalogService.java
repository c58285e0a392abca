package com.legacyshop.catalog;

import com.legacyshop.common.NotFoundException;
import java.math.BigDecimal;
import java.util.List;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

@Service
@Transactional
public class CatalogService {

    private final ProductRepository products;
    private final CategoryRepository categories;
    private final PriceCalculator prices;
    private final StockDao stock;

    public CatalogService(ProductRepository products, CategoryRepository categories,
                          PriceCalculator prices, StockDao stock) {
        this.products = products;
        this.categories = categories;
        this.prices = prices;
        this.stock = stock;
    }

    public Product product(Long id) {
        return products.findById(id).orElseThrow(() -> new NotFoundException("product", id));
    }

    public Product bySku(String sku) { return products.findBySku(sku); }

    public List<Product> inCategory(Long categoryId) { return products.findInCategory(categoryId); }

    public List<Category> roots() { return categories.findByParentIsNull(); }

    public BigDecimal quote(Long productId, int quantity) {
        Product product = product(productId);
        return prices.priceOf(product, quantity);
    }

    public boolean reserve(Product product, int quantity) {
        if (stock.available(product.getSku()) < quantity) {
            return false;
        }
        stock.reserve(product.getSku(), quantity);
        return true;
    }

    public Product save(Product product) { return products.save(product); }
}
