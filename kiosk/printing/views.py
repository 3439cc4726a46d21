"""The receipts screen (小票): the print queue, what each receipt looks like, reprint."""
from flask import Blueprint, current_app, flash, redirect, url_for
from flask_babel import gettext

from devices import preview_lines
from kiosk.errors import KioskError
from kiosk.messages import message
from kiosk.printing import service
from kiosk.printing.setup import printer
from kiosk.staff.auth import current_staff, current_store, requires_role
from kiosk.staff.models import CASHIER, MANAGER
from kiosk.web import render

bp = Blueprint("printing", __name__, url_prefix="/receipts")


def _jobs():
    profile = current_app.config["PAPER_PROFILE"]
    return [(job, preview_lines(service.job_document(job), profile)) for job in service.recent(current_store())]


@bp.get("/")
@requires_role(CASHIER, MANAGER)
def page():
    return render("printing/page.html", "printing/_jobs.html", jobs=_jobs(), printer_name=printer().description)


@bp.post("/<int:job_id>/reprint")
@requires_role(CASHIER, MANAGER)
def reprint(job_id):
    try:
        job = service.reprint(job_id, current_store(), printer(), staff=current_staff())
    except KioskError as exc:
        flash(message(exc), "error")
    else:
        if job.status == "printed":
            flash(gettext("Receipt reprinted."), "success")
        else:
            flash(gettext("Receipt not printed: %(error)s", error=job.error), "error")
    return redirect(url_for("printing.page"))
