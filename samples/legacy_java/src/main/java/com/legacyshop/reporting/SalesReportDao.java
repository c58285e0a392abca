package com.legacyshop.reporting;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/** Reporting reads straight from everyone's tables (the reason this monolith is hard to split). */
@Repository
public class SalesReportDao {

    private static final String DAILY_SALES = """
            SELECT o.created_at::date AS day, p.sku, SUM(l.quantity) AS units, SUM(l.unit_price * l.quantity) AS revenue
            FROM orders o
            JOIN order_lines l ON l.order_id = o.id
            JOIN products p ON p.id = l.product_id
            WHERE o.status IN ('PAID', 'SHIPPED') AND o.created_at >= ?
            GROUP BY 1, 2
            """;

    private final JdbcTemplate jdbc;

    public SalesReportDao(JdbcTemplate jdbc) { this.jdbc = jdbc; }

    public List<Map<String, Object>> dailySales(LocalDate since) {
        return jdbc.queryForList(DAILY_SALES, since);
    }

    public List<Map<String, Object>> unpaidInvoices() {
        return jdbc.queryForList("SELECT i.number, i.amount, c.email FROM invoices i "
                + "JOIN orders o ON o.id = i.order_id JOIN customers c ON c.id = o.customer_id "
                + "WHERE i.paid = false");
    }

    public void snapshot(LocalDate day) {
        jdbc.update("INSERT INTO sales_daily (day, revenue) SELECT CAST(created_at AS DATE), SUM(total_amount) "
                + "FROM orders WHERE CAST(created_at AS DATE) = ? GROUP BY 1", day);
    }
}
