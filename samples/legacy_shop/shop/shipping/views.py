"""Shipping endpoints for the warehouse and the tracking page."""
from flask import Blueprint, Response, request

from shop.shipping import carriers, labels, queries, service
from shop.utils import admin_required, get_json_body, json_response

bp = Blueprint("shipping", __name__, url_prefix="/shipping")


@bp.route("/quote")
def quote():
    weight = int(request.args.get("weight", 1000))
    return json_response(service.quote(weight, request.args.get("country", "DE")))


@bp.route("/carriers")
def carrier_list():
    return json_response(carriers.carrier_list())


@bp.route("/track/<tracking_number>")
def track(tracking_number):
    shipment = queries.get_by_tracking_number(tracking_number)
    if shipment is None:
        return json_response({"error": "unknown tracking number"}, 404)
    return json_response(service.shipment_info(shipment.id))


@bp.get("/pick-list")
@admin_required
def pick_list():
    return json_response(queries.ready_to_ship(int(request.args.get("limit", 100))))


@bp.route("/shipments", methods=["POST"])
@admin_required
def create():
    data = get_json_body()
    try:
        shipment = service.create_shipment(
            int(data["order_id"]), data.get("carrier"), data.get("warehouse_id")
        )
    except (ValueError, LookupError) as exc:
        return json_response({"error": str(exc)}, 409)
    return json_response({"id": shipment.id, "tracking_number": shipment.tracking_number}, 201)


@bp.post("/shipments/<int:shipment_id>/dispatch")
@admin_required
def dispatch(shipment_id):
    shipment = service.dispatch(shipment_id)
    return json_response({"id": shipment.id, "status": shipment.status})


@bp.route("/shipments/<int:shipment_id>")
@admin_required
def shipment_detail(shipment_id):
    info = service.shipment_info(shipment_id)
    if info is None:
        return json_response({"error": "not found"}, 404)
    return json_response(info)


@bp.get("/shipments/<int:shipment_id>/label")
@admin_required
def label(shipment_id):
    return Response(labels.render_label(shipment_id), mimetype="application/zpl")


@bp.get("/pick-list.txt")
@admin_required
def pick_list_text():
    rows = queries.ready_to_ship(int(request.args.get("limit", 100)))
    return Response(labels.render_pick_list(rows), mimetype="text/plain")
