"""Who is signed in, for how long, and what their role may do."""
import functools
import re
import secrets
import time

from flask import current_app, g, redirect, render_template, request, session, url_for
from htmx_flask import make_response

from kiosk.errors import KioskError
from kiosk.staff.models import Staff
from kiosk.stores.service import served_store
from kiosk.web import is_htmx


def current_store():
    """The store this kiosk serves: KIOSK_STORE's code, else the only store; None while the
    database holds none, or when KIOSK_STORE names none of several (``store_problem()`` says why)."""
    if "store" not in g:
        try:
            g.store = served_store(current_app.config.get("STORE_CODE"))
        except KioskError as exc:
            g.store, g.store_problem = None, exc
    return g.store


def store_problem():
    """The KioskError that stops this kiosk from choosing its store (unknown_store,
    store_not_chosen), or None."""
    current_store()
    return g.get("store_problem")


def current_staff():
    """The staff member signed in with this session, or None. The session lives in a signed
    cookie, so it also names the staff member's session version it was signed in with: a copy
    of the cookie stops working once they sign out (see ``end_sessions``)."""
    if "staff" not in g:
        staff_id = session.get("staff_id")
        # Only the served store's staff count: on a district server another store's staff id
        # in a session (a till moved to another store, a copied cookie) signs nobody in. The
        # session's version must be the person's current one: sign-out, a new PIN and
        # deactivation raise it, so an older copy of the cookie signs nobody in either.
        store = current_store() if staff_id else None
        g.staff = Staff.get_or_none(
            Staff.id == staff_id, Staff.active == True, Staff.store == store,  # noqa: E712
            Staff.session_version == session.get("sv", -1),
        ) if store is not None else None
    return g.staff


DEVICE_COOKIE = "kiosk_device"
DEVICE_ID = re.compile(r"[0-9a-f]{32}")


def pin_limits():
    """The wrong-PIN limits of the settings, as keyword arguments of the PIN checks in
    kiosk.staff.service (authenticate, manager_for_pin)."""
    config = current_app.config
    return {
        "max_attempts": config["PIN_MAX_ATTEMPTS"],
        "lockout_seconds": config["PIN_LOCKOUT_SECONDS"],
        "max_delay_seconds": config["PIN_MAX_DELAY_SECONDS"],
    }


def this_device():
    """The random id this browser keeps in its device cookie; a browser without one is given a
    new id, which ``remember_device`` sends it."""
    value = request.cookies.get(DEVICE_COOKIE, "")
    if DEVICE_ID.fullmatch(value):
        return value
    if "new_device" not in g:
        g.new_device = secrets.token_hex(16)
    return g.new_device


def remember_device(response):
    """Send a browser without one its long-lived random device id, so that the PIN checks can
    tell the kiosk where a person signs in every day from anywhere else."""
    device = this_device()
    if device != request.cookies.get(DEVICE_COOKIE):
        response.set_cookie(
            DEVICE_COOKIE, device, max_age=5 * 365 * 86400, httponly=True, samesite="Lax",
            secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
        )
    return response


def end_sessions(staff_id):
    """Every session ``staff_id`` signed in with stops working (one UPDATE, no read first)."""
    Staff.update(session_version=Staff.session_version + 1).where(Staff.id == staff_id).execute()


def sign_in(staff):
    session.clear()
    session["staff_id"] = staff.id
    session["sv"] = Staff.get_by_id(staff.id).session_version
    session["seen"] = time.time()
    g.staff = staff


def sign_out():
    """End the session: this cookie and any copy of it (the staff member's session version is
    raised, when the cookie is still a valid session)."""
    if current_staff() is not None:
        end_sessions(current_staff().id)
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    g.staff = None


def _to_sign_in(idle=False):
    target = url_for("staff.signin", idle=1 if idle else None)
    if is_htmx():
        return make_response("", redirect=target)
    return redirect(target)


def requires_role(*roles):
    """Allow only signed-in staff whose role is in ``roles`` (all roles when empty)."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            staff = current_staff()
            if staff is None:
                return _to_sign_in()
            if roles and staff.role not in roles:
                return render_template("forbidden.html"), 403
            return view(*args, **kwargs)

        return wrapped

    return decorator


def background(view):
    """Marks a view the screen asks by itself (a poll: the printer badge, a receipt's status,
    the serial scanner's feed). Nobody did anything, so it neither keeps the session alive nor
    writes it: the session lives in a cookie, and a poll answered just after a checkout would
    otherwise set the cookie as it was before, bringing back the cart the checkout cleared."""
    view.background = True
    return view


def init_app(app):
    @app.before_request
    def _idle_sign_out():
        if request.endpoint in (None, "static") or "staff_id" not in session:
            return None
        now = time.time()
        if now - session.get("seen", 0) > current_app.config["IDLE_SIGNOUT_SECONDS"]:
            sign_out()
            return _to_sign_in(idle=True)
        if not getattr(current_app.view_functions.get(request.endpoint), "background", False):
            session["seen"] = now
        return None
