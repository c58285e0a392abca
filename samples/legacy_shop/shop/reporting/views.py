"""Report endpoints for the finance team."""
import datetime

from flask import Blueprint, g, request, send_file

from shop.reporting import queries, service
from shop.utils import admin_required, json_response, parse_date, today

bp = Blueprint("reports", __name__, url_prefix="/admin/reports")


def _day_arg():
    value = request.args.get("day")
    return parse_date(value).date() if value else today() - datetime.timedelta(days=1)


@bp.route("/")
@admin_required
def report_index():
    return json_response({"reports": service.REPORTS, "recent": [
        {"id": r.id, "name": r.report_name, "status": r.status, "rows": r.row_count}
        for r in service.recent_runs()
    ]})


@bp.route("/daily-sales")
@admin_required
def daily_sales():
    return json_response(service.daily_sales_report(_day_arg()))


@bp.route("/run/<name>", methods=["POST"])
@admin_required
def run(name):
    try:
        report_run = service.run_report(name, _day_arg(), g.admin_user_id)
    except KeyError:
        return json_response({"error": "unknown report"}, 404)
    return json_response({"id": report_run.id, "rows": report_run.row_count}, 201)


@bp.get("/runs/<int:run_id>/download")
@admin_required
def download(run_id):
    for report_run in service.recent_runs(limit=500):
        if report_run.id == run_id and report_run.file_path:
            return send_file(report_run.file_path, as_attachment=True)
    return json_response({"error": "not found"}, 404)


@bp.get("/customers/ltv")
@admin_required
def customer_ltv():
    return json_response(queries.customer_lifetime_value(int(request.args.get("min", 2))))
