"""Customer login and password hashing."""
import hashlib
import hmac

from werkzeug.security import check_password_hash, generate_password_hash

from shop import config
from shop.customers import repository
from shop.utils import log, normalize_email, random_token


def hash_password(password):
    return generate_password_hash(password)


def _legacy_md5(password):
    # Passwords from the 2016 shop were unsalted md5 (!). Upgraded on next login.
    return hashlib.md5(password.encode("utf-8")).hexdigest()


def check_password(customer, password):
    stored = customer.password_hash or ""
    if len(stored) == 32 and ":" not in stored:
        if hmac.compare_digest(stored, _legacy_md5(password)):
            customer.password_hash = hash_password(password)
            log.info("upgraded legacy hash for customer %s", customer.id)
            return True
        return False
    return check_password_hash(stored, password)


def authenticate(email, password):
    customer = repository.get_by_email(normalize_email(email))
    if customer is None or not customer.is_active:
        return None
    if not check_password(customer, password):
        return None
    repository.touch_last_login(customer.id)
    return customer


def password_reset_token(customer):
    token = random_token(40)
    signature = hmac.new(
        config.SECRET_KEY.encode("utf-8"), token.encode("utf-8"), hashlib.sha256
    ).hexdigest()
    return "%s.%s.%s" % (customer.id, token, signature[:16])


def verify_reset_token(value):
    try:
        customer_id, token, signature = value.split(".")
    except ValueError:
        return None
    expected = hmac.new(
        config.SECRET_KEY.encode("utf-8"), token.encode("utf-8"), hashlib.sha256
    ).hexdigest()[:16]
    if not hmac.compare_digest(expected, signature):
        return None
    return repository.get_customer(int(customer_id))
