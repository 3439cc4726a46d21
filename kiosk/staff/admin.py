"""Staff administration (store manager, and `kiosk staff` on the kiosk computer): adding people,
setting PINs, changing roles, deactivating, reactivating and unlocking.

Each operation is one transaction with its audit event; the audit event never holds the PIN
or its hash. ``by`` is the staff member doing it (None from the command line, which records
``via="cli"`` instead).

The store keeps at least one active manager: deactivating or demoting the last one is refused.
The check runs inside the transaction *after* the change, so two managers demoting each other
at the same moment cannot both succeed: on SQLite write transactions are serialised (BEGIN
IMMEDIATE), on PostgreSQL the store's row is locked first (SELECT … FOR UPDATE), and the
second one counts no manager left and rolls back.
"""
import unicodedata

from kiosk import audit
from kiosk.db import database, is_sqlite, utcnow
from kiosk.errors import KioskError
from kiosk.staff.models import CASHIER, MANAGER, OPERATIONS, ROLES, SERVICE, Staff
from kiosk.staff.service import check_new_pin, forget_wrong_pins, hash_pin
from kiosk.stores.models import Store

NAME_MAX = 50
# Roles as the store says them, for the command line.
ROLE_WORDS = {"店长": MANAGER, "运营": OPERATIONS, "收银": CASHIER, "收银员": CASHIER, "客服": SERVICE}
ROLE_ORDER = {role: i for i, role in enumerate(ROLES)}


def parse_role(role):
    """The role code for ``role`` (manager… or 店长…); raises KioskError("bad_role")."""
    text = (role or "").strip()
    code = ROLE_WORDS.get(text, text.lower())
    if code not in ROLES:
        raise KioskError("bad_role", role=text)
    return code


def check_name(name):
    """The name trimmed; raises KioskError("missing_field", "too_long") for field staff_name, and
    KioskError("bad_staff_name") for control characters (a stray scan, a pasted tab)."""
    name = " ".join((name or "").split())
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") for ch in name):
        raise KioskError("bad_staff_name")
    if not name:
        raise KioskError("missing_field", field="staff_name")
    if len(name) > NAME_MAX:
        raise KioskError("too_long", field="staff_name", max=NAME_MAX)
    return name


def is_locked(staff, now=None):
    return bool(staff.locked_until and staff.locked_until > (now or utcnow()))


def staff_of(store):
    """Everyone who ever worked in ``store``: the active first, by role and name."""
    people = list(Staff.select().where(Staff.store == store))
    return sorted(people, key=lambda s: (not s.active, ROLE_ORDER.get(s.role, 99), s.name, s.id))


def get_staff(store, staff_id):
    """The staff member ``staff_id`` of ``store``; raises KioskError("unknown_staff_member")."""
    staff = Staff.get_or_none(Staff.id == staff_id, Staff.store == store) if isinstance(staff_id, int) else None
    if staff is None:
        raise KioskError("unknown_staff_member")
    return staff


def find_by_name(store, name, *, active=True):
    """The active (or, with active=False, deactivated) staff member called ``name``.

    Raises KioskError("unknown_staff_name"), or ("ambiguous_staff_name") when several
    deactivated people share the name.
    """
    name = " ".join((name or "").split())
    found = list(Staff.select().where(Staff.store == store, Staff.name == name, Staff.active == active)
                 .order_by(Staff.id))
    if not found:
        raise KioskError("unknown_staff_name", name=name)
    if len(found) > 1:
        raise KioskError("ambiguous_staff_name", name=name, count=len(found))
    return found[0]


def _lock(store):
    """Serialise staff changes of one store. SQLite's write transactions already are (BEGIN
    IMMEDIATE); on PostgreSQL the store's row is locked until the transaction ends."""
    if not is_sqlite():
        list(Store.select(Store.id).where(Store.id == store.id).for_update())


def ensure_unique_name(store, name, exclude=None):
    """Raises KioskError("duplicate_staff_name") when someone active in ``store`` has ``name``."""
    query = Staff.select().where(Staff.store == store, Staff.active == True, Staff.name == name)  # noqa: E712
    if exclude is not None:
        query = query.where(Staff.id != exclude)
    if query.exists():
        raise KioskError("duplicate_staff_name", name=name)


