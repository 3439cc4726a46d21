"""The street office (街道) view: every store of the database side by side, read-only.

Design (issue 15, "Street office (district) view"):

- **Who.** Street-office users belong to no store, so they are not staff: they live in their own
  table, ``district_user`` (m0021: name, PIN hash, active, session_version). Their PINs are
  hashed and checked exactly as staff PINs are (``kiosk.staff.service.hash_pin``,
  ``check_new_pin``), and wrong PINs are counted by the staff lock-out itself
  (``kiosk.staff.service.throttled_pin_check`` over pin_throttle rows): one counter per district user
  (``district:<id>``) and the network address's counter that staff sign-ins share
  (``address:<ip>``), so guessing at /district/ and at the staff sign-in adds up. They are added
  and changed only from the server's terminal (`kiosk district add-user|set-pin|deactivate|list`).
- **Session.** A street user's session carries ``district_user`` and its session version, never
  ``staff_id``: they are never ``current_staff()``, and kiosk.district.auth sends them back to
  /district/ from every other screen. Signing in and every export are audit events (store and
  staff empty, the district user's id and name in the detail).
- **What.** For the chosen period (the period picker of /reports/), each store's column shows
  the headline figures of the 街道 report (``kiosk.reports.present.street_document``, which reads
  ``kiosk.reports.service`` for that store: the same figures as the store's own report), the last
  day closed, the last notice published with its chain head, and the last `kiosk verify` result.
  Nothing here writes but the audit of sign-ins and exports.
- **Verification results.** `kiosk verify` records its outcome per store in ``verify_run`` (m0021):
  with ``--store CODE`` one row for that store; without it one row per store, each with the
  whole run's problem count (scope ``database``). The nightly run does not run `kiosk verify`:
  it re-reads the whole ledger chain of every store (minutes at district size, see
  bench/README.md), so a district schedules `kiosk verify --store CODE` itself, e.g. once a week
  per store; the view shows how old each result is.
- **One store.** On SQLite with one store, /district/ shows that one store by the same code path.
  When no district user exists and the database holds one store, /district/ sends the signed-in
  store manager to /reports/ (the store's own report is that view).
- **Export.** One XLSX workbook (through ``kiosk.csvexport.xlsx_bytes``): a summary sheet with the
  stores side by side, then a sheet per store with its headline figures and the period tables.

Refusals (KioskError codes): unknown_district_user, district_name_taken, missing_field,
too_long, bad_pin_format, weak_pin, pins_differ, wrong_pin, staff_locked.
"""
from dataclasses import dataclass
from typing import Optional

from kiosk import audit
from kiosk.dayclose.models import DAY, DayClose
from kiosk.db import database, utcnow
from kiosk.district.models import DATABASE, STORE, DistrictUser, VerifyRun
from kiosk.errors import KioskError
from kiosk.notice.models import Notice
from kiosk.reports import service as reports
from kiosk.staff.service import check_new_pin, forget_pin_tries, hash_pin, throttled_pin_check
from kiosk.stores.models import Store

NAME_LENGTH = 50


# ---------------------------------------------------------------------------------------------
# District users


def _check_name(name):
    name = (name or "").strip()
    if not name:
        raise KioskError("missing_field", field="district_name")
    if len(name) > NAME_LENGTH:
        raise KioskError("too_long", field="district_name", max=NAME_LENGTH)
    return name


def users(*, active_only=True):
    query = DistrictUser.select().order_by(DistrictUser.name)
    return query.where(DistrictUser.active == True) if active_only else query  # noqa: E712


def has_users():
    return DistrictUser.select().where(DistrictUser.active == True).exists()  # noqa: E712


def find_user(name):
    """The district user called ``name`` (active or not). Raises KioskError("unknown_district_user")."""
    user = DistrictUser.get_or_none(DistrictUser.name == (name or "").strip())
    if user is None:
        raise KioskError("unknown_district_user")
    return user


def add_user(name, pin, repeated=None):
    """A new street-office user. Raises missing_field, field_too_long, district_name_taken and
    the PIN refusals of check_new_pin."""
    name = _check_name(name)
    check_new_pin(pin, repeated)
    with database.atomic():
        if DistrictUser.select().where(DistrictUser.name == name).exists():
            raise KioskError("district_name_taken", name=name)
        user = DistrictUser.create(name=name, pin_hash=hash_pin(pin))
        audit.record("district_user_added", district_user=user.id, name=name)
    return user


