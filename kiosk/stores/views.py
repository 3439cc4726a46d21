"""The store settings screen (店长 only), one tab per part, each at its own URL.

/settings/ is 管理 (the manager's administration links), then the store and its cards, points,
redemption times, stock, receipts, and 高级 (the printer's connection and the time zone).
Each tab holds the forms of its part; a form saves only its own fields, so settings.js warns
before a tab is left (another tab, a link, a reload, another form's 保存) with changes unsaved.
Other blueprints' settings sections (expiry, earning, notice, redemption, goods, printing)
post to their own views, which come back to their tab through ``tab_url`` and ``render_tab``.
"""
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from devices import PrinterError
from kiosk import audit
from kiosk.errors import KioskError
from kiosk.messages import message
from kiosk.printing.problems import printer_problem
from kiosk.printing.setup import printer
from kiosk.staff.auth import current_staff, current_store, requires_role
from kiosk.staff.models import MANAGER
from kiosk.stores import service
from kiosk.web import adopt_store_zone

bp = Blueprint("settings", __name__, url_prefix="/settings")

# The tabs in order: (name, endpoint, label).
TABS = (
    ("manage", "settings.page", _l("Manage")),
    ("store", "settings.store", _l("Store and cards")),
    ("points", "settings.points", _l("Points")),
    ("redemption", "settings.redemption", _l("Redemption")),
    ("stock", "settings.stock", _l("Stock")),
    ("receipts", "settings.receipts", _l("Receipts")),
    ("advanced", "settings.advanced", _l("Advanced")),
)
ENDPOINTS = {name: endpoint for name, endpoint, _label in TABS}

# Time zones by the name people know; the store's own zone is listed too when it is another.
ZONES = (
    ("Asia/Shanghai", _l("Beijing time")),
    ("Asia/Urumqi", _l("Xinjiang time")),
    ("Asia/Hong_Kong", _l("Hong Kong time")),
    ("Asia/Macau", _l("Macao time")),
    ("Asia/Taipei", _l("Taipei time")),
)
PRINTER_KINDS = ("default", "network", "other")


def tab_url(tab, anchor=""):
    """The URL of a settings tab (``anchor`` without its #)."""
    return url_for(ENDPOINTS[tab]) + (f"#{anchor}" if anchor else "")


def render_tab(tab, status=200, **context):
    """The settings page showing ``tab``; sections take their own values from ``context``."""
    store = current_store()
    context.setdefault("error", None)
    context.setdefault("values", _store_values(store))
    context.setdefault("advanced", _advanced_values(store))
    return render_template("settings/page.html", tab=tab, tabs=TABS, zones=_zones(store),
                           default_printer=current_app.config["PRINTER_URL"], **context), status


def _store_values(store):
    return {"name": store.name, "account_mode": store.account_mode, "card_full_name": "1" if store.card_full_name else "",
            "typed_card_numbers": "1" if store.typed_card_numbers else ""}


def _advanced_values(store):
    values = {"printer_kind": "other", "printer_host": "", "printer_port": "9100", "printer_url": store.printer_url or "",
              "timezone": store.timezone}
    host, port = service.network_printer(store.printer_url)
    if not store.printer_url:
        values["printer_kind"] = "default"
    elif host:
        values.update(printer_kind="network", printer_host=host, printer_port=str(port), printer_url="")
    return values


def _zones(store):
    zones = [(zone, gettext("%(name)s (%(zone)s)", name=name, zone=zone)) for zone, name in ZONES]
    if store.timezone not in dict(ZONES):
        zones.append((store.timezone, store.timezone))
    return zones


@bp.get("/")
@requires_role(MANAGER)
def page():
    return render_tab("manage")


@bp.route("/store", methods=["GET", "POST"])
@requires_role(MANAGER)
def store():
    current = current_store()
    if request.method == "POST":
        values = {"name": request.form.get("name", "")[:200], "account_mode": request.form.get("account_mode", ""),
                  "card_full_name": "1" if request.form.get("card_full_name") == "1" else "",
                  "typed_card_numbers": "1" if request.form.get("typed_card_numbers") == "1" else ""}
        try:
            service.update_settings(
                current, name=values["name"], account_mode=values["account_mode"],
                card_full_name=bool(values["card_full_name"]), typed_card_numbers=bool(values["typed_card_numbers"]),
                staff=current_staff(),
            )
        except KioskError as exc:
            return render_tab("store", 422, error=message(exc), values=values)
        flash(gettext("Store and card settings saved."), "success")
        return redirect(tab_url("store"))
    return render_tab("store")


@bp.get("/points")
@requires_role(MANAGER)
def points():
    return render_tab("points")


@bp.get("/redemption")
@requires_role(MANAGER)
def redemption():
    return render_tab("redemption")


@bp.get("/stock")
@requires_role(MANAGER)
def stock():
    return render_tab("stock")


@bp.get("/receipts")
@requires_role(MANAGER)
def receipts():
    return render_tab("receipts")


@bp.route("/advanced", methods=["GET", "POST"])
@requires_role(MANAGER)
def advanced():
    current = current_store()
    if request.method == "POST":
        form = request.form
        values = {field: form.get(field, "")[:300] for field in
                  ("printer_kind", "printer_host", "printer_port", "printer_url", "timezone")}
        try:
            changed = service.update_advanced(
                current, printer_kind=values["printer_kind"], printer_host=values["printer_host"],
                printer_port=values["printer_port"], printer_url=values["printer_url"], timezone=values["timezone"],
                staff=current_staff(),
            )
        except KioskError as exc:
            return render_tab("advanced", 422, advanced_error=message(exc), advanced=values)
        adopt_store_zone(current_app, changed)
        flash(gettext("Printer connection and time zone saved."), "success")
        return redirect(tab_url("advanced"))
    return render_tab("advanced")


@bp.post("/test-page")
@requires_role(MANAGER)
def test_page():
    """A test page with Chinese text on the store's printer, sent at once (staff stand by it)."""
    store = current_store()
    try:
        printer(store).print_test_page(store_name=store.name)
    except (ValueError, PrinterError) as exc:
        flash(gettext("Test page not printed: %(error)s", error=printer_problem(exc)), "error")
    else:
        audit.record("printer_test_page", store=store, staff=current_staff())
        flash(gettext("Test page sent to the printer."), "success")
    return redirect(tab_url(request.form.get("back") if request.form.get("back") in ENDPOINTS else "receipts"))
