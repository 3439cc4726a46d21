"""Importing the registry from CSV or Excel, with a preview, and exporting it back.

Upload → preview (counts, the rows with errors and why, a sample of what will go in) → confirm
→ the import runs in a background thread while an htmx-polled widget shows its progress; the
rows are still written in one transaction (kiosk.registry.importer.apply).

Between preview and confirm the parsed rows wait in the instance folder (imports/<token>.json,
readable only by the kiosk's user) — not in the session cookie. Confirming renames the file
first, so a confirm posted twice imports once; the file is deleted once the import is done,
or after an hour.
"""
import io
import json
import logging
import os
import re
import secrets
import threading
import time
from datetime import date

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext
from htmx_flask import make_response as htmx_response

from kiosk import audit
from kiosk.csvexport import csv_bytes
from kiosk.db import database
from kiosk.errors import KioskError
from kiosk.limits import upload_limit
from kiosk.messages import message
from kiosk.registry import importer
from kiosk.staff.auth import background, current_staff, current_store, requires_role
from kiosk.staff.models import MANAGER, OPERATIONS, Staff
from kiosk.stores.models import Store
from kiosk.web import is_htmx, render

bp = Blueprint("registry_import", __name__, url_prefix="/registry")
operations_only = requires_role(OPERATIONS, MANAGER)
log = logging.getLogger(__name__)

MAX_MEGABYTES = 40
KEEP_SECONDS = 3600
ERRORS_SHOWN = 200
SAMPLE_ROWS = 20
TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


# ---------------------------------------------------------------------------------------------
# Import jobs: progress of the background imports of this process, by token.


class Job:
    def __init__(self, token, store_id, total):
        self.token = token
        self.store_id = store_id
        self.total = total
        self.stage = "waiting"   # waiting, checking, writing, done, failed
        self.done = 0
        self.counts = None
        self.error = None
        self.finished_at = None

    def progress(self, stage, done, total):
        self.stage, self.done, self.total = stage, done, total

    @property
    def percent(self):
        """Checking is the first half of the bar, writing the second."""
        if self.stage == "done":
            return 100
        share = self.done / self.total if self.total else 1
        return int(50 * share) + (50 if self.stage == "writing" else 0)


_jobs = {}
_jobs_lock = threading.Lock()


def job_for(token):
    with _jobs_lock:
        return _jobs.get(token)


# ---------------------------------------------------------------------------------------------
# Uploaded files, kept in the instance folder under a random token.


def _folder():
    folder = os.path.join(current_app.instance_path, "imports")
    os.makedirs(folder, mode=0o700, exist_ok=True)
    return folder


def _path(token, suffix=".json"):
    if not TOKEN.fullmatch(token or ""):
        abort(404)
    return os.path.join(_folder(), token + suffix)


def _sweep():
    """Delete uploads older than an hour and forget finished jobs as old."""
    cutoff = time.time() - KEEP_SECONDS
    folder = _folder()
    for name in os.listdir(folder):
        path = os.path.join(folder, name)
        try:
            if os.path.getmtime(path) < cutoff:
                os.remove(path)
        except OSError:
            pass
    with _jobs_lock:
        for token in [t for t, job in _jobs.items() if job.finished_at and job.finished_at < cutoff]:
            del _jobs[token]


