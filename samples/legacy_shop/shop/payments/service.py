"""Payment flow: start, PSP callback, capture, refunds. Talks back to orders (circularly)."""
from shop.orders import service as order_service
from shop.payments import gateway, invoices, refunds, repository
from shop.utils import log, session_scope
from shop.vendor import simplejson_compat as json

RETURN_URL = "https://www.shopco.example.com/orders/payment-return"


def start_payment(order, method="card"):
    payment_id = repository.create_payment_row(
        order.id, "payfast", method, order.grand_total, order.currency
    )
    payment = repository.get_payment(payment_id)
    try:
        response = gateway.create_payment(
            order.number, order.grand_total, order.currency, method, RETURN_URL
        )
    except gateway.GatewayError as exc:
        repository.update_status(payment_id, "failed", raw_response=str(exc))
        log.error("payment start failed for %s: %s", order.number, exc)
        raise
    repository.update_status(
        payment_id, "pending", provider_ref=response.get("id"), raw_response=json.dumps(response)
    )
    return payment


def handle_webhook(body, signature):
    if not gateway.verify_webhook(body, signature):
        log.warning("webhook with bad signature")
        return False
    event = json.loads(body)
    payment = repository.get_by_provider_ref(event.get("payment_id"))
    if payment is None:
        log.warning("webhook for unknown payment %s", event.get("payment_id"))
        return False
    status = event.get("status")
    if status == "authorized":
        capture(payment)
    elif status == "captured":
        payment_captured(payment, event)
    elif status in ("failed", "cancelled"):
        repository.update_status(payment.id, status, raw_response=body.decode("utf-8"))
    return True


def capture(payment):
    response = gateway.capture(payment.provider_ref, payment.amount)
    payment_captured(payment, response)


def payment_captured(payment, event):
    repository.update_status(payment.id, "captured", raw_response=json.dumps(event))
    order = order_service.mark_paid(payment.order_id, payment.id)
    invoices.create_invoice(order)


def refund_order(order, reason, amount=None, admin_user_id=None):
    """Refund a whole order (or part of it). Used by orders.service on cancellation."""
    payment = repository.captured_payment_for_order(order.id)
    if payment is None:
        log.info("order %s has no captured payment, nothing to refund", order.number)
        return None
    refund = refunds.request_refund(
        payment, amount or refunds.refundable_amount(payment), reason, admin_user_id
    )
    if refunds.is_fully_refunded(payment):
        with session_scope():
            payment.status = "refunded"
        order_service.mark_refunded(order.id)
    return refund


def payment_status(order_id):
    return [
        {"id": p.id, "status": p.status, "amount": p.amount, "method": p.method}
        for p in repository.payments_for_order(order_id)
    ]
