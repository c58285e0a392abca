package com.legacyshop.catalog;

import java.util.List;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;

public interface ProductRepository extends JpaRepository<Product, Long> {

    Product findBySku(String sku);

    @Query("select p from Product p join p.categories c where c.id = ?1")
    List<Product> findInCategory(Long categoryId);
}
