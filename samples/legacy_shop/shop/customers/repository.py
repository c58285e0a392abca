"""Customer data access."""
from shop.customers.models import CustomerNote, LoyaltyAccount
from shop.db import execute_sql, get_session
from shop.models import Address, Customer
from shop.utils import normalize_email


def get_customer(customer_id):
    return get_session().query(Customer).get(customer_id)


def get_by_email(email):
    return (
        get_session().query(Customer).filter(Customer.email == normalize_email(email)).first()
    )


def add_customer(customer):
    session = get_session()
    session.add(customer)
    session.flush()
    return customer


def addresses_for(customer_id):
    return (
        get_session()
        .query(Address)
        .filter(Address.customer_id == customer_id)
        .order_by(Address.is_default.desc(), Address.id)
        .all()
    )


def get_address(address_id):
    return get_session().query(Address).get(address_id)


def default_address(customer_id, kind="shipping"):
    return (
        get_session()
        .query(Address)
        .filter(Address.customer_id == customer_id, Address.kind == kind)
        .order_by(Address.is_default.desc())
        .first()
    )


def delete_address(address):
    get_session().delete(address)


def notes_for(customer_id):
    return (
        get_session()
        .query(CustomerNote)
        .filter(CustomerNote.customer_id == customer_id)
        .order_by(CustomerNote.created_at.desc())
        .all()
    )


def add_note(customer_id, body, admin_user_id=None):
    note = CustomerNote(customer_id=customer_id, body=body, admin_user_id=admin_user_id)
    get_session().add(note)
    return note


def loyalty_account(customer_id, create=False):
    session = get_session()
    account = (
        session.query(LoyaltyAccount).filter(LoyaltyAccount.customer_id == customer_id).first()
    )
    if account is None and create:
        account = LoyaltyAccount(customer_id=customer_id, points=0)
        session.add(account)
    return account


def newsletter_recipients():
    return execute_sql(
        "SELECT id, email, first_name FROM customers "
        "WHERE newsletter_opt_in = 1 AND is_active = 1 ORDER BY id"
    )


def touch_last_login(customer_id):
    execute_sql(
        "UPDATE customers SET last_login_at = CURRENT_TIMESTAMP WHERE id = :id",
        {"id": customer_id},
    )


def search_customers(term, limit=50):
    like = "%" + (term or "").lower() + "%"
    return execute_sql(
        """
        SELECT c.id, c.email, c.first_name, c.last_name, c.created_at,
               (SELECT COUNT(*) FROM orders o WHERE o.customer_id = c.id) AS order_count
        FROM customers c
        WHERE LOWER(c.email) LIKE :like OR LOWER(c.last_name) LIKE :like
        ORDER BY c.id DESC
        LIMIT :limit
        """,
        {"like": like, "limit": limit},
    )
