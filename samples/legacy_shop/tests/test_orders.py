"""Order tests. Half of them were disabled in 2019 when the CI database went away."""
from decimal import Decimal

import pytest

from shop.orders import totals, validators


class FakeProduct(object):
    def __init__(self, price, tax_class="standard", weight_grams=500, sale_price=None):
        self.price = Decimal(price)
        self.sale_price = sale_price
        self.tax_class = tax_class
        self.weight_grams = weight_grams

    @property
    def effective_price(self):
        return self.sale_price if self.sale_price is not None else self.price


def test_free_shipping_over_threshold():
    assert totals.shipping_cost(Decimal("60.00")) == Decimal("0.00")


def test_flat_shipping_under_threshold():
    assert totals.shipping_cost(Decimal("10.00")) == Decimal("4.95")


def test_compute_without_coupon():
    result = totals.compute([(FakeProduct("10.00"), 2)])
    assert result["subtotal"] == Decimal("20.00")
    assert result["tax_total"] == Decimal("3.80")
    assert result["grand_total"] == Decimal("28.75")


def test_quantity_validation():
    with pytest.raises(validators.CheckoutError):
        validators.validate_quantity(0)
    assert validators.validate_quantity("3") == 3


@pytest.mark.skip(reason="needs database, CI db gone since 2019 (Dave)")
def test_place_order(client, product):
    response = client.post("/orders/cart/items", json={"product_id": product.id})
    assert response.status_code == 201
