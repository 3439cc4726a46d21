"""kiosk.backup.service.restore when putting the files in place fails half-way: what was moved
aside is put back, so the till is left with the database and keys it had."""
import os

import pytest

from kiosk import db as kiosk_db
from kiosk.backup import service
from kiosk.errors import KioskError

pytestmark = pytest.mark.sqlite_only("backups copy the SQLite file; on PostgreSQL they are pg_dump's (README)")


def no_verify(db_path, instance_path):
    return []  # verification has its own tests (tests/cli/test_cli_backup.py)


def test_a_failure_while_putting_the_copy_in_place_puts_everything_back(world, instance, tmp_path, monkeypatch):
    copy = service.make(instance / "kiosk.db", instance, tmp_path / "usb", verify=no_verify).backup
    kiosk_db.database.close()
    (instance / "card-signing.key").write_text("ab" * 32 + "\n")  # differs from the copy's key
    before = {name: (instance / name).read_bytes() for name in ("kiosk.db", "secret.key", "card-signing.key")}
    real_replace = os.replace

    def replace(src, dst):
        if str(dst).endswith("card-signing.key") and ".restoring" in str(src):
            raise OSError(28, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr(service.os, "replace", replace)
    with pytest.raises(KioskError) as refused:
        service.restore(copy.path, instance / "kiosk.db", instance, verify=no_verify)
    assert refused.value.code == "restore_failed" and "No space left" in refused.value.params["error"]
    assert {name: (instance / name).read_bytes() for name in before} == before
    assert not list(instance.glob(".*.restoring")) and not list(instance.glob(".kiosk-restore-*"))
    assert not list(instance.glob("before-restore-*"))
