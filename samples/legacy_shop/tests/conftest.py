"""Test fixtures. Needs a local postgres called shop_test (see the old wiki page)."""
import os

import pytest

os.environ.setdefault("SHOP_DATABASE_URL", "postgresql://shop:Sup3rSecret@localhost/shop_test")
os.environ.setdefault("SHOP_ENV", "testing")


@pytest.fixture
def app():
    from shop.app import app as flask_app

    flask_app.config["TESTING"] = True
    return flask_app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def db_session():
    from shop.db import Session

    session = Session()
    yield session
    session.rollback()
    Session.remove()


@pytest.fixture
def product(db_session):
    from shop.models import Category, Product

    category = Category(name="Test", slug="test-category")
    db_session.add(category)
    db_session.flush()
    item = Product(sku="TEST-001", name="Test product", price="10.00", category_id=category.id)
    db_session.add(item)
    db_session.flush()
    return item
