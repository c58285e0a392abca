package com.legacyshop.catalog;

import com.legacyshop.common.BaseEntity;
import java.math.BigDecimal;
import java.util.HashSet;
import java.util.Set;
import javax.persistence.*;

@Entity
@Table(name = "products")
public class Product extends BaseEntity {

    @Column(name = "sku", nullable = false)
    private String sku;

    private String title;

    @Column(name = "list_price")
    private BigDecimal listPrice;

    @ManyToMany
    @JoinTable(name = "product_categories",
            joinColumns = @JoinColumn(name = "product_id"),
            inverseJoinColumns = @JoinColumn(name = "category_id"))
    private Set<Category> categories = new HashSet<>();

    @Transient
    private boolean dirty;

    public String getSku() { return sku; }

    public String getTitle() { return title; }

    public BigDecimal getListPrice() { return listPrice; }

    public Set<Category> getCategories() { return categories; }
}
