package com.legacyshop.shipping;

import com.legacyshop.common.BaseEntity;
import com.legacyshop.orders.Order;
import javax.persistence.*;

@Entity
@Table(name = "shipments")
public class Shipment extends BaseEntity {

    @ManyToOne(optional = false)
    @JoinColumn(name = "order_id")
    private Order order;

    @Enumerated(EnumType.STRING)
    private Carrier carrier;

    @Column(name = "tracking_code")
    private String trackingCode;

    @Column(name = "shipped_at")
    private java.time.Instant shippedAt;

    public Order getOrder() { return order; }

    public Carrier getCarrier() { return carrier; }

    public String getTrackingCode() { return trackingCode; }
}
