"""Recording and reviewing service, scored by the rules catalog.

A service record is entered by one staff member and reviewed by another (maker-checker).
Approval posts the points to the ledger in the same transaction; rejection posts nothing.
Never imports Flask; every function that writes owns its transaction.
"""
import re
import secrets
import unicodedata
from datetime import date, datetime, timedelta

import peewee

from kiosk import audit
from kiosk.db import database, utcnow
from kiosk.earning.models import (
    APPROVED,
    CANCELLED,
    DISPUTED,
    MONTH,
    OCCURRED,
    PENDING,
    PER_HALF_HOUR,
    PER_OCCURRENCE,
    PERIODS,
    QUARTER,
    REJECTED,
    UNITS,
    WAITING,
    WARNING,
    Correction,
    Objection,
    Rule,
    ServiceRecord,
)
from kiosk.errors import KioskError
from kiosk.ledger import service as ledger
from kiosk.ledger.models import ADJUST, DEDUCT, EARN, Account
from kiosk.registry.models import Pairing, Resident
from kiosk.registry.service import account_of

MIN_MINUTES = 30  # a service counts from half an hour
MAX_MINUTES = 24 * 60
MAX_GROUP = 200
MAX_POINTS_PER_UNIT = 10_000
MAX_FROM_OCCURRENCE = 100
RULE_FIELDS = ("name", "category", "points", "unit", "cap_month", "cap_year", "active_from", "active_to",
               "from_occurrence", "occurrence_period", "linked_share")


def current_rules(store, on=None):
    """The current version of each rule that is not retired, active on ``on`` when given, by
    category then code."""
    query = Rule.select().where(Rule.store == store, Rule.current == True, Rule.retired_at.is_null())  # noqa: E712
    rules = list(query.order_by(Rule.category, Rule.code))
    return [rule for rule in rules if on is None or rule.active_on(on)]


CODE = re.compile(r"[A-Z0-9_-]{1,20}")
GENERATED_PREFIX = "R"


def clean_code(code):
    """A rule code as stored: trimmed, full-width folded, upper case ("" stays "")."""
    return unicodedata.normalize("NFKC", code or "").strip().upper()


def next_code(store, taken=()):
    """A code no rule of the store (retired ones included) nor ``taken`` has: R001, R002, …"""
    used = {code for (code,) in Rule.select(Rule.code).where(Rule.store == store).distinct().tuples()} | set(taken)
    number = 1
    while f"{GENERATED_PREFIX}{number:03d}" in used:
        number += 1
    return f"{GENERATED_PREFIX}{number:03d}"


def add_rule(store, *, code, name, category, points, unit, cap_month=None, cap_year=None,
             active_from=None, active_to=None, from_occurrence=1, occurrence_period="year", linked_share=0, staff=None):
    """A new rule (version 1); an empty ``code`` gets the next free R001, R002…. Raises
    KioskError("duplicate_rule", "bad_rule_code" and every code of :func:`check_rule`)."""
    code = clean_code(code)
    values = {"name": (name or "").strip(), "category": (category or "").strip(), "points": points, "unit": unit,
              "cap_month": cap_month, "cap_year": cap_year, "active_from": active_from, "active_to": active_to,
              "from_occurrence": from_occurrence, "occurrence_period": occurrence_period, "linked_share": linked_share}
    check_rule(code or GENERATED_PREFIX, **values)
    with database.atomic():
        code = code or next_code(store)
        if Rule.select().where(Rule.store == store, Rule.code == code).exists():
            raise KioskError("duplicate_rule", code=code)
        rule = Rule.create(store=store, code=code, created_by=staff, **values)
        audit.record("rule_added", store=store, staff=staff, code=code, points=points, unit=unit)
    return rule


