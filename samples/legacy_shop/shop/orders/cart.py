"""Shopping cart kept in the database, keyed by customer or anonymous session."""
from shop.catalog import pricing
from shop.catalog import repository as catalog_repository
from shop.db import get_session
from shop.inventory import service as inventory_service
from shop.models import Cart, CartItem
from shop.orders import totals, validators
from shop.utils import log, random_token, session_scope, utcnow


def get_cart(customer_id=None, session_key=None, create=False):
    session = get_session()
    query = session.query(Cart)
    if customer_id:
        cart = query.filter(Cart.customer_id == customer_id).order_by(Cart.id.desc()).first()
    elif session_key:
        cart = query.filter(Cart.session_key == session_key).first()
    else:
        cart = None
    if cart is None and create:
        cart = Cart(customer_id=customer_id, session_key=session_key or random_token(32))
        session.add(cart)
        session.flush()
    return cart


def add_item(cart, product_id, quantity=1):
    quantity = validators.validate_quantity(quantity)
    product = catalog_repository.get_product(product_id)
    if product is None or not product.is_active:
        raise validators.CheckoutError("product not available", "product_id")
    if not inventory_service.is_available(product_id, quantity):
        raise validators.CheckoutError("not enough stock", "quantity")
    with session_scope():
        for item in cart.items:
            if item.product_id == product_id:
                item.quantity = validators.validate_quantity(item.quantity + quantity)
                item.unit_price = pricing.unit_price(product, item.quantity)
                break
        else:
            cart.items.append(
                CartItem(
                    product_id=product_id,
                    quantity=quantity,
                    unit_price=pricing.unit_price(product, quantity),
                )
            )
        cart.updated_at = utcnow()
    return cart


def update_quantity(cart, product_id, quantity):
    with session_scope() as session:
        for item in list(cart.items):
            if item.product_id != product_id:
                continue
            if int(quantity) <= 0:
                cart.items.remove(item)
                session.delete(item)
            else:
                item.quantity = validators.validate_quantity(quantity)
    return cart


def apply_coupon(cart, code):
    summary = summarize(cart)
    coupon = validators.validate_coupon(
        totals.repository.get_coupon(code), summary["subtotal"]
    )
    with session_scope():
        cart.coupon_code = coupon.code
    return cart


def summarize(cart):
    lines = [(item.product, item.quantity) for item in cart.items]
    result = totals.compute(lines, cart.coupon_code)
    result["items"] = [
        {
            "product_id": product.id,
            "name": product.name,
            "quantity": quantity,
            "unit_price": price["unit_price"],
            "total": price["gross"],
        }
        for product, quantity, price in result.pop("lines")
    ]
    return result


def merge_carts(anonymous_cart, customer_cart):
    """Customer logged in with items in an anonymous cart."""
    for item in anonymous_cart.items:
        add_item(customer_cart, item.product_id, item.quantity)
    with session_scope() as session:
        session.delete(anonymous_cart)
    log.info("merged cart %s into %s", anonymous_cart.id, customer_cart.id)
    return customer_cart


def clear(cart):
    with session_scope() as session:
        for item in list(cart.items):
            session.delete(item)
        cart.coupon_code = None
