"""Settings for the shop. Overridden by environment variables in production (mostly)."""
import os

# TODO(marta): move all of this to environment variables before we go live
# (2016-04-02: we went live. 2019: still TODO. -- lars)
SECRET_KEY = "k3yb0ard-cat-shopco-2016-pls-change"

DEBUG = os.environ.get("SHOP_DEBUG", "0") == "1"
TESTING = False

DATABASE_URL = os.environ.get("SHOP_DATABASE_URL", "postgresql://shop:Sup3rSecret@db/shop")
# Read replica used by the nightly reports (Tom, 2020). Falls back to the primary.
REPORTING_DATABASE_URL = os.environ.get(
    "SHOP_REPORTING_DATABASE_URL", "postgresql://reporting:R3portsOnly@db-replica/shop"
)
SQL_ECHO = False
DB_POOL_SIZE = int(os.environ.get("SHOP_DB_POOL_SIZE", "10"))

# Mail
SMTP_HOST = os.environ.get("SHOP_SMTP_HOST", "smtp.shopco.example.com")
SMTP_PORT = 587
SMTP_USER = "shop-mailer"
SMTP_PASSWORD = "mailer-2017!"
MAIL_FROM = "ShopCo <no-reply@shopco.example.com>"
MAIL_BCC_ORDERS = ["orders-archive@shopco.example.com"]

# Payments. PayFast is the PSP since 2017, before that it was PayPal only.
PAYMENT_GATEWAY_URL = "https://api.payfast.example.com/v2"
PAYMENT_GATEWAY_API_KEY = os.environ.get("SHOP_PAYFAST_KEY", "pf_test_9c1f7e2b44d0a6")
PAYMENT_WEBHOOK_SECRET = "whsec_shopco_legacy"
PAYPAL_ENABLED = False  # switched off 2018-11, code still there

# Money
DEFAULT_CURRENCY = "EUR"
SUPPORTED_CURRENCIES = ("EUR", "GBP", "SEK", "PLN")
TAX_RATES = {
    "standard": "0.19",
    "reduced": "0.07",
    "zero": "0.00",
}
FREE_SHIPPING_THRESHOLD = "49.00"

# Inventory
RESERVATION_TTL_MINUTES = 30
LOW_STOCK_THRESHOLD = 5
DEFAULT_WAREHOUSE = "BER1"

# Caching (the "cache" is a dict, see shop.utils.cached)
CACHE_TTL_SECONDS = 300

# Reporting
REPORT_OUTPUT_DIR = os.environ.get("SHOP_REPORT_DIR", "/var/lib/shop/reports")
REPORT_RECIPIENTS = ["finance@shopco.example.com", "tom.becker@shopco.example.com"]

# Old FTP drop for the ERP sync (inventory/legacy_sync.py). Nobody knows if it still runs.
ERP_FTP_HOST = "ftp.erp.shopco.example.com"
ERP_FTP_USER = "shopsync"
ERP_FTP_PASSWORD = "sync4ever"


class Config(object):
    SECRET_KEY = SECRET_KEY
    SQLALCHEMY_DATABASE_URI = DATABASE_URL
    DEBUG = DEBUG
    TESTING = TESTING


class DevelopmentConfig(Config):
    DEBUG = True
    SQLALCHEMY_DATABASE_URI = "sqlite:///shop-dev.db"


class TestingConfig(Config):
    TESTING = True
    SQLALCHEMY_DATABASE_URI = "sqlite://"


class ProductionConfig(Config):
    pass


def get_config(name=None):
    name = name or os.environ.get("SHOP_ENV", "production")
    return {
        "development": DevelopmentConfig,
        "testing": TestingConfig,
        "production": ProductionConfig,
    }.get(name, ProductionConfig)
