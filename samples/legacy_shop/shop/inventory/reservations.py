"""Stock reservations: hold goods for an order until it is paid or the hold expires."""
import datetime

from sqlalchemy import and_

from shop import config
from shop.db import get_session
from shop.inventory import queries
from shop.models import stock_reservations
from shop.orders import repository as order_repository
from shop.utils import log, utcnow


class OutOfStock(Exception):
    def __init__(self, product_id, wanted, available):
        super(OutOfStock, self).__init__(
            "product %s: wanted %s, available %s" % (product_id, wanted, available)
        )
        self.product_id = product_id
        self.wanted = wanted
        self.available = available


def reserve_line(order_id, product_id, quantity, expires_at):
    """Reserve from the fullest warehouse first; may split across warehouses."""
    remaining = quantity
    session = get_session()
    for item in queries.stock_for_product(product_id):
        free = item["quantity"] - item["reserved"]
        if free <= 0:
            continue
        take = min(free, remaining)
        if not queries.adjust_reserved(item["id"], take):
            continue  # somebody else got it first, try the next warehouse
        session.execute(
            stock_reservations.insert().values(
                stock_item_id=item["id"],
                order_id=order_id,
                quantity=take,
                expires_at=expires_at,
                created_at=utcnow(),
            )
        )
        remaining -= take
        if remaining == 0:
            return True
    raise OutOfStock(product_id, quantity, quantity - remaining)


def reserve_for_order(order_id):
    order = order_repository.get_order(order_id)
    expires_at = utcnow() + datetime.timedelta(minutes=config.RESERVATION_TTL_MINUTES)
    session = get_session()
    try:
        for line in order.lines:
            reserve_line(order.id, line.product_id, line.quantity, expires_at)
        session.commit()
    except OutOfStock:
        session.rollback()
        release_for_order(order_id)
        raise
    log.info("reserved stock for order %s", order.number)


def release_for_order(order_id, reason="released"):
    session = get_session()
    rows = session.execute(
        stock_reservations.select().where(
            and_(
                stock_reservations.c.order_id == order_id,
                stock_reservations.c.released_at.is_(None),
            )
        )
    ).fetchall()
    for row in rows:
        queries.adjust_reserved(row.stock_item_id, -row.quantity)
        session.execute(
            stock_reservations.update()
            .where(stock_reservations.c.id == row.id)
            .values(released_at=utcnow())
        )
    session.commit()
    log.info("%s %d reservations of order %s", reason, len(rows), order_id)
    return len(rows)


def commit_for_order(order_id):
    """Order shipped: turn reservations into real stock movements."""
    session = get_session()
    rows = session.execute(
        stock_reservations.select().where(
            and_(
                stock_reservations.c.order_id == order_id,
                stock_reservations.c.released_at.is_(None),
            )
        )
    ).fetchall()
    for row in rows:
        queries.adjust_reserved(row.stock_item_id, -row.quantity)
        queries.decrement_stock(row.stock_item_id, row.quantity)
        queries.insert_movement(row.stock_item_id, -row.quantity, "sale", order_id)
        session.execute(
            stock_reservations.update()
            .where(stock_reservations.c.id == row.id)
            .values(released_at=utcnow())
        )
    session.commit()
    return len(rows)


def release_expired(now=None):
    now = now or utcnow()
    released = 0
    for row in queries.expired_reservations(now):
        order = order_repository.get_order(row["order_id"])
        if order is not None and order.is_paid():
            continue  # paid but not shipped yet: keep it (bug #742)
        released += release_for_order(row["order_id"], reason="expired")
    return released
