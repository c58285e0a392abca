"""Order lifecycle: checkout, payment callbacks, cancellation, shipping status."""
from shop.customers import repository as customer_repository
from shop.customers import service as customer_service
from shop.inventory import reservations
from shop.models import Order, OrderLine
from shop.notifications import service as notification_service
from shop.orders import cart as cart_module
from shop.orders import repository, totals, validators
from shop.payments import service as payment_service
from shop.utils import generate_number, log, session_scope, utcnow


def place_order(customer_id, cart, data):
    """Checkout: turn the cart into an order, reserve stock, start the payment."""
    validators.validate_checkout(cart, data)
    shipping_address = customer_repository.get_address(int(data["shipping_address_id"]))
    if shipping_address is None or shipping_address.customer_id != customer_id:
        raise validators.CheckoutError("unknown address", "shipping_address_id")
    billing_id = data.get("billing_address_id") or shipping_address.id
    result = totals.compute([(i.product, i.quantity) for i in cart.items], cart.coupon_code)

    with session_scope():
        order = Order(
            number=generate_number("SC"),
            customer_id=customer_id,
            shipping_address_id=shipping_address.id,
            billing_address_id=int(billing_id),
            status=Order.STATUS_NEW,
            currency=data.get("currency", "EUR"),
            subtotal=result["subtotal"],
            discount_total=result["discount_total"],
            shipping_total=result["shipping_total"],
            tax_total=result["tax_total"],
            grand_total=result["grand_total"],
            coupon_code=cart.coupon_code,
            notes=data.get("notes"),
            created_at=utcnow(),
        )
        repository.add_order(order)
        for product, quantity, price in result["lines"]:
            repository.add_line(
                order,
                OrderLine(
                    product_id=product.id,
                    sku=product.sku,
                    name=product.name,
                    quantity=quantity,
                    unit_price=price["unit_price"],
                    tax_rate=price["tax_rate"],
                    line_total=price["gross"],
                ),
            )

    try:
        reservations.reserve_for_order(order.id)
    except reservations.OutOfStock as exc:
        mark_cancelled(order.id, reason=str(exc))
        raise validators.CheckoutError("sorry, %s is sold out" % exc.product_id)

    if order.coupon_code:
        repository.increment_coupon_use(order.coupon_code)
    cart_module.clear(cart)
    payment = payment_service.start_payment(order, data.get("payment_method", "card"))
    log.info("order %s placed, payment %s", order.number, payment.id)
    return order, payment


def mark_paid(order_id, payment_id=None):
    """Called by payments.service when the PSP confirms."""
    order = repository.get_order(order_id)
    if order is None or order.is_paid():
        return order
    with session_scope():
        order.status = Order.STATUS_PAID
        order.placed_at = utcnow()
    customer_service.add_loyalty_points(order.customer_id, order.grand_total)
    notification_service.order_confirmation(order)
    log.info("order %s paid (payment %s)", order.number, payment_id)
    return order


def mark_cancelled(order_id, reason=None):
    order = repository.get_order(order_id)
    if order.status in (Order.STATUS_SHIPPED, Order.STATUS_DELIVERED):
        raise validators.CheckoutError("order already shipped")
    was_paid = order.is_paid()
    with session_scope():
        order.status = Order.STATUS_CANCELLED
        order.notes = ((order.notes or "") + "\ncancelled: %s" % reason).strip()
    reservations.release_for_order(order_id, reason="cancelled")
    if was_paid:
        payment_service.refund_order(order, reason or "order cancelled")
    notification_service.order_cancelled(order)
    return order


def mark_shipped(order_id, tracking_number=None):
    order = repository.get_order(order_id)
    with session_scope():
        order.status = Order.STATUS_SHIPPED
    reservations.commit_for_order(order_id)
    return order


def mark_delivered(order_id):
    repository.set_status(order_id, Order.STATUS_DELIVERED)


def mark_refunded(order_id):
    repository.set_status(order_id, Order.STATUS_REFUNDED)


def order_dict(order):
    return {
        "id": order.id,
        "number": order.number,
        "status": order.status,
        "currency": order.currency,
        "subtotal": order.subtotal,
        "discount": order.discount_total,
        "shipping": order.shipping_total,
        "tax": order.tax_total,
        "total": order.grand_total,
        "created_at": order.created_at,
        "lines": [
            {"sku": l.sku, "name": l.name, "quantity": l.quantity, "total": l.line_total}
            for l in order.lines
        ],
    }


def history_for(customer_id):
    return [order_dict(o) for o in repository.orders_for_customer(customer_id)]


# DEPRECATED: the old one-page checkout (2016). Use place_order(). Still used by the
# mobile app v1 endpoint (views.legacy_checkout) -- remove when v1 is dead.
def checkout(customer_id, cart_id, address_id):
    cart = cart_module.get_cart(customer_id=customer_id)
    return place_order(
        customer_id, cart, {"shipping_address_id": address_id, "accept_terms": True}
    )
