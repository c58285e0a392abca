"""Flask application: creates the app, registers every blueprint, /health."""
import logging

from flask import Flask, jsonify, render_template, request, session

from shop import config, db
from shop.utils import json_response, log, utcnow

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")

app = Flask(__name__)
app.config.from_object(config.get_config())
app.secret_key = config.SECRET_KEY
db.init_app(app)


@app.route("/health")
def health():
    try:
        db.execute_sql("SELECT 1")
        database = "ok"
    except Exception as exc:  # pragma: no cover
        log.warning("health check failed: %s", exc)
        database = "down"
    status = 200 if database == "ok" else 503
    return jsonify({"status": "ok" if status == 200 else "degraded", "database": database}), status


@app.route("/")
def index():
    return render_template("index.html", customer_id=session.get("customer_id"))


@app.before_request
def log_request():
    if request.path != "/health":
        log.debug("%s %s", request.method, request.path)


@app.errorhandler(404)
def not_found(error):
    if request.path.startswith("/api/"):
        return json_response({"error": "not found"}, 404)
    return render_template("404.html"), 404


@app.errorhandler(500)
def server_error(error):
    # TODO(dave): send these to Sentry, the SMTP error mails are ignored by everyone
    log.exception("unhandled error on %s at %s", request.path, utcnow())
    return json_response({"error": "internal error"}, 500)


def register_blueprints(flask_app):
    from shop.customers.views import bp as customers_bp
    from shop.inventory.views import bp as inventory_bp
    from shop.notifications.views import bp as notifications_bp
    from shop.orders.views import bp as orders_bp
    from shop.payments.views import bp as payments_bp
    from shop.reporting.admin import bp as admin_bp
    from shop.reporting.views import bp as reporting_bp
    from shop.shipping.views import bp as shipping_bp

    flask_app.register_blueprint(orders_bp)
    flask_app.register_blueprint(payments_bp)
    flask_app.register_blueprint(customers_bp)
    flask_app.register_blueprint(inventory_bp)
    flask_app.register_blueprint(shipping_bp)
    flask_app.register_blueprint(notifications_bp)
    flask_app.register_blueprint(reporting_bp)
    flask_app.register_blueprint(admin_bp)


register_blueprints(app)

# The catalog predates blueprints and decorates `app` directly. Importing it at the
# bottom avoids the circular import (catalog.views imports app). Don't move it. -- marta
import shop.catalog.views  # noqa: E402,F401


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=5000, debug=config.DEBUG)