def change_rule(rule_id, store, *, staff=None, **changes):
    """A new version of a rule with ``changes`` (name, category, points, unit, caps, active
    dates); the old version stays for the records scored with it. Returns the new version.
    Raises KioskError("unknown_rule", "rule_retired", "rule_unchanged" when ``changes``
    change nothing, and every code of :func:`check_rule`)."""
    unknown = set(changes) - set(RULE_FIELDS)
    if unknown:
        raise ValueError(f"unknown rule fields {sorted(unknown)}")
    with database.atomic():
        old = Rule.get_or_none(Rule.id == rule_id, Rule.store == store, Rule.current == True)  # noqa: E712
        if old is None:
            raise KioskError("unknown_rule")
        if old.retired:
            raise KioskError("rule_retired", name=old.name)
        values = {name: changes.get(name, getattr(old, name)) for name in RULE_FIELDS}
        for name in ("name", "category"):
            values[name] = (values[name] or "").strip()
        check_rule(old.code, **values)
        if all(getattr(old, name) == value for name, value in values.items()):
            raise KioskError("rule_unchanged")
        Rule.update(current=False).where(Rule.id == old.id).execute()
        new = Rule.create(store=store, code=old.code, version=old.version + 1, created_by=staff, **values)
        audit.record("rule_changed", store=store, staff=staff, code=old.code, version=new.version,
                     **{k: v for k, v in values.items() if getattr(old, k) != v})
    return new


def retire_rule(rule_id, store, *, staff=None):
    """Retire a rule: it is no longer offered for recording or imports (its code stays taken);
    the records scored with it keep it, and records waiting for review can still be reviewed.
    Returns the rule. Raises KioskError("unknown_rule", "rule_retired")."""
    with database.atomic():
        rule = Rule.get_or_none(Rule.id == rule_id, Rule.store == store, Rule.current == True)  # noqa: E712
        if rule is None:
            raise KioskError("unknown_rule")
        taken = (Rule.update(retired_at=utcnow())
                 .where(Rule.id == rule.id, Rule.retired_at.is_null())
                 .execute())
        if not taken:
            raise KioskError("rule_retired", name=rule.name)
        audit.record("rule_retired", store=store, staff=staff, code=rule.code, version=rule.version, name=rule.name)
    return Rule.get_by_id(rule.id)


def _whole(value):
    return isinstance(value, int) and not isinstance(value, bool)


def check_rule(code, *, name, category, points, unit, cap_month, cap_year, active_from, active_to,
               from_occurrence, occurrence_period, linked_share):
    """Refuse a rule that makes no sense, with the first problem. Raises KioskError:
    "missing_field", "too_long", "bad_rule_code", "rule_zero_points", "bad_rule_points",
    "bad_rule_unit", "bad_rule_cap", "rule_cap_below_points", "bad_rule_dates",
    "bad_rule_warnings", "bad_rule_period", "bad_rule_share", "rule_deduction_per_time",
    "rule_cap_on_deduction", "rule_share_on_deduction", "rule_warnings_on_earning"."""
    for field, value in (("rule_code", code), ("rule_name", name), ("rule_category", category)):
        if not value:
            raise KioskError("missing_field", field=field)
    for field, value, most in (("rule_code", code, 20), ("rule_name", name, 100), ("rule_category", category, 30)):
        if len(value) > most:
            raise KioskError("too_long", field=field, max=most)
    if not CODE.fullmatch(code):
        raise KioskError("bad_rule_code")
    if points == 0:
        raise KioskError("rule_zero_points")
    if not _whole(points) or abs(points) > MAX_POINTS_PER_UNIT:
        raise KioskError("bad_rule_points", max=MAX_POINTS_PER_UNIT)
    if unit not in UNITS:
        raise KioskError("bad_rule_unit")
    for cap in (cap_month, cap_year):
        if cap is not None and (not _whole(cap) or cap <= 0):
            raise KioskError("bad_rule_cap")
    if active_from and active_to and active_to < active_from:
        raise KioskError("bad_rule_dates")
    if not _whole(from_occurrence) or not 1 <= from_occurrence <= MAX_FROM_OCCURRENCE:
        raise KioskError("bad_rule_warnings", max=MAX_FROM_OCCURRENCE - 1)
    if occurrence_period not in PERIODS:
        raise KioskError("bad_rule_period")
    if not _whole(linked_share) or not 0 <= linked_share <= 100:
        raise KioskError("bad_rule_share")
    if points < 0:
        # A deduction counts occurrences; caps and linked bonuses are for earnings.
        if unit != PER_OCCURRENCE:
            raise KioskError("rule_deduction_per_time")
        if cap_month or cap_year:
            raise KioskError("rule_cap_on_deduction")
        if linked_share:
            raise KioskError("rule_share_on_deduction")
    else:
        if from_occurrence != 1:
            raise KioskError("rule_warnings_on_earning")
        for cap in (cap_month, cap_year):
            if cap is not None and cap < points:
                raise KioskError("rule_cap_below_points", cap=cap, points=points)


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


