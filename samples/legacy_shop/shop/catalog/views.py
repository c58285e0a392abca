"""Catalog pages and API. Registered directly on the app (predates blueprints)."""
from flask import render_template, request

from shop.app import app
from shop.catalog import importer, search, service, validators
from shop.utils import admin_required, get_json_body, json_response


@app.route("/products")
def product_list():
    page = int(request.args.get("page", 1))
    products = service.product_listing(request.args.get("category"), page=page)
    if products is None:
        return json_response({"error": "unknown category"}, 404)
    return render_template("catalog/list.html", products=products, page=page)


@app.route("/products/<int:product_id>")
def product_page(product_id):
    product = service.product_detail(product_id)
    if product is None:
        return render_template("404.html"), 404
    return render_template("catalog/detail.html", product=product)


@app.route("/api/products/<int:product_id>", methods=["GET"])
def product_api(product_id):
    product = service.product_detail(product_id)
    if product is None:
        return json_response({"error": "not found"}, 404)
    return json_response(product)


@app.route("/api/products", methods=["GET", "POST"])
@admin_required
def products_api():
    if request.method == "POST":
        try:
            product = service.create_product(get_json_body())
        except validators.ValidationError as exc:
            return json_response({"errors": exc.errors}, 400)
        return json_response({"id": product.id}, 201)
    return json_response(service.product_listing(request.args.get("category")) or [])


@app.route("/api/products/<int:product_id>", methods=["PUT", "PATCH"])
@admin_required
def product_update(product_id):
    try:
        product = service.update_product(product_id, get_json_body())
    except validators.ValidationError as exc:
        return json_response({"errors": exc.errors}, 400)
    if product is None:
        return json_response({"error": "not found"}, 404)
    return json_response({"id": product.id})


@app.route("/categories")
def categories():
    return json_response(service.category_tree())


@app.route("/search")
def search_page():
    term = request.args.get("q", "")
    hits = search.search_products(term, in_stock_only=request.args.get("stock") == "1")
    return render_template("catalog/search.html", hits=hits, term=term)


@app.route("/api/search/suggest")
def search_suggest():
    return json_response(search.suggestions(request.args.get("q", "")))


@app.route("/bestsellers")
def bestsellers():
    products = service.bestsellers()
    return render_template("catalog/bestsellers.html", products=products)


@app.route("/admin/products/import", methods=["GET", "POST"])
@admin_required
def product_import():
    if request.method == "GET":
        return render_template("catalog/import.html")
    upload = request.files.get("file")
    if upload is None:
        return json_response({"error": "no file"}, 400)
    result = importer.import_products(upload.read(), dry_run=request.form.get("dry_run") == "1")
    return json_response(result.as_dict())
