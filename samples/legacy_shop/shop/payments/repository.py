"""Payment data access. Inserts go through raw SQL because of the PSP callback race (2017)."""
from shop.db import execute_sql, get_cursor, get_session
from shop.models import Invoice, Payment, Refund

INSERT_PAYMENT_SQL = """
    INSERT INTO payments (order_id, provider, method, amount, currency, status, created_at)
    VALUES (%s, %s, %s, %s, %s, 'pending', CURRENT_TIMESTAMP)
"""


def create_payment_row(order_id, provider, method, amount, currency):
    with get_cursor(commit=True) as cursor:
        cursor.execute(INSERT_PAYMENT_SQL, (order_id, provider, method, amount, currency))
        cursor.execute("SELECT MAX(id) FROM payments WHERE order_id = %s", (order_id,))
        return cursor.fetchone()[0]


def get_payment(payment_id):
    return get_session().query(Payment).get(payment_id)


def get_by_provider_ref(provider_ref):
    return get_session().query(Payment).filter(Payment.provider_ref == provider_ref).first()


def payments_for_order(order_id):
    return (
        get_session()
        .query(Payment)
        .filter(Payment.order_id == order_id)
        .order_by(Payment.created_at)
        .all()
    )


def captured_payment_for_order(order_id):
    return (
        get_session()
        .query(Payment)
        .filter(Payment.order_id == order_id, Payment.status == "captured")
        .first()
    )


def update_status(payment_id, status, provider_ref=None, raw_response=None):
    execute_sql(
        "UPDATE payments SET status = :status, "
        "provider_ref = COALESCE(:provider_ref, provider_ref), "
        "raw_response = COALESCE(:raw, raw_response), "
        "captured_at = CASE WHEN :status = 'captured' THEN CURRENT_TIMESTAMP ELSE captured_at END "
        "WHERE id = :id",
        {"status": status, "provider_ref": provider_ref, "raw": raw_response, "id": payment_id},
    )


def add_refund(refund):
    session = get_session()
    session.add(refund)
    session.flush()
    return refund


def refunded_total(payment_id):
    rows = execute_sql(
        "SELECT COALESCE(SUM(amount), 0) AS total FROM refunds "
        "WHERE payment_id = :payment_id AND status IN ('requested', 'completed')",
        {"payment_id": payment_id},
    )
    return rows[0]["total"] if rows else 0


def refunds_for_order(order_id):
    return get_session().query(Refund).filter(Refund.order_id == order_id).all()


def invoice_for_order(order_id):
    return get_session().query(Invoice).filter(Invoice.order_id == order_id).first()


def add_invoice(invoice):
    get_session().add(invoice)
    return invoice


def next_invoice_sequence(year):
    rows = execute_sql(
        "SELECT COUNT(*) AS n FROM invoices WHERE number LIKE :prefix",
        {"prefix": "INV-%d-%%" % year},
    )
    return (rows[0]["n"] if rows else 0) + 1
