"""The store settings screen (店长 only)."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext

from kiosk.errors import KioskError
from kiosk.messages import message
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
                card_full_name=request.form.get("card_full_name") == "1", staff=current_staff(),
            )
        except KioskError as exc:
            return render_template("settings/page.html", error=message(exc), values=request.form), 422
        flash(gettext("Saved."), "success")
        return redirect(url_for("settings.page"))
    values = {"name": store.name, "account_mode": store.account_mode, "card_full_name": "1" if store.card_full_name else ""}
    return render_template("settings/page.html", error=None, values=values)
