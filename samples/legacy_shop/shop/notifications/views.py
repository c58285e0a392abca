"""Admin endpoints for templates and the notification log."""
from flask import Blueprint

from shop.notifications import repository, tasks, templates
from shop.utils import admin_required, get_json_body, json_response, session_scope

bp = Blueprint("notifications", __name__, url_prefix="/admin/notifications")


@bp.route("/templates")
@admin_required
def template_list():
    return json_response(
        [{"name": t.name, "subject": t.subject, "updated_at": t.updated_at}
         for t in repository.list_templates()]
    )


@bp.route("/templates/<name>", methods=["GET", "PUT"])
@admin_required
def template_detail(name):
    from flask import request

    if request.method == "PUT":
        data = get_json_body()
        with session_scope():
            repository.save_template(name, data["subject"], data["body_text"], data.get("body_html"))
    template = repository.get_template(name)
    if template is None:
        return json_response({"error": "not found"}, 404)
    return json_response({"name": template.name, "subject": template.subject})


@bp.post("/templates/<name>/preview")
@admin_required
def preview(name):
    try:
        subject, text, html = templates.render(name, get_json_body())
    except templates.TemplateMissing:
        return json_response({"error": "unknown template"}, 404)
    return json_response({"subject": subject, "text": text, "html": html})


@bp.get("/customers/<int:customer_id>")
@admin_required
def customer_log(customer_id):
    return json_response(
        [{"subject": n.subject, "status": n.status, "sent_at": n.sent_at}
         for n in repository.log_for_customer(customer_id)]
    )


@bp.route("/unsubscribe", methods=["GET", "POST"])
def unsubscribe():
    from flask import request

    repository.unsubscribe(request.values.get("email", ""))
    return json_response({"ok": True})


@bp.post("/newsletter")
@admin_required
def newsletter():
    data = get_json_body()
    sent = tasks.send_newsletter(data["subject"], data["body_text"], data.get("body_html"))
    return json_response({"sent": sent})
