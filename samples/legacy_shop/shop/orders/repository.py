"""Order data access: ORM for the usual stuff, SQL for the lists."""
from shop.db import execute_sql, get_session
from shop.models import Coupon, Order, OrderLine


def get_order(order_id):
    return get_session().query(Order).get(order_id)


def get_order_by_number(number):
    return get_session().query(Order).filter(Order.number == number).first()


def orders_for_customer(customer_id, limit=20):
    return (
        get_session()
        .query(Order)
        .filter(Order.customer_id == customer_id)
        .order_by(Order.created_at.desc())
        .limit(limit)
        .all()
    )


def add_order(order):
    session = get_session()
    session.add(order)
    session.flush()
    return order


def add_line(order, line):
    order.lines.append(line)
    get_session().add(line)
    return line


def delete_order(order):
    # only used for abandoned "new" orders older than 30 days, see tasks.py
    get_session().delete(order)


def get_coupon(code):
    return get_session().query(Coupon).filter(Coupon.code == (code or "").upper()).first()


def increment_coupon_use(code):
    execute_sql(
        "UPDATE coupons SET times_used = times_used + 1 WHERE code = :code", {"code": code}
    )


def set_status(order_id, status):
    execute_sql(
        "UPDATE orders SET status = :status, updated_at = CURRENT_TIMESTAMP WHERE id = :id",
        {"status": status, "id": order_id},
    )


def order_lines(order_id):
    return get_session().query(OrderLine).filter(OrderLine.order_id == order_id).all()


def open_orders(limit=200):
    return execute_sql(
        """
        SELECT o.id, o.number, o.status, o.grand_total, o.created_at, c.email
        FROM orders o
        JOIN customers c ON c.id = o.customer_id
        WHERE o.status IN ('new', 'paid')
        ORDER BY o.created_at
        LIMIT :limit
        """,
        {"limit": limit},
    )


def stale_new_orders(before):
    return get_session().query(Order).filter(Order.status == "new", Order.created_at < before).all()


def order_summary(order_id):
    # v_order_summary is a view, created by hand on prod in 2017 (now in schema.sql)
    rows = execute_sql("SELECT * FROM v_order_summary WHERE order_id = :id", {"id": order_id})
    return rows[0] if rows else None
