"""Data access for products and categories."""
from shop.db import execute_sql, get_session
from shop.models import Category, Product, ProductImage

PRODUCT_COLUMNS = "p.id, p.sku, p.name, p.price, p.sale_price, p.tax_class, p.is_active"


def get_product(product_id):
    return get_session().query(Product).get(product_id)


def get_product_by_sku(sku):
    return get_session().query(Product).filter(Product.sku == sku).first()


def get_products_by_ids(product_ids):
    if not product_ids:
        return []
    return get_session().query(Product).filter(Product.id.in_(list(product_ids))).all()


def list_active_products(category_id=None, limit=50, offset=0):
    query = get_session().query(Product).filter(Product.is_active == True)  # noqa: E712
    if category_id:
        query = query.filter(Product.category_id == category_id)
    return query.order_by(Product.name).limit(limit).offset(offset).all()


def count_products_in_category(category_id):
    rows = execute_sql(
        "SELECT COUNT(*) AS n FROM products WHERE category_id = :category_id AND is_active = 1",
        {"category_id": category_id},
    )
    return rows[0]["n"] if rows else 0


def list_categories():
    return get_session().query(Category).order_by(Category.position, Category.name).all()


def get_category_by_slug(slug):
    return get_session().query(Category).filter(Category.slug == slug).first()


def category_tree_rows():
    # recursive CTE, works on postgres and sqlite >= 3.8 (Lars checked)
    return execute_sql(
        """
        WITH RECURSIVE tree(id, parent_id, name, slug, depth) AS (
            SELECT id, parent_id, name, slug, 0 FROM categories WHERE parent_id IS NULL
            UNION ALL
            SELECT c.id, c.parent_id, c.name, c.slug, tree.depth + 1
            FROM categories c JOIN tree ON c.parent_id = tree.id
        )
        SELECT id, parent_id, name, slug, depth FROM tree ORDER BY depth, name
        """
    )


def save_product(product):
    session = get_session()
    session.add(product)
    session.flush()
    return product


def add_image(product_id, url, alt_text=None, position=0):
    session = get_session()
    image = ProductImage(product_id=product_id, url=url, alt_text=alt_text, position=position)
    session.add(image)
    return image


def delete_image(image_id):
    session = get_session()
    image = session.query(ProductImage).get(image_id)
    if image is not None:
        session.delete(image)
    return image


def deactivate_products(product_ids):
    return execute_sql(
        "UPDATE products SET is_active = 0 WHERE id IN :ids", {"ids": tuple(product_ids)}
    )


def bestseller_ids(limit=10):
    # reads order_lines directly; the "recommendations service" never happened
    rows = execute_sql(
        """
        SELECT ol.product_id, SUM(ol.quantity) AS sold
        FROM order_lines ol
        JOIN products p ON p.id = ol.product_id
        WHERE p.is_active = 1
        GROUP BY ol.product_id
        ORDER BY sold DESC
        LIMIT :limit
        """,
        {"limit": limit},
    )
    return [row["product_id"] for row in rows]