def set_pin(name, pin, repeated=None):
    """A new PIN for ``name``: ends their sessions and lifts their lock-out."""
    check_new_pin(pin, repeated)
    with database.atomic():
        user = find_user(name)
        DistrictUser.update(pin_hash=hash_pin(pin), session_version=DistrictUser.session_version + 1).where(
            DistrictUser.id == user.id).execute()
        forget_pin_tries([f"district:{user.id}"])
        audit.record("district_pin_set", district_user=user.id, name=user.name)
    return user


def deactivate(name):
    """``name`` can no longer sign in; their open sessions end."""
    with database.atomic():
        user = find_user(name)
        DistrictUser.update(active=False, session_version=DistrictUser.session_version + 1).where(
            DistrictUser.id == user.id).execute()
        audit.record("district_user_deactivated", district_user=user.id, name=user.name)
    return user


def end_sessions(user_id):
    DistrictUser.update(session_version=DistrictUser.session_version + 1).where(DistrictUser.id == user_id).execute()


def authenticate(user_id, pin, *, address=None, max_attempts=5, lockout_seconds=30, max_delay_seconds=3600):
    """The active district user whose PIN this is, counted against the staff lock-out's rules
    (kiosk.staff.service.authenticate): the user's own counter and the network address's, each
    counted before the PIN is checked. Raises KioskError: unknown_district_user, staff_locked
    (``minutes``), wrong_pin (``remaining``)."""
    user = DistrictUser.get_or_none(DistrictUser.id == user_id, DistrictUser.active == True)  # noqa: E712
    if user is None:
        raise KioskError("unknown_district_user")
    throttled_pin_check(
        f"district:{user.id}", user.pin_hash, pin, address=address, max_attempts=max_attempts,
        lockout_seconds=lockout_seconds, max_delay_seconds=max_delay_seconds,
        on_right=lambda: audit.record("district_sign_in", district_user=user.id, name=user.name),
        on_wrong=lambda locked: audit.record("district_wrong_pin", district_user=user.id, name=user.name, locked=locked))
    return user


def record_export(user, period, fmt="xlsx"):
    with database.atomic():
        audit.record("district_export", district_user=user.id, name=user.name, period=period.code, format=fmt)


# ---------------------------------------------------------------------------------------------
# Verification results


def record_verify(stores, problems, scope):
    """One verify_run row per store in ``stores`` for a `kiosk verify` that found ``problems``
    (a count): ``scope`` DATABASE (the whole database was checked) or STORE (that store alone)."""
    if scope not in (DATABASE, STORE):
        raise ValueError(f"unknown scope {scope!r}")
    now = utcnow()
    with database.atomic():
        for store in stores:
            head, length = reports.chain_head(store)
            VerifyRun.create(store=store, scope=scope, checked_at=now, problems=problems, chain_head=head,
                             chain_length=length)


def last_verify(store):
    return VerifyRun.select().where(VerifyRun.store == store).order_by(
        VerifyRun.checked_at.desc(), VerifyRun.id.desc()).first()


# ---------------------------------------------------------------------------------------------
# The view


def stores():
    return list(Store.select().order_by(Store.code))


def last_day_close(store):
    return DayClose.select().where(DayClose.store == store, DayClose.kind == DAY).order_by(
        DayClose.day.desc(), DayClose.id.desc()).first()


def last_notice(store):
    return Notice.select().where(Notice.store == store).order_by(Notice.published_at.desc(), Notice.id.desc()).first()


@dataclass
class StoreColumn:
    store: Store
    document: object  # kiosk.reports.present.Document (the 街道 report of the period)
    last_close: Optional[DayClose]
    last_notice: Optional[Notice]
    last_verify: Optional[VerifyRun]
    chain_head: str
    chain_length: int


def column(store, period, *, today=None):
    """One store's column for ``period``. Needs an app context (the document's words)."""
    from kiosk.reports import present

    head, length = reports.chain_head(store)
    return StoreColumn(store, present.street_document(store, period, today=today), last_day_close(store),
                       last_notice(store), last_verify(store), head, length)


def overview(period, *, today=None):
    """Every store's column, by store code."""
    return [column(store, period, today=today) for store in stores()]
