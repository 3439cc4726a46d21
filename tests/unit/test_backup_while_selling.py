"""`kiosk backup` while the store is selling: checkouts commit in other threads during the copy
(the kiosk serves; the nightly run or a technician starts the backup in a process of its own).

The restored copy verifies clean, holds every sale whose checkout had returned before the backup
started, and is a consistent snapshot: the sales it holds are exactly the first N committed,
each one whole (verify matches every sale with its lines, ledger debit and stock movements)."""
import os
import sqlite3
import subprocess
import sys
import threading
import time

import pytest

from kiosk.checkout import service as checkout
from kiosk.db import database
from kiosk.inventory import service as inventory
from kiosk.inventory.models import STOCK_IN
from kiosk.ledger import service as ledger
from kiosk.ledger.models import OPENING
from kiosk.staff.models import CASHIER

pytestmark = pytest.mark.sqlite_only("backups copy the SQLite file; on PostgreSQL they are pg_dump's (README)")


def kiosk(env, *args):
    return subprocess.run([sys.executable, "-m", "kiosk", *args], env=env, capture_output=True, text=True, timeout=300)


def test_a_backup_taken_during_checkouts_restores_every_sale_that_had_returned(world, instance, tmp_path):
    salt, rice = world.products["食盐"], world.products["大米"]
    with database.atomic():
        for holder in ("张建华", "李秀兰"):
            ledger.post(world.accounts[holder].id, 1_000_000, OPENING, reference="test")
        inventory.move(salt.id, 100_000, STOCK_IN, reference="test")
        inventory.move(rice.id, 100_000, STOCK_IN, reference="test")
    returned = []  # (sale id, time.monotonic() when its checkout returned)
    stop = threading.Event()
    errors = []

    def till(name, holder, lines):
        database.connect(reuse_if_open=True)
        try:
            n = 0
            while not stop.is_set():
                n += 1
                result = checkout.checkout(world.store, world.cards[holder].id, lines, world.staff[CASHIER].id,
                                           f"{name}-{n:06d}-backup-race")
                returned.append((result.sale.id, time.monotonic()))
        except Exception as exc:  # noqa: BLE001 - reported by the test below
            errors.append(exc)
        finally:
            database.close()

    tills = [threading.Thread(target=till, args=("till1", "张建华", [(salt.id, 1)])),
             threading.Thread(target=till, args=("till2", "李秀兰", [(salt.id, 2), (rice.id, 1)]))]
    for thread in tills:
        thread.start()
    env = {name: value for name, value in os.environ.items() if not name.startswith("KIOSK_")}
    env["KIOSK_INSTANCE_PATH"] = str(instance)
    try:
        while len(returned) < 20 and not errors:
            time.sleep(0.01)
        started = time.monotonic()
        result = kiosk(env, "backup", str(tmp_path / "usb"))
        finished = time.monotonic()
        time.sleep(0.2)  # the tills go on selling after the copy too
    finally:
        stop.set()
        for thread in tills:
            thread.join(timeout=60)
    assert not errors, errors
    assert result.returncode == 0, result.stdout + result.stderr
    before = {sale for sale, at in returned if at < started}
    during = {sale for sale, at in returned if started <= at < finished}
    assert before and during, "the checkouts did not overlap the backup"

    [copy] = (tmp_path / "usb").glob("kiosk-backup-XY-*.zip")
    restored = tmp_path / "restored-till"
    result = kiosk(dict(env, KIOSK_INSTANCE_PATH=str(restored)), "restore", str(copy))
    assert result.returncode == 0, result.stdout + result.stderr
    verify = kiosk(dict(env, KIOSK_INSTANCE_PATH=str(restored)), "verify")
    assert verify.returncode == 0 and verify.stdout.startswith("ok"), verify.stdout + verify.stderr
    with sqlite3.connect(restored / "kiosk.db") as conn:
        copied = {row[0] for row in conn.execute("SELECT id FROM sale")}
    conn.close()
    assert before <= copied
    # A snapshot: the sales committed up to some moment, no later one without an earlier one.
    every = {sale for sale, _ in returned}
    assert copied == {sale for sale in every if sale <= max(copied)}
    assert copied < every  # and the sales made after the copy are not in it
