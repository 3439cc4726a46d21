"""Backups on the manager's settings screen: the last copy (red when older than two days, or
none yet), the backups page listing the copies, and the download of the newest (store manager
only: it holds the instance keys)."""
from dataclasses import dataclass
from datetime import timezone
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, flash, redirect, render_template, send_file, url_for

from kiosk import audit
from kiosk.backup import service
from kiosk.db import database, database_url
from kiosk.messages import message
from kiosk.staff.auth import current_staff, current_store, requires_role
from kiosk.staff.models import MANAGER

bp = Blueprint("backup", __name__, url_prefix="/settings/backups")


@dataclass
class Shown:
    """A copy as the screens show it: time in the store's zone, size in words."""

    name: str
    when: str
    size: str
    verified: bool


@dataclass
class Status:
    postgres: bool
    folder: str
    latest: Shown = None
    stale: bool = True
    missing: bool = False  # the folder is not there (a USB stick unplugged, a share not connected)


def size_text(size):
    if size < 1024:
        return f"{size} B"
    for unit in ("KB", "MB", "GB"):
        size /= 1024
        if size < 1024 or unit == "GB":
            return f"{size:.1f} {unit}"


def _folder():
    return service.folder_for(current_app.instance_path, current_app.config["BACKUP_DIR"])


def _postgres():
    return service.sqlite_file(database_url(current_app.config["DATABASE_URL"], current_app.instance_path)) is None


def _shown(backup):
    store = current_store()
    zone = ZoneInfo(store.timezone if store else current_app.config["BABEL_DEFAULT_TIMEZONE"])
    when = backup.created_at.replace(tzinfo=timezone.utc).astimezone(zone)
    return Shown(backup.path.name, when.strftime("%Y-%m-%d %H:%M"), size_text(backup.size), backup.verified)


def status():
    """The settings section's view of the backups (read when the section is rendered)."""
    folder = _folder()
    if _postgres():
        return Status(postgres=True, folder=str(folder), stale=False)
    latest = service.newest(folder)
    return Status(postgres=False, folder=str(folder), latest=_shown(latest) if latest else None,
                  # The default folder appears with the first backup; only a folder someone chose
                  # (KIOSK_BACKUP_DIR: a USB stick, a share) that is not there is worth a warning.
                  stale=service.is_stale(latest), missing=bool(current_app.config["BACKUP_DIR"]) and not folder.is_dir())


@bp.app_context_processor
def _status_for_templates():
    # A function, not a value: only the settings page's section calls it.
    return {"backup_status": status}


@bp.get("/")
@requires_role(MANAGER)
def page():
    copies = [] if _postgres() else [_shown(service.with_manifest(backup)) for backup in service.backups(_folder())]
    return render_template("backup/page.html", status=status(), copies=copies)


@bp.get("/download")
@requires_role(MANAGER)
def download():
    """The newest copy as a file (it holds the keys: the manager only, and every download is audited)."""
    latest = None if _postgres() else service.newest(_folder())
    if latest is None:
        flash(message("no_backup"), "error")
        return redirect(url_for("backup.page"))
    store = current_store()
    with database.atomic():
        audit.record("backup_downloaded", store=store, staff=current_staff(), file=latest.path.name)
    return send_file(latest.path, mimetype="application/zip", as_attachment=True, download_name=latest.path.name,
                     max_age=0)
