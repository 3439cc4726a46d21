"""The reports screen (/reports/): a period picker for touch, tabs for points, participation and
goods, their tables and charts, the A4 PDFs (the report and the 街道 page) and the exports.

The store manager sees everything; customer service (客服), who checks that points were earned
fairly, sees the points and participation tabs and their exports only. One URL serves the page and
the htmx fragment of the report (#report).
"""
from flask import Blueprint, Response, render_template, request
from flask_babel import lazy_gettext as _l

from kiosk.a4 import PdfUnavailable
from kiosk.errors import KioskError
from kiosk.messages import message
from kiosk.reports import charts, exports, periods, picker, present
from kiosk.staff.auth import current_staff, current_store, requires_role
from kiosk.staff.models import MANAGER, SERVICE
from kiosk.web import local_today, render

bp = Blueprint("reports", __name__, url_prefix="/reports")

TABS = (present.POINTS, present.PARTICIPATION, present.GOODS)
# What each role may open: the goods side and the street page are the manager's.
ALLOWED = {MANAGER: set(present.REPORTS) | set(exports.RAW), SERVICE: {present.POINTS, present.PARTICIPATION,
                                                                      exports.LEDGER, exports.SERVICE}}
TAB_NAMES = {present.POINTS: _l("Points"), present.PARTICIPATION: _l("Participation"), present.GOODS: _l("Goods")}


def _allowed(what):
    staff = current_staff()
    return staff is not None and what in ALLOWED.get(staff.role, ())


def _period():
    """The period the request names, else this month. Raises KioskError("bad_report_period")."""
    return picker.requested_period(periods.this_month(local_today()))


def _forbidden():
    return render_template("forbidden.html"), 403


@bp.get("/")
@requires_role(MANAGER, SERVICE)
def page():
    """The report of the chosen tab and period; an htmx request gets #report only."""
    store = current_store()
    tab = request.args.get("tab", present.POINTS)
    if tab not in TABS or not _allowed(tab):
        tab = present.POINTS
    error, status = None, 200
    try:
        period = _period()
    except KioskError as exc:
        error, status = message(exc), 422
        period = periods.this_month(local_today())
    doc = present.document(tab, store, period, today=local_today())
    today = local_today()
    quick = picker.quick_choices(today)
    tabs = [(key, TAB_NAMES[key]) for key in TABS if _allowed(key)]
    raw = [(kind, exports.raw_title(kind)) for kind in exports.RAW if _allowed(kind)]
    return render("reports/page.html", "reports/_report.html", doc=doc, period=period, tab=tab, tabs=tabs,
                  quick=quick, raw=raw, error=error, chart_url=charts.data_url, cell=present.cell_text,
                  street=_allowed(present.STREET), manager=current_staff().role == MANAGER,
                  today=today.isoformat()), status


def _full_names(what, period, fmt):
    """Whether the manager asked for full names (?names=full); the request is audited."""
    if request.args.get("names") != "full" or current_staff().role != MANAGER:
        return False
    exports.record_full_names(current_store(), current_staff(), what, period, fmt)
    return True


def _file(data, name, fmt):
    disposition = "inline" if fmt == "pdf" else "attachment"
    return Response(data, mimetype=exports.MIME[fmt], headers={"Content-Disposition": f'{disposition}; filename="{name}"'})


def _refusal(exc):
    return render_template("error.html", message=message(exc)), 422


@bp.get("/<what>.<fmt>")
@requires_role(MANAGER, SERVICE)
def report_file(what, fmt):
    """A report as .pdf (A4), .xlsx or .csv."""
    store = current_store()
    if what not in present.REPORTS or fmt not in exports.FORMATS:
        return _refusal(KioskError("bad_report"))
    if not _allowed(what):
        return _forbidden()
    try:
        period = _period()
    except KioskError as exc:
        return _refusal(exc)
    full = fmt != "pdf" and _full_names(what, period, fmt)
    doc = present.document(what, store, period, today=local_today(), full_names=full)
    try:
        data = exports.document_file(doc, fmt, full_names=full)
    except PdfUnavailable as exc:
        return render_template("error.html", message=str(exc)), 503
    return _file(data, exports.file_name(store, what, period, fmt), fmt)


@bp.get("/raw/<what>.<fmt>")
@requires_role(MANAGER, SERVICE)
def raw_file(what, fmt):
    """The period's raw rows of one kind (sales, sale lines, ledger entries, stock movements,
    service records) as .xlsx or .csv."""
    store = current_store()
    if what not in exports.RAW or fmt not in ("xlsx", "csv"):
        return _refusal(KioskError("bad_export"))
    if not _allowed(what):
        return _forbidden()
    try:
        period = _period()
    except KioskError as exc:
        return _refusal(exc)
    full = _full_names(what, period, fmt)
    data = exports.raw_file(what, store, period, fmt, full_names=full)
    return _file(data, exports.file_name(store, what, period, fmt), fmt)
