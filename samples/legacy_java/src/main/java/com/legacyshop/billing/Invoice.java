package com.legacyshop.billing;

import com.legacyshop.common.BaseEntity;
import com.legacyshop.orders.Order;
import java.math.BigDecimal;
import javax.persistence.*;

@Entity
@Table(name = "invoices")
public class Invoice extends BaseEntity {

    @OneToOne
    @JoinColumn(name = "order_id")
    private Order order;

    @Column(name = "number", nullable = false)
    private String number;

    private BigDecimal amount;

    private boolean paid;

    public Order getOrder() { return order; }

    public BigDecimal getAmount() { return amount; }

    public boolean isPaid() { return paid; }

    public void setPaid(boolean paid) { this.paid = paid; }
}
