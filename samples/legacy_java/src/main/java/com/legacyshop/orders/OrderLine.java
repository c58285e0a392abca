package com.legacyshop.orders;

import com.legacyshop.catalog.Product;
import com.legacyshop.common.BaseEntity;
import java.math.BigDecimal;
import javax.persistence.*;

@Entity
@Table(name = "order_lines")
public class OrderLine extends BaseEntity {

    @ManyToOne(optional = false)
    @JoinColumn(name = "order_id")
    private Order order;

    @ManyToOne(optional = false)
    @JoinColumn(name = "product_id")
    private Product product;

    private int quantity;

    @Column(name = "unit_price")
    private BigDecimal unitPrice;

    public Product getProduct() { return product; }

    public int getQuantity() { return quantity; }

    public BigDecimal getUnitPrice() { return unitPrice; }
}
