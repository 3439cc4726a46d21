"""The store manager's redemption settings: when redemption is open (a section of the store
settings screen) and per-product limits (a screen of its own, reached from there)."""
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext

from kiosk.errors import KioskError
from kiosk.inventory.models import Product
from kiosk.messages import message
from kiosk.redemption import labels, service, windows
from kiosk.staff.auth import current_staff, current_store, requires_role
from kiosk.stores.views import render_tab, tab_url
from kiosk.staff.models import MANAGER
from kiosk.web import is_htmx, render

bp = Blueprint("redemption", __name__)
managers = requires_role(MANAGER)
PAGE_SIZE = 30


def tz_name():
    """The store's time zone: the one every screen shows times in."""
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


# ----------------------------------------------------------------------------- window settings

def _window_form(store, values=None, error=None):
    """What the window section of the settings screen shows: the stored window (or the
    values just sent back with ``error``), and when the stored window opens next."""
    state = service.window_state(store, tz_name=tz_name())
    window = state.window
    if values is None:
        values = {
            "mode": window.mode,
            "days": {str(d) for d in window.days},
            "last_days": str(window.last_days) if window.last_days else "",
            "weeks": {str(w) for w in window.weeks} | ({windows.LAST_WEEK} if window.last_week else set()),
        }
    return {
        **values, "error": error, "state": state, "summary": labels.describe_window(window),
        "openings": [labels.describe_opening(start, end) for start, end in window.openings(state.today)],
        "max_last_days": windows.MAX_LAST_DAYS,
    }


@bp.app_context_processor
def _settings_section():
    # The settings page includes the window section; its own view knows nothing of it.
    return {"redemption_window_form": lambda: _window_form(current_store())}


@bp.post("/settings/redemption-window")
@managers
def save_window():
    store = current_store()
    form = request.form
    values = {"mode": form.get("mode", ""), "days": set(form.getlist("days")),
              "last_days": form.get("last_days", ""), "weeks": set(form.getlist("weeks"))}
    try:
        service.set_window(store, values["mode"], days=form.getlist("days"), last_days=values["last_days"],
                           weeks=form.getlist("weeks"), staff=current_staff())
    except KioskError as exc:
        return render_tab("redemption", 422, window_form=_window_form(store, values, message(exc)))
    flash(gettext("Redemption times saved."), "success")
    return redirect(tab_url("redemption", "redemption-window"))


# ----------------------------------------------------------------------------- limits

def _products(store, query):
    products = Product.select().where(Product.store == store)
    query = (query or "").strip()[:50]
    if query:
        products = products.where(Product.name.contains(query) | (Product.barcode == query) | (Product.category == query))
    return list(products.order_by(Product.active.desc(), Product.sort_order, Product.id).limit(PAGE_SIZE + 1))


def _rows(store, products):
    limits = service.store_limits(store, [p.id for p in products])
    return [{"product": p, "limit": limits.get(p.id), "text": labels.describe_limit(limits[p.id]) if p.id in limits else ""}
            for p in products]


@bp.get("/settings/limits/")
@managers
def limits():
    store = current_store()
    query = request.args.get("q", "")
    products = _products(store, query)
    context = {"rows": _rows(store, products[:PAGE_SIZE]), "more": len(products) > PAGE_SIZE, "query": query,
               "editing": None}
    return render("redemption/limits.html", "redemption/_limit_rows.html", **context)


def _product(product_id):
    product = Product.get_or_none(Product.id == product_id, Product.store == current_store())
    if product is None:
        raise KioskError("unknown_product")
    return product


def _not_found(error):
    if is_htmx():
        return render_template("_message.html", level="error", text=message(error)), 404
    return render_template("error.html", message=message(error)), 404


def _row(product, editing=False, values=None, error=None, notice=None, status=200):
    """One product's row (htmx), or the limits screen with that row (without JavaScript)."""
    row = _rows(current_store(), [product])[0]
    limit = row["limit"]
    if values is None:
        values = {"quantity": str(limit.quantity) if limit else "", "period": limit.period if limit else windows.MONTH,
                  "per_member": "1" if limit and limit.per_member else ""}
    context = {"row": row, "editing": editing, "values": values, "error": error, "notice": notice}
    if is_htmx():
        return render_template("redemption/_limit_row.html", **context), status
    if request.method == "POST" and status == 200:
        flash(notice, "success")
        return redirect(url_for("redemption.limits", q=product.name))
    page = {"rows": [row], "more": False, "query": product.name, **context}
    return render_template("redemption/limits.html", **page), status


@bp.get("/settings/limits/<int:product_id>")
@managers
def limit_row(product_id):
    try:
        return _row(_product(product_id))
    except KioskError as exc:
        return _not_found(exc)


@bp.get("/settings/limits/<int:product_id>/edit")
@managers
def edit_limit(product_id):
    try:
        return _row(_product(product_id), editing=True)
    except KioskError as exc:
        return _not_found(exc)


@bp.post("/settings/limits/<int:product_id>")
@managers
def save_limit(product_id):
    form = request.form
    values = {"quantity": form.get("quantity", ""), "period": form.get("period", ""),
              "per_member": "1" if form.get("per_member") == "1" else ""}
    try:
        product = _product(product_id)
    except KioskError as exc:
        return _not_found(exc)
    try:
        service.set_limit(current_store(), product.id, quantity=values["quantity"], period=values["period"],
                          per_member=values["per_member"] == "1", staff=current_staff())
    except KioskError as exc:
        return _row(product, editing=True, values=values, error=message(exc), status=422)
    return _row(product, notice=gettext("Limit saved."))


@bp.post("/settings/limits/<int:product_id>/remove")
@managers
def remove_limit(product_id):
    try:
        product = _product(product_id)
    except KioskError as exc:
        return _not_found(exc)
    service.remove_limit(current_store(), product.id, staff=current_staff())
    return _row(product, notice=gettext("Limit removed."))
