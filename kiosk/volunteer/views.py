"""Importing service from the volunteer platform (志愿平台导入).

Upload an export → the batch page shows the guessed column mapping, the rule and every row with
its reason when it cannot be imported; the uploader corrects the mapping (the rows are checked
again at each change) and submits → another staff member (customer service or the manager)
checks the same page and confirms or discards it. One URL per batch serves all of that; the
widget #volunteer-batch is what htmx swaps.
"""
import io
import os
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from kiosk.csvexport import csv_bytes
from kiosk.earning import service as earning
from kiosk.earning.models import Rule, ServiceRecord
from kiosk.errors import KioskError
from kiosk.limits import upload_limit
from kiosk.messages import message
from kiosk.registry.models import Household, Resident
from kiosk.staff.auth import current_staff, current_store, requires_role
from kiosk.staff.models import MANAGER, OPERATIONS, SERVICE
from kiosk.volunteer import importer, service
from kiosk.volunteer.models import CONFIRMED, DISCARDED, DRAFT, WAITING, VolunteerImportRecord
from kiosk.web import is_htmx, render

bp = Blueprint("volunteer_import", __name__, url_prefix="/earning/import")
anyone = requires_role(OPERATIONS, SERVICE, MANAGER)
uploaders = requires_role(*service.UPLOADERS)
confirmers = requires_role(*service.CONFIRMERS)

STATUS_NAMES = {
    DRAFT: _l("Not submitted yet"),
    WAITING: _l("Waiting for confirmation"),
    CONFIRMED: _l("Confirmed and posted"),
    DISCARDED: _l("Discarded"),
}
MAX_MEGABYTES = 10
LINES_SHOWN = 500
SAMPLE_ROWS = 3


def _today():
    return datetime.now(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


@bp.app_context_processor
def _template_helpers():
    def waiting():
        """How many imports wait for confirmation (the navigation shows it)."""
        store = current_store()
        return service.waiting_count(store) if store is not None else 0

    return {"import_status_name": lambda status: str(STATUS_NAMES.get(status, status)), "volunteer_waiting": waiting}


# ---------------------------------------------------------------------------------------------
# The list and the upload


def _list(status=200, error=None):
    store, staff = current_store(), current_staff()
    context = {
        "error": error, "can_upload": staff.role in service.UPLOADERS,
        "waiting": service.batches(store, (WAITING,)),
        "drafts": [b for b in service.batches(store, (DRAFT,)) if b.uploaded_by_id == staff.id],
        "decided": service.batches(store, (CONFIRMED, DISCARDED), limit=20),
        "max_rows": importer.MAX_ROWS,
    }
    return render_template("volunteer/page.html", **context), status


@bp.get("/")
@anyone
def page():
    return _list()


@bp.post("/")
@upload_limit(MAX_MEGABYTES)
@uploaders
def upload():
    sent = request.files.get("file")
    if sent is None or not sent.filename:
        return _list(422, message(KioskError("import_no_file")))
    data = sent.read(MAX_MEGABYTES * 1024 * 1024 + 1)
    if len(data) > MAX_MEGABYTES * 1024 * 1024:
        return _list(422, message(KioskError("import_too_big", max=MAX_MEGABYTES)))
    try:
        batch = service.upload(current_store(), data, os.path.basename(sent.filename), current_staff())
    except KioskError as exc:
        return _list(422, message(exc))
    return redirect(url_for("volunteer_import.batch", batch_id=batch.id), 303)


# ---------------------------------------------------------------------------------------------
# One batch


def _column_name(index, header):
    letters = ""
    number = index + 1
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters} · {header[index]}"


def _reason(line):
    return message(line.error) if line.error else ""


def _context(batch, preview=None, error=None):
    staff = current_staff()
    header, rows = service.table(batch)
    decided = batch.status in (CONFIRMED, DISCARDED)
    # A decided batch is not checked again: its rows are now the records it created.
    result = preview or (importer.Preview() if decided else service.preview(batch, today=_today()))
    mapping = service.mapping_of(batch)
    created = []
    if batch.status == CONFIRMED:
        created = list(VolunteerImportRecord.select(VolunteerImportRecord, ServiceRecord, Resident, Household, Rule)
                       .join(ServiceRecord).join(Resident).join(Household)
                       .switch(ServiceRecord).join(Rule)
                       .where(VolunteerImportRecord.batch == batch)
                       .order_by(VolunteerImportRecord.row)
                       .limit(LINES_SHOWN))
    return {
        "batch": batch, "header": header, "sample": rows[:SAMPLE_ROWS], "mapping": mapping,
        "columns": [_column_name(index, header) for index in range(len(header))],
        "fields": [(name, importer.LABELS[name]) for name in importer.FIELDS],
        "rules": [rule for rule in earning.current_rules(batch.store) if rule.points > 0],
        "preview": result, "lines": result.lines[:LINES_SHOWN],
        "missing": [message(problem) for problem in result.missing],
        "reason": _reason, "error": error, "created": created,
        "is_uploader": batch.uploaded_by_id == staff.id,
        "can_edit": batch.status == DRAFT and batch.uploaded_by_id == staff.id,
        "can_confirm": batch.status == WAITING and staff.role in service.CONFIRMERS
        and batch.uploaded_by_id != staff.id,
        "same_file": service.same_file(batch),
    }


