"""Hand written SQL for stock. Lars: "the ORM is too slow for the stock table"."""
from shop.db import execute_sql, get_cursor

STOCK_FOR_PRODUCT_SQL = """
    SELECT s.id, s.product_id, s.warehouse_id, w.code AS warehouse_code,
           s.quantity, s.reserved, s.reorder_level
    FROM stock_items s
    JOIN warehouses w ON w.id = s.warehouse_id
    WHERE s.product_id = %s AND w.is_active = 1
    ORDER BY (s.quantity - s.reserved) DESC
"""


def stock_for_product(product_id):
    with get_cursor() as cursor:
        cursor.execute(STOCK_FOR_PRODUCT_SQL, (product_id,))
        columns = [c[0] for c in cursor.description]
        return [dict(zip(columns, row)) for row in cursor.fetchall()]


def available_quantity(product_id):
    rows = execute_sql(
        "SELECT COALESCE(SUM(quantity - reserved), 0) AS available "
        "FROM stock_items WHERE product_id = :product_id",
        {"product_id": product_id},
    )
    return int(rows[0]["available"]) if rows else 0


def decrement_stock(stock_item_id, quantity):
    """Take goods out of a stock item. Refuses to go negative."""
    with get_cursor(commit=True) as cursor:
        cursor.execute(
            "UPDATE stock_items SET quantity = quantity - %s, updated_at = CURRENT_TIMESTAMP "
            "WHERE id = %s AND quantity >= %s",
            (quantity, stock_item_id, quantity),
        )
        return cursor.rowcount == 1


def increment_stock(stock_item_id, quantity):
    with get_cursor(commit=True) as cursor:
        cursor.execute(
            "UPDATE stock_items SET quantity = quantity + %s, updated_at = CURRENT_TIMESTAMP "
            "WHERE id = %s",
            (quantity, stock_item_id),
        )


def adjust_reserved(stock_item_id, delta):
    with get_cursor(commit=True) as cursor:
        cursor.execute(
            "UPDATE stock_items SET reserved = reserved + %s WHERE id = %s AND reserved + %s >= 0",
            (delta, stock_item_id, delta),
        )
        return cursor.rowcount == 1


def insert_movement(stock_item_id, delta, reason, order_id=None):
    with get_cursor(commit=True) as cursor:
        cursor.execute(
            """
            INSERT INTO stock_movements (stock_item_id, delta, reason, order_id, created_at)
            VALUES (%s, %s, %s, %s, CURRENT_TIMESTAMP)
            """,
            (stock_item_id, delta, reason, order_id),
        )


def low_stock_items(threshold):
    return execute_sql(
        """
        SELECT s.id, p.sku, p.name, w.code AS warehouse_code, s.quantity, s.reserved,
               s.reorder_level
        FROM stock_items s
        JOIN products p ON p.id = s.product_id
        JOIN warehouses w ON w.id = s.warehouse_id
        WHERE (s.quantity - s.reserved) <= COALESCE(s.reorder_level, :threshold)
          AND p.is_active = 1
        ORDER BY p.sku
        """,
        {"threshold": threshold},
    )


def expired_reservations(now):
    return execute_sql(
        "SELECT id, stock_item_id, order_id, quantity FROM stock_reservations "
        "WHERE released_at IS NULL AND expires_at < :now",
        {"now": now},
    )


def movements_for_item(stock_item_id, limit=100):
    return execute_sql(
        "SELECT id, delta, reason, order_id, created_at FROM stock_movements "
        "WHERE stock_item_id = :id ORDER BY created_at DESC LIMIT :limit",
        {"id": stock_item_id, "limit": limit},
    )


def warehouse_by_code(code):
    rows = execute_sql("SELECT id, code, name FROM warehouses WHERE code = :code", {"code": code})
    return rows[0] if rows else None
