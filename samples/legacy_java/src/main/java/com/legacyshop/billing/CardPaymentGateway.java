package com.legacyshop.billing;

import com.legacyshop.common.MoneyUtils;
import java.math.BigDecimal;
import java.util.UUID;
import org.springframework.stereotype.Component;

@Component
public class CardPaymentGateway implements PaymentGateway {

    private final String endpoint = System.getenv().getOrDefault("CARD_GATEWAY_URL", "https://pay.example.test");

    @Override
    public String charge(String cardToken, BigDecimal amount) {
        // The real HTTP call was removed from this sample.
        return "ch_" + UUID.nameUUIDFromBytes((cardToken + MoneyUtils.format(amount)).getBytes());
    }

    @Override
    public void refund(String providerRef, BigDecimal amount) {
        // not implemented in the sample
    }
}
