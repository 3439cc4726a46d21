"""The store settings screen (店长 only)."""
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext

from devices import PrinterError
from kiosk import audit
from kiosk.errors import KioskError
from kiosk.messages import message
from kiosk.printing.problems import printer_problem
from kiosk.printing.setup import printer
from kiosk.staff.auth import current_staff, current_store, requires_role
from kiosk.staff.models import MANAGER
from kiosk.stores import service

bp = Blueprint("settings", __name__, url_prefix="/settings")


@bp.route("/", methods=["GET", "POST"])
@requires_role(MANAGER)
def page():
    store = current_store()
    if request.method == "POST":
        try:
            service.update_settings(
                store, name=request.form.get("name", ""), account_mode=request.form.get("account_mode", ""),
                card_full_name=request.form.get("card_full_name") == "1",
                typed_card_numbers=request.form.get("typed_card_numbers") == "1",
                printer_url=request.form.get("printer_url"), staff=current_staff(),
            )
        except KioskError as exc:
            return _page(message(exc), request.form), 422
        flash(gettext("Saved."), "success")
        return redirect(url_for("settings.page"))
    values = {"name": store.name, "account_mode": store.account_mode, "card_full_name": "1" if store.card_full_name else "",
              "printer_url": store.printer_url, "typed_card_numbers": "1" if store.typed_card_numbers else ""}
    return _page(None, values)


def _page(error, values):
    return render_template("settings/page.html", error=error, values=values,
                           default_printer=current_app.config["PRINTER_URL"])


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
    return redirect(url_for("settings.page"))
