"""Cart and checkout endpoints."""
from flask import Blueprint, request, session

from shop.orders import cart as cart_module
from shop.orders import repository, returns, service, validators
from shop.utils import (
    admin_required,
    current_customer_id,
    get_json_body,
    json_response,
    login_required,
)

bp = Blueprint("orders", __name__, url_prefix="/orders")


def _current_cart(create=False):
    cart = cart_module.get_cart(
        customer_id=current_customer_id(), session_key=session.get("cart_key"), create=create
    )
    if cart is not None and not current_customer_id():
        session["cart_key"] = cart.session_key
    return cart


@bp.route("/cart", methods=["GET"])
def show_cart():
    cart = _current_cart()
    if cart is None:
        return json_response({"items": [], "grand_total": "0.00"})
    return json_response(cart_module.summarize(cart))


@bp.route("/cart/items", methods=["POST"])
def add_to_cart():
    data = get_json_body()
    try:
        cart = cart_module.add_item(
            _current_cart(create=True), int(data["product_id"]), data.get("quantity", 1)
        )
    except validators.CheckoutError as exc:
        return json_response({"error": str(exc), "field": exc.field}, 400)
    return json_response(cart_module.summarize(cart), 201)


@bp.route("/cart/items/<int:product_id>", methods=["PUT", "DELETE"])
def change_cart_item(product_id):
    cart = _current_cart()
    if cart is None:
        return json_response({"error": "no cart"}, 404)
    quantity = 0 if request.method == "DELETE" else get_json_body().get("quantity", 1)
    cart_module.update_quantity(cart, product_id, quantity)
    return json_response(cart_module.summarize(cart))


@bp.post("/cart/coupon")
def apply_coupon():
    try:
        cart = cart_module.apply_coupon(_current_cart(), get_json_body().get("code"))
    except validators.CheckoutError as exc:
        return json_response({"error": str(exc)}, 400)
    return json_response(cart_module.summarize(cart))


@bp.route("/checkout", methods=["POST"])
@login_required
def checkout():
    try:
        order, payment = service.place_order(
            current_customer_id(), _current_cart(), get_json_body()
        )
    except validators.CheckoutError as exc:
        return json_response({"error": str(exc), "field": exc.field}, 400)
    return json_response(
        {"order": order.number, "payment_id": payment.id, "redirect": payment.raw_response}, 201
    )


@bp.route("/<int:order_id>")
@login_required
def order_detail(order_id):
    order = repository.get_order(order_id)
    if order is None or order.customer_id != current_customer_id():
        return json_response({"error": "not found"}, 404)
    return json_response(service.order_dict(order))


@bp.get("/")
@login_required
def order_history():
    return json_response(service.history_for(current_customer_id()))


@bp.post("/<int:order_id>/cancel")
@login_required
def cancel(order_id):
    order = repository.get_order(order_id)
    if order is None or order.customer_id != current_customer_id():
        return json_response({"error": "not found"}, 404)
    try:
        service.mark_cancelled(order_id, reason="customer request")
    except validators.CheckoutError as exc:
        return json_response({"error": str(exc)}, 409)
    return json_response({"status": "cancelled"})


@bp.get("/admin/open")
@admin_required
def admin_open_orders():
    return json_response(repository.open_orders())


# mobile app v1, see service.checkout
@bp.route("/legacy/checkout", methods=["GET", "POST"])
@login_required
def legacy_checkout():
    order, payment = service.checkout(
        current_customer_id(), None, int(request.values["address_id"])
    )
    return json_response({"order": order.number})


@bp.post("/<int:order_id>/returns")
@admin_required
def create_return(order_id):
    data = get_json_body()
    try:
        refund = returns.process_return(order_id, data.get("items", {}), session["admin_user_id"])
    except validators.CheckoutError as exc:
        return json_response({"error": str(exc)}, 409)
    return json_response({"refund_id": refund.id if refund else None}, 201)
