"""Backups of a SQLite kiosk (`kiosk backup`, `kiosk restore`): one checked file per copy.

The file: ``kiosk-backup-<STORES>-<YYYYMMDD>T<HHMMSS>Z.zip`` (the UTC time of the copy; STORES
the store codes joined by "_", or "NOSTORE"), a zip archive that any computer opens, holding

- ``kiosk.db``: the database, copied with SQLite's online backup API while the kiosk serves
  (one step under one read transaction: a snapshot of every committed sale, none half-written),
  then set to a rollback journal so it is one self-contained file;
- ``secret.key`` and ``card-signing.key``: the instance keys. Without the card-signing key the
  residents' cards would not scan on a restored kiosk; so the file must be kept like the key to
  the shop;
- ``manifest.json``: ``{"format": "points-kiosk-backup", "version": 1, "created_at": ISO UTC,
  "database_bytes", "schema_version", "stores": [codes], "verified": true, "sha256": {member: hex}}``.

A copy is kept only after `kiosk verify` has found its books consistent (and SQLite its pages
intact). The verification runs in a separate process (``python -m kiosk verify`` with
KIOSK_DATABASE_URL naming the copy and KIOSK_INSTANCE_PATH the copy's keys), not by pointing
``kiosk.db.database`` at the copy: that proxy is global to the process, so while it pointed at
the copy every other thread of the process (the server's requests, its print worker, a test's
checkouts) would read and write the copy instead of the live books. A process of its own opens
the copy as its own database, with the same code and the same settings as `kiosk verify`.

Kept: the newest copy of each of the last 7 days and of each of the last 12 months that have a
copy (restic's --keep-daily 7 --keep-monthly 12), days and months in the store's time zone;
older copies are deleted. Only files named as above with the same STORES are ever deleted.

No Flask here; refusals are KioskError codes (see each function's docstring).
"""
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

from kiosk.errors import KioskError
from kiosk.keys import FILES as KEY_FILES

FORMAT = "points-kiosk-backup"
VERSION = 1
DATABASE = "kiosk.db"
MANIFEST = "manifest.json"
KEYS = tuple(KEY_FILES.values())  # secret.key, card-signing.key
KEEP_DAILY = 7
KEEP_MONTHLY = 12
STALE_AFTER = timedelta(days=2)  # the settings screen shows the last copy in red after this
NAME = re.compile(r"^kiosk-backup-(?P<label>[A-Z0-9_]+)-(?P<stamp>\d{8}T\d{6}Z)(?:-(?P<n>\d+))?\.zip$")
ASIDE_PREFIX = "before-restore-"
_WORK_PREFIX = ".kiosk-backup-work-"
_PROBLEMS_SHOWN = 5


@dataclass
class Backup:
    """One copy in a backup folder. ``manifest`` is None when it could not be read."""

    path: Path
    label: str
    created_at: datetime  # naive UTC, from the file name
    size: int
    manifest: dict = None

    @property
    def verified(self):
        return bool(self.manifest and self.manifest.get("verified"))


@dataclass
class Made:
    backup: Backup
    pruned: list = field(default_factory=list)  # the paths deleted by the retention rule


@dataclass
class Restored:
    manifest: dict
    database: Path
    aside: list = field(default_factory=list)  # (from, to) of each file moved aside
    upgraded: list = field(default_factory=list)  # migrations applied to the restored copy


def _utcnow():
    return datetime.now(timezone.utc).replace(tzinfo=None)


def sqlite_file(url):
    """The absolute path of the SQLite file ``url`` names; None for another database (PostgreSQL)."""
    if not urlparse(url).scheme.startswith("sqlite"):
        return None
    path = url.split("://", 1)[1][1:]
    if not path or path == ":memory:":
        return None
    return Path(os.path.abspath(path))


