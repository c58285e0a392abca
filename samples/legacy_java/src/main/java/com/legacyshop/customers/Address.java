package com.legacyshop.customers;

import com.legacyshop.common.BaseEntity;
import javax.persistence.*;

@Entity
@Table(name = "addresses")
public class Address extends BaseEntity {

    @ManyToOne(optional = false)
    @JoinColumn(name = "customer_id")
    private Customer customer;

    private String street;
    private String city;

    @Column(name = "postal_code")
    private String postalCode;

    private String country;

    public Customer getCustomer() { return customer; }

    public String getCountry() { return country; }

    public String getPostalCode() { return postalCode; }
}
