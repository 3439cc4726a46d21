"""`kiosk backup [DIR]` and `kiosk restore FILE` (see kiosk.backup.service for the file format)."""
import os
import sys

import click


def _settings():
    from kiosk import config

    try:
        return config.from_environment()
    except config.SettingError as exc:
        raise click.ClickException(str(exc)) from None


def _words(error, settings):
    """The sentence for a KioskError in the kiosk's language, without the app (restore runs on
    a till that may have no keys and no database yet)."""
    from flask import Flask, has_app_context
    from flask_babel import Babel

    from kiosk.messages import message

    if has_app_context():
        return message(error)
    app = Flask("kiosk")
    app.config.update(BABEL_DEFAULT_LOCALE=settings["BABEL_DEFAULT_LOCALE"],
                      BABEL_TRANSLATION_DIRECTORIES=os.path.join(os.path.dirname(os.path.dirname(__file__)), "translations"))
    Babel(app)
    with app.app_context():
        return message(error)


def _size(size):
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024


def _zone(app):
    """The served store's time zone (KIOSK_TIMEZONE while there is none, or several and none chosen)."""
    from kiosk.errors import KioskError
    from kiosk.stores.service import served_store

    try:
        store = served_store(app.config["STORE_CODE"])
    except KioskError:
        store = None
    return store.timezone if store else app.config["BABEL_DEFAULT_TIMEZONE"]


@click.command()
@click.argument("folder", required=False, metavar="[DIR]")
def backup(folder):
    """Copy the database and the instance keys into one verified file, kiosk-backup-<STORES>-<UTC
    time>.zip, in DIR (else KIOSK_BACKUP_DIR, else backups/ in the instance folder); keep the newest
    copy of each of the last 7 days and 12 months, delete older ones. Safe while the kiosk serves.

    The copy is kept only when `kiosk verify` finds it consistent; otherwise nothing is kept and
    the command exits 1 saying why. On PostgreSQL it does nothing and exits 1: use pg_dump."""
    from kiosk import db
    from kiosk.backup import service
    from kiosk.cli import _app, _instance_path
    from kiosk.errors import KioskError

    settings = _settings()
    instance = _instance_path()
    database = service.sqlite_file(db.database_url(settings["DATABASE_URL"], instance))
    if database is None:
        # Exit 1: a nightly run or a script must not take "no copy made" for a copy.
        click.echo(_words(KioskError("backup_on_postgres"), settings), err=True)
        sys.exit(1)
    app = _app()
    target = service.folder_for(instance, app.config["BACKUP_DIR"], folder)
    try:
        made = service.make(database, instance, target, tz_name=_zone(app))
    except KioskError as exc:
        raise click.ClickException(_words(exc, settings)) from None
    copy = made.backup
    manifest = copy.manifest
    click.echo(f"backup written: {copy.path}")
    click.echo(f"  {_size(copy.size)} (database {_size(manifest['database_bytes'])}), stores "
               f"{', '.join(manifest['stores']) or '-'}, schema {manifest['schema_version']}, verified: "
               "every balance, quantity, sale and refund is consistent")
    click.echo("  it holds the instance keys (secret.key, card-signing.key): keep it as safe as the shop key")
    # The chain heads leave the database in this log: `kiosk verify --head LOG` checks them.
    from datetime import datetime, timezone

    from kiosk.ledger import anchor

    for line in anchor.head_lines(datetime.now(timezone.utc)):
        click.echo(line)
    for path in made.pruned:
        click.echo(f"deleted {path.name} (kept: the newest of each of the last "
                   f"{service.KEEP_DAILY} days and {service.KEEP_MONTHLY} months)")


@click.command()
@click.argument("file", type=click.Path(dir_okay=False))
def restore(file):
    """Put the copy in the backup FILE in place of this kiosk's database and keys.

    Stop the kiosk first (systemctl stop points-kiosk; on Windows close the kiosk window): the
    command refuses while the kiosk server answers. The file is checked first (a kiosk backup,
    intact, its books verified); the current database, its -wal and -shm files and the keys are
    moved aside into before-restore-<time> folders, never deleted."""
    from kiosk import db
    from kiosk.backup import service
    from kiosk.boot import browser_url
    from kiosk.cli import _instance_path
    from kiosk.errors import KioskError

    settings = _settings()
    instance = _instance_path()
    database = service.sqlite_file(db.database_url(settings["DATABASE_URL"], instance))
    try:
        if database is None:
            raise KioskError("backup_on_postgres")
        url = browser_url(settings["HOST"], settings["PORT"])
        if service.server_answers(url + "healthz"):
            raise KioskError("kiosk_running", url=url)
        restored = service.restore(file, database, instance)
    except KioskError as exc:
        raise click.ClickException(_words(exc, settings)) from None
    manifest = restored.manifest
    click.echo(f"checked {os.path.basename(file)}: made {manifest.get('created_at')}, stores "
               f"{', '.join(manifest.get('stores') or []) or '-'}, schema {manifest.get('schema_version')}; "
               "verified again here")
    for upgrade in restored.upgraded:
        click.echo(f"upgraded the copy: {upgrade}")
    for before, after in restored.aside:
        click.echo(f"moved aside: {before} -> {after}")
    if not restored.aside:
        click.echo("nothing to move aside: there was no database or key here")
    click.echo(f"restored: the database to {restored.database}, the keys to {instance}")
    click.echo("now start the kiosk again (systemctl start points-kiosk, or start-kiosk.bat on Windows)")
