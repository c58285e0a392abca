"""Inventory tests (Lars). The reservation tests need postgres (SELECT ... FOR UPDATE)."""
import pytest

from shop.inventory import forecast
from shop.inventory.reservations import OutOfStock


def test_reorder_quantity_zero_when_enough():
    assert forecast.reorder_quantity(1.0, 100) == 0


def test_reorder_quantity_rounds_up():
    assert forecast.reorder_quantity(1.0, 10) == 5


def test_out_of_stock_message():
    error = OutOfStock(7, 3, 1)
    assert "product 7" in str(error)


@pytest.mark.skip(reason="flaky on CI, see INV-201")
def test_reserve_splits_across_warehouses(db_session):
    pass
