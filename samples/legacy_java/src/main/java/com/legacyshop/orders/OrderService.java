package com.legacyshop.orders;

import com.legacyshop.billing.InvoiceService;
import com.legacyshop.catalog.CatalogService;
import com.legacyshop.catalog.Product;
import com.legacyshop.common.*;
import com.legacyshop.customers.Customer;
import com.legacyshop.customers.CustomerService;
import java.math.BigDecimal;
import java.util.List;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** The heart of the monolith: everyone calls it and it calls everyone. */
@Service
@Transactional
public class OrderService {

    private final OrderRepository orders;
    private final OrderMapper mapper;
    private final CatalogService catalog;
    private final CustomerService customers;
    private final InvoiceService invoices;
    private final AuditLogger audit;

    public OrderService(OrderRepository orders, OrderMapper mapper, CatalogService catalog,
                        CustomerService customers, InvoiceService invoices, AuditLogger audit) {
        this.orders = orders;
        this.mapper = mapper;
        this.catalog = catalog;
        this.customers = customers;
        this.invoices = invoices;
        this.audit = audit;
    }

    public Order order(Long id) {
        return orders.findById(id).orElseThrow(() -> new NotFoundException("order", id));
    }

    public Order openCart(Long customerId) {
        Customer customer = customers.customer(customerId);
        List<Order> open = orders.findByCustomerIdAndStatus(customer.getId(), OrderStatus.CART);
        return open.isEmpty() ? orders.save(new Order()) : open.get(0);
    }

    public Order addLine(Long orderId, Long productId, int quantity) {
        Order order = order(orderId);
        Product product = catalog.product(productId);
        if (!catalog.reserve(product, quantity)) {
            throw new IllegalStateException("out of stock: " + product.getSku());
        }
        mapper.insertLine(orderId, productId, quantity);
        BigDecimal price = catalog.quote(productId, quantity);
        order.setTotalAmount(MoneyUtils.round(order.getTotalAmount().add(price)));
        return orders.save(order);
    }

    public Order place(Long orderId) {
        Order order = order(orderId);
        order.setStatus(OrderStatus.PLACED);
        invoices.invoiceFor(order);
        audit.record("web", "place-order", orderId);
        customers.rewardPurchase(order.getCustomer().getId(), order.getTotalAmount().intValue());
        return orders.save(order);
    }

    public void markPaid(Long orderId) {
        mapper.markPaid(orderId);
    }

    /** Totals drift when prices change under open carts; recomputed nightly since 2017. */
    public BigDecimal recomputeTotal(Order order) {
        BigDecimal total = BigDecimal.ZERO;
        for (OrderLine line : order.getLines()) {
            total = total.add(line.getUnitPrice().multiply(BigDecimal.valueOf(line.getQuantity())));
        }
        order.setTotalAmount(MoneyUtils.round(total));
        audit.record("batch", "recompute " + DateUtils.today(), order.getId());
        return order.getTotalAmount();
    }

    public List<Order.Summary> openOrders(Long customerId) { return mapper.openOrders(customerId); }
}
