"""Builds the reports, writes CSV files and records each run in report_runs."""
import csv
import datetime
import os

from shop import config
from shop.models import ReportRun
from shop.reporting import queries
from shop.utils import format_money, log, quantize, session_scope, start_of_day, to_decimal, utcnow

REPORTS = {
    "daily_sales": "Daily sales",
    "top_products": "Top products",
    "refunds": "Refunds",
    "stock_value": "Stock value per warehouse",
    "shipping": "Shipping performance",
    "customer_ltv": "Customer lifetime value",
}


def _period(day):
    start = start_of_day(day)
    return start, start + datetime.timedelta(days=1)


def daily_sales_report(day):
    start, end = _period(day)
    rows = queries.daily_sales(start, end)
    totals = {
        "orders": sum(r["orders"] for r in rows),
        "revenue": quantize(sum(to_decimal(r["revenue"]) for r in rows)),
        "tax": quantize(sum(to_decimal(r["tax"]) for r in rows)),
        "discounts": quantize(sum(to_decimal(r["discounts"]) for r in rows)),
    }
    refunds = queries.refunds_between(start, end)
    totals["refunds"] = quantize(sum(to_decimal(r["amount"]) for r in refunds))
    totals["net_revenue"] = totals["revenue"] - totals["refunds"]
    return {
        "day": day.isoformat(),
        "rows": rows,
        "totals": totals,
        "top_products": queries.top_products(start, end, limit=10),
    }


def summary_text(report):
    totals = report["totals"]
    lines = [
        "Sales report for %s" % report["day"],
        "Orders: %d" % totals["orders"],
        "Revenue: %s" % format_money(totals["revenue"]),
        "Refunds: %s" % format_money(totals["refunds"]),
        "Net: %s" % format_money(totals["net_revenue"]),
        "",
        "Top products:",
    ]
    for row in report["top_products"]:
        lines.append("  %-12s %-30s %5s  %s" % (
            row["sku"], row["name"][:30], row["units"], format_money(row["revenue"])))
    return "\n".join(lines)


def write_csv(name, rows, day):
    directory = os.path.join(config.REPORT_OUTPUT_DIR, day.strftime("%Y/%m"))
    if not os.path.isdir(directory):
        os.makedirs(directory)
    path = os.path.join(directory, "%s-%s.csv" % (name, day.isoformat()))
    with open(path, "w") as handle:
        if rows:
            writer = csv.DictWriter(handle, fieldnames=sorted(rows[0].keys()), delimiter=";")
            writer.writeheader()
            writer.writerows(rows)
    return path


def run_report(name, day, admin_user_id=None):
    if name not in REPORTS:
        raise KeyError(name)
    with session_scope() as session:
        run = ReportRun(
            report_name=name, run_date=start_of_day(day), status="running",
            started_at=utcnow(), requested_by=admin_user_id,
        )
        session.add(run)
    try:
        start, end = _period(day)
        rows = {
            "daily_sales": lambda: queries.daily_sales(start, end),
            "top_products": lambda: queries.top_products(start, end, 100),
            "refunds": lambda: queries.refunds_between(start, end),
            "stock_value": queries.stock_value,
            "shipping": lambda: queries.shipping_performance(start, end),
            "customer_ltv": queries.customer_lifetime_value,
        }[name]()
        path = write_csv(name, rows, day)
    except Exception as exc:
        with session_scope():
            run.status = "failed"
            run.finished_at = utcnow()
        log.exception("report %s failed: %s", name, exc)
        raise
    with session_scope():
        run.status = "done"
        run.row_count = len(rows)
        run.file_path = path
        run.finished_at = utcnow()
    return run


def recent_runs(limit=30):
    from shop.db import get_session

    return get_session().query(ReportRun).order_by(ReportRun.id.desc()).limit(limit).all()
