"""Checkout validation."""
from shop import config
from shop.utils import to_decimal, utcnow

MAX_QUANTITY_PER_LINE = 99


class CheckoutError(Exception):
    def __init__(self, message, field=None):
        super(CheckoutError, self).__init__(message)
        self.field = field


def validate_quantity(quantity):
    try:
        quantity = int(quantity)
    except (TypeError, ValueError):
        raise CheckoutError("quantity must be a number", "quantity")
    if quantity < 1 or quantity > MAX_QUANTITY_PER_LINE:
        raise CheckoutError("quantity must be between 1 and 99", "quantity")
    return quantity


def validate_coupon(coupon, subtotal):
    if coupon is None:
        raise CheckoutError("unknown coupon", "coupon")
    now = utcnow()
    if coupon.valid_from and coupon.valid_from > now:
        raise CheckoutError("coupon not valid yet", "coupon")
    if coupon.valid_until and coupon.valid_until < now:
        raise CheckoutError("coupon expired", "coupon")
    if coupon.max_uses is not None and coupon.times_used >= coupon.max_uses:
        raise CheckoutError("coupon used up", "coupon")
    if to_decimal(subtotal) < to_decimal(coupon.min_order_total):
        raise CheckoutError("order total too low for this coupon", "coupon")
    return coupon


def validate_checkout(cart, data):
    if not cart or not cart.items:
        raise CheckoutError("cart is empty")
    if data.get("currency", config.DEFAULT_CURRENCY) not in config.SUPPORTED_CURRENCIES:
        raise CheckoutError("unsupported currency", "currency")
    if not data.get("shipping_address_id"):
        raise CheckoutError("shipping address required", "shipping_address_id")
    if not data.get("accept_terms"):
        raise CheckoutError("please accept the terms", "accept_terms")
    return data
