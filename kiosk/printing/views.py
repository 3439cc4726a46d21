"""The receipts screen (小票): the print queue, what each receipt looks like, retry and reprint."""
from flask import Blueprint, Response, abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext

from devices import PrinterError, preview_lines
from kiosk.errors import KioskError
from kiosk.messages import message
from kiosk.printing import service
from kiosk.printing.models import PrintJob
from kiosk.printing.problems import describe_printer, printer_problem, printer_state
from kiosk.printing.setup import kick, printer
from kiosk.staff.auth import background, current_staff, current_store, requires_role
from kiosk.staff.models import CASHIER, MANAGER, OPERATIONS
from kiosk.web import form_int, render

bp = Blueprint("printing", __name__, url_prefix="/receipts")
staff_only = requires_role(CASHIER, MANAGER)


def _jobs():
    profile = current_app.config["PAPER_PROFILE"]
    return [(job, preview_lines(service.job_document(job), profile)) for job in service.recent(current_store())]


def _page_context():
    store = current_store()
    problems = list(service.unprinted(store).order_by(PrintJob.id))
    return {"jobs": _jobs(), "printer_name": _printer_name(), "summary": service.queue_summary(store),
            "problems": [job for job in problems if job.status == "held" or service.is_stale(job, store)]}


def _job(job_id):
    job = PrintJob.get_or_none(PrintJob.id == job_id, PrintJob.store == current_store())
    if job is None:
        abort(404)
    return job


def _printer_name():
    """The printer in words ("网络打印机 192.168.1.50:9100")."""
    try:
        target = printer()
    except (ValueError, PrinterError) as exc:
        return printer_problem(exc)
    return describe_printer(target.kind, target.address)


@bp.get("/")
@staff_only
def page():
    return render("printing/page.html", "printing/_jobs.html", **_page_context())


@bp.get("/printer-status")
@background
@staff_only
def printer_status():
    """The printer's own report (online, paper out, cover open); loaded after the page, since
    asking a printer that is off takes a moment."""
    address = ""
    try:
        target = printer()
        address = target.description
        status = target.status()
    except (ValueError, PrinterError) as exc:
        status, error = None, exc
    else:
        error = ""
    return render("printing/_printer_status.html", "printing/_printer_status.html", status=status, error=error,
                  address=address)


@bp.get("/badge")
@background
@staff_only
def badge():
    """The printer badge of the cashier screen: how many receipts wait or failed."""
    summary = service.queue_summary(current_store())
    last = service.unprinted(current_store()).order_by(PrintJob.id.desc()).first()
    return render("printing/_badge.html", "printing/_badge.html", summary=summary,
                  problem=printer_problem(last.error) if last else "", state=printer_state(last.error) if last else "")


@bp.get("/<int:job_id>/status")
@background
@requires_role(CASHIER, OPERATIONS, MANAGER)  # operations staff print donation acknowledgements
def job_status(job_id):
    return render("printing/_job_status.html", "printing/_job_status.html", job=_job(job_id))


@bp.get("/<int:job_id>.png")
@staff_only
def preview(job_id):
    """What the paper looks like: the job's ESC/POS bytes drawn as the printer would."""
    from devices.paper import render_png

    job = _job(job_id)
    try:
        target = printer()
    except (ValueError, PrinterError):
        target = current_app.config["PRINTER"]
    data = target.render(service.job_document(job))
    png = render_png(data, target.profile, encoding=target.encoding)
    return Response(png, mimetype="image/png", headers={"Cache-Control": "private, max-age=3600"})


def _after(job, done_text):
    if job.status == "printed":
        flash(done_text, "success")
    elif job.error:
        flash(gettext("Receipt not printed: %(error)s", error=printer_problem(job.error)), "error")
    else:
        flash(gettext("Sent to the printer."), "success")


@bp.post("/<int:job_id>/reprint")
@staff_only
def reprint(job_id):
    try:
        job = service.reprint(job_id, current_store(), staff=current_staff())
    except KioskError as exc:
        flash(message(exc), "error")
    else:
        _after(kick(current_store(), wait_for=job), gettext("Receipt reprinted."))
    return _back()


@bp.post("/<int:job_id>/retry")
@staff_only
def retry(job_id):
    """Try a waiting job now instead of at its next scheduled attempt."""
    try:
        job = service.retry(job_id, current_store())
    except KioskError as exc:
        flash(message(exc), "error")
    else:
        _after(kick(current_store(), wait_for=job), gettext("Receipt printed."))
    return _back()


@bp.post("/settings")
@requires_role(MANAGER)
def settings():
    """What happens to a receipt that may have printed, and when a waiting one is a problem
    (a section of the settings screen)."""
    try:
        service.set_receipt_settings(current_store(), uncertain=request.form.get("receipt_uncertain", ""),
                                     minutes=form_int("receipt_problem_minutes", max_digits=4), staff=current_staff())
    except KioskError as exc:
        flash(message(exc), "error")
    else:
        flash(gettext("Receipt settings saved."), "success")
    return redirect(url_for("settings.receipts"))  # the settings tab this section is on


def _back():
    return redirect(url_for("printing.page"))
