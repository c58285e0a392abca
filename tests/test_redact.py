"""Passwords in URLs and secrets in code snippets never reach output."""

from __future__ import annotations

import pytest

from analyzers.redact import redact_text, redact_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "postgresql+psycopg://bob:s3cret@db:5432/shop",
            "postgresql+psycopg://bob:***@db:5432/shop",
        ),
        ("mysql+pymysql://root:@127.0.0.1/shop", "mysql+pymysql://root:***@127.0.0.1/shop"),
        ("sqlite:///shop.db", "sqlite:///shop.db"),
        ("postgresql://reader@db/shop", "postgresql://reader@db/shop"),
    ],
)
def test_url_passwords_are_masked(url, expected):
    assert redact_url(url) == expected


@pytest.mark.parametrize(
    ("line", "secret"),
    [
        ('SECRET_KEY = "dev-not-so-secret-2014"', "dev-not-so-secret-2014"),
        ('DB_PASSWORD: str = "hunter2"', "hunter2"),
        (
            'API_KEY = os.environ.get("SHOP_KEY", "pf_test_9c1f7e2b44d0a6")',
            "pf_test_9c1f7e2b44d0a6",
        ),
        ('DATABASE_URL = "postgresql://shop:Sup3rSecret@db/shop"', "Sup3rSecret"),
        ('config = {"api_key": "zzz-123"}', "zzz-123"),
        ("aws = 'AKIAABCDEFGHIJKLMNOP'", "AKIAABCDEFGHIJKLMNOP"),
        ("insert into users values ('admin', 'hunter22')", "hunter22"),
        ("cur.execute(\"INSERT INTO t (a) VALUES ('Pw4Values9')\")", "Pw4Values9"),
        ('headers = {"Authorization": "Token abcdefgh12"}', "abcdefgh12"),
        ('headers = {"Authorization": "Bearer eyJhbGciOiJIUzI1NiJ9"}', "eyJhbGciOiJIUzI1NiJ9"),
    ],
)
def test_secrets_in_snippets_are_masked(line, secret):
    redacted = redact_text(line)
    assert secret not in redacted
    assert "***" in redacted


@pytest.mark.parametrize(
    "line",
    [
        "password_hash = hash(password)",
        'sql = "SELECT id FROM orders"',
        'KEY_NAME = "SHOP_KEY"',
        # Django's `.values(...)` and a dict's `.values()` are method calls, not SQL VALUES
        'channels = Channel.objects.filter(slug=channel_slug).values("pk")',
        'Order.objects.filter(pk__in=base_qs.values("pk")),',
        'Stock.objects.bulk_update(stocks.values(), ["quantity_allocated"])',
        'ids = qs.values_list("id", flat=True)',
        # prose after an auth scheme's name is not a credential
        'description="A one-time token required to change the email."',
        'logger.warning("Token validation failed", exc_info=True)',
    ],
)
def test_ordinary_code_is_left_alone(line):
    assert redact_text(line) == line
