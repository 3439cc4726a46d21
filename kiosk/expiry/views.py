"""The expiry and point-value section of the store settings screen (店长 only).

The section is its own widget (#expiry-settings): htmx swaps just it; without JavaScript the
form posts here and the whole settings page comes back.
"""
from flask import Blueprint, current_app, flash, redirect, render_template, request
from flask_babel import gettext

from kiosk.errors import KioskError
from kiosk.expiry import service
from kiosk.messages import message
from kiosk.staff.auth import current_staff, current_store, requires_role
from kiosk.stores.views import render_tab, tab_url
from kiosk.staff.models import MANAGER
from kiosk.web import form_int, is_htmx

bp = Blueprint("expiry", __name__, url_prefix="/settings/expiry")
PARTIAL = "expiry/_settings.html"
# The section's values by form field name.
FIELDS = {"mode": "expiry_mode", "month": "expiry_month", "day": "expiry_day", "months": "expiry_months",
          "notice_days": "notice_days", "point_value": "point_value"}


@bp.app_template_global("expiry_form_values")
def form_values(store):
    """The section's fields as the store has them."""
    month, day = service.parse_month_day(store.expiry_month_day)
    fen = store.point_value_fen
    return {
        "mode": store.expiry_mode, "month": str(month), "day": str(day), "months": str(store.expiry_months),
        "notice_days": str(store.expiry_notice_days), "point_value": "" if fen is None else service.format_fen(fen).replace(",", ""),
    }


def _render(status=200, values=None, error=None, notice=None, store=None):
    store = store or current_store()
    context = {"expiry_values": values, "expiry_error": error, "expiry_saved": notice, "store": store}
    if is_htmx():
        return render_template(PARTIAL, **context), status
    # The whole settings page at its points tab.
    return render_tab("points", status, **context)


@bp.route("/", methods=["GET", "POST"])
@requires_role(MANAGER)
def settings():
    if request.method == "GET":
        if is_htmx():
            return _render()
        return redirect(tab_url("points", "expiry-settings"))
    store = current_store()
    try:
        store = service.update_settings(
            store, mode=request.form.get("expiry_mode", ""), month=form_int("expiry_month", 2),
            day=form_int("expiry_day", 2), months=form_int("expiry_months", 3), notice_days=form_int("notice_days", 3),
            point_value=request.form.get("point_value", "")[:40], staff=current_staff(),
            today=service.local_today(current_app.config["BABEL_DEFAULT_TIMEZONE"]),
        )
    except KioskError as exc:
        typed = {key: request.form.get(field, "")[:40] for key, field in FIELDS.items()}
        return _render(422, values=typed, error=message(exc))
    if is_htmx():
        return _render(notice=gettext("Points expiry and value saved."), store=store)
    flash(gettext("Points expiry and value saved."), "success")
    return redirect(tab_url("points", "expiry-settings"))
