"""Input validation for catalog admin forms."""
import re

from shop.utils import to_decimal

SKU_RE = re.compile(r"^[A-Z0-9][A-Z0-9\-]{2,63}$")
ALLOWED_TAX_CLASSES = ("standard", "reduced", "zero")


class ValidationError(Exception):
    def __init__(self, errors):
        super(ValidationError, self).__init__("invalid product")
        self.errors = errors


def validate_product(data, partial=False):
    errors = {}
    if not partial or "sku" in data:
        if not SKU_RE.match(data.get("sku") or ""):
            errors["sku"] = "SKU must be upper case letters, digits and dashes"
    if not partial or "name" in data:
        if not (data.get("name") or "").strip():
            errors["name"] = "required"
    if not partial or "price" in data:
        try:
            if to_decimal(data.get("price")) <= 0:
                errors["price"] = "must be positive"
        except Exception:
            errors["price"] = "not a number"
    if data.get("sale_price") not in (None, ""):
        try:
            to_decimal(data["sale_price"])
        except Exception:
            errors["sale_price"] = "not a number"
    if data.get("tax_class", "standard") not in ALLOWED_TAX_CLASSES:
        errors["tax_class"] = "unknown tax class"
    if errors:
        raise ValidationError(errors)
    return data


def validate_category(data):
    errors = {}
    if not (data.get("name") or "").strip():
        errors["name"] = "required"
    if errors:
        raise ValidationError(errors)
    return data
