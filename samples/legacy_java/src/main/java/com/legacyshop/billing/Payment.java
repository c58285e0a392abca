package com.legacyshop.billing;

import com.legacyshop.common.BaseEntity;
import java.math.BigDecimal;
import javax.persistence.*;

@Entity
@Table(name = "payments")
public class Payment extends BaseEntity {

    @ManyToOne(optional = false)
    @JoinColumn(name = "invoice_id")
    private Invoice invoice;

    private BigDecimal amount;

    @Column(name = "provider_ref")
    private String providerRef;

    public Invoice getInvoice() { return invoice; }

    public BigDecimal getAmount() { return amount; }
}
