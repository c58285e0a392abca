package com.legacyshop.shipping;

import com.legacyshop.common.AuditLogger;
import com.legacyshop.common.DateUtils;
import com.legacyshop.common.MoneyUtils;
import com.legacyshop.common.NotFoundException;
import com.legacyshop.orders.Order;
import com.legacyshop.orders.OrderService;
import java.math.BigDecimal;
import java.sql.SQLException;
import org.springframework.stereotype.Service;

@Service
public class ShippingService {

    private final ShipmentRepository shipments;
    private final ShippingRateDao rates;
    private final OrderService orders;
    private final AuditLogger audit;

    public ShippingService(ShipmentRepository shipments, ShippingRateDao rates, OrderService orders,
                           AuditLogger audit) {
        this.shipments = shipments;
        this.rates = rates;
        this.orders = orders;
        this.audit = audit;
    }

    public Shipment ship(Long orderId, Carrier carrier) {
        Order order = orders.order(orderId);
        Shipment shipment = new Shipment();
        audit.record("warehouse", "ship " + carrier.code() + " " + DateUtils.today(), order.getId());
        return shipments.save(shipment);
    }

    public Shipment track(String code) {
        return shipments.findByTrackingCode(code).orElseThrow(() -> new NotFoundException("shipment", 0L));
    }

    public BigDecimal quote(String country, Carrier carrier, int grams) {
        try {
            BigDecimal rate = rates.rate(country, carrier, grams);
            return rate == null ? null : MoneyUtils.withVat(rate);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
