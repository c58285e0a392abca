"""Nightly report job (cron 02:30)."""
import datetime

from shop import config
from shop.notifications import service as notification_service
from shop.reporting import service
from shop.utils import log, today


def nightly(day=None):
    day = day or (today() - datetime.timedelta(days=1))
    report = service.daily_sales_report(day)
    for name in ("daily_sales", "top_products", "refunds"):
        service.run_report(name, day)
    text = service.summary_text(report)
    for recipient in config.REPORT_RECIPIENTS:
        notification_service.send_internal(recipient, "Sales %s" % day.isoformat(), text)
    log.info("nightly reports for %s done", day)
    return report


def weekly_stock_value():
    return service.run_report("stock_value", today())
