"""All the models. Yes, all of them. Split it up "when we have time" (Marta, 2016)."""
import datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Table,
    Text,
)
from sqlalchemy.ext.declarative import declarative_base
from sqlalchemy.orm import relationship

Base = declarative_base()
metadata = Base.metadata


def _now():
    return datetime.datetime.utcnow()


# --------------------------------------------------------------------------- catalog


class Category(Base):
    __tablename__ = "categories"

    id = Column(Integer, primary_key=True)
    parent_id = Column(Integer, ForeignKey("categories.id"), nullable=True)
    name = Column(String(120), nullable=False)
    slug = Column(String(120), nullable=False, unique=True)
    position = Column(Integer, default=0, nullable=False)

    parent = relationship("Category", remote_side=[id])
    products = relationship("Product", back_populates="category")

    def __repr__(self):
        return "<Category %s>" % self.slug


class Product(Base):
    __tablename__ = "products"

    id = Column(Integer, primary_key=True)
    category_id = Column(Integer, ForeignKey("categories.id"), nullable=False)
    sku = Column(String(64), nullable=False, unique=True)
    name = Column(String(255), nullable=False)
    description = Column(Text)
    price = Column(Numeric(10, 2), nullable=False)
    sale_price = Column(Numeric(10, 2))
    tax_class = Column(String(20), default="standard", nullable=False)
    weight_grams = Column(Integer, default=0, nullable=False)
    is_active = Column(Boolean, default=True, nullable=False)
    created_at = Column(DateTime, default=_now, nullable=False)

    category = relationship("Category", back_populates="products")
    images = relationship("ProductImage", order_by="ProductImage.position")

    @property
    def effective_price(self):
        # sale_price wins, even when it is higher (happened once, Black Friday 2017)
        if self.sale_price is not None:
            return self.sale_price
        return self.price

    def __repr__(self):
        return "<Product %s>" % self.sku


class ProductImage(Base):
    __tablename__ = "product_images"

    id = Column(Integer, primary_key=True)
    product_id = Column(Integer, ForeignKey("products.id"), nullable=False)
    url = Column(String(500), nullable=False)
    alt_text = Column(String(255))
    position = Column(Integer, default=0)


# --------------------------------------------------------------------------- inventory


class Warehouse(Base):
    __tablename__ = "warehouses"

    id = Column(Integer, primary_key=True)
    code = Column(String(10), nullable=False, unique=True)
    name = Column(String(120), nullable=False)
    city = Column(String(120))
    country = Column(String(2), default="DE")
    is_active = Column(Boolean, default=True)


class StockItem(Base):
    __tablename__ = "stock_items"

    id = Column(Integer, primary_key=True)
    product_id = Column(Integer, ForeignKey("products.id"), nullable=False)
    warehouse_id = Column(Integer, ForeignKey("warehouses.id"), nullable=False)
    quantity = Column(Integer, default=0, nullable=False)
    reserved = Column(Integer, default=0, nullable=False)
    reorder_level = Column(Integer, default=5, nullable=False)
    updated_at = Column(DateTime, default=_now, onupdate=_now)

    product = relationship("Product")
    warehouse = relationship("Warehouse")

    @property
    def available(self):
        return max(self.quantity - self.reserved, 0)


class StockMovement(Base):
    __tablename__ = "stock_movements"

    id = Column(Integer, primary_key=True)
    stock_item_id = Column(Integer, ForeignKey("stock_items.id"), nullable=False)
    delta = Column(Integer, nullable=False)
    reason = Column(String(40), nullable=False)
    order_id = Column(Integer, ForeignKey("orders.id"))
    created_at = Column(DateTime, default=_now)


