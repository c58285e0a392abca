"""Payment jobs: capture stuck authorisations, nightly reconciliation."""
import datetime

from shop.db import execute_sql
from shop.payments import gateway, reconciliation, repository, service
from shop.utils import log, start_of_day, today, utcnow

STUCK_SQL = """
    SELECT pay.id FROM payments pay
    JOIN orders o ON o.id = pay.order_id
    WHERE pay.status = 'authorized' AND pay.created_at < :cutoff AND o.status = 'new'
"""


def capture_stuck_payments(minutes=60):
    cutoff = utcnow() - datetime.timedelta(minutes=minutes)
    captured = 0
    for row in execute_sql(STUCK_SQL, {"cutoff": cutoff}):
        payment = repository.get_payment(row["id"])
        try:
            service.capture(payment)
            captured += 1
        except gateway.GatewayError as exc:
            log.error("capture of payment %s failed: %s", payment.id, exc)
    return captured


def nightly_reconciliation(settlement_csv):
    day = today() - datetime.timedelta(days=1)
    start = start_of_day(day)
    result = reconciliation.reconcile(settlement_csv, start, start + datetime.timedelta(days=1))
    if result["problems"]:
        log.warning("reconciliation found %d problems", len(result["problems"]))
    return result
