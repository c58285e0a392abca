package com.legacyshop.customers;

import com.legacyshop.common.BaseEntity;
import java.util.ArrayList;
import java.util.List;
import javax.persistence.*;

@Entity
@Table(name = "customers")
public class Customer extends BaseEntity {

    @Column(name = "email", nullable = false)
    private String email;

    @Column(name = "full_name")
    private String fullName;

    @Column(name = "loyalty_points")
    private int loyaltyPoints;

    @OneToMany(mappedBy = "customer", cascade = CascadeType.ALL)
    private List<Address> addresses = new ArrayList<>();

    public String getEmail() { return email; }

    public String getFullName() { return fullName; }

    public int getLoyaltyPoints() { return loyaltyPoints; }

    public List<Address> getAddresses() { return addresses; }
}
