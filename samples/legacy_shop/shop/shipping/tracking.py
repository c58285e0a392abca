"""Polls the carriers for tracking updates."""
import requests

from shop.shipping import queries
from shop.utils import log, parse_date, session_scope

TRACKING_APIS = {
    "DHL": "https://api.dhl.example.com/track/shipments?trackingNumber=%s",
    "DPD": "https://tracking.dpd.example.com/api/v1/parcels/%s",
}
DELIVERED_STATUSES = ("delivered", "DELIVERED", "zugestellt")


def fetch_events(carrier_code, tracking_number):
    template = TRACKING_APIS.get(carrier_code)
    if template is None:
        return []
    try:
        response = requests.get(template % tracking_number, timeout=10)
        response.raise_for_status()
    except requests.RequestException as exc:
        log.warning("tracking %s %s failed: %s", carrier_code, tracking_number, exc)
        return []
    payload = response.json()
    events = payload.get("events") or payload.get("shipments", [{}])[0].get("events", [])
    return [
        {
            "status": e.get("status") or e.get("statusCode"),
            "location": (e.get("location") or {}).get("address", {}).get("addressLocality"),
            "description": e.get("description"),
            "occurred_at": parse_date((e.get("timestamp") or "")[:19]),
        }
        for e in events
    ]


def update_shipment(shipment_row):
    known = set()
    shipment = queries.get_shipment(shipment_row["id"])
    for event in shipment.events:
        known.add((event.status, event.occurred_at))
    delivered_at = None
    with session_scope():
        for event in fetch_events(shipment_row["carrier_code"], shipment_row["tracking_number"]):
            if (event["status"], event["occurred_at"]) in known:
                continue
            queries.add_event(shipment.id, **event)
            if event["status"] in DELIVERED_STATUSES:
                delivered_at = event["occurred_at"]
        if shipment.status == "shipped":
            shipment.status = "in_transit"
    if delivered_at:
        queries.mark_delivered(shipment.id, delivered_at)
    return delivered_at


def timeline(shipment):
    return [
        {"status": e.status, "location": e.location, "at": e.occurred_at, "text": e.description}
        for e in shipment.events
    ]
