"""Catalog business logic: product pages, admin edits, category tree."""
from shop.catalog import pricing, repository, validators
from shop.models import Product
from shop.utils import cached, clear_cache, log, session_scope, slugify, to_decimal


@cached()
def category_tree():
    rows = repository.category_tree_rows()
    nodes = {}
    roots = []
    for row in rows:
        node = dict(row, children=[])
        nodes[row["id"]] = node
        if row["parent_id"] is None:
            roots.append(node)
        elif row["parent_id"] in nodes:
            nodes[row["parent_id"]]["children"].append(node)
    return roots


def product_detail(product_id):
    product = repository.get_product(product_id)
    if product is None or not product.is_active:
        return None
    return {
        "id": product.id,
        "sku": product.sku,
        "name": product.name,
        "description": product.description,
        "price": pricing.unit_price(product),
        "gross_price": pricing.gross_price(product),
        "on_sale": pricing.is_on_sale(product),
        "images": [{"url": i.url, "alt": i.alt_text} for i in product.images],
        "category": product.category.slug if product.category else None,
    }


def product_listing(category_slug=None, page=1, per_page=24):
    category_id = None
    if category_slug:
        category = repository.get_category_by_slug(category_slug)
        if category is None:
            return None
        category_id = category.id
    products = repository.list_active_products(
        category_id=category_id, limit=per_page, offset=(page - 1) * per_page
    )
    return [
        {"id": p.id, "name": p.name, "price": pricing.unit_price(p), "sku": p.sku}
        for p in products
    ]


def create_product(data):
    validators.validate_product(data)
    with session_scope():
        product = Product(
            sku=data["sku"],
            name=data["name"].strip(),
            description=data.get("description"),
            price=to_decimal(data["price"]),
            sale_price=to_decimal(data["sale_price"]) if data.get("sale_price") else None,
            tax_class=data.get("tax_class", "standard"),
            category_id=int(data["category_id"]),
            weight_grams=int(data.get("weight_grams") or 0),
        )
        repository.save_product(product)
    clear_cache("shop.catalog")
    log.info("created product %s", product.sku)
    return product


def update_product(product_id, data):
    validators.validate_product(data, partial=True)
    with session_scope():
        product = repository.get_product(product_id)
        if product is None:
            return None
        for field in ("name", "description", "tax_class"):
            if field in data:
                setattr(product, field, data[field])
        if "price" in data:
            product.price = to_decimal(data["price"])
        if "sale_price" in data:
            product.sale_price = to_decimal(data["sale_price"]) if data["sale_price"] else None
    clear_cache("shop.catalog")
    return product


def suggest_slug(name):
    slug = slugify(name)
    if repository.get_category_by_slug(slug) is None:
        return slug
    return slug + "-2"  # FIXME: only works twice


def bestsellers(limit=10):
    ids = repository.bestseller_ids(limit)
    products = {p.id: p for p in repository.get_products_by_ids(ids)}
    return [products[i] for i in ids if i in products]
