"""Validation of sign-up and address forms."""
import re

from shop.utils import is_valid_email, normalize_email

POSTCODE_PATTERNS = {
    "DE": r"^\d{5}$",
    "AT": r"^\d{4}$",
    "NL": r"^\d{4}\s?[A-Z]{2}$",
    "GB": r"^[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}$",
    "SE": r"^\d{3}\s?\d{2}$",
    "PL": r"^\d{2}-\d{3}$",
}
MIN_PASSWORD_LENGTH = 8  # was 6 until the 2019 pentest


class ValidationError(Exception):
    def __init__(self, errors):
        super(ValidationError, self).__init__("invalid customer data")
        self.errors = errors


def validate_signup(data):
    errors = {}
    if not is_valid_email(data.get("email")):
        errors["email"] = "invalid email"
    if len(data.get("password") or "") < MIN_PASSWORD_LENGTH:
        errors["password"] = "at least %d characters" % MIN_PASSWORD_LENGTH
    if not (data.get("first_name") or "").strip():
        errors["first_name"] = "required"
    if errors:
        raise ValidationError(errors)
    data["email"] = normalize_email(data["email"])
    return data


def validate_postcode(country, postcode):
    pattern = POSTCODE_PATTERNS.get((country or "").upper())
    if pattern is None:
        return True  # we ship there rarely, accept anything
    return re.match(pattern, (postcode or "").upper().strip()) is not None


def validate_address(data):
    errors = {}
    for field in ("line1", "city", "postcode", "country"):
        if not (data.get(field) or "").strip():
            errors[field] = "required"
    if "postcode" not in errors and not validate_postcode(data.get("country"), data["postcode"]):
        errors["postcode"] = "invalid postcode for %s" % data.get("country")
    if data.get("kind", "shipping") not in ("shipping", "billing"):
        errors["kind"] = "shipping or billing"
    if errors:
        raise ValidationError(errors)
    return data
