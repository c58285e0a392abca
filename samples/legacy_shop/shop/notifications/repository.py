"""Notification log and template storage."""
from shop.db import execute_sql, get_session
from shop.models import EmailTemplate, NotificationLog
from shop.utils import utcnow


def get_template(name):
    return get_session().query(EmailTemplate).filter(EmailTemplate.name == name).first()


def list_templates():
    return get_session().query(EmailTemplate).order_by(EmailTemplate.name).all()


def save_template(name, subject, body_text, body_html=None):
    session = get_session()
    template = get_template(name)
    if template is None:
        template = EmailTemplate(name=name)
        session.add(template)
    template.subject = subject
    template.body_text = body_text
    template.body_html = body_html
    template.updated_at = utcnow()
    return template


def log_notification(recipient, subject, template_name=None, customer_id=None, order_id=None):
    entry = NotificationLog(
        recipient=recipient,
        subject=subject,
        template_name=template_name,
        customer_id=customer_id,
        order_id=order_id,
        status="queued",
    )
    session = get_session()
    session.add(entry)
    session.flush()
    return entry


def mark_sent(entry_id):
    execute_sql(
        "UPDATE notification_log SET status = 'sent', sent_at = :now WHERE id = :id",
        {"now": utcnow(), "id": entry_id},
    )


def mark_failed(entry_id, error):
    execute_sql(
        "UPDATE notification_log SET status = 'failed', error = :error WHERE id = :id",
        {"error": str(error)[:1000], "id": entry_id},
    )


def failed_since(since):
    return execute_sql(
        "SELECT id, recipient, subject, template_name, customer_id, order_id "
        "FROM notification_log WHERE status = 'failed' AND sent_at IS NULL AND id > 0 "
        "ORDER BY id",
        {"since": since},
    )


def log_for_customer(customer_id, limit=50):
    return (
        get_session()
        .query(NotificationLog)
        .filter(NotificationLog.customer_id == customer_id)
        .order_by(NotificationLog.id.desc())
        .limit(limit)
        .all()
    )


def unsubscribe(email):
    """Newsletter unsubscribe link. Writes the customers table directly (Sofia, 2018)."""
    return execute_sql(
        "UPDATE customers SET newsletter_opt_in = 0 WHERE LOWER(email) = LOWER(:email)",
        {"email": email},
    )


def customers_without_welcome_mail():
    return execute_sql(
        """
        SELECT c.id, c.email, c.first_name
        FROM customers c
        LEFT JOIN notification_log n
               ON n.customer_id = c.id AND n.template_name = 'welcome'
        WHERE n.id IS NULL AND c.is_active = 1
        ORDER BY c.id
        LIMIT 500
        """
    )