def period_of(day, period):
    """(first day, last day) of the calendar month, quarter or year holding ``day``."""
    if period == MONTH:
        return day.replace(day=1), _month_end(day)
    if period == QUARTER:
        first = date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
        return first, _month_end(date(day.year, first.month + 2, 1))
    return date(day.year, 1, 1), date(day.year, 12, 31)


def minutes_between(start, end):
    """Minutes of a service from ``start`` to ``end`` (times of one day). Raises
    KioskError("end_before_start")."""
    minutes = (datetime.combine(date.min, end) - datetime.combine(date.min, start)) // timedelta(minutes=1)
    if minutes <= 0:
        raise KioskError("end_before_start")
    return minutes


def occurrence(rule, account_id, service_date, record_id=None):
    """Which occurrence (1, 2, …) of ``rule``'s code in its period a record on ``service_date``
    for the account is, counting the reviewed occurrences before it (by date, then by record)."""
    start, end = period_of(service_date, rule.occurrence_period)
    earlier = ServiceRecord.service_date < service_date
    if record_id is not None:
        earlier |= (ServiceRecord.service_date == service_date) & (ServiceRecord.id < record_id)
    else:
        earlier |= ServiceRecord.service_date == service_date
    before = (ServiceRecord.select().join(Rule)
              .where(ServiceRecord.account == account_id, Rule.store == rule.store_id, Rule.code == rule.code,
                     ServiceRecord.status.in_(OCCURRED), ServiceRecord.service_date >= start,
                     ServiceRecord.service_date <= end, earlier)
              .count())
    return before + 1


def record_service(store, *, resident_ids, rule_id, content, service_date, minutes=None, start=None, end=None,
                   staff, today):
    """Record one activity (or one deduction) for each resident in ``resident_ids`` (a group
    entry when there are several); every record waits for review. Returns the records.

    A service by the half hour takes its duration from ``start`` and ``end`` (times) when both
    are given, else from ``minutes``.

    Raises KioskError("unknown_rule", "rule_retired", "rule_inactive", "missing_field", "too_long",
    "future_date", "no_participants", "duplicate_participant", "too_many_participants",
    "unknown_resident", "end_before_start", "service_too_short", "service_too_long",
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
        if rule.retired:
            raise KioskError("rule_retired", name=rule.name)
        if not rule.active_on(service_date):
            raise KioskError("rule_inactive", name=rule.name)
        if rule.unit == PER_HALF_HOUR and start is not None and end is not None:
            minutes = minutes_between(start, end)
        else:
            start = end = None
        units, minutes = units_for(rule, minutes)
        residents = {r.id: r for r in Resident.select().where(Resident.store == store, Resident.id.in_(ids),
                                                              Resident.active == True)}  # noqa: E712
        records = []
        for resident_id in ids:
            resident = residents.get(resident_id)
            if resident is None:
                raise KioskError("unknown_resident")
            account = account_of(resident)
            points = rule.points * units
            if points > 0:
                points = _capped(rule, account.id, service_date, points, statuses=(PENDING, APPROVED))
                if points <= 0:
                    raise KioskError("rule_cap_reached", name=resident.name, rule=rule.name)
            records.append(ServiceRecord.create(
                store=store, resident=resident, account=account, rule=rule, content=content,
                service_date=service_date, minutes=minutes, start_time=start, end_time=end, units=units, points=points,
                group_key=group_key, recorded_by=staff,
            ))
        audit.record("service_recorded", store=store, staff=staff, rule=rule.code, version=rule.version,
                     records=[r.id for r in records], date=service_date)
    return records


def pending(store):
    """Records waiting for review, oldest first."""
    return (ServiceRecord.select().where(ServiceRecord.store == store, ServiceRecord.status == PENDING)
            .order_by(ServiceRecord.id))


def in_objection_period(store):
    """Approved deductions waiting out their objection period or objected to, soonest first."""
    return (ServiceRecord.select()
            .where(ServiceRecord.store == store, ServiceRecord.status.in_((WAITING, DISPUTED)))
            .order_by(ServiceRecord.effective_on, ServiceRecord.id))


def deductions_for(account_id):
    """An account's deductions that have not taken effect yet (for the resident to see)."""
    return (ServiceRecord.select()
            .where(ServiceRecord.account == account_id, ServiceRecord.status.in_((WAITING, DISPUTED)))
            .order_by(ServiceRecord.effective_on, ServiceRecord.id))


