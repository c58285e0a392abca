"""Returns (RMA): customer sends goods back, we restock and refund. Added 2019 by Priya."""
from decimal import Decimal

from shop.inventory import service as inventory_service
from shop.orders import repository, validators
from shop.payments import service as payment_service
from shop.utils import days_ago, log, quantize, to_decimal

RETURN_WINDOW_DAYS = 30
RESTOCKING_FEE = Decimal("0.00")  # was 5.00 until the 2020 consumer law change


class ReturnError(validators.CheckoutError):
    pass


def returnable_lines(order):
    if order.status not in ("shipped", "delivered"):
        raise ReturnError("order %s has not been shipped" % order.number)
    if order.placed_at and order.placed_at < days_ago(RETURN_WINDOW_DAYS + 14):
        raise ReturnError("return window closed")
    return {line.id: line for line in order.lines}


def refund_amount(lines_and_quantities):
    total = Decimal("0")
    for line, quantity in lines_and_quantities:
        total += to_decimal(line.line_total) / line.quantity * quantity
    return quantize(max(total - RESTOCKING_FEE, Decimal("0")))


def process_return(order_id, items, admin_user_id=None):
    """items: {order_line_id: quantity}. Restocks and refunds; returns the refund."""
    order = repository.get_order(order_id)
    lines = returnable_lines(order)
    selected = []
    for line_id, quantity in items.items():
        line = lines.get(int(line_id))
        if line is None:
            raise ReturnError("line %s is not part of order %s" % (line_id, order.number))
        quantity = validators.validate_quantity(quantity)
        if quantity > line.quantity:
            raise ReturnError("cannot return more than was bought")
        selected.append((line, quantity))
    for line, quantity in selected:
        inventory_service.return_to_stock(order.id, line.product_id, quantity)
    amount = refund_amount(selected)
    refund = payment_service.refund_order(
        order, "return", amount=amount, admin_user_id=admin_user_id
    )
    log.info("return for order %s: %d lines, refund %s", order.number, len(selected), amount)
    return refund
