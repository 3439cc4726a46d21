"""Opening the first store of an empty database, with its first manager, and the one-time
set-up code that lets the first-run screen be used from another device than the kiosk.

Never imports Flask. The code lives in the instance folder (``setup-code``, readable by the
owner only), is printed by ``kiosk init-db`` while the database holds no store, and is deleted
when the first store is opened.
"""
import hmac
import os
import secrets

from kiosk import audit
from kiosk.db import database, is_sqlite
from kiosk.errors import KioskError
from kiosk.staff.models import MANAGER, Staff
from kiosk.staff.service import check_new_pin, hash_pin
from kiosk.stores import service as stores
from kiosk.stores.models import Store

CODE_FILE = "setup-code"
# No 0/O, 1/I/L: the code is read off a terminal and typed on another device.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def has_store():
    return Store.select().exists()


def check_name(name, field):
    name = " ".join((name or "").split())
    if not name:
        raise KioskError("missing_field", field=field)
    if len(name) > 50:
        raise KioskError("too_long", field=field, max=50)
    return name


def open_store(*, code, name, timezone, manager, pin, pin_again=None):
    """The first store and its first manager, in one transaction; returns (store, manager).

    Refused once any store exists: a second set-up (a second `kiosk setup`, the first-run form
    sent twice or from two devices) changes nothing. Raises KioskError("store_exists",
    "bad_store_code", "bad_timezone", "missing_field", "too_long", "bad_pin_format",
    "pins_differ", "weak_pin").
    """
    code, name = stores.check_code(code), stores.check_store_name(name)
    timezone = stores.check_timezone(timezone)
    manager = check_name(manager, "manager_name")
    pin_hash = hash_pin(check_new_pin(pin, pin_again))
    with database.atomic():
        # SQLite takes the write lock at BEGIN (IMMEDIATE), so two set-ups run one after the
        # other and the second sees the first's store; on PostgreSQL the table lock does that.
        if not is_sqlite():
            database.execute_sql('LOCK TABLE "store" IN SHARE ROW EXCLUSIVE MODE')
        if has_store():
            raise KioskError("store_exists")
        store = stores.create_store(code, name, timezone)
        person = Staff.create(store=store, name=manager, role=MANAGER, pin_hash=pin_hash)
        audit.record("store_opened", store=store, staff=person, code=code, name=name, timezone=timezone)
        audit.record("staff_added", store=store, staff=person, name=manager, role=MANAGER)
    return store, person


def setup_code(instance_path, create=False):
    """The one-time set-up code (XXXXX-XXXXX), made when ``create`` and none exists; None when
    there is none."""
    path = os.path.join(instance_path, CODE_FILE)
    try:
        with open(path) as file:
            return file.read().strip() or None
    except FileNotFoundError:
        if not create:
            return None
    raw = "".join(secrets.choice(ALPHABET) for _ in range(10))
    code = raw[:5] + "-" + raw[5:]
    os.makedirs(instance_path, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as file:
        file.write(code + "\n")
    return code


def check_setup_code(instance_path, typed):
    """True when ``typed`` is the set-up code (spaces, dashes and case do not matter)."""
    code = setup_code(instance_path)
    if not code:
        return False
    def clean(text):
        return "".join(ch for ch in (text or "").upper() if ch.isalnum())
    return hmac.compare_digest(clean(code).encode(), clean(typed).encode()[:64])


def forget_setup_code(instance_path):
    """Delete the set-up code: a store exists, the first-run screen is gone for good."""
    try:
        os.remove(os.path.join(instance_path, CODE_FILE))
    except FileNotFoundError:
        pass