def _batch_page(batch, status=200, preview=None, error=None):
    return render("volunteer/batch.html", "volunteer/_batch.html", **_context(batch, preview, error)), status


def _load(batch_id):
    try:
        return service.get(batch_id, current_store())
    except KioskError:
        return None


def _missing_batch():
    flash(message(KioskError("import_batch_unknown")), "error")
    return redirect(url_for("volunteer_import.page"), 303)


@bp.get("/<int:batch_id>")
@anyone
def batch(batch_id):
    found = _load(batch_id)
    if found is None:
        return _missing_batch()
    return _batch_page(found)


def _choices():
    mapping = {}
    for name in importer.FIELDS:
        raw = request.form.get(f"map_{name}", "")
        if raw.isascii() and raw.isdigit() and len(raw) <= 4:
            mapping[name] = int(raw)
    return mapping, request.form.get("rule", "")[:40]


@bp.post("/<int:batch_id>/mapping")
@uploaders
def mapping(batch_id):
    mapping, rule_choice = _choices()
    try:
        changed = service.set_mapping(batch_id, current_store(), current_staff(), mapping, rule_choice)
    except KioskError as exc:
        found = _load(batch_id)
        if found is None:
            return _missing_batch()
        return _batch_page(found, 422, error=message(exc))
    if is_htmx():
        return _batch_page(changed)
    return redirect(url_for("volunteer_import.batch", batch_id=batch_id), 303)


@bp.post("/<int:batch_id>/submit")
@uploaders
def submit(batch_id):
    try:
        service.submit(batch_id, current_store(), current_staff(), today=_today())
    except KioskError as exc:
        found = _load(batch_id)
        if found is None:
            return _missing_batch()
        return _batch_page(found, 422, error=message(exc))
    flash(gettext("Submitted. Another staff member (customer service or the store manager) confirms it; "
                  "nothing is posted until then."), "success")
    return redirect(url_for("volunteer_import.batch", batch_id=batch_id), 303)


@bp.post("/<int:batch_id>/confirm")
@confirmers
def confirm(batch_id):
    store = current_store()
    try:
        done = service.confirm(batch_id, store, current_staff(), request.form.get("digest", ""), today=_today())
    except KioskError as exc:
        found = _load(batch_id)
        if found is None:
            return _missing_batch()
        return _batch_page(found, 409 if exc.code in ("import_batch_stale", "import_batch_decided") else 422,
                           error=message(exc))
    flash(gettext("Confirmed: %(records)s services posted, %(points)s points in all.", records=done.records,
                  points=done.points), "success")
    return redirect(url_for("volunteer_import.batch", batch_id=batch_id), 303)


@bp.post("/<int:batch_id>/discard")
@anyone
def discard(batch_id):
    try:
        service.discard(batch_id, current_store(), current_staff(), request.form.get("reason", ""))
    except KioskError as exc:
        found = _load(batch_id)
        if found is None:
            return _missing_batch()
        return _batch_page(found, 422, error=message(exc))
    flash(gettext("Import discarded. Nothing was posted."), "success")
    return redirect(url_for("volunteer_import.page"), 303)


@bp.get("/<int:batch_id>/errors.csv")
@anyone
def errors_csv(batch_id):
    found = _load(batch_id)
    if found is None:
        return _missing_batch()
    result = service.preview(found, today=_today())
    data = csv_bytes([gettext("Row"), gettext("Name"), gettext("Reason")],
                     ([line.row, line.name, message(line.error)] for line in result.errors))
    name = os.path.splitext(found.filename)[0] or "import"
    return send_file(io.BytesIO(data), mimetype="text/csv", as_attachment=True,
                     download_name=f"errors-{name}.csv")