def reviewed(store, limit=50):
    """The latest reviewed records (for corrections), newest first."""
    return (ServiceRecord.select()
            .where(ServiceRecord.store == store, ServiceRecord.status != PENDING)
            .order_by(ServiceRecord.reviewed_at.desc(), ServiceRecord.id.desc())
            .limit(limit))


def _reviewable(record_id, store, reviewer, status=PENDING):
    record = ServiceRecord.get_or_none(ServiceRecord.id == record_id, ServiceRecord.store == store)
    if record is None:
        raise KioskError("unknown_service_record")
    if record.status != status:
        raise KioskError("already_reviewed")
    if record.recorded_by_id == reviewer.id:
        raise KioskError("reviewer_is_recorder")
    return record


def _move(record, from_status, **changes):
    """Move a record out of ``from_status`` with a guarded UPDATE, so two staff acting on it at
    the same moment cannot both succeed. Raises KioskError("already_reviewed")."""
    taken = (ServiceRecord.update(**changes)
             .where(ServiceRecord.id == record.id, ServiceRecord.status == from_status)
             .execute())
    if not taken:
        raise KioskError("already_reviewed")


def approve(record_id, store, reviewer, today=None):
    """Approve a pending record; returns the record.

    An earning posts its points (capped again against what was approved meanwhile) and the
    linked bonus of a paired party member. A deduction before its rule's Nth occurrence in the
    period becomes a warning; from the Nth on it waits out the store's objection period
    (异议期) and takes effect with :func:`settle_due`. Raises
    KioskError("unknown_service_record", "already_reviewed", "reviewer_is_recorder",
    "rule_cap_reached").
    """
    today = today or date.today()
    with database.atomic():
        record = _reviewable(record_id, store, reviewer)
        reviewed = {"reviewed_by": reviewer, "reviewed_at": utcnow()}
        if record.points < 0:
            nth = occurrence(record.rule, record.account_id, record.service_date, record.id)
            if nth < record.rule.from_occurrence:
                _move(record, PENDING, status=WARNING, **reviewed)
                audit.record("service_warning", store=store, staff=reviewer, record=record.id, occurrence=nth)
                return ServiceRecord.get_by_id(record.id)
            effective_on = today + timedelta(days=store.objection_days)
            _move(record, PENDING, status=WAITING, effective_on=effective_on, **reviewed)
            audit.record("deduction_approved", store=store, staff=reviewer, record=record.id, points=record.points,
                         occurrence=nth, effective_on=effective_on)
            if effective_on <= today:
                _settle(ServiceRecord.get_by_id(record.id))
            return ServiceRecord.get_by_id(record.id)
        points = _capped(record.rule, record.account_id, record.service_date, record.points, statuses=(APPROVED,))
        if points <= 0:
            raise KioskError("rule_cap_reached", name=record.resident.name, rule=record.rule.name)
        entry, bonus = post_earned(record_id=record.id, resident=record.resident, account_id=record.account_id,
                                   rule=record.rule, content=record.content, points=points, staff_id=reviewer.id)
        _move(record, PENDING, status=APPROVED, points=points, ledger_entry=entry, **reviewed)
        audit.record("service_approved", store=store, staff=reviewer, record=record.id, points=points, linked=bonus)
    return ServiceRecord.get_by_id(record.id)


