package com.legacyshop.shipping;

import java.math.BigDecimal;
import org.springframework.web.bind.annotation.*;

@RestController
@RequestMapping("/api/shipments")
public class ShipmentController {

    private final ShippingService shipping;

    public ShipmentController(ShippingService shipping) { this.shipping = shipping; }

    @PostMapping("/orders/{orderId}")
    public Shipment ship(@PathVariable Long orderId, @RequestParam Carrier carrier) {
        return shipping.ship(orderId, carrier);
    }

    @GetMapping("/rates")
    public BigDecimal rate(@RequestParam String country, @RequestParam Carrier carrier, @RequestParam int grams) {
        return shipping.quote(country, carrier, grams);
    }
}
