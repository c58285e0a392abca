"""GDPR data export: everything we know about a customer, as JSON. Sofia, 2018-05-24 (!)."""
from shop.customers import repository, service
from shop.db import execute_sql
from shop.vendor import simplejson_compat as json

ORDERS_SQL = """
    SELECT o.number, o.status, o.grand_total, o.currency, o.created_at
    FROM orders o WHERE o.customer_id = :customer_id ORDER BY o.created_at
"""

NOTIFICATIONS_SQL = """
    SELECT n.template_name, n.subject, n.status, n.sent_at
    FROM notification_log n WHERE n.customer_id = :customer_id ORDER BY n.id
"""


def collect(customer_id):
    profile = service.profile(customer_id)
    if profile is None:
        return None
    params = {"customer_id": customer_id}
    return {
        "profile": profile,
        "notes": [n.body for n in repository.notes_for(customer_id)],
        "orders": execute_sql(ORDERS_SQL, params),
        "emails": execute_sql(NOTIFICATIONS_SQL, params),
    }


def export_json(customer_id):
    data = collect(customer_id)
    if data is None:
        return None
    return json.dumps(data, indent=2, sort_keys=True, default=str)