def _ensure_a_manager_left(store):
    """Called after the change, in its transaction: raising rolls the change back."""
    left = Staff.select().where(Staff.store == store, Staff.role == MANAGER, Staff.active == True).count()  # noqa: E712
    if left == 0:
        raise KioskError("last_manager")


def _actor(by, via):
    return {"via": via} if via else {}


def add_staff(store, name, role, pin, repeated=None, *, by=None, via=None):
    """A new active staff member. Raises KioskError("missing_field", "too_long", "bad_role",
    "bad_pin_format", "pins_differ", "weak_pin", "duplicate_staff_name")."""
    name = check_name(name)
    role = parse_role(role)
    pin_hash = hash_pin(check_new_pin(pin, repeated))
    with database.atomic():
        _lock(store)
        ensure_unique_name(store, name)
        staff = Staff.create(store=store, name=name, role=role, pin_hash=pin_hash)
        audit.record("staff_added", store=store, staff=by, person=staff.id, name=name, role=role, **_actor(by, via))
    return staff


def set_pin(store, staff_id, pin, repeated=None, *, by=None, via=None):
    """Give ``staff_id`` a new PIN (a forgotten one is reset this way); it also lifts a lock-out
    and ends their sessions.
    Raises KioskError("unknown_staff_member", "bad_pin_format", "pins_differ", "weak_pin")."""
    staff = get_staff(store, staff_id)
    pin_hash = hash_pin(check_new_pin(pin, repeated))
    with database.atomic():
        Staff.update(pin_hash=pin_hash, session_version=Staff.session_version + 1).where(Staff.id == staff.id).execute()
        forget_wrong_pins(staff.id)
        audit.record("staff_pin_set", store=store, staff=by, person=staff.id, name=staff.name, **_actor(by, via))
    return Staff.get_by_id(staff.id)


def change_role(store, staff_id, role, *, by=None, via=None):
    """Change the role of ``staff_id``. Raises KioskError("unknown_staff_member", "bad_role",
    "last_manager": the store's last active manager cannot be demoted)."""
    staff = get_staff(store, staff_id)
    role = parse_role(role)
    if role == staff.role:
        return staff
    with database.atomic():
        _lock(store)
        before = Staff.get_by_id(staff.id).role
        if before == role:
            return staff
        Staff.update(role=role).where(Staff.id == staff.id).execute()
        _ensure_a_manager_left(store)
        audit.record("staff_role_changed", store=store, staff=by, person=staff.id, name=staff.name,
                     old_role=before, role=role, **_actor(by, via))
    return Staff.get_by_id(staff.id)


def deactivate(store, staff_id, *, by=None, via=None):
    """Take ``staff_id`` off the sign-in screen; their sessions stop working, their history stays.
    Raises KioskError("unknown_staff_member", "last_manager")."""
    staff = get_staff(store, staff_id)
    with database.atomic():
        _lock(store)
        changed = Staff.update(active=False, session_version=Staff.session_version + 1).where(
            Staff.id == staff.id, Staff.active == True).execute()  # noqa: E712
        if changed:
            _ensure_a_manager_left(store)
            audit.record("staff_deactivated", store=store, staff=by, person=staff.id, name=staff.name,
                         role=staff.role, **_actor(by, via))
    return Staff.get_by_id(staff.id)


def reactivate(store, staff_id, *, by=None, via=None):
    """Bring a deactivated staff member back, with their old PIN. Raises
    KioskError("unknown_staff_member", "duplicate_staff_name": someone active has the name now)."""
    staff = get_staff(store, staff_id)
    with database.atomic():
        _lock(store)
        ensure_unique_name(store, staff.name, exclude=staff.id)
        changed = Staff.update(active=True, failed_attempts=0, locked_until=None).where(
            Staff.id == staff.id, Staff.active == False).execute()  # noqa: E712
        if changed:
            audit.record("staff_reactivated", store=store, staff=by, person=staff.id, name=staff.name,
                         role=staff.role, **_actor(by, via))
    return Staff.get_by_id(staff.id)


def unlock(store, staff_id, *, by=None, via=None):
    """Lift the lock-out after wrong PINs and forget the wrong tries.
    Raises KioskError("unknown_staff_member")."""
    staff = get_staff(store, staff_id)
    with database.atomic():
        forget_wrong_pins(staff.id)
        audit.record("staff_unlocked", store=store, staff=by, person=staff.id, name=staff.name,
                     was_locked=is_locked(staff), **_actor(by, via))
    return Staff.get_by_id(staff.id)
