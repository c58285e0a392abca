package com.legacyshop.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

class PriceCalculatorTest {

    @Test
    void addsVat() {
        Product product = new Product();
        assertEquals(new BigDecimal("12.00"), new PriceCalculator().priceOf(product, 1));
    }
}
