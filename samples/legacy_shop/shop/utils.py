"""Helpers used everywhere: money, dates, emails, sessions, caching, auth, JSON."""
import contextlib
import datetime
import functools
import logging
import random
import re
import string
import time
import warnings
from decimal import ROUND_HALF_UP, Decimal

from flask import Response, abort, g, request, session

from shop import config
from shop.db import Session
from shop.vendor import simplejson_compat as json

log = logging.getLogger("shop")

TWO_PLACES = Decimal("0.01")
CURRENCY_SYMBOLS = {"EUR": u"\u20ac", "GBP": u"\u00a3", "SEK": "kr", "PLN": u"z\u0142"}
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[a-zA-Z]{2,}$")

_cache = {}


# --------------------------------------------------------------------------- money


def to_decimal(value):
    if value is None:
        return Decimal("0")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        # floats came in from the old PayPal IPN, never again
        value = repr(value)
    return Decimal(str(value))


def quantize(amount):
    return to_decimal(amount).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def format_money(amount, currency=None):
    currency = currency or config.DEFAULT_CURRENCY
    amount = quantize(amount)
    symbol = CURRENCY_SYMBOLS.get(currency, currency)
    text = "{:,.2f}".format(amount)
    if currency in ("EUR", "SEK", "PLN"):
        # German style: 1.234,56 EUR
        text = text.replace(",", "X").replace(".", ",").replace("X", ".")
        return "%s %s" % (text, symbol)
    return "%s%s" % (symbol, text)


def percent_of(amount, rate):
    return quantize(to_decimal(amount) * to_decimal(rate))


def tax_rate_for(tax_class):
    return to_decimal(config.TAX_RATES.get(tax_class, config.TAX_RATES["standard"]))


# --------------------------------------------------------------------------- dates


def utcnow():
    return datetime.datetime.utcnow()


def today():
    return datetime.date.today()


def days_ago(n):
    return utcnow() - datetime.timedelta(days=n)


def format_date(value, fmt="%d.%m.%Y"):
    if value is None:
        return ""
    return value.strftime(fmt)


def format_datetime(value):
    return format_date(value, "%d.%m.%Y %H:%M")


def parse_date(value):
    if not value:
        return None
    for fmt in ("%Y-%m-%d", "%d.%m.%Y", "%Y-%m-%dT%H:%M:%S"):
        try:
            return datetime.datetime.strptime(value, fmt)
        except ValueError:
            continue
    raise ValueError("unparseable date: %r" % value)


def start_of_day(day):
    return datetime.datetime(day.year, day.month, day.day)


# --------------------------------------------------------------------------- emails / text


def normalize_email(email):
    return (email or "").strip().lower()


def is_valid_email(email):
    return bool(EMAIL_RE.match(normalize_email(email)))


def slugify(text):
    text = re.sub(r"[^\w\s-]", "", (text or "").lower())
    return re.sub(r"[-\s]+", "-", text).strip("-")


def random_token(length=32):
    alphabet = string.ascii_letters + string.digits
    return "".join(random.SystemRandom().choice(alphabet) for _ in range(length))


def generate_number(prefix):
    """Human readable numbers for orders and invoices: SC-20160402-4821."""
    return "%s-%s-%04d" % (prefix, utcnow().strftime("%Y%m%d"), random.randint(0, 9999))


def chunked(items, size):
    items = list(items)
    for i in range(0, len(items), size):
        yield items[i : i + size]


# --------------------------------------------------------------------------- db helpers


def get_session():
    return Session()


@contextlib.contextmanager
def session_scope():
    """Commit on success, roll back on error. Use this, not Session() directly (Marta)."""
    session_ = Session()
    try:
        yield session_
        session_.commit()
    except Exception:
        session_.rollback()
        raise


def get_or_404(model, object_id):
    obj = Session().query(model).get(object_id)
    if obj is None:
        abort(404)
    return obj


def paginate(query, page=1, per_page=25):
    page = max(int(page or 1), 1)
    total = query.count()
    items = query.limit(per_page).offset((page - 1) * per_page).all()
    return {"items": items, "page": page, "per_page": per_page, "total": total}


# --------------------------------------------------------------------------- caching


def cached(ttl=None):
    """Per-process cache. Good enough for one gunicorn worker (we have eight...)."""
    ttl = ttl or config.CACHE_TTL_SECONDS

    def decorator(func):
        @functools.wraps(func)
        def wrapper(*args):
            key = (func.__module__, func.__name__) + tuple(args)
            hit = _cache.get(key)
            if hit is not None and hit[0] > time.time():
                return hit[1]
            value = func(*args)
            _cache[key] = (time.time() + ttl, value)
            return value

        return wrapper

    return decorator


def clear_cache(prefix=None):
    for key in list(_cache):
        if prefix is None or key[0].startswith(prefix):
            del _cache[key]


# --------------------------------------------------------------------------- web


def json_response(data, status=200):
    return Response(json.dumps(data, default=_json_default), status=status, mimetype="application/json")


def _json_default(value):
    if isinstance(value, Decimal):
        return str(quantize(value))
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    raise TypeError(repr(value))


def get_json_body():
    data = request.get_json(silent=True)
    if data is None:
        data = request.form.to_dict()
    return data


def current_customer_id():
    return session.get("customer_id")


def login_required(view):
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if not current_customer_id():
            return json_response({"error": "login required"}, 401)
        return view(*args, **kwargs)

    return wrapper


def admin_required(view):
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if not session.get("admin_user_id"):
            abort(403)
        g.admin_user_id = session["admin_user_id"]
        return view(*args, **kwargs)

    return wrapper


def deprecated(func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        warnings.warn("%s is deprecated" % func.__name__, DeprecationWarning, stacklevel=2)
        return func(*args, **kwargs)

    return wrapper


# DEPRECATED: old name, some templates still call it (2017)
def money(amount):
    return format_money(amount)


# def send_sms(phone, text):
#     # Twilio trial ran out in 2017, see notifications.service
#     pass
