"""The close screen (/close/): a cashier previews and closes their shift (交班), the store manager
a day (日结, today or an earlier day); the past closes, each viewable and printed again on the
receipt printer or as A4."""
import functools

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import force_locale, gettext

from kiosk.a4 import PdfUnavailable
from kiosk.dayclose import paper, service
from kiosk.dayclose.models import SHIFT
from kiosk.errors import KioskError
from kiosk.messages import message
from kiosk.printing.models import PrintJob
from kiosk.printing.service import enqueue
from kiosk.printing.setup import kick
from kiosk.staff.auth import current_staff, current_store, requires_role
from kiosk.staff.models import CASHIER, MANAGER

bp = Blueprint("dayclose", __name__, url_prefix="/close")


def _words():
    """The printed words, in the store's language (the paper is the store's, not the screen's)."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        return paper.words()


def _cashier_only():
    """The staff member whose own shift closes are shown (a cashier), or None for the manager."""
    staff = current_staff()
    return staff if staff.role == CASHIER else None


def _listing(store):
    return service.closes(store, cashier=_cashier_only())


def _described(record):
    """(kind, cashier name, closed_by name, closed_at iso) of a stored close."""
    return dict(kind=record.kind, cashier=record.cashier.name if record.cashier_id else "",
                closed_by=record.closed_by.name if record.closed_by_id else "",
                closed_at=record.closed_at.isoformat())


def _page(status=200, *, day_text=None, **context):
    store = current_store()
    staff = current_staff()
    words = paper.words()
    data = error = None
    day = service.local_today(store.timezone)
    try:
        if staff.role == MANAGER:
            if day_text:
                day = service.parse_day(day_text)
            data = service.preview_day(store, day)
        else:
            data = service.preview_shift(store, staff)
    except KioskError as exc:
        error = message(exc)
    kind = "day" if staff.role == MANAGER else SHIFT
    header = paper.header(data, words, kind=kind, cashier=staff.name) if data else []
    return render_template(
        "dayclose/page.html", data=data, error=error, kind=kind, day=day, header=header, w=words,
        closes=_listing(store), local_text=paper.local_text, correction_text=paper.correction_text, **context,
    ), status


@bp.get("/")
@requires_role(CASHIER, MANAGER)
def page():
    """The preview of the shift (cashier) or the day (manager, ?date=YYYY-MM-DD) so far."""
    return _page(day_text=request.args.get("date", "")[:20])


@bp.post("/")
@requires_role(CASHIER, MANAGER)
def confirm():
    """Close the shift or the day previewed; then show the stored close."""
    store, staff = current_store(), current_staff()
    try:
        if staff.role == MANAGER:
            record = service.close_day(store, service.parse_day(request.form.get("day", "")[:20]), staff=staff)
        else:
            record = service.close_shift(store, staff)
    except KioskError as exc:
        flash(message(exc), "error")
        return _page(409, day_text=request.form.get("day", "")[:20])
    flash(gettext("Closed. The figures are stored and will not change."), "success")
    return redirect(url_for("dayclose.show", close_id=record.id))


def _close_or_back(view):
    """Calls ``view(record)`` with the stored close that ``close_id`` names (any of the store's for
    the manager, a cashier's own); an unknown one goes back to the close screen with the reason."""
    @functools.wraps(view)
    def wrapper(close_id, **kwargs):
        try:
            record = service.find_close(current_store(), close_id, cashier=_cashier_only())
        except KioskError as exc:
            flash(message(exc), "error")
            return redirect(url_for("dayclose.page"))
        return view(record, **kwargs)
    return wrapper


@bp.get("/<int:close_id>")
@requires_role(CASHIER, MANAGER)
@_close_or_back
def show(record, job=None):
    job_id = request.args.get("job", type=int)
    if job is None and job_id:
        job = PrintJob.get_or_none(PrintJob.id == job_id, PrintJob.store == current_store(), PrintJob.kind == "slip")
    words = paper.words()
    about = _described(record)
    data = service.stored_figures(record)
    return render_template(
        "dayclose/show.html", record=record, data=data, w=words, job=job,
        header=paper.header(data, words, **about), local_text=paper.local_text,
        correction_text=paper.correction_text,
    )


@bp.post("/<int:close_id>/print")
@requires_role(CASHIER, MANAGER)
@_close_or_back
def print_slip(record):
    """Print the close on the receipt printer, through the print queue."""
    store = current_store()
    document = paper.slip(service.stored_figures(record), _words(), **_described(record))
    job = enqueue(document, store=store, staff=current_staff())
    kick(store)
    return redirect(url_for("dayclose.show", close_id=record.id, job=job.id))


@bp.get("/<int:close_id>.pdf")
@requires_role(CASHIER, MANAGER)
@_close_or_back
def pdf(record):
    """The close as an A4 page."""
    try:
        data = paper.pdf(service.stored_figures(record), _words(), **_described(record))
    except PdfUnavailable as exc:
        flash(str(exc), "error")
        return redirect(url_for("dayclose.show", close_id=record.id))
    name = f"{record.kind}-close-{record.day:%Y-%m-%d}-{record.id}.pdf"
    return Response(data, mimetype="application/pdf", headers={"Content-Disposition": f'inline; filename="{name}"'})
