"""Thin client for the PayFast API (our PSP since 2017)."""
import hashlib
import hmac
import logging

import requests

from shop import config
from shop.utils import quantize
from shop.vendor import simplejson_compat as json

log = logging.getLogger(__name__)

TIMEOUT = 15  # seconds; PayFast is slow on Black Friday


class GatewayError(Exception):
    pass


def _headers():
    return {
        "Authorization": "Bearer %s" % config.PAYMENT_GATEWAY_API_KEY,
        "Content-Type": "application/json",
    }


def _post(path, payload):
    url = config.PAYMENT_GATEWAY_URL + path
    try:
        response = requests.post(url, data=json.dumps(payload), headers=_headers(), timeout=TIMEOUT)
    except requests.RequestException as exc:
        raise GatewayError("PSP unreachable: %s" % exc)
    if response.status_code >= 400:
        raise GatewayError("PSP error %s: %s" % (response.status_code, response.text[:200]))
    return json.loads(response.content)


def create_payment(reference, amount, currency, method, return_url):
    return _post(
        "/payments",
        {
            "reference": reference,
            "amount": str(quantize(amount)),
            "currency": currency,
            "method": method,
            "return_url": return_url,
        },
    )


def capture(provider_ref, amount):
    return _post("/payments/%s/capture" % provider_ref, {"amount": str(quantize(amount))})


def refund(provider_ref, amount, reason=None):
    return _post(
        "/payments/%s/refunds" % provider_ref,
        {"amount": str(quantize(amount)), "reason": reason or "requested_by_customer"},
    )


def verify_webhook(body, signature):
    expected = hmac.new(
        config.PAYMENT_WEBHOOK_SECRET.encode("utf-8"), body, hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(expected, signature or "")


# DEPRECATED: PayPal classic, switched off 2018-11 (config.PAYPAL_ENABLED).
def paypal_express_checkout(order):
    raise GatewayError("PayPal is disabled since 2018")
