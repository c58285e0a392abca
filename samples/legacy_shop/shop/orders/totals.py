"""Order totals: subtotal, coupons, shipping, tax. Keep in sync with cart.js (!)."""
from decimal import Decimal

from shop import config
from shop.catalog import pricing
from shop.orders import repository, validators
from shop.utils import quantize, to_decimal

FLAT_SHIPPING = Decimal("4.95")


def coupon_discount(coupon, subtotal):
    subtotal = to_decimal(subtotal)
    if coupon.kind == "percent":
        return quantize(subtotal * to_decimal(coupon.amount) / Decimal("100"))
    return min(quantize(coupon.amount), subtotal)


def shipping_cost(subtotal, weight_grams=0):
    # the carriers module has real rates; checkout still uses the flat rate (2017 decision)
    if to_decimal(subtotal) >= to_decimal(config.FREE_SHIPPING_THRESHOLD):
        return Decimal("0.00")
    if weight_grams > 20000:
        return FLAT_SHIPPING * 3
    return FLAT_SHIPPING


def compute(lines, coupon_code=None):
    """lines: list of (product, quantity). Returns a dict of Decimals."""
    subtotal = Decimal("0")
    tax = Decimal("0")
    weight = 0
    priced = []
    for product, quantity in lines:
        price = pricing.line_price(product, quantity)
        priced.append((product, quantity, price))
        subtotal += price["net"]
        tax += price["tax"]
        weight += (product.weight_grams or 0) * quantity
    discount = Decimal("0")
    if coupon_code:
        coupon = validators.validate_coupon(repository.get_coupon(coupon_code), subtotal)
        discount = coupon_discount(coupon, subtotal)
        if subtotal:
            tax = quantize(tax * (subtotal - discount) / subtotal)
    shipping = shipping_cost(subtotal - discount, weight)
    return {
        "lines": priced,
        "subtotal": quantize(subtotal),
        "discount_total": quantize(discount),
        "shipping_total": quantize(shipping),
        "tax_total": quantize(tax),
        "grand_total": quantize(subtotal - discount + shipping + tax),
        "weight_grams": weight,
    }


# DEPRECATED (2018): tax used to be computed on the grand total. Kept for old invoices.
def legacy_tax(grand_total):
    return quantize(to_decimal(grand_total) * Decimal("0.19") / Decimal("1.19"))
