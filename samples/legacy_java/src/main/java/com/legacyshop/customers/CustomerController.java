package com.legacyshop.customers;

import org.springframework.web.bind.annotation.*;

@RestController
@RequestMapping("/api/customers")
public class CustomerController {

    private final CustomerService service;
    private final LoyaltyService loyalty;

    public CustomerController(CustomerService service, LoyaltyService loyalty) {
        this.service = service;
        this.loyalty = loyalty;
    }

    @GetMapping("/{id}")
    public Customer get(@PathVariable Long id) { return service.customer(id); }

    @PostMapping
    public Customer register(@RequestBody Customer customer) { return service.register(customer); }

    @GetMapping("/{id}/loyalty")
    public int loyalty(@PathVariable Long id) { return loyalty.balance(id); }
}
