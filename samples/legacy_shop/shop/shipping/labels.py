"""Shipping labels as ZPL for the Zebra printers in the warehouse (Lars, 2018)."""
from shop.customers import repository as customer_repository
from shop.shipping import queries

SENDER = ("ShopCo GmbH", "Lagerstrasse 12", "12345 Berlin", "DE")

ZPL_TEMPLATE = """^XA
^CF0,30
^FO50,50^FD{sender_name}^FS
^FO50,90^FD{sender_street}^FS
^FO50,130^FD{sender_city}^FS
^CF0,45
^FO50,220^FD{name}^FS
^FO50,280^FD{line1}^FS
^FO50,340^FD{postcode} {city}^FS
^FO50,400^FD{country}^FS
^BY3,2,120
^FO50,480^BC^FD{tracking_number}^FS
^XZ
"""


def _clean(value):
    # ZPL chokes on ^ and ~ (ticket WH-88)
    return (value or "").replace("^", " ").replace("~", " ")


def render_label(shipment_id):
    shipment = queries.get_shipment(shipment_id)
    order = shipment.order
    address = customer_repository.get_address(order.shipping_address_id)
    customer = customer_repository.get_customer(order.customer_id)
    return ZPL_TEMPLATE.format(
        sender_name=SENDER[0],
        sender_street=SENDER[1],
        sender_city=SENDER[2],
        name=_clean(customer.full_name),
        line1=_clean(address.line1),
        postcode=_clean(address.postcode),
        city=_clean(address.city),
        country=_clean(address.country),
        tracking_number=_clean(shipment.tracking_number),
    )


def render_pick_list(rows):
    lines = ["PICK LIST", "=" * 40]
    for row in rows:
        lines.append("%-14s %3s items  %s, %s" % (row["number"], row["items"], row["city"],
                                                  row["country"]))
    return "\n".join(lines)
