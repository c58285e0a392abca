package com.legacyshop.billing;

import java.math.BigDecimal;

/** The card processor, behind an interface since the 2019 provider switch. */
public interface PaymentGateway {

    String charge(String cardToken, BigDecimal amount);

    void refund(String providerRef, BigDecimal amount);
}
