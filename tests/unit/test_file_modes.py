"""The instance folder is readable by the kiosk's user only: the folder 0700, the database, its
WAL, the keys and the backup copies 0600, from creation and again at every start."""
import os
import stat

from kiosk import create_app, keys
from kiosk import db as kiosk_db
from kiosk import schema


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def start(instance):
    """Start the app on ``instance`` and write to its database; the connection stays open (the
    WAL file exists until the last connection closes)."""
    app = create_app({"INSTANCE_PATH": str(instance), "DATABASE_URL": "", "BACKUP_DIR": "", "TESTING": True})
    kiosk_db.database.connect(reuse_if_open=True)
    schema.upgrade()
    return app


def test_a_new_instance_folder_and_database_are_private(tmp_path):
    os.umask(0o022)  # the usual umask, which would make them 0755 and 0644
    instance = tmp_path / "instance"
    keys.ensure(str(instance))
    start(instance)
    assert mode(instance) == 0o700
    assert mode(instance / "kiosk.db") == 0o600
    assert mode(instance / "kiosk.db-wal") == 0o600
    kiosk_db.database.close()
    assert mode(instance / "secret.key") == 0o600
    kiosk_db.database.close()


def test_loose_modes_are_tightened_at_every_start(tmp_path):
    instance = tmp_path / "instance"
    keys.ensure(str(instance))
    start(instance)
    kiosk_db.database.close()
    backups = instance / "backups"
    backups.mkdir()
    copy = backups / "kiosk-backup-XY-20261201T000000Z.zip"
    copy.write_bytes(b"PK")
    (instance / "kiosk.db-wal").write_bytes(b"")  # as a power cut leaves it
    for path, loose in [(instance, 0o755), (backups, 0o755), (copy, 0o644),
                        (instance / "kiosk.db", 0o644), (instance / "kiosk.db-wal", 0o644)]:
        os.chmod(path, loose)
    start(instance)
    assert mode(instance) == 0o700
    assert mode(backups) == 0o700
    assert mode(copy) == 0o600
    assert mode(instance / "kiosk.db") == 0o600
    assert mode(instance / "kiosk.db-wal") == 0o600
    kiosk_db.database.close()
