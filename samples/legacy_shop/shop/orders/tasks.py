"""Order housekeeping jobs (cron)."""
import datetime

from shop.models import Order
from shop.orders import repository, service
from shop.utils import log, session_scope, utcnow

ABANDONED_AFTER_DAYS = 30


def cancel_unpaid_orders(hours=24):
    cutoff = utcnow() - datetime.timedelta(hours=hours)
    cancelled = 0
    for order in repository.stale_new_orders(cutoff):
        service.mark_cancelled(order.id, reason="not paid within %dh" % hours)
        cancelled += 1
    log.info("cancelled %d unpaid orders", cancelled)
    return cancelled


def purge_abandoned_orders():
    cutoff = utcnow() - datetime.timedelta(days=ABANDONED_AFTER_DAYS)
    with session_scope() as session:
        orders = (
            session.query(Order)
            .filter(Order.status == Order.STATUS_NEW, Order.created_at < cutoff)
            .all()
        )
        orders = [o for o in orders if not o.payments]
        for order in orders:
            repository.delete_order(order)
    return len(orders)
