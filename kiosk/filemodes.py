"""Files only the kiosk's own user may read: the instance folder holds PIN hashes, names, phone
numbers, ID tails and the keys.

The instance folder is 0700; the SQLite database, its WAL and shared-memory files, and the
backup copies are 0600. Set when they are created (the database file is created empty at 0600
before SQLite opens it, and SQLite gives its WAL the database's mode) and again at every start,
so a folder copied with looser modes is tightened.
"""
import os
from pathlib import Path

FOLDER, FILE = 0o700, 0o600
DATABASE_COMPANIONS = ("", "-wal", "-shm", "-journal")


def _chmod(path, mode):
    try:
        if (os.stat(path).st_mode & 0o777) != mode:
            os.chmod(path, mode)
    except FileNotFoundError:
        pass


def private_folder(path):
    """Make ``path`` (and its parents) if missing; ``path`` itself is 0700."""
    os.makedirs(path, mode=FOLDER, exist_ok=True)
    _chmod(path, FOLDER)


def private_database(path):
    """Create the SQLite file ``path`` empty at 0600 when missing; make it and its WAL, shared
    memory and journal 0600."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE))
    except FileExistsError:
        pass
    for suffix in DATABASE_COMPANIONS:
        _chmod(path + suffix, FILE)


def tighten(instance_path, database_path=None, backup_folder=None):
    """At start-up: the instance folder 0700 and the files in it that hold data 0600 (the
    database, the keys, the backup copies in ``backup_folder``, itself 0700)."""
    private_folder(instance_path)
    for key in Path(instance_path).glob("*.key"):
        _chmod(key, FILE)
    if database_path:
        for suffix in DATABASE_COMPANIONS:
            _chmod(database_path + suffix, FILE)
    if backup_folder and os.path.isdir(backup_folder):
        _chmod(backup_folder, FOLDER)
        for copy in Path(backup_folder).glob("kiosk-backup-*.zip"):
            _chmod(copy, FILE)