def folder_for(instance_path, configured="", given=None):
    """Where copies go: ``given`` (the DIR argument), else KIOSK_BACKUP_DIR, else backups/ in
    the instance folder."""
    return Path(os.path.abspath(given or configured or os.path.join(instance_path, "backups")))


def check_folder(folder):
    """Make ``folder`` if missing and write a test file in it (even root cannot write under a
    regular file or onto a read-only medium). Raises KioskError("backup_folder_unwritable")."""
    folder = Path(folder)
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)  # the copies hold the keys
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".kiosk-write-test-")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise KioskError("backup_folder_unwritable", folder=str(folder), error=exc.strerror or str(exc)) from None
    return folder


def latest_schema():
    from kiosk.schema import available_migrations

    return available_migrations()[-1][0]


# --- the copy ---------------------------------------------------------------------------------


def make(db_path, instance_path, folder, *, now=None, tz_name="Asia/Shanghai", keep_daily=KEEP_DAILY,
         keep_monthly=KEEP_MONTHLY, verify=None):
    """Copy the live database ``db_path`` and the keys of ``instance_path`` into one file in
    ``folder``, verify the copy, keep it, and delete the copies the retention rule no longer
    keeps. ``now`` (naive UTC) names the copy (tests pass fake times); ``verify(db, instance)``
    returns the problems found (default: `kiosk verify` in a separate process).

    Raises KioskError("backup_folder_unwritable", "backup_no_database", "backup_keys_missing",
    "backup_copy_failed", "backup_copy_damaged", "backup_schema_behind", "backup_not_verified");
    nothing is kept then.
    """
    db_path = Path(db_path)
    folder = check_folder(folder)
    if not db_path.is_file():
        raise KioskError("backup_no_database", path=str(db_path))
    for name in KEYS:
        if not (Path(instance_path) / name).is_file():
            raise KioskError("backup_keys_missing", folder=str(instance_path))
    now = (now or _utcnow()).replace(microsecond=0)
    _remove_stale_work(folder, now)
    work = Path(tempfile.mkdtemp(dir=folder, prefix=f"{_WORK_PREFIX}{now:%Y%m%dT%H%M%SZ}-"))
    try:
        copy = work / DATABASE
        _online_copy(db_path, copy)
        for name in KEYS:
            shutil.copyfile(Path(instance_path) / name, work / name)
        facts = _check_database(copy, name=DATABASE, damaged="backup_copy_damaged")
        if facts["schema_version"] < latest_schema():
            raise KioskError("backup_schema_behind", have=facts["schema_version"], want=latest_schema())
        problems = (verify or run_verify)(copy, work)
        if problems:
            raise KioskError("backup_not_verified", problems=_summary(problems), count=len(problems))
        _single_file(copy)
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "created_at": now.isoformat() + "Z",
            "database_bytes": copy.stat().st_size,
            "schema_version": facts["schema_version"],
            "stores": facts["stores"],
            "verified": True,
            "sha256": {name: _sha256(work / name) for name in (DATABASE, *KEYS)},
        }
        label = "_".join(facts["stores"]) or "NOSTORE"
        target = _free_name(folder, label, now)
        partial = work / (target.name + ".partial")
        _write_zip(partial, work, manifest)
        read_manifest(partial)  # what was written reads back, every member matching its checksum
        os.replace(partial, target)
        _fsync_folder(folder)
    except OSError as exc:  # the disk filled up, the USB stick was pulled out
        raise KioskError("backup_folder_unwritable", folder=str(folder), error=exc.strerror or str(exc)) from None
    except sqlite3.Error as exc:  # the live database could not be read (locked past the timeout, an I/O error)
        raise KioskError("backup_copy_failed", error=str(exc)) from None
    finally:
        shutil.rmtree(work, ignore_errors=True)
    made = Backup(target, label, now, target.stat().st_size, manifest)
    pruned = prune(folder, label, tz_name=tz_name, keep_daily=keep_daily, keep_monthly=keep_monthly)
    return Made(made, pruned)


