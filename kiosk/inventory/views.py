"""The product screen (商品): goods and vouchers, their photos, price history and shelf labels.

For the store manager and operations staff. Photos live in the instance folder
(product-photos/), never in the repository, and are served to every signed-in screen (the
cashier's goods grid shows them).
"""
import os

from flask import Blueprint, Response, abort, current_app, flash, redirect, request, send_from_directory, url_for
from flask_babel import force_locale, gettext, ngettext

from devices import ShelfLabel, ShelfLabelCaptions, ShelfLabels
from kiosk import audit
from kiosk.errors import KioskError
from kiosk.inventory import labels, products
from kiosk.inventory.models import GOODS, VOUCHER, Product
from kiosk.limits import upload_limit
from kiosk.messages import message
from kiosk.printing import service as printing
from kiosk.printing.setup import kick
from kiosk.staff.auth import current_staff, current_store, requires_role
from kiosk.staff.models import MANAGER, OPERATIONS
from kiosk.vouchers import service as vouchers
from kiosk.web import form_int, is_htmx, render

bp = Blueprint("products", __name__, url_prefix="/products")
product_staff = requires_role(MANAGER, OPERATIONS)
signed_in = requires_role()
MAX_LABELS = 200  # labels in one sheet or print job
# Beyond the photo itself, a form with every field is a few kilobytes.
MAX_REQUEST = products.MAX_PHOTO_BYTES + 64 * 1024


def photo_dir():
    return os.path.join(current_app.instance_path, products.PHOTO_DIR)


def _list_context():
    store = current_store()
    q = request.values.get("q", "")[:100]
    category = request.values.get("category", "")[:30]
    return {"items": list(products.search(store, q, category)), "q": q, "category": category,
            "categories": products.categories(store)}


@bp.get("/")
@product_staff
def page():
    context = _list_context()
    if not is_htmx() and context["q"] and len(context["items"]) == 1 and context["items"][0].barcode == context["q"].strip().upper():
        # A package scanned into the search: straight to its product, to check or change it.
        return redirect(url_for("products.edit", product_id=context["items"][0].id))
    try:
        looks_like_code = any(ch.isdigit() for ch in context["q"])
        context["new_barcode"] = products.parse_barcode(context["q"]) if looks_like_code and not context["items"] else None
    except KioskError:
        context["new_barcode"] = None
    return render("products/page.html", "products/_list.html", **context)


