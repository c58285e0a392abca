"""Payment endpoints: PSP webhook, return page, admin refunds."""
from flask import Blueprint, g, redirect, request

from shop.orders import repository as order_repository
from shop.payments import reconciliation, refunds, repository, service
from shop.utils import (
    admin_required,
    get_json_body,
    json_response,
    parse_date,
    to_decimal,
)

bp = Blueprint("payments", __name__, url_prefix="/payments")


@bp.route("/webhook", methods=["POST"])
def webhook():
    ok = service.handle_webhook(request.get_data(), request.headers.get("X-PayFast-Signature"))
    return json_response({"ok": ok}, 200 if ok else 400)


@bp.route("/return")
def payment_return():
    # the PSP sends the customer back here; the webhook does the real work
    return redirect("/orders/?paid=%s" % request.args.get("reference", ""))


@bp.get("/orders/<int:order_id>")
@admin_required
def order_payments(order_id):
    return json_response(service.payment_status(order_id))


@bp.post("/<int:payment_id>/refunds")
@admin_required
def create_refund(payment_id):
    payment = repository.get_payment(payment_id)
    if payment is None:
        return json_response({"error": "not found"}, 404)
    data = get_json_body()
    try:
        refund = refunds.request_refund(
            payment, to_decimal(data["amount"]), data.get("reason"), g.admin_user_id
        )
    except refunds.RefundError as exc:
        return json_response({"error": str(exc)}, 409)
    return json_response({"refund_id": refund.id, "status": refund.status}, 201)


@bp.route("/orders/<int:order_id>/refund-all", methods=["POST"])
@admin_required
def refund_all(order_id):
    order = order_repository.get_order(order_id)
    refund = service.refund_order(order, get_json_body().get("reason", "admin"))
    return json_response({"refund_id": refund.id if refund else None})


@bp.get("/orders/<int:order_id>/invoice")
@admin_required
def invoice(order_id):
    inv = repository.invoice_for_order(order_id)
    if inv is None:
        return json_response({"error": "no invoice"}, 404)
    return json_response({"number": inv.number, "total": inv.total, "pdf": inv.pdf_path})


@bp.route("/reconciliation", methods=["POST"])
@admin_required
def reconcile():
    upload = request.files["settlement"]
    start = parse_date(request.form["start"])
    end = parse_date(request.form["end"])
    result = reconciliation.reconcile(upload.read().decode("utf-8"), start, end)
    return json_response(result)
