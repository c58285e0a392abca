package com.legacyshop.catalog;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/** Stock levels, kept in plain SQL since the 2016 warehouse integration. */
@Repository
public class StockDao {

    private final JdbcTemplate jdbc;

    public StockDao(JdbcTemplate jdbc) { this.jdbc = jdbc; }

    public int available(String sku) {
        Integer n = jdbc.queryForObject("SELECT quantity FROM stock_levels WHERE sku = ?", Integer.class, sku);
        return n == null ? 0 : n;
    }

    public void reserve(String sku, int quantity) {
        jdbc.update("UPDATE stock_levels SET quantity = quantity - ? "
                + "WHERE sku = ? AND quantity >= ?", quantity, sku, quantity);
    }
}
