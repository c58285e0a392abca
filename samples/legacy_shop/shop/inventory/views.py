"""Inventory endpoints for the warehouse tablets and the admin."""
from flask import Blueprint, request

from shop.inventory import forecast, reservations, service
from shop.utils import admin_required, get_json_body, json_response

bp = Blueprint("inventory", __name__, url_prefix="/inventory")


@bp.route("/products/<int:product_id>")
def product_stock(product_id):
    return json_response(service.availability(product_id))


@bp.route("/warehouses")
def warehouses():
    return json_response(service.warehouses())


@bp.route("/receipts", methods=["POST"])
@admin_required
def receive():
    data = get_json_body()
    try:
        item = service.receive_goods(
            int(data["product_id"]),
            int(data["quantity"]),
            data.get("warehouse"),
            data.get("reference"),
        )
    except (KeyError, ValueError) as exc:
        return json_response({"error": str(exc)}, 400)
    return json_response({"stock_item_id": item.id, "quantity": item.quantity}, 201)


@bp.post("/items/<int:stock_item_id>/stocktake")
@admin_required
def stocktake(stock_item_id):
    data = get_json_body()
    item = service.correct_stock(stock_item_id, int(data["counted"]))
    return json_response({"stock_item_id": item.id, "quantity": item.quantity})


@bp.get("/items/<int:stock_item_id>/history")
@admin_required
def item_history(stock_item_id):
    return json_response(service.history(stock_item_id))


@bp.post("/transfers")
@admin_required
def transfer():
    data = get_json_body()
    try:
        service.transfer(
            int(data["product_id"]), data["from"], data["to"], int(data["quantity"])
        )
    except reservations.OutOfStock as exc:
        return json_response({"error": str(exc)}, 409)
    return json_response({"ok": True})


@bp.route("/reservations/<int:order_id>", methods=["DELETE"])
@admin_required
def release(order_id):
    count = reservations.release_for_order(order_id, reason="manual")
    return json_response({"released": count, "by": request.remote_addr})


@bp.get("/reorder-suggestions")
@admin_required
def reorder_suggestions():
    return json_response(forecast.suggestions())
