"""Signing in on the PIN pad, signing out, the home screen and the language switch."""
from flask import Blueprint, make_response, redirect, render_template, request, session, url_for

from kiosk import LOCALES
from kiosk.errors import KioskError
from kiosk.goods.views import stock_lists
from kiosk.messages import message
from kiosk.staff import service
from kiosk.staff.auth import (
    current_staff, current_store, pin_limits, remember_device, sign_in, sign_out, this_device,
)
from kiosk.staff.models import CASHIER, MANAGER, OPERATIONS, SERVICE, Staff

bp = Blueprint("staff", __name__)

# The screens each role may open, in the order the home screen lists them.
SCREENS = (
    ("cashier.page", (CASHIER, MANAGER)),
    ("returns.page", (CASHIER, MANAGER)),
    ("printing.page", (CASHIER, MANAGER)),
    ("registry.page", (OPERATIONS, MANAGER)),
    ("earning.page", (OPERATIONS, MANAGER)),
    ("earning.review", (SERVICE, MANAGER)),
    ("volunteer_import.page", (OPERATIONS, SERVICE, MANAGER)),
    ("notice.page", (SERVICE, MANAGER)),
    ("goods.goods_in", (CASHIER, OPERATIONS, MANAGER)),
    ("goods.goods_out", (CASHIER, OPERATIONS, MANAGER)),
    ("dayclose.page", (CASHIER, MANAGER)),
    ("settings.page", (MANAGER,)),
    ("reports.page", (SERVICE, MANAGER)),
)
# Roles that see the near-expiry and low-stock lists on the home screen.
STOCK_ROLES = (CASHIER, OPERATIONS, MANAGER)


@bp.get("/")
def home():
    staff = current_staff()
    if staff is None:
        return redirect(url_for("staff.signin"))
    if staff.role in (CASHIER, MANAGER):
        return redirect(url_for("cashier.page"))
    if staff.role == OPERATIONS:
        return redirect(url_for("registry.page"))
    return dashboard()


@bp.get("/home")
def dashboard():
    """The home screen: the screens of the staff member's role and, for those who keep the
    shelves, the goods expiring soon and the goods running low."""
    staff = current_staff()
    if staff is None:
        return redirect(url_for("staff.signin"))
    screens = [endpoint for endpoint, roles in SCREENS if staff.role in roles]
    lists = stock_lists(current_store()) if staff.role in STOCK_ROLES else {}
    return render_template("staff/home.html", screens=screens, **lists)


@bp.get("/signin")
def signin():
    if request.args.get("idle"):
        sign_out()  # the screen's own idle timer sent us here
    store = current_store()
    staff = Staff.active_in(store) if store else []
    return render_template("staff/signin.html", staff_list=staff, idle=request.args.get("idle"))


@bp.route("/signin/<int:staff_id>", methods=["GET", "POST"])
def pin(staff_id):
    store = current_store()
    staff = Staff.get_or_none(Staff.id == staff_id, Staff.store == store, Staff.active == True)  # noqa: E712
    if staff is None:
        return redirect(url_for("staff.signin"))
    error = None
    if request.method == "POST":
        try:
            signed_in = service.authenticate(
                staff.id, request.form.get("pin", ""), device=this_device(), address=request.remote_addr,
                **pin_limits(),
            )
        except KioskError as exc:
            error = message(exc)
        else:
            sign_in(signed_in)
            return remember_device(redirect(url_for("staff.home")))
    page = make_response(render_template("staff/pin.html", staff=staff, error=error), 400 if error else 200)
    return remember_device(page)


@bp.post("/signout")
def signout():
    sign_out()
    return redirect(url_for("staff.signin"))


@bp.post("/lang/<code>")
def language(code):
    if code in LOCALES:
        session["lang"] = code
    target = request.form.get("next", "")
    return redirect(target if target.startswith("/") and not target.startswith("//") else url_for("staff.home"))


