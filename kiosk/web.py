"""Web helpers shared by every blueprint: the one place that reads htmx headers, CSRF,
and turning a KioskError into a message."""
import secrets

from flask import abort, current_app, render_template, request, session
from flask_babel import lazy_gettext as _l
from htmx_flask import request as htmx_request

from kiosk.navigation import header_for
from kiosk.printing.problems import describe_printer, printer_detail, printer_problem, shorten
from kiosk.privacy import mask_name

ROLE_NAMES = {
    "manager": _l("Store manager"),
    "operations": _l("Operations"),
    "cashier": _l("Cashier"),
    "service": _l("Customer service"),
}
CARD_STATUS_NAMES = {
    "active": _l("In use"),
    "lost": _l("Reported lost"),
    "revoked": _l("Revoked"),
}
RECORD_STATUS_NAMES = {
    "pending": _l("Waiting for review"),
    "approved": _l("Approved"),
    "rejected": _l("Rejected"),
    "warning": _l("Warning (no deduction)"),
    "waiting": _l("Objection period"),
    "disputed": _l("Objection raised"),
    "cancelled": _l("Cancelled on objection"),
}
LEDGER_KIND_NAMES = {
    "opening": _l("Opening balance"),
    "earn": _l("Earned"),
    "redeem": _l("Redeemed"),
    "refund": _l("Returned"),
    "adjust": _l("Correction"),
    "deduct": _l("Deducted"),
    "expire": _l("Points expired"),
}
PRINTER_STATE_NAMES = {
    "online": _l("Printer ready"),
    "offline": _l("Printer offline"),
    "cover_open": _l("Printer cover open"),
    "paper_out": _l("Printer out of paper"),
    "paper_low": _l("Paper running low"),
    "error": _l("Printer fault"),
    "unknown": _l("This printer does not report its state"),
}
JOB_STATUS_NAMES = {
    "pending": _l("Waiting to print"),
    "printed": _l("Printed"),
    "failed": _l("Replaced by a reprint"),
    "sending": _l("Sending to the printer"),
    "held": _l("May have printed: waits for a person"),
}

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


def is_htmx():
    """True for a request htmx made (and not a history restore, which wants the full page)."""
    return bool(htmx_request.htmx) and not htmx_request.htmx.history_restore_request


def render(page, partial, **context):
    """The partial for an htmx request, else the full page that includes the same partial."""
    return render_template(partial if is_htmx() else page, **context)


def form_int(name, max_digits=11):
    """A whole number from an ASCII-digit form field, or None for anything else."""
    raw = request.form.get(name, "")
    if len(raw) <= max_digits and raw.isascii() and raw.isdigit():
        return int(raw)
    return None


def adopt_store_zone(app, store):
    """Times, days and months follow the served store's own zone (Store.timezone): the app's
    default zone becomes it. A server serves one store, so this is done once, at start-up or
    when the first-run screen opens the store."""
    if store is None or not store.timezone:
        return
    app.config["BABEL_DEFAULT_TIMEZONE"] = store.timezone
    babel = app.extensions.get("babel")
    if babel is not None:
        babel.default_timezone = store.timezone


def local_today():
    """Today's date in the store's time zone."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


def phone_tail(phone):
    """A phone number as staff screens show it: ****5678."""
    return "****" + phone[-4:] if phone else ""


def csrf_token():
    if CSRF_FIELD not in session:
        session[CSRF_FIELD] = secrets.token_urlsafe(32)
    return session[CSRF_FIELD]


def init_app(app):
    app.jinja_env.globals.update(
        csrf_token=csrf_token,
        role_name=lambda role: str(ROLE_NAMES.get(role, role)),
        job_status_name=lambda status: str(JOB_STATUS_NAMES.get(status, status)),
        printer_state_name=lambda state: str(PRINTER_STATE_NAMES.get(state, state)),
        printer_problem=printer_problem,
        printer_detail=printer_detail,
        describe_printer=describe_printer,
        shorten=shorten,
        card_status_name=lambda status: str(CARD_STATUS_NAMES.get(status, status)),
        ledger_kind_name=lambda kind: str(LEDGER_KIND_NAMES.get(kind, kind)),
        record_status_name=lambda status: str(RECORD_STATUS_NAMES.get(status, status)),
        phone_tail=phone_tail,
        mask_name=mask_name,
        nav_header=header_for,
    )

    @app.before_request
    def _check_csrf():
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return
        sent = request.headers.get(CSRF_HEADER) or request.form.get(CSRF_FIELD, "")
        expected = session.get(CSRF_FIELD)
        if not expected or not secrets.compare_digest(str(sent), expected):
            abort(400, description="csrf")

    @app.after_request
    def _vary(response):
        response.vary.add("HX-Request")
        return response
