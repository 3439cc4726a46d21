"""Signing in on the PIN pad, signing out, the home screen and the language switch."""
from flask import Blueprint, make_response, redirect, render_template, request, session, url_for

from kiosk import LOCALES, navigation
from kiosk.errors import KioskError
from kiosk.goods.views import stock_lists
from kiosk.messages import message
from kiosk.staff import service
from kiosk.staff.auth import (
    current_staff, current_store, pin_limits, remember_device, sign_in, sign_out, this_device,
)
from kiosk.staff.models import CASHIER, MANAGER, OPERATIONS, Staff
from kiosk.web import local_today

bp = Blueprint("staff", __name__)

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
    """The home screen: the screens of the staff member's role (the header's, by task: see
    kiosk.navigation), each with the work waiting there, and, for those who keep the shelves,
    the goods expiring soon and the goods running low."""
    staff = current_staff()
    if staff is None:
        return redirect(url_for("staff.signin"))
    store = current_store()
    lists = stock_lists(store) if staff.role in STOCK_ROLES else {}
    work = navigation.pending_work(store, staff.role, local_today(), near_expiry=lists.get("near_expiry"))
    groups = navigation.header_for(staff.role, "/home")
    return render_template("staff/home.html", groups=groups, work=work, **lists)


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


