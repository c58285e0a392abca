package com.legacyshop.shipping;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ShippingServiceTest {

    @Test
    void carrierCodes() {
        assertEquals("DH", Carrier.DHL.code());
    }
}
