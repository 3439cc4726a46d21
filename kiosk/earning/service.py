"""Recording and reviewing service, scored by the rules catalog.

A service record is entered by one staff member and reviewed by another (maker-checker).
Approval posts the points to the ledger in the same transaction; rejection posts nothing.
Never imports Flask; every function that writes owns its transaction.
"""
import secrets
from datetime import date

import peewee

from kiosk import audit
from kiosk.db import database, utcnow
from kiosk.earning.models import APPROVED, PENDING, PER_HALF_HOUR, REJECTED, UNITS, Rule, ServiceRecord
from kiosk.errors import KioskError
from kiosk.ledger import service as ledger
from kiosk.ledger.models import EARN
from kiosk.registry.models import Resident
from kiosk.registry.service import account_of

MIN_MINUTES = 30  # a service counts from half an hour
MAX_MINUTES = 24 * 60
MAX_GROUP = 200
MAX_POINTS_PER_UNIT = 10_000


def current_rules(store, on=None):
    """The current version of each rule, active on ``on`` when given, by category then code."""
    query = Rule.select().where(Rule.store == store, Rule.current == True)  # noqa: E712
    rules = list(query.order_by(Rule.category, Rule.code))
    return [rule for rule in rules if on is None or rule.active_on(on)]


def add_rule(store, *, code, name, category, points, unit, cap_month=None, cap_year=None,
             active_from=None, active_to=None, staff=None):
    """A new rule (version 1). Raises KioskError("missing_field", "duplicate_rule", "bad_rule")."""
    code, name, category = (code or "").strip().upper(), (name or "").strip(), (category or "").strip()
    _check_rule(code, name, category, points, unit, cap_month, cap_year, active_from, active_to)
    with database.atomic():
        if Rule.select().where(Rule.store == store, Rule.code == code).exists():
            raise KioskError("duplicate_rule", code=code)
        rule = Rule.create(store=store, code=code, name=name, category=category, points=points, unit=unit,
                           cap_month=cap_month, cap_year=cap_year, active_from=active_from, active_to=active_to,
                           created_by=staff)
        audit.record("rule_added", store=store, staff=staff, code=code, points=points, unit=unit)
    return rule


def change_rule(rule_id, store, *, staff=None, **changes):
    """A new version of a rule with ``changes`` (name, category, points, unit, caps, active
    dates); the old version stays for the records scored with it. Returns the new version.
    Raises KioskError("unknown_rule", "bad_rule", "missing_field")."""
    with database.atomic():
        old = Rule.get_or_none(Rule.id == rule_id, Rule.store == store, Rule.current == True)  # noqa: E712
        if old is None:
            raise KioskError("unknown_rule")
        fields = ("name", "category", "points", "unit", "cap_month", "cap_year", "active_from", "active_to")
        values = {name: changes.get(name, getattr(old, name)) for name in fields}
        unknown = set(changes) - set(fields)
        if unknown:
            raise ValueError(f"unknown rule fields {sorted(unknown)}")
        _check_rule(old.code, values["name"], values["category"], values["points"], values["unit"], values["cap_month"],
                    values["cap_year"], values["active_from"], values["active_to"])
        Rule.update(current=False).where(Rule.id == old.id).execute()
        new = Rule.create(store=store, code=old.code, version=old.version + 1, created_by=staff, **values)
        audit.record("rule_changed", store=store, staff=staff, code=old.code, version=new.version,
                     **{k: v for k, v in values.items() if getattr(old, k) != v})
    return new


def _check_rule(code, name, category, points, unit, cap_month, cap_year, active_from, active_to):
    for field, value in (("rule_code", code), ("rule_name", name), ("rule_category", category)):
        if not value:
            raise KioskError("missing_field", field=field)
    if len(code) > 20 or len(name) > 100 or len(category) > 30:
        raise KioskError("bad_rule")
    if not isinstance(points, int) or isinstance(points, bool) or points == 0 or abs(points) > MAX_POINTS_PER_UNIT:
        raise KioskError("bad_rule")
    if unit not in UNITS:
        raise KioskError("bad_rule")
    for cap in (cap_month, cap_year):
        if cap is not None and (not isinstance(cap, int) or cap <= 0):
            raise KioskError("bad_rule")
    if active_from and active_to and active_to < active_from:
        raise KioskError("bad_rule")


def units_for(rule, minutes):
    """(units, minutes) a service earns under ``rule``: 1 per occurrence, or 1 per whole half
    hour for service rules. Raises KioskError("service_too_short", "service_too_long",
    "missing_duration")."""
    if rule.unit != PER_HALF_HOUR:
        return 1, minutes
    if minutes is None:
        raise KioskError("missing_duration")
    if minutes < MIN_MINUTES:
        raise KioskError("service_too_short", minutes=MIN_MINUTES)
    if minutes > MAX_MINUTES:
        raise KioskError("service_too_long")
    return minutes // 30, minutes


def _capped(rule, account_id, service_date, points, *, statuses, also=()):
    """``points`` reduced so that the account's points from this rule (any version) stay within
    the rule's monthly and yearly caps, counting records in ``statuses`` and ``also``:
    (date, points) not stored yet (the earlier rows of an import)."""
    for cap, start, end in (
        (rule.cap_month, service_date.replace(day=1), _month_end(service_date)),
        (rule.cap_year, date(service_date.year, 1, 1), date(service_date.year, 12, 31)),
    ):
        if cap is None:
            continue
        used = (ServiceRecord.select(peewee.fn.COALESCE(peewee.fn.SUM(ServiceRecord.points), 0))
                .join(Rule)
                .where(ServiceRecord.account == account_id, Rule.store == rule.store_id, Rule.code == rule.code,
                       ServiceRecord.status.in_(statuses), ServiceRecord.service_date.between(start, end))
                .scalar())
        used += sum(extra for day, extra in also if start <= day <= end)
        points = min(points, cap - used)
    return points


