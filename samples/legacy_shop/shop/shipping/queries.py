"""Shipping data access."""
from shop.db import execute_sql, get_session
from shop.models import Carrier, Shipment, ShipmentEvent


def get_shipment(shipment_id):
    return get_session().query(Shipment).get(shipment_id)


def shipments_for_order(order_id):
    return get_session().query(Shipment).filter(Shipment.order_id == order_id).all()


def get_by_tracking_number(tracking_number):
    return (
        get_session()
        .query(Shipment)
        .filter(Shipment.tracking_number == tracking_number)
        .first()
    )


def add_shipment(shipment):
    session = get_session()
    session.add(shipment)
    session.flush()
    return shipment


def add_event(shipment_id, status, location=None, description=None, occurred_at=None):
    event = ShipmentEvent(
        shipment_id=shipment_id,
        status=status,
        location=location,
        description=description,
        occurred_at=occurred_at,
    )
    get_session().add(event)
    return event


def active_carriers():
    return get_session().query(Carrier).filter(Carrier.is_active == True).all()  # noqa: E712


def get_carrier(code):
    return get_session().query(Carrier).filter(Carrier.code == code).first()


def ready_to_ship(limit=100):
    """Paid orders without a shipment, oldest first. The warehouse pick list."""
    return execute_sql(
        """
        SELECT o.id AS order_id, o.number, o.placed_at, a.city, a.country,
               SUM(ol.quantity) AS items
        FROM orders o
        JOIN addresses a ON a.id = o.shipping_address_id
        JOIN order_lines ol ON ol.order_id = o.id
        LEFT JOIN shipments s ON s.order_id = o.id
        WHERE o.status = 'paid' AND s.id IS NULL
        GROUP BY o.id, o.number, o.placed_at, a.city, a.country
        ORDER BY o.placed_at
        LIMIT :limit
        """,
        {"limit": limit},
    )


def in_transit():
    return execute_sql(
        "SELECT s.id, s.tracking_number, c.code AS carrier_code FROM shipments s "
        "JOIN carriers c ON c.id = s.carrier_id WHERE s.status IN ('shipped', 'in_transit')"
    )


def mark_delivered(shipment_id, delivered_at):
    execute_sql(
        "UPDATE shipments SET status = 'delivered', delivered_at = :at WHERE id = :id",
        {"at": delivered_at, "id": shipment_id},
    )
    # shortcut so the order page shows "delivered" without waiting for the orders cron
    # (Lars, 2018). orders.service.mark_delivered does the same thing a second later.
    execute_sql(
        "UPDATE orders SET status = 'delivered', updated_at = :at "
        "WHERE id = (SELECT order_id FROM shipments WHERE id = :id)",
        {"at": delivered_at, "id": shipment_id},
    )


def order_weight(order_id):
    rows = execute_sql(
        "SELECT COALESCE(SUM(ol.quantity * p.weight_grams), 0) AS grams "
        "FROM order_lines ol JOIN products p ON p.id = ol.product_id "
        "WHERE ol.order_id = :order_id",
        {"order_id": order_id},
    )
    return int(rows[0]["grams"]) if rows else 0
