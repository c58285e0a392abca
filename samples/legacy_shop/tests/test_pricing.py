"""Pricing tests."""
from decimal import Decimal

from shop.catalog import pricing


class P(object):
    def __init__(self, price, sale_price=None, tax_class="standard"):
        self.price = Decimal(price)
        self.sale_price = Decimal(sale_price) if sale_price else None
        self.tax_class = tax_class

    @property
    def effective_price(self):
        return self.sale_price if self.sale_price is not None else self.price


def test_tier_discount():
    assert pricing.tier_discount(1) == Decimal("0")
    assert pricing.tier_discount(10) == Decimal("0.02")
    assert pricing.tier_discount(50) == Decimal("0.10")


def test_sale_price_wins():
    assert pricing.unit_price(P("20.00", "15.00")) == Decimal("15.00")


def test_gross_price_reduced_rate():
    assert pricing.gross_price(P("10.00", tax_class="reduced")) == Decimal("10.70")