def _form(product=None, values=None, error=None, status=200):
    if values is None:
        values = {"unit": "件", "kind": GOODS, "active": "1", "low_stock": "0", "sort_order": "0"}
        if product is not None:
            values = {field: getattr(product, field) for field in products.FIELDS}
            values["barcode"] = product.barcode or ""
            values["active"] = "1" if product.active else ""
    history = list(products.price_history(product)) if product is not None else []
    if product is not None:
        values = dict(values, version=values.get("version") or products.version(product))
    if "voucher_holder" not in values:  # the page as stored, not a refused form sent back
        values = dict(values, **vouchers.terms_values(product))
    return render("products/form.html", "products/form.html", product=product, values=values, error=error,
                  history=history, partners=vouchers.partners_for_terms(current_store()), categories=products.category_choices(current_store()), shelves=products.shelves(current_store()),
                  max_points=products.MAX_POINTS, max_mb=products.MAX_PHOTO_BYTES // (1024 * 1024)), status


def _product(product_id):
    product = Product.get_or_none(Product.id == product_id, Product.store == current_store())
    if product is None:
        abort(404)
    return product


@bp.get("/new")
@product_staff
def new():
    """The empty form; ``?barcode=`` (an unknown code scanned into the search) fills the barcode."""
    try:
        barcode = products.parse_barcode(request.args.get("barcode", "")[:40])
    except KioskError:
        barcode = None
    if barcode is None:
        return _form()
    return _form(values={"unit": "件", "kind": GOODS, "active": "1", "low_stock": "0", "sort_order": "0", "barcode": barcode})


@bp.get("/<int:product_id>")
@product_staff
def edit(product_id):
    return _form(_product(product_id))


@bp.post("/new")
@upload_limit(products.MAX_PHOTO_BYTES // (1024 * 1024))
@product_staff
def create():
    return _save(None)


@bp.post("/<int:product_id>")
@upload_limit(products.MAX_PHOTO_BYTES // (1024 * 1024))
@product_staff
def update(product_id):
    return _save(_product(product_id))


def _upload():
    """The uploaded photo's bytes, or None. Raises KioskError("photo_too_big")."""
    if (request.content_length or 0) > MAX_REQUEST:
        raise KioskError("photo_too_big", max=products.MAX_PHOTO_BYTES // (1024 * 1024))
    sent = request.files.get("photo")
    if sent is None or not sent.filename:
        return None
    data = sent.read(products.MAX_PHOTO_BYTES + 1)
    if not data:
        raise KioskError("photo_not_image")
    return data


def _save(product):
    values = request.form.to_dict()
    try:
        photo = _upload()
        form = products.parse(values)
        vouchers.check_kind_change(product, form.kind)
        # A voucher's terms are checked before anything is saved, and saved with the product.
        terms = vouchers.parse_terms(current_store(), values) if form.kind == VOUCHER else None
        saved = products.save(current_store(), form, staff=current_staff(), product_id=product.id if product else None,
                              photo=photo, photo_dir=photo_dir(), remove_photo=values.get("remove_photo") == "1",
                              seen=values.get("version", "") if product else None,
                              also=lambda saved: vouchers.save_terms(current_store(), saved, terms, staff=current_staff()))
    except KioskError as exc:
        status = 413 if exc.code == "photo_too_big" else 422
        if exc.code == "stale_page":
            # Someone else saved this product meanwhile: show it as it is now.
            return _form(Product.get_by_id(product.id), error=message(exc), status=409)
        return _form(product, values=values, error=message(exc), status=status)
    flash(gettext("Saved: %(name)s", name=saved.name), "success")
    return redirect(url_for("products.edit", product_id=saved.id), 303)


@bp.get("/photos/<name>")
@signed_in
def photo(name):
    """A product photo; any signed-in screen may show it (the cashier's goods grid does)."""
    if name != os.path.basename(name) or not name.endswith(".jpg"):
        abort(404)
    return send_from_directory(photo_dir(), name, mimetype="image/jpeg", max_age=86400)


def _chosen():
    """The products ticked for labels, in list order, each ``copies`` times.
    Raises KioskError("no_labels") or ("bad_copies")."""
    ids = [int(raw) for raw in request.form.getlist("product_id") if raw.isascii() and raw.isdigit() and len(raw) <= 11]
    chosen = list(Product.select().where(Product.store == current_store(), Product.id.in_(ids or [0]))
                  .order_by(Product.category, Product.sort_order, Product.id))
    if not chosen:
        raise KioskError("no_labels")
    copies = form_int("copies", max_digits=3) if request.form.get("copies", "").strip() else 1
    if copies is None or not 1 <= copies or copies * len(chosen) > MAX_LABELS:
        raise KioskError("bad_copies", max=MAX_LABELS)
    return [product for product in chosen for _ in range(copies)]


def _refuse_labels(exc):
    context = _list_context()
    context["error"] = message(exc)
    return render("products/page.html", "products/_list.html", **context), 422


@bp.post("/labels.pdf")
@product_staff
def labels_pdf():
    """Shelf labels on A4 sheets (cut along the guides), as a PDF to print on any printer."""
    try:
        chosen = _chosen()
    except KioskError as exc:
        return _refuse_labels(exc)
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        unit = gettext("pts")
    pdf = labels.labels_pdf(current_store().name, chosen, points_unit=unit)
    audit.record("labels_pdf", store=current_store(), staff=current_staff(), products=sorted({p.id for p in chosen}))
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": 'inline; filename="shelf-labels.pdf"', "Cache-Control": "no-store"})


@bp.post("/labels/print")
@product_staff
def labels_print():
    """Shelf labels on the receipt printer, through the print queue."""
    try:
        chosen = _chosen()
    except KioskError as exc:
        return _refuse_labels(exc)
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        captions = ShelfLabelCaptions(points=gettext("pts"))
    document = ShelfLabels(
        store_name=current_store().name, captions=captions,
        labels=tuple(ShelfLabel(p.name, p.points, p.barcode or "", p.unit) for p in chosen),
    )
    store = current_store()
    printing.enqueue(document, store=store, staff=current_staff())
    kick(store)
    flash(ngettext("%(num)s shelf label sent to the receipt printer.", "%(num)s shelf labels sent to the receipt printer.",
                   len(chosen)), "success")
    return redirect(url_for("products.page", q=request.form.get("q") or None, category=request.form.get("category") or None), 303)