def _online_copy(source, target):
    """SQLite's online backup API, all pages in one step (one read transaction: a snapshot that
    writers in WAL mode are never blocked by), then a rollback journal: one file, no -wal."""
    src = sqlite3.connect(source, timeout=30)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()
    finally:
        src.close()


def _single_file(path):
    """Leave the database at ``path`` in one file (checkpointed, rollback journal): a
    verification or an upgrade opened it in WAL mode."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA journal_mode=DELETE")
    finally:
        conn.close()


def _check_database(path, *, name, damaged):
    """{"schema_version", "stores"} of the kiosk database at ``path``. Raises
    KioskError("backup_not_kiosk_database") for another file or database, KioskError(damaged)
    when SQLite finds damaged pages."""
    conn = sqlite3.connect(path)
    try:
        try:
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        except sqlite3.DatabaseError:
            raise KioskError("backup_not_kiosk_database", name=name) from None
        if not {"schema_version", "store", "ledger_entry", "account"} <= tables:
            raise KioskError("backup_not_kiosk_database", name=name)
        try:
            result = [row[0] for row in conn.execute("PRAGMA integrity_check")]
            version = conn.execute("SELECT MAX(version) FROM schema_version").fetchone()[0]
            stores = [row[0] for row in conn.execute("SELECT code FROM store ORDER BY code")]
        except sqlite3.DatabaseError as exc:
            raise KioskError(damaged, name=name, error=str(exc)) from None
        if result != ["ok"]:
            raise KioskError(damaged, name=name, error="; ".join(result[:_PROBLEMS_SHOWN]))
        if version is None:
            raise KioskError("backup_not_kiosk_database", name=name)
        return {"schema_version": int(version), "stores": stores}
    finally:
        conn.close()


def _subprocess_env(db_path, instance_path):
    env = dict(os.environ)
    env["KIOSK_DATABASE_URL"] = "sqlite:///" + str(Path(db_path).resolve())
    env["KIOSK_INSTANCE_PATH"] = str(Path(instance_path).resolve())
    # The kiosk this process runs, not whichever one the virtualenv happens to install.
    from kiosk import ROOT

    env["PYTHONPATH"] = os.pathsep.join([ROOT, *filter(None, [os.environ.get("PYTHONPATH")])])
    env.setdefault("PYTHONIOENCODING", "utf-8")
    return env


def _kiosk(command, db_path, instance_path):
    return subprocess.run([sys.executable, "-m", "kiosk", command], env=_subprocess_env(db_path, instance_path),
                          cwd=str(instance_path), stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          encoding="utf-8", errors="replace", timeout=3600)


def run_verify(db_path, instance_path):
    """The problems `kiosk verify` finds in the database at ``db_path`` (with the keys in
    ``instance_path``), run in a process of its own; [] when the books are consistent."""
    result = _kiosk("verify", db_path, instance_path)
    if result.returncode == 0:
        return []
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    if not lines:  # it could not run at all: say why, in its last words
        lines = [line for line in result.stderr.splitlines() if line.strip()][-3:] or ["kiosk verify failed"]
    return lines


def run_upgrade(db_path, instance_path):
    """Bring the database at ``db_path`` to this kiosk's schema (`kiosk init-db`, in a process of
    its own); returns what it said. Raises KioskError("backup_copy_damaged") when it fails."""
    result = _kiosk("init-db", db_path, instance_path)
    if result.returncode != 0:
        raise KioskError("backup_copy_damaged", name=DATABASE, error=(result.stderr or result.stdout).strip()[-300:])
    return result.stdout.strip()


def _summary(problems):
    shown = "; ".join(problems[:_PROBLEMS_SHOWN])
    return shown + (" …" if len(problems) > _PROBLEMS_SHOWN else "")


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _free_name(folder, label, now):
    stamp = f"{now:%Y%m%dT%H%M%SZ}"
    target = folder / f"kiosk-backup-{label}-{stamp}.zip"
    n = 1
    while target.exists():  # two copies in one second (a manual one beside the nightly run)
        n += 1
        target = folder / f"kiosk-backup-{label}-{stamp}-{n}.zip"
    return target


def _write_zip(path, work, manifest):
    # Readable by the owner only: the file holds the keys.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        with zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
            archive.writestr(MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
            archive.write(work / DATABASE, DATABASE)
            for name in KEYS:
                archive.write(work / name, name)
        fh.flush()
        os.fsync(fh.fileno())


def _fsync_folder(folder):
    if os.name == "nt":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError:  # some network file systems cannot; the file itself was synced
        pass
    finally:
        os.close(fd)


def _remove_stale_work(folder, now):
    """Working folders a power cut left behind (a day old: never one a running copy still uses)."""
    for path in folder.glob(_WORK_PREFIX + "*"):
        try:
            if datetime.fromtimestamp(path.stat().st_mtime, timezone.utc).replace(tzinfo=None) < now - timedelta(days=1):
                shutil.rmtree(path, ignore_errors=True)
        except OSError:
            pass


# --- reading copies -----------------------------------------------------------------------------


def read_manifest(path):
    """The manifest of the backup file at ``path`` after checking that it is one: a zip with
    the manifest, the database and the keys, each member matching its checksum.

    Raises KioskError("not_a_backup", "backup_without_database", "backup_without_keys",
    "backup_damaged")."""
    path = Path(path)
    name = path.name
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise KioskError("not_a_backup", name=name) from None
    with archive:
        members = set(archive.namelist())
        try:
            manifest = json.loads(archive.read(MANIFEST).decode("utf-8")) if MANIFEST in members else None
        except (ValueError, UnicodeDecodeError, zipfile.BadZipFile, OSError):
            manifest = None
        if DATABASE not in members:
            raise KioskError("backup_without_database", name=name)
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise KioskError("not_a_backup", name=name)
        if not all(key in members for key in KEYS):
            raise KioskError("backup_without_keys", name=name)
        sums = manifest.get("sha256") or {}
        for member in (DATABASE, *KEYS):
            digest = hashlib.sha256()
            try:
                with archive.open(member) as fh:
                    for block in iter(lambda: fh.read(1 << 20), b""):
                        digest.update(block)
            except (zipfile.BadZipFile, OSError, EOFError):  # a CRC error or a cut-off file
                raise KioskError("backup_damaged", name=name, member=member) from None
            if digest.hexdigest() != sums.get(member):
                raise KioskError("backup_damaged", name=name, member=member)
    return manifest


def backups(folder):
    """The copies in ``folder``, newest first (none when the folder does not exist)."""
    folder = Path(folder)
    found = []
    try:
        entries = list(folder.iterdir())
    except OSError:
        return []
    for path in entries:
        match = NAME.match(path.name)
        if not match or not path.is_file():
            continue
        created = datetime.strptime(match.group("stamp"), "%Y%m%dT%H%M%SZ")
        found.append(Backup(path, match.group("label"), created, path.stat().st_size))
    found.sort(key=lambda b: (b.created_at, b.path.name), reverse=True)
    return found


def with_manifest(backup):
    """``backup`` with its manifest read (None when it cannot be read: not checked against the
    checksums, which `kiosk restore` does)."""
    try:
        with zipfile.ZipFile(backup.path) as archive:
            manifest = json.loads(archive.read(MANIFEST).decode("utf-8"))
        backup.manifest = manifest if isinstance(manifest, dict) and manifest.get("format") == FORMAT else None
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, UnicodeDecodeError):
        backup.manifest = None
    return backup


def newest(folder):
    """The newest copy in ``folder`` with its manifest, or None."""
    found = backups(folder)
    return with_manifest(found[0]) if found else None


def is_stale(backup, now=None):
    """Whether the settings screen must show the last copy in red: none yet, not verified, or
    older than two days."""
    now = now or _utcnow()
    return backup is None or not backup.verified or backup.created_at < now - STALE_AFTER


def to_keep(stamps, *, tz_name="Asia/Shanghai", keep_daily=KEEP_DAILY, keep_monthly=KEEP_MONTHLY):
    """The times (naive UTC) the retention rule keeps: the newest of each of the last
    ``keep_daily`` days that have a copy, and of each of the last ``keep_monthly`` months."""
    zone = ZoneInfo(tz_name)
    keep, days, months = set(), [], []
    for stamp in sorted(set(stamps), reverse=True):
        local = stamp.replace(tzinfo=timezone.utc).astimezone(zone)
        day, month = local.date(), (local.year, local.month)
        if day not in days and len(days) < keep_daily:
            days.append(day)
            keep.add(stamp)
        if month not in months and len(months) < keep_monthly:
            months.append(month)
            keep.add(stamp)
    return keep


def prune(folder, label, *, tz_name="Asia/Shanghai", keep_daily=KEEP_DAILY, keep_monthly=KEEP_MONTHLY):
    """Delete the copies of ``label`` the retention rule does not keep; returns their paths."""
    mine = [b for b in backups(folder) if b.label == label]
    # Of two copies in one second, the later (-2) one stands for that second.
    by_stamp = {}
    for backup in sorted(mine, key=lambda b: b.path.name):
        by_stamp.setdefault(backup.created_at, []).append(backup)
    keep = to_keep(by_stamp, tz_name=tz_name, keep_daily=keep_daily, keep_monthly=keep_monthly)
    removed = []
    for stamp, group in by_stamp.items():
        kept = group[-1] if stamp in keep else None
        for backup in group:
            if backup is not kept:
                try:
                    backup.path.unlink()
                    removed.append(backup.path)
                except OSError:
                    pass
    return sorted(removed)


# --- restoring ------------------------------------------------------------------------------------


def server_answers(url, timeout=2.0):
    """Whether a kiosk server answers its health check at ``url`` (http://host:port/healthz)."""
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return json.loads(response.read(200).decode("utf-8")).get("ok") is True
    except Exception:  # noqa: BLE001 - nothing there, something else there, or no answer
        return False


def _aside_folders(db_folder, instance_path, stamp):
    """Folders that do not exist yet (a second restore in the same second gets its own)."""
    n = 1
    while True:
        name = f"{ASIDE_PREFIX}{stamp}" + (f"-{n}" if n > 1 else "")
        folders = (db_folder / name, instance_path / name)
        if not any(folder.exists() for folder in folders):
            return folders
        n += 1


def _write_private(path, data):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def _move_aside(db_path, instance_path, stamp):
    """Move the database (with its -wal and -shm files) and the keys into before-restore-<time>
    folders beside them; returns [(from, to)]. When a move fails, the ones done are undone."""
    aside = []
    db_aside, keys_aside = _aside_folders(db_path.parent, instance_path, stamp)
    try:
        for current, folder in [*((Path(f"{db_path}{suffix}"), db_aside) for suffix in ("", "-wal", "-shm")),
                                *((instance_path / name, keys_aside) for name in KEYS)]:
            if current.exists():
                folder.mkdir(mode=0o700, exist_ok=True)
                moved = folder / current.name
                os.replace(current, moved)
                aside.append((current, moved))
    except OSError:
        _undo(aside)
        raise
    return aside


def _undo(aside):
    """Put back what _move_aside moved, and remove the folders it made."""
    for current, moved in reversed(aside):
        os.replace(moved, current)
    for folder in {moved.parent for _, moved in aside}:
        try:
            folder.rmdir()
        except OSError:
            pass


RECEIPT_NUMBERS = "receipt-numbers.json"
# The numbered documents (kiosk.stores.numbering.KINDS, each its table), read here as plain SQLite.
DOCUMENT_KINDS = ("sale", "refund", "stock_receipt", "write_off", "stocktake", "voucher", "settlement")


def _highest_numbers(path):
    """{store code: {kind: the highest number issued}} of a kiosk database: its document
    counters, or in a database older than m0017 (numbered by id) each store's highest ids and
    the floors an earlier restore set; {} when there is no database or it cannot be read."""
    if not Path(path).is_file():
        return {}
    found = {}
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            codes = dict(conn.execute('SELECT "id", "code" FROM "store"').fetchall())
            try:
                rows = conn.execute('SELECT "store_id", "kind", "last" FROM "document_counter"').fetchall()
            except sqlite3.OperationalError:  # older than m0017
                rows = _highest_ids(conn)
        finally:
            conn.close()
    except sqlite3.Error:
        return {}
    for store_id, kind, number in rows:
        if store_id in codes and kind in DOCUMENT_KINDS and number:
            numbers = found.setdefault(codes[store_id], {})
            numbers[kind] = max(numbers.get(kind, 0), int(number))
    return found


def _highest_ids(conn):
    """[(store id, kind, highest number)] of a database from before m0017, whose numbers were ids."""
    rows = []
    for kind in DOCUMENT_KINDS:
        try:
            rows += [(store_id, kind, highest) for store_id, highest in conn.execute(
                f'SELECT "store_id", MAX("id") FROM "{kind}" GROUP BY "store_id"').fetchall()]
        except sqlite3.OperationalError:  # a table older than its kind
            pass
    try:
        for store_id, sale, refund in conn.execute(
                'SELECT "id", "sale_number_floor", "refund_number_floor" FROM "store"').fetchall():
            rows += [(store_id, "sale", sale), (store_id, "refund", refund)]
    except sqlite3.OperationalError:  # older than m0015
        pass
    return rows


def _read_numbers_mark(mark):
    """The numbers recorded in ``receipt-numbers.json``: ({store code: {kind: number}}, {kind:
    number} of every store). The second is the file's form before m0017, when sale and return
    numbers were database-wide ids and one pair held for every store."""
    try:
        known = json.loads(mark.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}, {}
    if not isinstance(known, dict):
        return {}, {}
    stores, every = {}, {}
    recorded = known.get("stores")
    for code, numbers in (recorded.items() if isinstance(recorded, dict) else ()):
        if isinstance(numbers, dict):
            stores[str(code)] = {k: int(v) for k, v in numbers.items()
                                 if k in DOCUMENT_KINDS and isinstance(v, int) and v > 0}
    for kind in ("sale", "refund"):
        if isinstance(known.get(kind), int) and known[kind] > 0:
            every[kind] = known[kind]
    return stores, every


def _carry_receipt_numbers(db_path, instance_path, restored):
    """Receipt and document numbers never repeat across a restore: the highest numbers each
    store issued so far (by the database being replaced, or as recorded in
    ``receipt-numbers.json`` in the instance folder, which restores leave in place) raise the
    restored copy's document counters (kiosk.stores.numbering), so that its next sale, return
    or document is numbered above them. The file is updated first."""
    mark = instance_path / RECEIPT_NUMBERS
    stores, every = _read_numbers_mark(mark)
    for code, numbers in _highest_numbers(db_path).items():
        kept = stores.setdefault(code, {})
        for kind, number in numbers.items():
            kept[kind] = max(kept.get(kind, 0), number)
    record = {"stores": stores, **every}
    _write_private(mark, json.dumps(record, sort_keys=True).encode("utf-8"))
    conn = sqlite3.connect(restored)
    try:
        with conn:
            codes = [row[0] for row in conn.execute('SELECT "code" FROM "store"').fetchall()]
            for code in codes:
                numbers = dict(every)
                for kind, number in stores.get(code, {}).items():
                    numbers[kind] = max(numbers.get(kind, 0), number)
                for kind, number in numbers.items():
                    conn.execute(
                        'INSERT INTO "document_counter" ("store_id", "kind", "last") '
                        'SELECT "id", ?, ? FROM "store" WHERE "code" = ? '
                        'ON CONFLICT ("store_id", "kind") DO UPDATE SET "last" = MAX("last", excluded."last")',
                        (kind, number, code))
    finally:
        conn.close()


def restore(archive, db_path, instance_path, *, now=None, verify=None, upgrade=None):
    """Put the copy in the backup file ``archive`` in place of the database ``db_path`` and the
    keys of ``instance_path``, after checking it as `kiosk backup` did (and upgrading it to this
    kiosk's schema when it is older). The current database (with its -wal and -shm files) and
    keys are moved aside into ``before-restore-<time>`` folders beside them, never deleted.
    Receipt and document numbers issued before the restore are never issued again
    (_carry_receipt_numbers).

    Stop the kiosk server first: a server still running keeps writing to the file moved aside.

    Raises KioskError("not_a_backup", "backup_without_database", "backup_without_keys",
    "backup_damaged", "backup_not_kiosk_database", "backup_copy_damaged", "backup_newer_schema",
    "backup_fails_verification", "restore_failed"); nothing is changed then (a failure while
    putting the files in place puts back what was moved).
    """
    archive, db_path, instance_path = Path(archive), Path(db_path), Path(instance_path)
    if not archive.is_file():
        raise KioskError("not_a_backup", name=archive.name)
    manifest = read_manifest(archive)
    now = (now or _utcnow()).replace(microsecond=0)
    stamp = f"{now:%Y%m%dT%H%M%SZ}"
    staged_keys = [(instance_path / f".{name}.restoring", instance_path / name) for name in KEYS]
    work = None
    try:
        db_path.parent.mkdir(parents=True, exist_ok=True)
        instance_path.mkdir(parents=True, exist_ok=True)
        # Unpacked beside the database, so that putting it in place is a rename on one disk.
        work = Path(tempfile.mkdtemp(dir=db_path.parent, prefix=".kiosk-restore-"))
        with zipfile.ZipFile(archive) as opened:
            for member in (DATABASE, *KEYS):
                with opened.open(member) as src, open(work / member, "wb") as dst:
                    shutil.copyfileobj(src, dst)
        facts = _check_database(work / DATABASE, name=archive.name, damaged="backup_copy_damaged")
        if facts["schema_version"] > latest_schema():
            raise KioskError("backup_newer_schema", name=archive.name, have=facts["schema_version"], want=latest_schema())
        upgraded = []
        if facts["schema_version"] < latest_schema():
            upgraded.append((upgrade or run_upgrade)(work / DATABASE, work))
        problems = (verify or run_verify)(work / DATABASE, work)
        if problems:
            raise KioskError("backup_fails_verification", name=archive.name, problems=_summary(problems),
                             count=len(problems))
        _carry_receipt_numbers(db_path, instance_path, work / DATABASE)
        _single_file(work / DATABASE)
        # Everything written before anything is moved: from here on only renames on one disk.
        for staged, _ in staged_keys:
            _write_private(staged, (work / staged.name[1:-len(".restoring")]).read_bytes())
        aside = _move_aside(db_path, instance_path, stamp)
        try:
            os.replace(work / DATABASE, db_path)
            for staged, key in staged_keys:
                os.replace(staged, key)
        except OSError:
            _undo(aside)  # put back what was there
            raise
        _fsync_folder(db_path.parent)
        _fsync_folder(instance_path)
    except OSError as exc:
        raise KioskError("restore_failed", error=exc.strerror or str(exc)) from None
    except sqlite3.Error as exc:
        raise KioskError("backup_copy_damaged", name=archive.name, error=str(exc)) from None
    finally:
        if work is not None:
            shutil.rmtree(work, ignore_errors=True)
        for staged, _ in staged_keys:
            staged.unlink(missing_ok=True)
    return Restored(manifest, db_path, aside, upgraded)
