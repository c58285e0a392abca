package com.legacyshop.shipping;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.springframework.stereotype.Repository;

/** Rates by country and weight: raw JDBC from the 2012 code base. */
@Repository
public class ShippingRateDao {

    private static final String RATE_SQL =
            "SELECT r.price FROM shipping_rates r "
            + "WHERE r.country = ? AND r.carrier = ? AND r.max_weight_grams >= ? "
            + "ORDER BY r.max_weight_grams";

    private final DataSource dataSource;

    public ShippingRateDao(DataSource dataSource) { this.dataSource = dataSource; }

    public BigDecimal rate(String country, Carrier carrier, int grams) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(RATE_SQL)) {
            statement.setString(1, country);
            statement.setString(2, carrier.code());
            statement.setInt(3, grams);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? rows.getBigDecimal(1) : null;
            }
        }
    }

    public void updateRate(String country, Carrier carrier, BigDecimal price) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(
                     "UPDATE shipping_rates SET price = ? WHERE country = ? AND carrier = ?")) {
            statement.setBigDecimal(1, price);
            statement.setString(2, country);
            statement.setString(3, carrier.code());
            statement.executeUpdate();
        }
    }
}
