package com.legacyshop.catalog;

import com.legacyshop.common.MoneyUtils;
import java.math.BigDecimal;
import org.springframework.stereotype.Component;

/** List price, promotions and VAT. */
@Component
public class PriceCalculator {

    public BigDecimal priceOf(Product product, int quantity) {
        BigDecimal net = product.getListPrice().multiply(BigDecimal.valueOf(quantity));
        if (quantity >= 10) {
            net = net.multiply(new BigDecimal("0.95"));
        }
        return MoneyUtils.withVat(net);
    }
}