def _save(rows, filename):
    token = secrets.token_urlsafe(18)
    body = {
        "store": current_store().id, "staff": current_staff().id, "filename": filename,
        "columns": list(importer.KEYS),
        "rows": [[row["row"], *(row.get(key, "") for key in importer.KEYS)] for row in importer.redact(rows)],
    }
    fd = os.open(_path(token), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(body, fh, ensure_ascii=False, separators=(",", ":"))
    return token


def _load(path):
    """(filename, rows) of a saved upload of this store; None when it is gone."""
    try:
        with open(path, encoding="utf-8") as fh:
            body = json.load(fh)
    except FileNotFoundError:
        return None
    if body.get("store") != current_store().id:
        abort(404)
    columns = body["columns"]
    rows = [dict(zip(columns, values[1:]), row=values[0]) for values in body["rows"]]
    return body.get("filename", ""), rows


# ---------------------------------------------------------------------------------------------
# Screens


@bp.get("/import")
@operations_only
def page():
    return render_template("registry/import.html", error=None)


def _refused(error, status=422):
    context = {"error": message(error)}
    return render("registry/import.html", "registry/_import_form.html", **context), status


@bp.post("/import")
@upload_limit(MAX_MEGABYTES)
@operations_only
def upload():
    _sweep()
    sent = request.files.get("file")
    if sent is None or not sent.filename:
        return _refused(KioskError("import_no_file"))
    data = sent.read(MAX_MEGABYTES * 1024 * 1024 + 1)
    if len(data) > MAX_MEGABYTES * 1024 * 1024:
        return _refused(KioskError("import_too_big", max=MAX_MEGABYTES))
    try:
        rows = importer.read_table(data, sent.filename)
    except KioskError as error:
        return _refused(error)
    token = _save(rows, sent.filename)
    target = url_for("registry_import.preview", token=token)
    if not is_htmx():
        return redirect(target, 303)
    preview = importer.check(current_store(), rows)
    html = render_template("registry/_import_preview.html", **_preview_context(token, sent.filename, preview))
    return htmx_response(html, push_url=target)


def _preview_context(token, filename, preview):
    return {
        "token": token, "filename": filename, "preview": preview,
        "problems": [(p.row, p.column, message(p.error)) for p in preview.problems[:ERRORS_SHOWN]],
        "sample": preview.sample(SAMPLE_ROWS),
    }


def _gone(token):
    """A token whose file is gone: its import's progress, or "already done or expired"."""
    job = job_for(token)
    if job is not None and job.store_id == current_store().id:
        return redirect(url_for("registry_import.progress", token=token), 303)
    return render_template("registry/import.html", error=message(KioskError("import_expired"))), 410


@bp.get("/import/<token>")
@operations_only
def preview(token):
    _sweep()
    loaded = _load(_path(token))
    if loaded is None:
        return _gone(token)
    filename, rows = loaded
    result = importer.check(current_store(), rows)
    return render("registry/import_preview.html", "registry/_import_preview.html",
                  **_preview_context(token, filename, result))


@bp.get("/import/<token>/errors.csv")
@operations_only
def errors_csv(token):
    loaded = _load(_path(token))
    if loaded is None:
        return _gone(token)
    filename, rows = loaded
    result = importer.check(current_store(), rows)
    data = csv_bytes([gettext("Row"), gettext("Column"), gettext("Reason")],
                     ([problem.row, problem.column, message(problem.error)] for problem in result.problems))
    return send_file(io.BytesIO(data), mimetype="text/csv", as_attachment=True,
                     download_name=f"errors-{os.path.splitext(filename)[0] or 'import'}.csv")


@bp.post("/import/<token>/cancel")
@operations_only
def cancel(token):
    path = _path(token)
    if _load(path) is not None:
        os.remove(path)
    flash(gettext("Import cancelled. Nothing was changed."), "success")
    return redirect(url_for("registry_import.page"), 303)


@bp.post("/import/<token>/confirm")
@operations_only
def confirm(token):
    path = _path(token)
    claimed = _path(token, ".running")
    store, staff = current_store(), current_staff()
    job = None
    with _jobs_lock:
        existing = _jobs.get(token)
        if existing is None or existing.stage == "failed":
            try:
                # Renaming is the claim: of two confirms of the same upload only one finds the file.
                os.rename(path, claimed)
            except FileNotFoundError:
                pass
            else:
                job = _jobs[token] = Job(token, store.id, 0)
    if job is None:
        return _gone(token)
    try:
        loaded = _load(claimed)
    except BaseException:
        os.rename(claimed, path)
        with _jobs_lock:
            _jobs.pop(token, None)
        raise
    filename, rows = loaded
    job.total = len(rows)
    thread = threading.Thread(
        target=_run, name=f"registry-import-{token[:6]}", daemon=True,
        args=(job, store.id, staff.id, rows, request.form.get("digest", ""), filename, path, claimed),
    )
    thread.start()
    return redirect(url_for("registry_import.progress", token=token), 303)


def _run(job, store_id, staff_id, rows, digest, filename, path, claimed):
    """The import, in its own thread with its own database connection."""
    database.connect(reuse_if_open=True)
    try:
        store = Store.get_by_id(store_id)
        staff = Staff.get_or_none(Staff.id == staff_id)
        counts = importer.apply(store, rows, staff, expect=digest or None, progress=job.progress, source=filename)
    except Exception as exc:  # nothing was written: the transaction rolled back
        if not isinstance(exc, KioskError):
            log.exception("registry import %s failed", job.token)
        job.error = exc if isinstance(exc, KioskError) else KioskError("import_failed")
        try:
            os.rename(claimed, path)  # the preview can be checked and confirmed again
        except OSError:
            pass
        stage = "failed"
    else:
        job.counts = counts
        try:
            os.remove(claimed)
        except OSError:
            pass
        stage = "done"
    finally:
        if not database.is_closed():
            database.close()
    job.finished_at = time.time()
    job.stage = stage  # last: a page that sees the end sees everything before it


@bp.get("/import/<token>/progress")
@background
@operations_only
def progress(token):
    job = job_for(token)
    if job is None or job.store_id != current_store().id:
        if os.path.exists(_path(token)):
            return redirect(url_for("registry_import.preview", token=token), 303)
        return render_template("registry/import.html", error=message(KioskError("import_expired"))), 410
    stage = job.stage  # read first: the import thread sets it last
    error = message(job.error) if stage == "failed" else None
    retry = stage == "failed" and os.path.exists(_path(token))
    return render("registry/import_progress.html", "registry/_import_progress.html", job=job, stage=stage,
                  error=error, retry=retry)


# ---------------------------------------------------------------------------------------------
# Export


def _export(data, extension, mimetype):
    store = current_store()
    audit.record("export_registry", store=store, staff=current_staff(), format=extension)
    name = f"居民名册-{store.code}-{date.today():%Y%m%d}.{extension}"
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name)


@bp.get("/export.xlsx")
@operations_only
def export_xlsx():
    return _export(importer.export(current_store()), "xlsx",
                   "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.get("/export.csv")
@operations_only
def export_csv():
    return _export(importer.export_csv(current_store()), "csv", "text/csv")
