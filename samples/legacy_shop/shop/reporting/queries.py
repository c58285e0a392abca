"""Report SQL. Runs on the read replica. Joins everything, owns nothing (Tom, 2019)."""
from sqlalchemy import text

from shop.db import reporting_engine

DAILY_SALES_SQL = text(
    """
    SELECT DATE(o.placed_at) AS day,
           COUNT(DISTINCT o.id) AS orders,
           COUNT(DISTINCT o.customer_id) AS customers,
           SUM(o.grand_total) AS revenue,
           SUM(o.tax_total) AS tax,
           SUM(o.discount_total) AS discounts
    FROM orders o
    JOIN payments pay ON pay.order_id = o.id AND pay.status = 'captured'
    WHERE o.placed_at >= :start AND o.placed_at < :end
    GROUP BY DATE(o.placed_at)
    ORDER BY day
    """
)

TOP_PRODUCTS_SQL = text(
    """
    SELECT p.sku, p.name, cat.name AS category,
           SUM(ol.quantity) AS units, SUM(ol.line_total) AS revenue
    FROM order_lines ol
    JOIN orders o ON o.id = ol.order_id
    JOIN products p ON p.id = ol.product_id
    JOIN categories cat ON cat.id = p.category_id
    WHERE o.status IN ('paid', 'shipped', 'delivered')
      AND o.placed_at >= :start AND o.placed_at < :end
    GROUP BY p.sku, p.name, cat.name
    ORDER BY revenue DESC
    LIMIT :limit
    """
)

CUSTOMER_LIFETIME_SQL = text(
    """
    SELECT c.id, c.email, c.first_name, c.last_name,
           COUNT(o.id) AS orders, COALESCE(SUM(pay.amount), 0) AS paid,
           COALESCE(SUM(r.amount), 0) AS refunded,
           MIN(o.placed_at) AS first_order, MAX(o.placed_at) AS last_order
    FROM customers c
    JOIN orders o ON o.customer_id = c.id
    LEFT JOIN payments pay ON pay.order_id = o.id AND pay.status IN ('captured', 'refunded')
    LEFT JOIN refunds r ON r.payment_id = pay.id AND r.status = 'completed'
    GROUP BY c.id, c.email, c.first_name, c.last_name
    HAVING COUNT(o.id) >= :min_orders
    ORDER BY paid DESC
    """
)

REFUNDS_SQL = text(
    """
    SELECT r.id, r.created_at, r.amount, r.reason, r.status, o.number, c.email,
           au.username AS refunded_by
    FROM refunds r
    JOIN orders o ON o.id = r.order_id
    JOIN customers c ON c.id = o.customer_id
    LEFT JOIN admin_users au ON au.id = r.created_by
    WHERE r.created_at >= :start AND r.created_at < :end
    ORDER BY r.created_at
    """
)

STOCK_VALUE_SQL = text(
    """
    SELECT w.code AS warehouse, SUM(s.quantity) AS units, SUM(s.quantity * p.price) AS value
    FROM stock_items s
    JOIN products p ON p.id = s.product_id
    JOIN warehouses w ON w.id = s.warehouse_id
    GROUP BY w.code
    ORDER BY w.code
    """
)

SHIPPING_PERFORMANCE_SQL = text(
    """
    SELECT c.code AS carrier, COUNT(s.id) AS shipments,
           AVG(JULIANDAY(s.delivered_at) - JULIANDAY(s.shipped_at)) AS avg_days,
           SUM(s.cost) AS cost
    FROM shipments s
    JOIN carriers c ON c.id = s.carrier_id
    WHERE s.shipped_at >= :start AND s.shipped_at < :end
    GROUP BY c.code
    """
)


def _rows(statement, **params):
    with reporting_engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(statement, params)]


def daily_sales(start, end):
    return _rows(DAILY_SALES_SQL, start=start, end=end)


def top_products(start, end, limit=20):
    return _rows(TOP_PRODUCTS_SQL, start=start, end=end, limit=limit)


def customer_lifetime_value(min_orders=1):
    return _rows(CUSTOMER_LIFETIME_SQL, min_orders=min_orders)


def refunds_between(start, end):
    return _rows(REFUNDS_SQL, start=start, end=end)


def stock_value():
    return _rows(STOCK_VALUE_SQL)


def shipping_performance(start, end):
    return _rows(SHIPPING_PERFORMANCE_SQL, start=start, end=end)


def order_summaries(limit=100):
    return _rows(text("SELECT * FROM v_order_summary ORDER BY created_at DESC LIMIT :limit"),
                 limit=limit)
