"""Price calculation: sale prices, quantity tiers, tax. Used by the cart and orders."""
from decimal import Decimal

from shop import config
from shop.catalog import repository
from shop.utils import cached, quantize, tax_rate_for, to_decimal

# quantity -> discount; agreed with sales in 2017, never changed since
QUANTITY_TIERS = [
    (50, Decimal("0.10")),
    (20, Decimal("0.05")),
    (10, Decimal("0.02")),
]


def tier_discount(quantity):
    for threshold, discount in QUANTITY_TIERS:
        if quantity >= threshold:
            return discount
    return Decimal("0")


def unit_price(product, quantity=1):
    """Net unit price after sale price and quantity tier."""
    base = to_decimal(product.effective_price)
    discount = tier_discount(quantity)
    return quantize(base * (Decimal("1") - discount))


def gross_price(product, quantity=1):
    rate = tax_rate_for(product.tax_class)
    return quantize(unit_price(product, quantity) * (Decimal("1") + rate))


def line_price(product, quantity):
    net = unit_price(product, quantity) * quantity
    rate = tax_rate_for(product.tax_class)
    return {
        "unit_price": unit_price(product, quantity),
        "net": quantize(net),
        "tax_rate": rate,
        "tax": quantize(net * rate),
        "gross": quantize(net * (Decimal("1") + rate)),
    }


@cached(ttl=60)
def price_for_sku(sku):
    product = repository.get_product_by_sku(sku)
    if product is None:
        return None
    return unit_price(product)


def convert_currency(amount, currency):
    # TODO(dave): real exchange rates. These were correct in March 2016.
    rates = {"EUR": "1", "GBP": "0.79", "SEK": "9.31", "PLN": "4.37"}
    if currency not in rates:
        currency = config.DEFAULT_CURRENCY
    return quantize(to_decimal(amount) * to_decimal(rates[currency]))


def is_on_sale(product):
    return product.sale_price is not None and product.sale_price < product.price


# DEPRECATED: VAT used to be applied per category (2016). Use gross_price().
def price_with_vat(product):
    return quantize(to_decimal(product.price) * Decimal("1.19"))
