"""Product search. LIKE queries until we get Elasticsearch (planned since 2018)."""
from shop.catalog import repository
from shop.db import execute_sql
from shop.utils import cached, log

SEARCH_SQL = """
    SELECT p.id, p.sku, p.name, p.price, p.sale_price,
           COALESCE(SUM(s.quantity - s.reserved), 0) AS available
    FROM products p
    LEFT JOIN stock_items s ON s.product_id = p.id
    WHERE p.is_active = 1
      AND (LOWER(p.name) LIKE :term OR LOWER(p.sku) LIKE :term OR LOWER(p.description) LIKE :term)
    GROUP BY p.id, p.sku, p.name, p.price, p.sale_price
    ORDER BY p.name
    LIMIT :limit
"""


def search_products(term, in_stock_only=False, limit=30):
    term = (term or "").strip().lower()
    if len(term) < 2:
        return []
    rows = execute_sql(SEARCH_SQL, {"term": "%" + term + "%", "limit": limit})
    if in_stock_only:
        rows = [row for row in rows if row["available"] > 0]
    log.info("search %r -> %d hits", term, len(rows))
    return rows


@cached(ttl=600)
def suggestions(prefix):
    prefix = (prefix or "").strip().lower()
    if not prefix:
        return []
    rows = execute_sql(
        "SELECT name FROM products WHERE is_active = 1 AND LOWER(name) LIKE :prefix "
        "ORDER BY name LIMIT 10",
        {"prefix": prefix + "%"},
    )
    return [row["name"] for row in rows]


def search_in_category(slug, term):
    category = repository.get_category_by_slug(slug)
    if category is None:
        return []
    hits = search_products(term, limit=100)
    ids = set(p.id for p in repository.list_active_products(category_id=category.id, limit=1000))
    return [hit for hit in hits if hit["id"] in ids]


# def reindex_solr():
#     # Solr experiment (Marta, 2017). Server was switched off in 2018.
#     for product in repository.list_active_products(limit=100000):
#         solr.add(product)
