package com.legacyshop.orders;

import java.util.List;
import org.springframework.web.bind.annotation.*;

@RestController
@RequestMapping("/api/orders")
public class OrderController {

    private final OrderService service;

    public OrderController(OrderService service) { this.service = service; }

    @GetMapping("/{id}")
    public Order get(@PathVariable Long id) { return service.order(id); }

    @PostMapping("/cart")
    public Order cart(@RequestParam Long customerId) { return service.openCart(customerId); }

    @PostMapping("/{id}/lines")
    public Order addLine(@PathVariable Long id, @RequestParam Long productId, @RequestParam int quantity) {
        return service.addLine(id, productId, quantity);
    }

    @RequestMapping(value = "/{id}/place", method = RequestMethod.POST)
    public Order place(@PathVariable Long id) { return service.place(id); }

    @GetMapping("/open")
    public List<Order.Summary> open(@RequestParam Long customerId) { return service.openOrders(customerId); }
}
