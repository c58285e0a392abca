package com.legacyshop.common;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;

/** Time in one place so tests can pin it (they never did). */
public final class DateUtils {

    private static final ZoneId SHOP_ZONE = ZoneId.of("Europe/Paris");

    private DateUtils() {}

    public static Instant now() { return Instant.now(); }

    public static LocalDate today() { return LocalDate.now(SHOP_ZONE); }

    public static LocalDate daysAgo(int days) { return today().minusDays(days); }
}
