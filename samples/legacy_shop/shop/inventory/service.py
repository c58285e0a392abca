"""Inventory logic: availability, receiving goods, manual corrections."""
from shop import config
from shop.db import get_session
from shop.inventory import queries, reservations
from shop.models import StockItem, StockMovement, Warehouse
from shop.utils import cached, log, session_scope, utcnow


def availability(product_id):
    rows = queries.stock_for_product(product_id)
    total = sum(max(r["quantity"] - r["reserved"], 0) for r in rows)
    return {
        "product_id": product_id,
        "available": total,
        "warehouses": [
            {"code": r["warehouse_code"], "available": r["quantity"] - r["reserved"]} for r in rows
        ],
        "low": total <= config.LOW_STOCK_THRESHOLD,
    }


def is_available(product_id, quantity):
    return queries.available_quantity(product_id) >= quantity


def get_or_create_stock_item(product_id, warehouse_code=None):
    warehouse_code = warehouse_code or config.DEFAULT_WAREHOUSE
    session = get_session()
    warehouse = session.query(Warehouse).filter(Warehouse.code == warehouse_code).one()
    item = (
        session.query(StockItem)
        .filter(StockItem.product_id == product_id, StockItem.warehouse_id == warehouse.id)
        .first()
    )
    if item is None:
        item = StockItem(product_id=product_id, warehouse_id=warehouse.id, quantity=0, reserved=0)
        session.add(item)
        session.flush()
    return item


def receive_goods(product_id, quantity, warehouse_code=None, reference=None):
    """Goods arrived from a supplier."""
    if quantity <= 0:
        raise ValueError("quantity must be positive")
    with session_scope() as session:
        item = get_or_create_stock_item(product_id, warehouse_code)
        item.quantity += quantity
        item.updated_at = utcnow()
        session.add(StockMovement(stock_item_id=item.id, delta=quantity, reason="receipt"))
    log.info("received %s x product %s (%s)", quantity, product_id, reference)
    return item


def correct_stock(stock_item_id, counted, admin_user_id=None):
    """Stock take: set the quantity to what was counted and record the difference."""
    with session_scope() as session:
        item = session.query(StockItem).get(stock_item_id)
        delta = counted - item.quantity
        if delta == 0:
            return item
        item.quantity = counted
        session.add(StockMovement(stock_item_id=item.id, delta=delta, reason="stocktake"))
    log.info("stocktake item %s delta %s by admin %s", stock_item_id, delta, admin_user_id)
    return item


def return_to_stock(order_id, product_id, quantity):
    """A returned parcel came back to the default warehouse."""
    item = get_or_create_stock_item(product_id)
    queries.increment_stock(item.id, quantity)
    queries.insert_movement(item.id, quantity, "return", order_id)


def transfer(product_id, from_code, to_code, quantity):
    source = get_or_create_stock_item(product_id, from_code)
    target = get_or_create_stock_item(product_id, to_code)
    if not queries.decrement_stock(source.id, quantity):
        raise reservations.OutOfStock(product_id, quantity, source.quantity)
    queries.increment_stock(target.id, quantity)
    queries.insert_movement(source.id, -quantity, "transfer")
    queries.insert_movement(target.id, quantity, "transfer")


@cached(ttl=120)
def warehouses():
    return [
        {"code": w.code, "name": w.name, "city": w.city}
        for w in get_session().query(Warehouse).filter(Warehouse.is_active == True)  # noqa: E712
    ]


def history(stock_item_id):
    return queries.movements_for_item(stock_item_id)
