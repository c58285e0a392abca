"""The staff admin: dashboard, admin users, audit log. Grew from Marta's one-page admin."""
import datetime

from flask import Blueprint, g, render_template, request, session
from werkzeug.security import check_password_hash, generate_password_hash

from shop.customers import service as customer_service
from shop.db import execute_sql, get_session
from shop.inventory import queries as inventory_queries
from shop.models import AdminUser, Order, audit_log
from shop.orders import repository as order_repository
from shop.reporting import queries, service
from shop.utils import admin_required, get_json_body, json_response, session_scope, today, utcnow

bp = Blueprint("admin", __name__, url_prefix="/admin")


def audit(action, entity, entity_id=None, details=None):
    get_session().execute(
        audit_log.insert().values(
            admin_user_id=getattr(g, "admin_user_id", None),
            action=action,
            entity=entity,
            entity_id=entity_id,
            details=details,
            created_at=utcnow(),
        )
    )


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        return render_template("admin/login.html")
    data = get_json_body()
    user = get_session().query(AdminUser).filter(AdminUser.username == data.get("username")).first()
    if user is None or not user.is_active or not check_password_hash(
        user.password_hash, data.get("password", "")
    ):
        return json_response({"error": "invalid credentials"}, 401)
    session["admin_user_id"] = user.id
    with session_scope():
        user.last_login_at = utcnow()
    return json_response({"ok": True})


@bp.route("/")
@admin_required
def dashboard():
    session_ = get_session()
    # "new" orders older than an hour usually mean the PSP webhook is stuck (Dave)
    stuck = (
        session_.query(Order)
        .filter(Order.status == "new", Order.created_at < utcnow() - datetime.timedelta(hours=1))
        .count()
    )
    return render_template(
        "admin/dashboard.html",
        stuck_orders=stuck,
        open_orders=order_repository.open_orders(limit=20),
        low_stock=inventory_queries.low_stock_items(5),
        recent=queries.order_summaries(limit=20),
        sales=service.daily_sales_report(today()),
    )


@bp.route("/users", methods=["GET", "POST"])
@admin_required
def users():
    if request.method == "POST":
        data = get_json_body()
        with session_scope() as db_session:
            user = AdminUser(
                username=data["username"],
                email=data.get("email"),
                password_hash=generate_password_hash(data["password"]),
                role=data.get("role", "staff"),
            )
            db_session.add(user)
            db_session.flush()
            audit("create", "admin_user", user.id)
        return json_response({"id": user.id}, 201)
    return json_response(
        [{"id": u.id, "username": u.username, "role": u.role, "active": u.is_active}
         for u in get_session().query(AdminUser).order_by(AdminUser.username)]
    )


@bp.route("/users/<int:user_id>", methods=["DELETE"])
@admin_required
def delete_user(user_id):
    with session_scope() as db_session:
        user = db_session.query(AdminUser).get(user_id)
        if user is None:
            return json_response({"error": "not found"}, 404)
        db_session.delete(user)
        audit("delete", "admin_user", user_id)
    return json_response({"ok": True})


@bp.get("/audit")
@admin_required
def audit_list():
    rows = execute_sql(
        """
        SELECT a.id, a.action, a.entity, a.entity_id, a.details, a.created_at, u.username
        FROM audit_log a
        LEFT JOIN admin_users u ON u.id = a.admin_user_id
        ORDER BY a.id DESC
        LIMIT 200
        """
    )
    return json_response(rows)


@bp.post("/customers/<int:customer_id>/erase")
@admin_required
def erase_customer(customer_id):
    customer_service.gdpr_erase(customer_id)
    with session_scope():
        audit("gdpr_erase", "customer", customer_id)
    return json_response({"ok": True})