def post_earned(*, record_id, resident, account_id, rule, content, points, staff_id):
    """What an approved earning record posts, in the caller's transaction: its EARN entry
    (referenced service:<id>) and the linked bonus of a paired party member. Both the review
    queue and the volunteer-platform import post through here. Returns (entry, bonus points)."""
    entry = ledger.post(account_id, points, EARN, reference=f"service:{record_id}", staff_id=staff_id,
                        note=f"{rule.name}：{content}"[:200])
    bonus = post_linked_bonus(record_id=record_id, resident=resident, account_id=account_id, rule=rule,
                              points=points, staff_id=staff_id)
    return entry, bonus


def linked_member(household_id):
    """The party member currently paired with a household, or None."""
    pairing = Pairing.select().where(Pairing.household == household_id, Pairing.ended_at.is_null()).first()
    return pairing.member if pairing else None


def post_linked_bonus(*, record_id, resident, account_id, rule, points, staff_id):
    """Post the share of an approved earning that goes to the party member paired with the
    resident's household (the rule's linked share, rounded down); returns it (0 for none).
    Runs in the caller's transaction; approval and the volunteer import both call it."""
    share = points * rule.linked_share // 100
    member = linked_member(resident.household_id) if share > 0 else None
    if member is None or not member.active or member.household_id == resident.household_id:
        return 0
    account = account_of(member)
    if account.id == account_id:
        return 0
    ledger.post(account.id, share, EARN, reference=f"linked:{record_id}", staff_id=staff_id,
                note=f"结对帮扶：{resident.household.label} {rule.name}"[:200])
    return share


def _settle(record):
    """A deduction whose objection period is over takes effect: it takes its points, or what
    the balance has left when that is less (a balance never goes below zero). Returns the
    points taken."""
    balance = Account.select(Account.balance).where(Account.id == record.account_id).scalar()
    amount = min(-record.points, balance)
    entry = None
    if amount > 0:
        entry = ledger.post(record.account_id, -amount, DEDUCT, reference=f"service:{record.id}",
                            staff_id=record.reviewed_by_id, note=f"{record.rule.name}：{record.content}"[:200])
    _move(record, WAITING, status=APPROVED, ledger_entry=entry)
    audit.record("deduction_effective", store=record.store_id, record=record.id, points=-amount)
    return amount


def settle_due(store, today, account_id=None):
    """Let every deduction whose objection period ended by ``today`` take effect (of one
    account, when given); returns how many did. Safe to call at any time, from several places."""
    query = ServiceRecord.select(ServiceRecord.id).where(
        ServiceRecord.store == store, ServiceRecord.status == WAITING, ServiceRecord.effective_on <= today)
    if account_id is not None:
        query = query.where(ServiceRecord.account == account_id)
    settled = 0
    for (record_id,) in list(query.tuples()):
        try:
            with database.atomic():
                _settle(ServiceRecord.get_by_id(record_id))
                settled += 1
        except KioskError:  # settled by another request at the same moment
            continue
    return settled


def raise_objection(record_id, store, *, today, statement="", staff=None, account_id=None):
    """A resident objects to a deduction before it takes effect; it then waits for the service
    staff's decision. From the kiosk (``account_id`` of the scanned card, no staff) or at the
    desk (``staff``). One objection per deduction: once one was dismissed, the kiosk (a
    ticket scanned again, a fresh scan) refuses another; only customer service at the desk can
    reopen it. Raises KioskError("unknown_service_record", "objection_already_raised",
    "objection_dismissed", "objection_closed", "too_long")."""
    statement = (statement or "").strip()
    if len(statement) > 200:
        raise KioskError("too_long", field="objection_statement", max=200)
    with database.atomic():
        record = ServiceRecord.get_or_none(ServiceRecord.id == record_id, ServiceRecord.store == store)
        if record is None or (account_id is not None and record.account_id != account_id):
            raise KioskError("unknown_service_record")
        if record.status == DISPUTED:
            raise KioskError("objection_already_raised")
        if record.status != WAITING or record.effective_on <= today:
            raise KioskError("objection_closed")
        dismissed = Objection.select().where(Objection.record == record.id, Objection.decided_at.is_null(False)).exists()
        if dismissed and staff is None:
            raise KioskError("objection_dismissed")
        _move(record, WAITING, status=DISPUTED)
        Objection.create(record=record, statement=statement, raised_by=staff)
        audit.record("objection_raised", store=store, staff=staff, record=record.id, at_kiosk=staff is None,
                     **({"reopened": True} if dismissed else {}))
    return ServiceRecord.get_by_id(record.id)


