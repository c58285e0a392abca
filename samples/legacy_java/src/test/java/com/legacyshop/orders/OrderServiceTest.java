package com.legacyshop.orders;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class OrderServiceTest {

    @Test
    void openStatusesAreOpen() {
        assertTrue(OrderStatus.CART.isOpen());
        assertTrue(OrderStatus.PLACED.isOpen());
    }
}
