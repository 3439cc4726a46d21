"""The first-run screen: while the database holds no store, the kiosk shows it instead of
sign-in. Only the kiosk itself (a loopback address) or someone with the one-time set-up code
that `kiosk init-db` printed may use it; once a store exists it answers 404 for good."""
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext

from kiosk.errors import KioskError
from kiosk.messages import message
from kiosk.setup import service
from kiosk.staff.auth import sign_in
from kiosk.web import adopt_store_zone

bp = Blueprint("setup", __name__, url_prefix="/setup")

# Common zones first; any IANA name may be typed.
ZONES = ("Asia/Shanghai", "Asia/Urumqi", "Asia/Hong_Kong", "Asia/Macau", "Asia/Taipei")


def from_kiosk():
    """The request comes from the kiosk computer itself."""
    address = request.remote_addr or ""
    return address.startswith("127.") or address in ("::1", "::ffff:127.0.0.1")


def _allowed():
    return from_kiosk() or session.get("setup_code_ok") is True


@bp.route("/", methods=["GET", "POST"])
def page():
    if service.has_store():
        abort(404)
    if not _allowed():
        return redirect(url_for("setup.code"))
    error, values = None, {"timezone": current_app.config["BABEL_DEFAULT_TIMEZONE"]}
    if request.method == "POST":
        values = {field: request.form.get(field, "") for field in ("name", "code", "timezone", "manager")}
        try:
            store, manager = service.open_store(
                code=values["code"], name=values["name"], timezone=values["timezone"], manager=values["manager"],
                pin=request.form.get("pin", ""), pin_again=request.form.get("pin_again", ""),
            )
        except KioskError as exc:
            if exc.code == "store_exists":
                return redirect(url_for("staff.signin"))
            error = message(exc)
        else:
            service.forget_setup_code(current_app.instance_path)
            adopt_store_zone(current_app, store)
            sign_in(manager)
            flash(gettext("The store is open. Next: add the staff, the earning rules and the goods."), "success")
            return redirect(url_for("settings.page"))
    return render_template("setup/page.html", error=error, values=values, zones=ZONES), (422 if error else 200)


@bp.route("/code", methods=["GET", "POST"])
def code():
    """Another device than the kiosk types the set-up code first."""
    if service.has_store():
        abort(404)
    if _allowed():
        return redirect(url_for("setup.page"))
    error = None
    if request.method == "POST":
        if service.check_setup_code(current_app.instance_path, request.form.get("setup_code", "")):
            session["setup_code_ok"] = True
            return redirect(url_for("setup.page"))
        error = message("bad_setup_code")
    return render_template("setup/code.html", error=error), (403 if error else 200)
