"""Shipping cron jobs."""
from shop.shipping import queries, service
from shop.utils import log


def refresh_tracking():
    delivered = service.refresh_tracking()
    log.info("tracking refresh: %d delivered", delivered)
    return delivered


def auto_create_shipments(limit=50):
    """Create DHL shipments for small orders automatically (warehouse request, 2020)."""
    created = 0
    for row in queries.ready_to_ship(limit):
        if row["items"] > 3:
            continue
        try:
            service.create_shipment(row["order_id"], "DHL")
            created += 1
        except (ValueError, LookupError) as exc:
            log.warning("auto shipment for %s failed: %s", row["number"], exc)
    return created
