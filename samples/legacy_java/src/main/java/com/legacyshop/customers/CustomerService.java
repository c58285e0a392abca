package com.legacyshop.customers;

import com.legacyshop.common.AuditLogger;
import com.legacyshop.common.NotFoundException;
import org.springframework.stereotype.Service;

@Service
public class CustomerService {

    private final CustomerRepository customers;
    private final LoyaltyService loyalty;
    private final AuditLogger audit;

    public CustomerService(CustomerRepository customers, LoyaltyService loyalty, AuditLogger audit) {
        this.customers = customers;
        this.loyalty = loyalty;
        this.audit = audit;
    }

    public Customer customer(Long id) {
        return customers.findById(id).orElseThrow(() -> new NotFoundException("customer", id));
    }

    public Customer byEmail(String email) { return customers.findByEmail(email); }

    public Customer register(Customer customer) {
        Customer saved = customers.save(customer);
        audit.record("web", "register", saved.getId());
        loyalty.award(saved, 100);
        return saved;
    }

    public Address shippingAddress(Customer customer) {
        return customer.getAddresses().isEmpty() ? null : customer.getAddresses().get(0);
    }

    public void rewardPurchase(Long customerId, int points) {
        Customer customer = customer(customerId);
        loyalty.award(customer, points);
    }
}
