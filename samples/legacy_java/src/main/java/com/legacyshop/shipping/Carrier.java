package com.legacyshop.shipping;

public enum Carrier {
    LA_POSTE("LP"), DHL("DH"), UPS("UP");

    private final String code;

    Carrier(String code) { this.code = code; }

    public String code() { return code; }
}
