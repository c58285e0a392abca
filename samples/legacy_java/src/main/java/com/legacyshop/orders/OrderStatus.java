package com.legacyshop.orders;

public enum OrderStatus {
    CART, PLACED, PAID, SHIPPED, CANCELLED;

    public boolean isOpen() { return this == CART || this == PLACED; }
}