def _month_end(day):
    following = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return date.fromordinal(following.toordinal() - 1)


def record_service(store, *, resident_ids, rule_id, content, service_date, minutes=None, staff, today):
    """Record one activity for each resident in ``resident_ids`` (a group entry when there are
    several); every record waits for review. Returns the records.

    Raises KioskError("unknown_rule", "rule_inactive", "deduction_needs_objection",
    "missing_field", "too_long", "future_date", "no_participants", "duplicate_participant",
    "too_many_participants", "unknown_resident", "service_too_short", "service_too_long",
    "missing_duration", "rule_cap_reached", "unknown_account"). Nothing is written on error.
    """
    content = (content or "").strip()
    if not content:
        raise KioskError("missing_field", field="service_content")
    if len(content) > 200:
        raise KioskError("too_long", field="service_content", max=200)
    if not isinstance(service_date, date):
        raise KioskError("missing_field", field="service_date")
    if service_date > today:
        raise KioskError("future_date")
    ids = list(resident_ids or [])
    if not ids:
        raise KioskError("no_participants")
    if len(ids) > MAX_GROUP:
        raise KioskError("too_many_participants", max=MAX_GROUP)
    if len(set(ids)) != len(ids):
        raise KioskError("duplicate_participant")
    group_key = secrets.token_hex(8) if len(ids) > 1 else ""
    with database.atomic():
        rule = Rule.get_or_none(Rule.id == rule_id, Rule.store == store, Rule.current == True)  # noqa: E712
        if rule is None:
            raise KioskError("unknown_rule")
        if not rule.active_on(service_date):
            raise KioskError("rule_inactive", name=rule.name)
        if rule.points < 0:
            # Deductions take effect only after the resident's objection period, which is
            # not built yet; until then they cannot be recorded at all.
            raise KioskError("deduction_needs_objection")
        units, minutes = units_for(rule, minutes)
        residents = {r.id: r for r in Resident.select().where(Resident.store == store, Resident.id.in_(ids),
                                                              Resident.active == True)}  # noqa: E712
        records = []
        for resident_id in ids:
            resident = residents.get(resident_id)
            if resident is None:
                raise KioskError("unknown_resident")
            account = account_of(resident)
            points = _capped(rule, account.id, service_date, rule.points * units, statuses=(PENDING, APPROVED))
            if points <= 0:
                raise KioskError("rule_cap_reached", name=resident.name, rule=rule.name)
            records.append(ServiceRecord.create(
                store=store, resident=resident, account=account, rule=rule, content=content,
                service_date=service_date, minutes=minutes, units=units, points=points,
                group_key=group_key, recorded_by=staff,
            ))
        audit.record("service_recorded", store=store, staff=staff, rule=rule.code, version=rule.version,
                     records=[r.id for r in records], date=service_date)
    return records


def pending(store):
    """Records waiting for review, oldest first."""
    return (ServiceRecord.select().where(ServiceRecord.store == store, ServiceRecord.status == PENDING)
            .order_by(ServiceRecord.id))


def _reviewable(record_id, store, reviewer):
    record = ServiceRecord.get_or_none(ServiceRecord.id == record_id, ServiceRecord.store == store)
    if record is None:
        raise KioskError("unknown_service_record")
    if record.status != PENDING:
        raise KioskError("already_reviewed")
    if record.recorded_by_id == reviewer.id:
        raise KioskError("reviewer_is_recorder")
    return record


def approve(record_id, store, reviewer):
    """Approve a pending record and post its points; returns the record.

    The points are capped again against what was approved meanwhile. Raises
    KioskError("unknown_service_record", "already_reviewed", "reviewer_is_recorder",
    "rule_cap_reached").
    """
    with database.atomic():
        record = _reviewable(record_id, store, reviewer)
        points = _capped(record.rule, record.account_id, record.service_date, record.points, statuses=(APPROVED,))
        if points <= 0:
            raise KioskError("rule_cap_reached", name=record.resident.name, rule=record.rule.name)
        entry = ledger.post(record.account_id, points, EARN, reference=f"service:{record.id}", staff_id=reviewer.id,
                            note=f"{record.rule.name}：{record.content}"[:200])
        taken = ServiceRecord.update(
            status=APPROVED, points=points, reviewed_by=reviewer, reviewed_at=utcnow(), ledger_entry=entry,
        ).where(ServiceRecord.id == record.id, ServiceRecord.status == PENDING).execute()
        if not taken:  # reviewed by someone else at the same moment
            raise KioskError("already_reviewed")
        audit.record("service_approved", store=store, staff=reviewer, record=record.id, points=points)
    return ServiceRecord.get_by_id(record.id)


def reject(record_id, store, reviewer, reason):
    """Reject a pending record with a reason; nothing is posted. Returns the record.

    Raises KioskError("unknown_service_record", "already_reviewed", "reviewer_is_recorder",
    "missing_field", "too_long").
    """
    reason = (reason or "").strip()
    if not reason:
        raise KioskError("missing_field", field="reject_reason")
    if len(reason) > 200:
        raise KioskError("too_long", field="reject_reason", max=200)
    with database.atomic():
        record = _reviewable(record_id, store, reviewer)
        taken = ServiceRecord.update(status=REJECTED, reason=reason, reviewed_by=reviewer, reviewed_at=utcnow()).where(
            ServiceRecord.id == record.id, ServiceRecord.status == PENDING).execute()
        if not taken:
            raise KioskError("already_reviewed")
        audit.record("service_rejected", store=store, staff=reviewer, record=record.id, reason=reason)
    return ServiceRecord.get_by_id(record.id)
