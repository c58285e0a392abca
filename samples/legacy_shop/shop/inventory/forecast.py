"""Reorder suggestions from the last weeks of stock movements. Chen, 2021."""
import math

from shop.db import execute_sql
from shop.inventory import queries
from shop.utils import days_ago

LOOKBACK_DAYS = 28
LEAD_TIME_DAYS = 10
SAFETY_FACTOR = 1.5

SALES_VELOCITY_SQL = """
    SELECT s.product_id, SUM(-m.delta) AS sold
    FROM stock_movements m
    JOIN stock_items s ON s.id = m.stock_item_id
    WHERE m.reason = 'sale' AND m.created_at >= :since
    GROUP BY s.product_id
"""


def sales_velocity(since=None):
    since = since or days_ago(LOOKBACK_DAYS)
    rows = execute_sql(SALES_VELOCITY_SQL, {"since": since})
    return {row["product_id"]: float(row["sold"]) / LOOKBACK_DAYS for row in rows}


def reorder_quantity(per_day, available):
    needed = per_day * LEAD_TIME_DAYS * SAFETY_FACTOR
    if available >= needed:
        return 0
    return int(math.ceil(needed - available))


def suggestions():
    velocity = sales_velocity()
    result = []
    for product_id, per_day in sorted(velocity.items()):
        available = queries.available_quantity(product_id)
        quantity = reorder_quantity(per_day, available)
        if quantity:
            result.append({
                "product_id": product_id,
                "per_day": round(per_day, 2),
                "available": available,
                "reorder": quantity,
            })
    return result
