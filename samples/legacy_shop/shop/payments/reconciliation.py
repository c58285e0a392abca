"""Daily reconciliation of our payments against the PSP settlement report (finance, 2019)."""
import csv
import io

from shop.db import execute_sql
from shop.payments import repository
from shop.utils import log, quantize, to_decimal

SETTLEMENT_COLUMNS = ("payment_id", "reference", "amount", "currency", "status", "fee")


def parse_settlement(data):
    reader = csv.DictReader(io.StringIO(data))
    rows = []
    for row in reader:
        rows.append({
            "provider_ref": row["payment_id"],
            "reference": row["reference"],
            "amount": quantize(row["amount"]),
            "fee": quantize(row.get("fee") or "0"),
            "status": row["status"].lower(),
        })
    return rows


def captured_between(start, end):
    return execute_sql(
        """
        SELECT pay.id, pay.provider_ref, pay.amount, pay.status, o.number
        FROM payments pay
        JOIN orders o ON o.id = pay.order_id
        WHERE pay.captured_at >= :start AND pay.captured_at < :end
        """,
        {"start": start, "end": end},
    )


def reconcile(settlement_csv, start, end):
    theirs = {row["provider_ref"]: row for row in parse_settlement(settlement_csv)}
    ours = {row["provider_ref"]: row for row in captured_between(start, end)}
    problems = []
    for ref, row in sorted(ours.items()):
        other = theirs.get(ref)
        if other is None:
            problems.append(("missing_at_psp", ref, row["number"]))
        elif to_decimal(other["amount"]) != to_decimal(row["amount"]):
            problems.append(("amount_mismatch", ref, "%s != %s" % (row["amount"], other["amount"])))
    for ref in sorted(set(theirs) - set(ours)):
        payment = repository.get_by_provider_ref(ref)
        problems.append(("unknown_here", ref, payment.status if payment else "no row"))
    fees = quantize(sum(row["fee"] for row in theirs.values()))
    log.info("reconciliation %s..%s: %d problems, fees %s", start, end, len(problems), fees)
    return {"problems": problems, "fees": fees, "checked": len(ours)}
