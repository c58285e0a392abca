"""Customer account endpoints."""
from flask import Blueprint, Response, request, session

from shop.customers import auth, export, repository, service, validators
from shop.utils import (
    admin_required,
    current_customer_id,
    get_json_body,
    json_response,
    login_required,
)

bp = Blueprint("customers", __name__, url_prefix="/account")


@bp.route("/register", methods=["POST"])
def register():
    try:
        customer = service.register(get_json_body())
    except validators.ValidationError as exc:
        return json_response({"errors": exc.errors}, 400)
    session["customer_id"] = customer.id
    return json_response({"id": customer.id}, 201)


@bp.route("/login", methods=["POST"])
def login():
    data = get_json_body()
    customer = auth.authenticate(data.get("email"), data.get("password", ""))
    if customer is None:
        return json_response({"error": "invalid credentials"}, 401)
    session["customer_id"] = customer.id
    return json_response({"id": customer.id})


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    session.pop("customer_id", None)
    return json_response({"ok": True})


@bp.route("/me")
@login_required
def me():
    return json_response(service.profile(current_customer_id()))


@bp.route("/addresses", methods=["GET", "POST"])
@login_required
def addresses():
    if request.method == "POST":
        try:
            address = service.add_address(current_customer_id(), get_json_body())
        except validators.ValidationError as exc:
            return json_response({"errors": exc.errors}, 400)
        return json_response(service.address_dict(address), 201)
    return json_response(
        [service.address_dict(a) for a in repository.addresses_for(current_customer_id())]
    )


@bp.route("/addresses/<int:address_id>", methods=["DELETE"])
@login_required
def delete_address(address_id):
    if not service.remove_address(current_customer_id(), address_id):
        return json_response({"error": "not found"}, 404)
    return json_response({"ok": True})


@bp.post("/password-reset")
def password_reset():
    customer = repository.get_by_email(get_json_body().get("email"))
    if customer is not None:
        token = auth.password_reset_token(customer)
        # TODO(sofia): the mail is sent by notifications, this just logs the token (!)
        print("reset token for %s: %s" % (customer.id, token))
    return json_response({"ok": True})


@bp.get("/admin/search")
@admin_required
def admin_search():
    return json_response(repository.search_customers(request.args.get("q")))


@bp.get("/admin/<int:customer_id>/notes")
@admin_required
def admin_notes(customer_id):
    notes = repository.notes_for(customer_id)
    return json_response([{"body": n.body, "at": n.created_at} for n in notes])


@bp.get("/me/export")
@login_required
def gdpr_export():
    payload = export.export_json(current_customer_id())
    if payload is None:
        return json_response({"error": "not found"}, 404)
    return Response(
        payload,
        mimetype="application/json",
        headers={"Content-Disposition": "attachment; filename=my-data.json"},
    )
