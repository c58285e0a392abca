package com.legacyshop.common;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** Money helpers; do not add business rules here (they are here anyway). */
public final class MoneyUtils {

    public static final BigDecimal VAT = new BigDecimal("0.20");

    private MoneyUtils() {}

    public static BigDecimal round(BigDecimal amount) {
        return amount.setScale(2, RoundingMode.HALF_UP);
    }

    public static BigDecimal withVat(BigDecimal net) {
        return round(net.add(net.multiply(VAT)));
    }

    public static String format(BigDecimal amount) {
        return "EUR " + round(amount).toPlainString();
    }
}
