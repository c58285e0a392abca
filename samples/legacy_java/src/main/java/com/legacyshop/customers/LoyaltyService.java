package com.legacyshop.customers;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;

/** Loyalty points; a batch job used to own this, now it is SQL in a service. */
@Service
public class LoyaltyService {

    private final JdbcTemplate jdbc;

    public LoyaltyService(JdbcTemplate jdbc) { this.jdbc = jdbc; }

    public void award(Customer customer, int points) {
        jdbc.update("UPDATE customers SET loyalty_points = loyalty_points + ? WHERE id = ?",
                points, customer.getId());
    }

    public int balance(Long customerId) {
        return jdbc.queryForObject("SELECT loyalty_points FROM customers WHERE id = ?", Integer.class, customerId);
    }
}
