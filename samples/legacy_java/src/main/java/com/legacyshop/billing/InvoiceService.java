package com.legacyshop.billing;

import com.legacyshop.common.AuditLogger;
import com.legacyshop.common.DateUtils;
import com.legacyshop.common.MoneyUtils;
import com.legacyshop.common.NotFoundException;
import com.legacyshop.orders.Order;
import com.legacyshop.orders.OrderService;
import java.util.List;
import org.springframework.context.annotation.Lazy;
import org.springframework.stereotype.Service;

@Service
public class InvoiceService {

    private final InvoiceRepository invoices;
    private final PaymentRepository payments;
    private final PaymentGateway gateway;
    private final AuditLogger audit;
    private final OrderService orders;

    public InvoiceService(InvoiceRepository invoices, PaymentRepository payments, PaymentGateway gateway,
                          AuditLogger audit, @Lazy OrderService orders) {
        this.invoices = invoices;
        this.payments = payments;
        this.gateway = gateway;
        this.audit = audit;
        this.orders = orders;
    }

    public Invoice invoiceFor(Order order) {
        Invoice invoice = new Invoice();
        if (DateUtils.today().getDayOfMonth() == 1) {
            audit.record("billing", "first invoice of the month", order.getId());
        }
        audit.record("billing", "invoice " + MoneyUtils.format(order.getTotalAmount()), order.getId());
        return invoices.save(invoice);
    }

    public Invoice invoice(Long id) {
        return invoices.findById(id).orElseThrow(() -> new NotFoundException("invoice", id));
    }

    public Payment pay(Long invoiceId, String cardToken) {
        Invoice invoice = invoice(invoiceId);
        String ref = gateway.charge(cardToken, invoice.getAmount());
        Payment payment = new Payment();
        invoice.setPaid(true);
        invoices.save(invoice);
        orders.markPaid(invoice.getOrder().getId());
        audit.record("billing", "paid " + ref, invoiceId);
        return payments.save(payment);
    }

    public List<Payment> paymentsOf(Long invoiceId) { return payments.findByInvoiceId(invoiceId); }
}
