"""Sends the transactional mails and records them in notification_log."""
from shop import config
from shop.customers import repository as customer_repository
from shop.notifications import mailer, repository, templates
from shop.utils import is_valid_email, log, session_scope


def send(template_name, recipient, context, customer_id=None, order_id=None, bcc=None):
    if not is_valid_email(recipient):
        log.warning("not sending %s to invalid address %r", template_name, recipient)
        return None
    subject, text, html = templates.render(template_name, context)
    with session_scope():
        entry = repository.log_notification(
            recipient, subject, template_name, customer_id=customer_id, order_id=order_id
        )
    try:
        mailer.send_mail(recipient, subject, text, html, bcc=bcc)
    except mailer.MailError as exc:
        repository.mark_failed(entry.id, exc)
        return entry
    repository.mark_sent(entry.id)
    return entry


def send_internal(recipient, subject, body):
    """Mails to staff; not logged."""
    try:
        mailer.send_mail(recipient, subject, body)
    except mailer.MailError as exc:
        log.error("internal mail %r failed: %s", subject, exc)


def order_confirmation(order):
    customer = customer_repository.get_customer(order.customer_id)
    context = templates.order_context(order, customer)
    return send(
        "order_confirmation",
        customer.email,
        context,
        customer_id=customer.id,
        order_id=order.id,
        bcc=config.MAIL_BCC_ORDERS,
    )


def order_cancelled(order):
    customer = customer_repository.get_customer(order.customer_id)
    return send(
        "order_cancelled",
        customer.email,
        templates.order_context(order, customer),
        customer_id=customer.id,
        order_id=order.id,
    )


def shipment_sent(order, shipment, tracking_url):
    customer = customer_repository.get_customer(order.customer_id)
    context = templates.order_context(order, customer)
    context["tracking_url"] = tracking_url or "(no tracking available)"
    context["tracking_number"] = shipment.tracking_number
    return send(
        "shipment_sent", customer.email, context, customer_id=customer.id, order_id=order.id
    )


def welcome(customer_row):
    return send(
        "welcome",
        customer_row["email"],
        {"first_name": customer_row["first_name"] or ""},
        customer_id=customer_row["id"],
    )


# DEPRECATED: SMS via Twilio, trial expired in 2017. Callers were removed in 2018.
def send_sms(phone, text):
    log.warning("send_sms is a no-op since 2017 (%s)", phone)
