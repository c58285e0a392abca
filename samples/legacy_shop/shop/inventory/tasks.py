"""Periodic inventory jobs, run by cron every 5 minutes (see deploy/crontab)."""
from shop import config
from shop.inventory import queries, reservations
from shop.notifications import service as notification_service
from shop.utils import log, utcnow


def release_expired_reservations():
    count = reservations.release_expired(utcnow())
    if count:
        log.info("released %d expired reservations", count)
    return count


def low_stock_alert():
    rows = queries.low_stock_items(config.LOW_STOCK_THRESHOLD)
    if not rows:
        return 0
    lines = [
        "%(sku)s %(name)s @ %(warehouse_code)s: %(quantity)s on hand, %(reserved)s reserved" % r
        for r in rows
    ]
    notification_service.send_internal(
        "warehouse@shopco.example.com", "Low stock: %d items" % len(rows), "\n".join(lines)
    )
    return len(rows)


# def nightly_recount():
#     # replaced by the stocktake screen in 2018 (Lars)
#     pass
