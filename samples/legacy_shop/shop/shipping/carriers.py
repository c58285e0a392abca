"""Carrier rates and label numbers. DHL and DPD since 2017, GLS briefly in 2019."""
from decimal import Decimal

from shop.shipping import queries
from shop.utils import cached, quantize, random_token, to_decimal

COUNTRY_SURCHARGE = {
    "DE": Decimal("0"),
    "AT": Decimal("3.50"),
    "NL": Decimal("3.50"),
    "SE": Decimal("7.90"),
    "PL": Decimal("4.90"),
    "GB": Decimal("12.00"),  # since 2021, thanks Brexit
}


@cached(ttl=3600)
def carrier_list():
    return [
        {"code": c.code, "name": c.name, "base_rate": c.base_rate, "per_kg_rate": c.per_kg_rate}
        for c in queries.active_carriers()
    ]


def rate(carrier, weight_grams, country="DE"):
    kilos = Decimal(max(weight_grams, 1)) / Decimal(1000)
    cost = to_decimal(carrier["base_rate"]) + to_decimal(carrier["per_kg_rate"]) * kilos
    cost += COUNTRY_SURCHARGE.get(country, Decimal("15.00"))
    return quantize(cost)


def cheapest(weight_grams, country="DE"):
    options = [(rate(c, weight_grams, country), c["code"]) for c in carrier_list()]
    if not options:
        raise LookupError("no active carrier")
    return min(options)


def tracking_url(carrier, tracking_number):
    if not carrier.tracking_url_template:
        return None
    return carrier.tracking_url_template.replace("{number}", tracking_number)


def new_tracking_number(carrier_code):
    # the carriers give us numbers through their API; we fake them until the API is wired (2017)
    return "%s%s" % (carrier_code.upper(), random_token(12).upper())


# def gls_rate(weight_grams):
#     # GLS contract ended 2019-06
#     return Decimal("4.10") + Decimal("0.45") * weight_grams / 1000