# Reservations were added by Lars in 2017 without a class, "to keep it light".
stock_reservations = Table(
    "stock_reservations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("stock_item_id", Integer, ForeignKey("stock_items.id"), nullable=False),
    Column("order_id", Integer, ForeignKey("orders.id"), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("expires_at", DateTime, nullable=False),
    Column("released_at", DateTime),
    Column("created_at", DateTime, default=_now),
)


# --------------------------------------------------------------------------- customers


class Customer(Base):
    __tablename__ = "customers"

    id = Column(Integer, primary_key=True)
    email = Column(String(255), nullable=False, unique=True)
    password_hash = Column(String(255))
    first_name = Column(String(120))
    last_name = Column(String(120))
    phone = Column(String(40))
    is_active = Column(Boolean, default=True)
    newsletter_opt_in = Column(Boolean, default=False)
    created_at = Column(DateTime, default=_now)
    last_login_at = Column(DateTime)

    addresses = relationship("Address", back_populates="customer")
    orders = relationship("Order", back_populates="customer")

    @property
    def full_name(self):
        return ("%s %s" % (self.first_name or "", self.last_name or "")).strip()


class Address(Base):
    __tablename__ = "addresses"

    id = Column(Integer, primary_key=True)
    customer_id = Column(Integer, ForeignKey("customers.id"), nullable=False)
    kind = Column(String(20), default="shipping")
    line1 = Column(String(255), nullable=False)
    line2 = Column(String(255))
    city = Column(String(120), nullable=False)
    postcode = Column(String(20), nullable=False)
    country = Column(String(2), nullable=False, default="DE")
    is_default = Column(Boolean, default=False)

    customer = relationship("Customer", back_populates="addresses")


class Wishlist(Base):
    # DEPRECATED: the wishlist feature was removed in 2019 and the table dropped
    # (migration 0003). Kept because customers/service.py still imports it. -- sofia
    __tablename__ = "wishlists"

    id = Column(Integer, primary_key=True)
    customer_id = Column(Integer, ForeignKey("customers.id"), nullable=False)
    product_id = Column(Integer, ForeignKey("products.id"), nullable=False)
    created_at = Column(DateTime, default=_now)


# --------------------------------------------------------------------------- orders


class Cart(Base):
    __tablename__ = "carts"

    id = Column(Integer, primary_key=True)
    customer_id = Column(Integer, ForeignKey("customers.id"))
    session_key = Column(String(64), index=True)
    coupon_code = Column(String(40))
    created_at = Column(DateTime, default=_now)
    updated_at = Column(DateTime, default=_now, onupdate=_now)

    items = relationship("CartItem", back_populates="cart", cascade="all, delete-orphan")


class CartItem(Base):
    __tablename__ = "cart_items"

    id = Column(Integer, primary_key=True)
    cart_id = Column(Integer, ForeignKey("carts.id"), nullable=False)
    product_id = Column(Integer, ForeignKey("products.id"), nullable=False)
    quantity = Column(Integer, default=1, nullable=False)
    unit_price = Column(Numeric(10, 2), nullable=False)

    cart = relationship("Cart", back_populates="items")
    product = relationship("Product")


class Coupon(Base):
    __tablename__ = "coupons"

    id = Column(Integer, primary_key=True)
    code = Column(String(40), nullable=False, unique=True)
    kind = Column(String(10), nullable=False, default="percent")
    amount = Column(Numeric(10, 2), nullable=False)
    min_order_total = Column(Numeric(10, 2), default=Decimal("0"))
    valid_from = Column(DateTime)
    valid_until = Column(DateTime)
    max_uses = Column(Integer)
    times_used = Column(Integer, default=0)


class Order(Base):
    __tablename__ = "orders"

    STATUS_NEW = "new"
    STATUS_PAID = "paid"
    STATUS_SHIPPED = "shipped"
    STATUS_DELIVERED = "delivered"
    STATUS_CANCELLED = "cancelled"
    STATUS_REFUNDED = "refunded"

    id = Column(Integer, primary_key=True)
    number = Column(String(20), nullable=False, unique=True)
    customer_id = Column(Integer, ForeignKey("customers.id"), nullable=False)
    billing_address_id = Column(Integer, ForeignKey("addresses.id"))
    shipping_address_id = Column(Integer, ForeignKey("addresses.id"))
    status = Column(String(20), default=STATUS_NEW, nullable=False)
    currency = Column(String(3), default="EUR", nullable=False)
    subtotal = Column(Numeric(10, 2), default=Decimal("0"))
    discount_total = Column(Numeric(10, 2), default=Decimal("0"))
    shipping_total = Column(Numeric(10, 2), default=Decimal("0"))
    tax_total = Column(Numeric(10, 2), default=Decimal("0"))
    grand_total = Column(Numeric(10, 2), default=Decimal("0"))
    coupon_code = Column(String(40))
    notes = Column(Text)
    created_at = Column(DateTime, default=_now)
    updated_at = Column(DateTime, default=_now, onupdate=_now)
    placed_at = Column(DateTime)

    customer = relationship("Customer", back_populates="orders")
    lines = relationship("OrderLine", back_populates="order", cascade="all, delete-orphan")
    payments = relationship("Payment", back_populates="order")
    shipments = relationship("Shipment", back_populates="order")

    def is_paid(self):
        return self.status in (self.STATUS_PAID, self.STATUS_SHIPPED, self.STATUS_DELIVERED)


class OrderLine(Base):
    __tablename__ = "order_lines"

    id = Column(Integer, primary_key=True)
    order_id = Column(Integer, ForeignKey("orders.id"), nullable=False)
    product_id = Column(Integer, ForeignKey("products.id"), nullable=False)
    sku = Column(String(64), nullable=False)
    name = Column(String(255), nullable=False)
    quantity = Column(Integer, nullable=False)
    unit_price = Column(Numeric(10, 2), nullable=False)
    tax_rate = Column(Numeric(5, 4), nullable=False)
    line_total = Column(Numeric(10, 2), nullable=False)

    order = relationship("Order", back_populates="lines")
    product = relationship("Product")


# --------------------------------------------------------------------------- payments


class Payment(Base):
    __tablename__ = "payments"

    id = Column(Integer, primary_key=True)
    order_id = Column(Integer, ForeignKey("orders.id"), nullable=False)
    provider = Column(String(20), nullable=False, default="payfast")
    provider_ref = Column(String(120))
    method = Column(String(20))
    amount = Column(Numeric(10, 2), nullable=False)
    currency = Column(String(3), nullable=False, default="EUR")
    status = Column(String(20), nullable=False, default="pending")
    captured_at = Column(DateTime)
    created_at = Column(DateTime, default=_now)
    raw_response = Column(Text)

    order = relationship("Order", back_populates="payments")
    refunds = relationship("Refund", back_populates="payment")


class Refund(Base):
    __tablename__ = "refunds"

    id = Column(Integer, primary_key=True)
    payment_id = Column(Integer, ForeignKey("payments.id"), nullable=False)
    order_id = Column(Integer, ForeignKey("orders.id"), nullable=False)
    amount = Column(Numeric(10, 2), nullable=False)
    reason = Column(String(255))
    status = Column(String(20), default="requested")
    provider_ref = Column(String(120))
    created_by = Column(Integer, ForeignKey("admin_users.id"))
    created_at = Column(DateTime, default=_now)

    payment = relationship("Payment", back_populates="refunds")


class Invoice(Base):
    __tablename__ = "invoices"

    id = Column(Integer, primary_key=True)
    order_id = Column(Integer, ForeignKey("orders.id"), nullable=False)
    number = Column(String(20), nullable=False, unique=True)
    issued_at = Column(DateTime, default=_now)
    total = Column(Numeric(10, 2), nullable=False)
    tax_total = Column(Numeric(10, 2), nullable=False)
    pdf_path = Column(String(500))


# --------------------------------------------------------------------------- shipping


class Carrier(Base):
    __tablename__ = "carriers"

    id = Column(Integer, primary_key=True)
    code = Column(String(20), nullable=False, unique=True)
    name = Column(String(120), nullable=False)
    tracking_url_template = Column(String(500))
    base_rate = Column(Numeric(10, 2), nullable=False)
    per_kg_rate = Column(Numeric(10, 2), nullable=False)
    is_active = Column(Boolean, default=True)


class Shipment(Base):
    __tablename__ = "shipments"

    id = Column(Integer, primary_key=True)
    order_id = Column(Integer, ForeignKey("orders.id"), nullable=False)
    carrier_id = Column(Integer, ForeignKey("carriers.id"), nullable=False)
    warehouse_id = Column(Integer, ForeignKey("warehouses.id"))
    tracking_number = Column(String(64))
    status = Column(String(20), default="pending")
    cost = Column(Numeric(10, 2))
    shipped_at = Column(DateTime)
    delivered_at = Column(DateTime)
    created_at = Column(DateTime, default=_now)

    order = relationship("Order", back_populates="shipments")
    carrier = relationship("Carrier")
    events = relationship("ShipmentEvent", order_by="ShipmentEvent.occurred_at")


class ShipmentEvent(Base):
    __tablename__ = "shipment_events"

    id = Column(Integer, primary_key=True)
    shipment_id = Column(Integer, ForeignKey("shipments.id"), nullable=False)
    status = Column(String(40), nullable=False)
    location = Column(String(120))
    description = Column(String(255))
    occurred_at = Column(DateTime, default=_now)


# --------------------------------------------------------------------------- notifications


class EmailTemplate(Base):
    __tablename__ = "email_templates"

    id = Column(Integer, primary_key=True)
    name = Column(String(80), nullable=False, unique=True)
    subject = Column(String(255), nullable=False)
    body_html = Column(Text)
    body_text = Column(Text)
    updated_at = Column(DateTime, default=_now, onupdate=_now)


class NotificationLog(Base):
    __tablename__ = "notification_log"

    id = Column(Integer, primary_key=True)
    customer_id = Column(Integer, ForeignKey("customers.id"))
    order_id = Column(Integer, ForeignKey("orders.id"))
    template_name = Column(String(80))
    recipient = Column(String(255), nullable=False)
    subject = Column(String(255))
    status = Column(String(20), default="queued")
    error = Column(Text)
    sent_at = Column(DateTime)


# --------------------------------------------------------------------------- admin / reporting


class AdminUser(Base):
    __tablename__ = "admin_users"

    id = Column(Integer, primary_key=True)
    username = Column(String(80), nullable=False, unique=True)
    email = Column(String(255))
    password_hash = Column(String(255), nullable=False)
    role = Column(String(20), default="staff")
    is_active = Column(Boolean, default=True)
    last_login_at = Column(DateTime)


class ReportRun(Base):
    __tablename__ = "report_runs"

    id = Column(Integer, primary_key=True)
    report_name = Column(String(80), nullable=False)
    run_date = Column(DateTime, nullable=False)
    status = Column(String(20), default="running")
    row_count = Column(Integer)
    file_path = Column(String(500))
    started_at = Column(DateTime, default=_now)
    finished_at = Column(DateTime)
    requested_by = Column(Integer, ForeignKey("admin_users.id"))


audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("admin_user_id", Integer, ForeignKey("admin_users.id")),
    Column("action", String(40), nullable=False),
    Column("entity", String(40), nullable=False),
    Column("entity_id", Integer),
    Column("details", Text),
    Column("created_at", DateTime, default=_now),
)
