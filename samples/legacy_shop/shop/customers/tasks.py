"""Customer housekeeping jobs (cron, Sundays 04:00)."""
import datetime

from shop.customers import repository, service
from shop.db import execute_sql
from shop.utils import log, session_scope, utcnow

DORMANT_AFTER_DAYS = 3 * 365
POINTS_EXPIRE_AFTER_DAYS = 2 * 365

DORMANT_SQL = """
    SELECT c.id FROM customers c
    WHERE c.is_active = 1
      AND COALESCE(c.last_login_at, c.created_at) < :cutoff
      AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id AND o.created_at >= :cutoff)
"""


def deactivate_dormant_accounts(dry_run=True):
    cutoff = utcnow() - datetime.timedelta(days=DORMANT_AFTER_DAYS)
    ids = [row["id"] for row in execute_sql(DORMANT_SQL, {"cutoff": cutoff})]
    if not dry_run:
        for customer_id in ids:
            service.deactivate(customer_id)
    log.info("dormant accounts: %d (dry_run=%s)", len(ids), dry_run)
    return ids


def expire_loyalty_points():
    cutoff = utcnow() - datetime.timedelta(days=POINTS_EXPIRE_AFTER_DAYS)
    rows = execute_sql(
        "SELECT customer_id FROM loyalty_accounts WHERE points > 0 AND updated_at < :cutoff",
        {"cutoff": cutoff},
    )
    with session_scope():
        for row in rows:
            account = repository.loyalty_account(row["customer_id"])
            account.points = 0
            account.recompute_tier()
    return len(rows)
