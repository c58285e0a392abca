"""Creating shipments for paid orders and keeping order status in step."""
from shop.models import Shipment
from shop.notifications import service as notification_service
from shop.orders import repository as order_repository
from shop.orders import service as order_service
from shop.shipping import carriers, queries, tracking
from shop.utils import log, session_scope, utcnow


def create_shipment(order_id, carrier_code=None, warehouse_id=None):
    order = order_repository.get_order(order_id)
    if order is None or order.status != "paid":
        raise ValueError("order %s is not ready to ship" % order_id)
    weight = queries.order_weight(order_id)
    country = order_repository.order_summary(order_id) and "DE"  # FIXME: use shipping address
    if carrier_code is None:
        cost, carrier_code = carriers.cheapest(weight, country)
    else:
        cost = carriers.rate(
            [c for c in carriers.carrier_list() if c["code"] == carrier_code][0], weight, country
        )
    carrier = queries.get_carrier(carrier_code)
    with session_scope():
        shipment = queries.add_shipment(
            Shipment(
                order_id=order_id,
                carrier_id=carrier.id,
                warehouse_id=warehouse_id,
                tracking_number=carriers.new_tracking_number(carrier_code),
                status="pending",
                cost=cost,
                created_at=utcnow(),
            )
        )
        queries.add_event(shipment.id, "created", description="label printed")
    return shipment


def dispatch(shipment_id):
    """Parcel left the warehouse."""
    shipment = queries.get_shipment(shipment_id)
    with session_scope():
        shipment.status = "shipped"
        shipment.shipped_at = utcnow()
        queries.add_event(shipment.id, "shipped", description="handed over to carrier")
    order = order_service.mark_shipped(shipment.order_id, shipment.tracking_number)
    notification_service.shipment_sent(order, shipment, carriers.tracking_url(
        shipment.carrier, shipment.tracking_number))
    log.info("shipment %s dispatched for order %s", shipment.id, order.number)
    return shipment


def refresh_tracking():
    delivered = 0
    for row in queries.in_transit():
        if tracking.update_shipment(row):
            shipment = queries.get_shipment(row["id"])
            order_service.mark_delivered(shipment.order_id)
            delivered += 1
    return delivered


def shipment_info(shipment_id):
    shipment = queries.get_shipment(shipment_id)
    if shipment is None:
        return None
    return {
        "id": shipment.id,
        "order_id": shipment.order_id,
        "carrier": shipment.carrier.name,
        "tracking_number": shipment.tracking_number,
        "tracking_url": carriers.tracking_url(shipment.carrier, shipment.tracking_number),
        "status": shipment.status,
        "events": tracking.timeline(shipment),
    }


def quote(weight_grams, country):
    return [
        {"carrier": c["code"], "price": carriers.rate(c, weight_grams, country)}
        for c in carriers.carrier_list()
    ]
