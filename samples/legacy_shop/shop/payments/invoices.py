"""Invoices: numbering and the PDF. The PDF layout is from 2016 and everyone hates it."""
import os

from shop import config
from shop.models import Invoice
from shop.payments import repository
from shop.utils import format_date, format_money, log, session_scope, utcnow

INVOICE_DIR = os.path.join(config.REPORT_OUTPUT_DIR, "invoices")


def invoice_number(year=None):
    year = year or utcnow().year
    return "INV-%d-%06d" % (year, repository.next_invoice_sequence(year))


def create_invoice(order):
    existing = repository.invoice_for_order(order.id)
    if existing is not None:
        return existing
    with session_scope():
        invoice = repository.add_invoice(
            Invoice(
                order_id=order.id,
                number=invoice_number(),
                issued_at=utcnow(),
                total=order.grand_total,
                tax_total=order.tax_total,
            )
        )
    invoice.pdf_path = render_pdf(invoice, order)
    log.info("invoice %s for order %s", invoice.number, order.number)
    return invoice


def render_text(invoice, order):
    lines = [
        "ShopCo GmbH - Invoice %s" % invoice.number,
        "Date: %s" % format_date(invoice.issued_at),
        "Order: %s" % order.number,
        "",
    ]
    for line in order.lines:
        lines.append(
            "%3d x %-40s %12s" % (line.quantity, line.name[:40], format_money(line.line_total))
        )
    lines.append("")
    lines.append("Shipping: %s" % format_money(order.shipping_total))
    lines.append("VAT included: %s" % format_money(invoice.tax_total))
    lines.append("Total: %s" % format_money(invoice.total))
    return "\n".join(lines)


def render_pdf(invoice, order):
    # TODO(marta): real PDF. For now a .txt the finance team prints. (2016)
    if not os.path.isdir(INVOICE_DIR):
        os.makedirs(INVOICE_DIR)
    path = os.path.join(INVOICE_DIR, invoice.number + ".txt")
    with open(path, "w") as handle:
        handle.write(render_text(invoice, order))
    return path