def decide_objection(record_id, store, staff, *, upheld, reason, today):
    """Decide an objection: upheld cancels the deduction (nothing is ever posted); dismissed
    lets it take effect at the end of its objection period (at once when that is over). Not
    decided by the recorder. Raises KioskError("unknown_service_record", "already_reviewed",
    "reviewer_is_recorder", "missing_field", "too_long")."""
    reason = (reason or "").strip()
    if not reason:
        raise KioskError("missing_field", field="decision_reason")
    if len(reason) > 200:
        raise KioskError("too_long", field="decision_reason", max=200)
    with database.atomic():
        record = _reviewable(record_id, store, staff, status=DISPUTED)
        _move(record, DISPUTED, status=CANCELLED if upheld else WAITING)
        (Objection.update(upheld=bool(upheld), decided_by=staff, decided_at=utcnow(), reason=reason)
         .where(Objection.record == record.id, Objection.decided_at.is_null())
         .execute())
        audit.record("objection_decided", store=store, staff=staff, record=record.id, upheld=bool(upheld), reason=reason)
        record = ServiceRecord.get_by_id(record.id)
        if not upheld and record.effective_on <= today:
            _settle(record)
    return ServiceRecord.get_by_id(record.id)


def corrected_points(record):
    """What the record is worth after its corrections: its ledger entry plus corrections."""
    posted = record.ledger_entry.delta if record.ledger_entry_id else 0
    return posted + sum(c.delta for c in record.corrections)


def correct(record_id, store, staff, *, points, reason):
    """Correct an approved record to be worth ``points``, with a compensating ledger entry
    (kind adjust) and a reason; the record and its entry never change. Not by the recorder.
    Returns the Correction. Raises KioskError("unknown_service_record", "not_correctable",
    "reviewer_is_recorder", "missing_field", "too_long", "bad_correction",
    "insufficient_points")."""
    reason = (reason or "").strip()
    if not reason:
        raise KioskError("missing_field", field="correction_reason")
    if len(reason) > 200:
        raise KioskError("too_long", field="correction_reason", max=200)
    with database.atomic():
        record = ServiceRecord.get_or_none(ServiceRecord.id == record_id, ServiceRecord.store == store)
        if record is None:
            raise KioskError("unknown_service_record")
        if record.status != APPROVED or record.ledger_entry_id is None:
            raise KioskError("not_correctable")
        if record.recorded_by_id == staff.id:
            raise KioskError("reviewer_is_recorder")
        # A correction may lower what was posted, down to nothing (more needs a new record);
        # a deduction may be lowered towards nothing.
        posted = record.ledger_entry.delta
        low, high = (0, posted) if posted > 0 else (posted, 0)
        if not _whole(points) or not low <= points <= high:
            raise KioskError("bad_correction", low=low, high=high)
        delta = points - corrected_points(record)
        if delta == 0:
            raise KioskError("correction_changes_nothing")
        entry = ledger.post(record.account_id, delta, ADJUST, reference=f"correction:{record.id}", staff_id=staff.id,
                            note=f"更正：{reason}"[:200])
        correction = Correction.create(record=record, delta=delta, reason=reason, staff=staff, ledger_entry=entry)
        audit.record("service_corrected", store=store, staff=staff, record=record.id, delta=delta, reason=reason)
    return correction


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
        _move(record, PENDING, status=REJECTED, reason=reason, reviewed_by=reviewer, reviewed_at=utcnow())
        audit.record("service_rejected", store=store, staff=reviewer, record=record.id, reason=reason)
    return ServiceRecord.get_by_id(record.id)


def set_objection_days(store, days, *, staff=None):
    """Set the store's objection period (异议期) in days, 0 to 90; deductions approved from now
    on take effect that many days later. Raises KioskError("bad_objection_days")."""
    from kiosk.stores.models import Store

    if not _whole(days) or not 0 <= days <= 90:
        raise KioskError("bad_objection_days")
    with database.atomic():
        Store.update(objection_days=days).where(Store.id == store.id).execute()
        audit.record("store_settings", store=store, staff=staff, objection_days=days)
    return Store.get_by_id(store.id)
