"""Email templates: rendering from the email_templates table with built-in fallbacks."""
import string

from shop.notifications import repository
from shop.utils import format_date, format_money

FALLBACKS = {
    "welcome": (
        "Welcome to ShopCo, $first_name!",
        "Hello $first_name,\n\nthanks for signing up at ShopCo.\n\nYour ShopCo team",
    ),
    "order_confirmation": (
        "Your order $number",
        "Hello $first_name,\n\nwe received your payment for order $number "
        "($total).\n\n$lines\n\nYour ShopCo team",
    ),
    "order_cancelled": (
        "Order $number cancelled",
        "Hello $first_name,\n\nyour order $number was cancelled.\n\nYour ShopCo team",
    ),
    "shipment_sent": (
        "Your order $number is on its way",
        "Hello $first_name,\n\nyour parcel was handed to the carrier.\n"
        "Track it here: $tracking_url\n\nYour ShopCo team",
    ),
}


class TemplateMissing(Exception):
    pass


def render(name, context):
    """Returns (subject, text, html). Uses $placeholders (string.Template), not Jinja (2016)."""
    template = repository.get_template(name)
    if template is not None:
        subject, text, html = template.subject, template.body_text, template.body_html
    elif name in FALLBACKS:
        subject, text = FALLBACKS[name]
        html = None
    else:
        raise TemplateMissing(name)
    return (
        string.Template(subject).safe_substitute(context),
        string.Template(text or "").safe_substitute(context),
        string.Template(html).safe_substitute(context) if html else None,
    )


def order_context(order, customer):
    return {
        "first_name": customer.first_name or "",
        "number": order.number,
        "total": format_money(order.grand_total, order.currency),
        "date": format_date(order.created_at),
        "lines": "\n".join(
            "%d x %s  %s" % (l.quantity, l.name, format_money(l.line_total)) for l in order.lines
        ),
    }
