"""CSV product import from the buying team's spreadsheet. Semicolons, Excel, latin-1. Sigh."""
import csv
import io

from shop.catalog import repository, validators
from shop.models import Category, Product
from shop.utils import clear_cache, log, session_scope, slugify, to_decimal

COLUMNS = ("sku", "name", "category", "price", "sale_price", "tax_class", "weight_grams")


class ImportResult(object):
    def __init__(self):
        self.created = 0
        self.updated = 0
        self.errors = []

    def as_dict(self):
        return {"created": self.created, "updated": self.updated, "errors": self.errors}


def _read_rows(data):
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            data = data.decode("latin-1")
    reader = csv.DictReader(io.StringIO(data), delimiter=";")
    for number, row in enumerate(reader, start=2):
        yield number, {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}


def _category(session, name, cache):
    slug = slugify(name)
    if slug not in cache:
        category = repository.get_category_by_slug(slug)
        if category is None:
            category = Category(name=name, slug=slug, position=999)
            session.add(category)
            session.flush()
        cache[slug] = category
    return cache[slug]


def import_products(data, dry_run=False):
    result = ImportResult()
    categories = {}
    with session_scope() as session:
        for number, row in _read_rows(data):
            row["price"] = row.get("price", "").replace(",", ".")
            row["sale_price"] = row.get("sale_price", "").replace(",", ".")
            try:
                validators.validate_product(row)
            except validators.ValidationError as exc:
                result.errors.append({"line": number, "errors": exc.errors})
                continue
            category = _category(session, row.get("category") or "Uncategorised", categories)
            product = repository.get_product_by_sku(row["sku"])
            if product is None:
                product = Product(sku=row["sku"])
                session.add(product)
                result.created += 1
            else:
                result.updated += 1
            product.name = row["name"]
            product.category_id = category.id
            product.price = to_decimal(row["price"])
            product.sale_price = to_decimal(row["sale_price"]) if row["sale_price"] else None
            product.tax_class = row.get("tax_class") or "standard"
            product.weight_grams = int(row.get("weight_grams") or 0)
        if dry_run:
            session.rollback()
    clear_cache("shop.catalog")
    log.info("product import: %s", result.as_dict())
    return result
