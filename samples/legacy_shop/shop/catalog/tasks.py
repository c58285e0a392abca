"""Catalog jobs: end sales, hide products nobody can buy."""
from shop.catalog import repository
from shop.db import execute_sql
from shop.utils import clear_cache, log

# sale_until lived on products until 2018; sales now end by this job reading a list
# the marketing team keeps in the admin (see catalog/service.py). -- sofia
ENDED_SALES_SQL = """
    UPDATE products SET sale_price = NULL
    WHERE sale_price IS NOT NULL AND sku IN :skus
"""

UNSELLABLE_SQL = """
    SELECT p.id FROM products p
    WHERE p.is_active = 1
      AND NOT EXISTS (SELECT 1 FROM stock_items s WHERE s.product_id = p.id AND s.quantity > 0)
      AND p.created_at < :cutoff
"""


def end_sales(skus):
    if not skus:
        return 0
    execute_sql(ENDED_SALES_SQL, {"skus": tuple(skus)})
    clear_cache("shop.catalog")
    return len(skus)


def hide_unsellable(cutoff):
    ids = [row["id"] for row in execute_sql(UNSELLABLE_SQL, {"cutoff": cutoff})]
    if ids:
        repository.deactivate_products(ids)
        clear_cache("shop.catalog")
    log.info("hid %d products without stock", len(ids))
    return ids
