"""Refunds: partial and full, through the PSP. Added on the feature/refunds branch (2018)."""
from shop.models import Refund
from shop.payments import gateway, repository
from shop.utils import log, quantize, session_scope, to_decimal, utcnow


class RefundError(Exception):
    pass


def refundable_amount(payment):
    return quantize(to_decimal(payment.amount) - to_decimal(repository.refunded_total(payment.id)))


def request_refund(payment, amount, reason=None, admin_user_id=None):
    amount = quantize(amount)
    if payment.status != "captured":
        raise RefundError("payment %s is %s, not captured" % (payment.id, payment.status))
    if amount <= 0 or amount > refundable_amount(payment):
        raise RefundError("refund of %s exceeds refundable %s" % (amount, refundable_amount(payment)))
    with session_scope():
        refund = repository.add_refund(
            Refund(
                payment_id=payment.id,
                order_id=payment.order_id,
                amount=amount,
                reason=reason,
                status="requested",
                created_by=admin_user_id,
                created_at=utcnow(),
            )
        )
    try:
        response = gateway.refund(payment.provider_ref, amount, reason)
    except gateway.GatewayError as exc:
        with session_scope():
            refund.status = "failed"
        log.error("refund %s failed: %s", refund.id, exc)
        raise RefundError(str(exc))
    with session_scope():
        refund.status = "completed"
        refund.provider_ref = response.get("id")
    return refund


def is_fully_refunded(payment):
    return refundable_amount(payment) == 0
