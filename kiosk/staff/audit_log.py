"""Reading the audit log of one store: filtered by person, kind and local days, newest first,
a page at a time, and as an XLSX workbook. Only ever the given store's events."""
import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Optional
from zoneinfo import ZoneInfo

from peewee import JOIN

from kiosk.audit import AuditEvent
from kiosk.csvexport import xlsx_bytes
from kiosk.errors import KioskError
from kiosk.staff.models import Staff

PAGE_SIZE = 50
# Keys a detail might carry that must never be shown, whatever writes them.
SECRET_KEYS = {"pin", "pin_hash", "new_pin", "password", "secret"}


@dataclass(frozen=True)
class AuditFilter:
    staff_id: Optional[int] = None
    action: Optional[str] = None
    day_from: Optional[date] = None
    day_to: Optional[date] = None


def _day(text):
    text = (text or "").strip()
    if not text:
        return None
    try:
        if len(text) != 10:
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise KioskError("bad_audit_date", value=text[:20]) from None


def parse_filter(store, *, staff="", action="", day_from="", day_to=""):
    """The filter from the form's texts. Raises KioskError("unknown_staff_member": not a person
    of this store, "bad_audit_date", "bad_audit_range": the first day after the last)."""
    staff_id = None
    staff = (staff or "").strip()
    if staff:
        if not (staff.isascii() and staff.isdigit() and len(staff) <= 11):
            raise KioskError("unknown_staff_member")
        staff_id = int(staff)
        if not Staff.select().where(Staff.id == staff_id, Staff.store == store).exists():
            raise KioskError("unknown_staff_member")
    first, last = _day(day_from), _day(day_to)
    if first and last and first > last:
        raise KioskError("bad_audit_range")
    return AuditFilter(staff_id, (action or "").strip()[:40] or None, first, last)


def _utc(day, tz_name):
    """Midnight starting ``day`` in the store's zone, as naive UTC like the stored times."""
    return datetime.combine(day, time.min, ZoneInfo(tz_name)).astimezone(timezone.utc).replace(tzinfo=None)


def events(store, flt, tz_name):
    """The query of ``store``'s events matching ``flt``, newest first."""
    query = (
        # Only what the log shows of a person: never their PIN hash.
        AuditEvent.select(AuditEvent, Staff.id, Staff.name, Staff.role)
        .join(Staff, join_type=JOIN.LEFT_OUTER, on=(AuditEvent.staff == Staff.id))
        .where(AuditEvent.store == store)
    )
    if flt.staff_id is not None:
        query = query.where(AuditEvent.staff == flt.staff_id)
    if flt.action:
        query = query.where(AuditEvent.action == flt.action)
    if flt.day_from:
        query = query.where(AuditEvent.created_at >= _utc(flt.day_from, tz_name))
    if flt.day_to:
        query = query.where(AuditEvent.created_at < _utc(flt.day_to + timedelta(days=1), tz_name))
    return query.order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())


@dataclass
class Page:
    rows: list
    number: int
    pages: int
    total: int


def page(store, flt, tz_name, number=1, size=PAGE_SIZE):
    """Page ``number`` (from 1; past the end gives the last page) of the matching events."""
    query = events(store, flt, tz_name)
    total = query.count()
    pages = max(1, -(-total // size))
    number = min(max(1, number), pages)
    return Page(list(query.offset((number - 1) * size).limit(size)), number, pages, total)


def actions_of(store):
    """The kinds of event this store's log holds."""
    return [row.action for row in AuditEvent.select(AuditEvent.action).where(AuditEvent.store == store)
            .distinct().order_by(AuditEvent.action)]


def detail_items(detail, words=None):
    """The detail JSON as (key, text) pairs; secrets are never shown. ``words(key, value)``, when
    given, may put a value in words (a role's name); it returns None to keep the value as it is."""
    try:
        data = json.loads(detail or "{}")
    except ValueError:
        return [("", detail)]
    if not isinstance(data, dict):
        return [("", json.dumps(data, ensure_ascii=False))]
    items = []
    for key, value in data.items():
        if key.lower() in SECRET_KEYS or "pin_hash" in key.lower():
            continue
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, (dict, list)):
            text = json.dumps(value, ensure_ascii=False)
        elif value is None:
            text = "-"
        else:
            text = str(value)
        worded = words(key, value) if words else None
        items.append((key, worded if worded is not None else text))
    return items


def detail_text(detail, separator="; ", words=None):
    return separator.join(f"{key}: {text}" if key else text for key, text in detail_items(detail, words))


def local(moment, tz_name):
    """A stored (naive UTC) time in the store's zone, naive."""
    return moment.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(tz_name)).replace(tzinfo=None)


def workbook(rows, tz_name, *, headings, title, person, role_name, action_name, words=None):
    """The events as XLSX bytes: time (the store's local time), person, role, action label, action
    code, details. ``person(event)``, ``role_name(code)``, ``action_name(code)`` and
    ``words(key, value)`` (see detail_items) give the words. Written by the one cell-safe writer
    (kiosk.csvexport.xlsx_bytes): a name or a detail that starts like a formula stays text."""
    def lines():
        for event in rows:
            staff = event.staff if event.staff_id else None
            yield [local(event.created_at, tz_name), person(event), role_name(staff.role) if staff else "",
                   action_name(event.action), event.action, detail_text(event.detail, words=words)]

    return xlsx_bytes([(title, headings, lines(), (20, 14, 12, 22, 24, 80), None)])
