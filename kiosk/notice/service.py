"""Public notices (公示): every household's points for a month or a year, frozen when published.

A monthly notice covers the day after the previous month's cut-off through this month's
cut-off day (the store's ``notice_cutoff_day``, in the store's time zone); when the previous
month's notice was published, the new one starts the day after it ended, so no day is left out
or counted twice after the cut-off day changes. A yearly notice covers a calendar year.

Per household: points earned in the period (service points net of deductions and
corrections: ledger kinds ``earn`` and ``adjust``), points spent (redemptions net of returns),
the balance at the cut-off (every entry before it, opening balances included) and the rank by
points earned (ties share a rank). In "person" mode a household's line sums its members'
accounts. Published rows keep only the masked name, and the notice keeps the store's ledger
chain head at the cut-off, which `kiosk verify` checks against the ledger.

Plain functions owning their transactions; they never import Flask.
"""
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import peewee
from peewee import JOIN, Case, fn

from kiosk import audit
from kiosk.db import database
from kiosk.errors import KioskError
from kiosk.ledger import chain
from kiosk.ledger.models import ADJUST, DEDUCT, EARN, REDEEM, REFUND, Account, LedgerChain, LedgerEntry
from kiosk.notice.models import MONTH, YEAR, Notice, NoticeLine
from kiosk.privacy import mask_name
from kiosk.registry.models import Household, Resident
from kiosk.stores.models import Store

EARNED_KINDS = (EARN, ADJUST, DEDUCT)  # net of deductions that took effect
SPENT_KINDS = (REDEEM, REFUND)
MIN_CUTOFF_DAY, MAX_CUTOFF_DAY = 1, 28
MAX_STAR_CANDIDATES = 500
MONTH_TEXT = re.compile(r"([0-9]{4})-([0-9]{2})")
YEAR_TEXT = re.compile(r"[0-9]{4}")


def utc_start(day, tz_name):
    """Local midnight at the start of ``day`` as naive UTC."""
    return datetime.combine(day, time.min, ZoneInfo(tz_name)).astimezone(timezone.utc).replace(tzinfo=None)


def parse_month(text):
    """(year, month) of "2026-11"; raises KioskError("bad_notice_month")."""
    found = MONTH_TEXT.fullmatch((text or "").strip())
    if not found or not 1 <= int(found.group(2)) <= 12 or int(found.group(1)) < 2000:
        raise KioskError("bad_notice_month")
    return int(found.group(1)), int(found.group(2))


def parse_year(text):
    """The year of "2026"; raises KioskError("bad_notice_year")."""
    text = (text or "").strip()
    if not YEAR_TEXT.fullmatch(text) or int(text) < 2000:
        raise KioskError("bad_notice_year")
    return int(text)


def _previous_month(year, month):
    return (year - 1, 12) if month == 1 else (year, month - 1)


def month_label(year, month):
    return f"{year:04d}-{month:02d}"


def month_period(store, year, month):
    """(first day, last day) of the monthly notice for ``year``-``month``, local dates inclusive."""
    day_to = date(year, month, store.notice_cutoff_day)
    before = Notice.get_or_none(Notice.store == store, Notice.kind == MONTH,
                                Notice.period == month_label(*_previous_month(year, month)))
    if before is not None:
        return before.day_to + timedelta(days=1), day_to
    py, pm = _previous_month(year, month)
    return date(py, pm, store.notice_cutoff_day) + timedelta(days=1), day_to


def month_covering(store, day):
    """(year, month) of the monthly notice whose period holds ``day`` (by the cut-off day)."""
    if day.day <= store.notice_cutoff_day:
        return day.year, day.month
    return (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)


@dataclass
class Line:
    household_id: object
    household_number: str
    holder: str
    earned: int = 0
    spent: int = 0
    balance: int = 0
    rank: int = 0
    deducted: bool = False


def _natural(text):
    return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"([0-9]+)", text) if part]


def compute(store, day_from, day_to, tz_name, *, flag_deductions=False):
    """The lines of a notice for ``day_from``..``day_to`` (local, inclusive), ranked, and the
    cut-off as naive UTC. Reads only; nothing is stored."""
    start, end = utc_start(day_from, tz_name), utc_start(day_to + timedelta(days=1), tz_name)
    e = LedgerEntry
    in_period = (e.created_at >= start) & (e.created_at < end)
    earned = fn.SUM(Case(None, [(in_period & e.kind.in_(EARNED_KINDS), e.delta)], 0))
    spent = fn.SUM(Case(None, [(in_period & e.kind.in_(SPENT_KINDS), 0 - e.delta)], 0))
    balance = fn.SUM(Case(None, [(e.created_at < end, e.delta)], 0))
    rows = (
        Account.select(Account.id, Account.household, Account.holder_name, earned, spent, balance)
        .join(e, JOIN.LEFT_OUTER, on=(e.account == Account.id))
        .where(Account.store == store, Account.created_at < end)
        .group_by(Account.id, Account.household, Account.holder_name)
        .tuples()
    )
    households = {h.id: h for h in Household.select().where(Household.store == store)}
    several_communities = len({h.community for h in households.values()}) > 1
    heads = {}
    for household_id, name, active in (
        Resident.select(Resident.household, Resident.name, Resident.active)
        .where(Resident.store == store)
        .order_by(Resident.id)
        .tuples()
    ):
        current = heads.get(household_id)
        if current is None or (active and not current[1]):
            heads[household_id] = (name, active)
    deducted = _deducted_accounts(store, start, end) if flag_deductions else set()
    lines = {}
    for account_id, household_id, holder_name, got, used, left in rows:
        key = household_id if household_id is not None else f"account:{account_id}"
        line = lines.get(key)
        if line is None:
            household = households.get(household_id)
            if household is None:
                number = ""
            else:
                number = f"{household.community} {household.label}" if several_communities and household.community \
                    else household.label
            name = heads.get(household_id, (holder_name, True))[0] or holder_name
            line = lines[key] = Line(household_id, number, mask_name(name))
        line.earned += int(got or 0)
        line.spent += int(used or 0)
        line.balance += int(left or 0)
        line.deducted = line.deducted or account_id in deducted
    ordered = sorted(lines.values(), key=lambda line: (-line.earned, _natural(line.household_number), line.holder))
    for position, line in enumerate(ordered):
        previous = ordered[position - 1] if position else None
        line.rank = previous.rank if previous and previous.earned == line.earned else position + 1
    return ordered, end


def _deducted_accounts(store, start, end):
    """Accounts with a deduction (扣分) approved in [start, end)."""
    from kiosk.earning.models import APPROVED, ServiceRecord

    query = (
        ServiceRecord.select(ServiceRecord.account)
        .where(ServiceRecord.store == store, ServiceRecord.status == APPROVED, ServiceRecord.points < 0,
               ServiceRecord.reviewed_at >= start, ServiceRecord.reviewed_at < end)
        .tuples()
    )
    return {account_id for (account_id,) in query}


def _check_chain(store, entry_id):
    """Recompute the store's chain from the last published head up to ``entry_id``; raises
    KioskError("ledger_tampered") naming the first entry that no longer matches."""
    anchor = (
        Notice.select()
        .where(Notice.store == store, Notice.chain_entry_id.is_null(False), Notice.chain_entry_id <= entry_id)
        .order_by(Notice.chain_entry_id.desc())
        .first()
    )
    recomputed, after = (anchor.chain_head, anchor.chain_entry_id) if anchor else (chain.GENESIS, 0)
    for _, current_id, *values, stored in chain.walk(store.id, after_id=after, upto_id=entry_id):
        recomputed = chain.entry_hash(recomputed, current_id, *values)
        if recomputed != stored:
            raise KioskError("ledger_tampered", entry=current_id)
    return recomputed


def _publish(store, kind, period, day_from, day_to, *, today, tz_name, staff, stars=0):
    if today <= day_to:
        raise KioskError("notice_too_early", day=(day_to + timedelta(days=1)).isoformat())
    try:
        with database.atomic():
            if Notice.select().where(Notice.store == store, Notice.kind == kind, Notice.period == period).exists():
                raise KioskError("notice_already_published", period=period)
            # Wait for postings in flight in this store (the chain's row lock), so that the head
            # read below is the last entry before the cut-off for good.
            LedgerChain.update(length=LedgerChain.length).where(LedgerChain.store == store.id).execute()
            lines, cutoff = compute(store, day_from, day_to, tz_name, flag_deductions=kind == YEAR)
            head, entry_id, length = chain.chain_at(store.id, cutoff)
            if entry_id is not None:
                head = _check_chain(store, entry_id)
            notice = Notice.create(
                store=store, kind=kind, period=period, day_from=day_from, day_to=day_to, cutoff_at=cutoff,
                account_mode=store.account_mode, households=len(lines), earned=sum(line.earned for line in lines),
                spent=sum(line.spent for line in lines), balance=sum(line.balance for line in lines),
                chain_head=head, chain_entry_id=entry_id, chain_length=length, star_candidates=stars,
                published_by=staff,
            )
            rows = [
                {"notice": notice.id, "position": position, "household_id": line.household_id,
                 "household_number": line.household_number[:100], "holder": line.holder[:50], "earned": line.earned,
                 "spent": line.spent, "balance": line.balance, "rank": line.rank, "deducted": line.deducted}
                for position, line in enumerate(lines, start=1)
            ]
            for chunk in range(0, len(rows), 500):
                NoticeLine.insert_many(rows[chunk:chunk + 500]).execute()
            audit.record("notice_published", store=store, staff=staff, kind=kind, period=period, head=head)
    except peewee.IntegrityError:
        # Another desk published the same period at the same moment.
        raise KioskError("notice_already_published", period=period) from None
    return notice


def publish_month(store, month_text, *, today, tz_name, staff=None):
    """Publish the monthly notice for "YYYY-MM"; returns it. ``today`` is the local date.

    Raises KioskError("bad_notice_month", "notice_too_early", "notice_already_published",
    "ledger_tampered").
    """
    year, month = parse_month(month_text)
    store = Store.get_by_id(store.id)
    day_from, day_to = month_period(store, year, month)
    return _publish(store, MONTH, month_label(year, month), day_from, day_to, today=today, tz_name=tz_name,
                    staff=staff)


def publish_year(store, year_text, *, today, tz_name, staff=None):
    """Publish the yearly notice for "YYYY", with its star-household candidates; returns it.

    Raises KioskError("bad_notice_year", "notice_too_early", "notice_already_published",
    "ledger_tampered").
    """
    year = parse_year(year_text)
    store = Store.get_by_id(store.id)
    return _publish(store, YEAR, str(year), date(year, 1, 1), date(year, 12, 31), today=today, tz_name=tz_name,
                    staff=staff, stars=store.star_candidates)


def notices(store, kind=None):
    """The store's published notices, newest period first."""
    query = Notice.select().where(Notice.store == store)
    if kind:
        query = query.where(Notice.kind == kind)
    return list(query.order_by(Notice.day_to.desc(), Notice.kind))


def latest(store, kind=MONTH):
    """The newest published notice of ``kind``, or None."""
    return Notice.select().where(Notice.store == store, Notice.kind == kind).order_by(Notice.day_to.desc()).first()


def get_notice(store, notice_id):
    """Raises KioskError("unknown_notice")."""
    notice = Notice.get_or_none(Notice.id == notice_id, Notice.store == store)
    if notice is None:
        raise KioskError("unknown_notice")
    return notice


def lines_of(notice):
    return list(NoticeLine.select().where(NoticeLine.notice == notice).order_by(NoticeLine.position))


def star_candidates(notice):
    """The star-household (星级文明户) candidates of a yearly notice: the households ranked
    within its number of candidates (all who tie at the last place) that earned points."""
    if notice.kind != YEAR or notice.star_candidates <= 0:
        return []
    return list(
        NoticeLine.select()
        .where(NoticeLine.notice == notice, NoticeLine.rank <= notice.star_candidates, NoticeLine.earned > 0)
        .order_by(NoticeLine.position)
    )


def next_month(store, today):
    """(label, first day, last day) of the newest monthly notice whose cut-off day has passed."""
    year, month = month_covering(store, today)
    if today <= date(year, month, store.notice_cutoff_day):
        year, month = _previous_month(year, month)
    day_from, day_to = month_period(store, year, month)
    return month_label(year, month), day_from, day_to


def update_settings(store, *, cutoff_day, star_candidates, staff=None):
    """Change the cut-off day (1–28) and the number of star-household candidates; returns the
    store. Raises KioskError("bad_cutoff_day", "bad_star_candidates")."""
    cutoff = _whole(cutoff_day)
    if cutoff is None or not MIN_CUTOFF_DAY <= cutoff <= MAX_CUTOFF_DAY:
        raise KioskError("bad_cutoff_day")
    stars = _whole(star_candidates)
    if stars is None or not 0 <= stars <= MAX_STAR_CANDIDATES:
        raise KioskError("bad_star_candidates", max=MAX_STAR_CANDIDATES)
    with database.atomic():
        Store.update(notice_cutoff_day=cutoff, star_candidates=stars).where(Store.id == store.id).execute()
        audit.record("notice_settings", store=store, staff=staff, cutoff_day=cutoff, star_candidates=stars)
    return Store.get_by_id(store.id)


def _whole(value):
    text = str(value if value is not None else "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 4 else None


def published_heads():
    """(store_id, label, head, entry id, cut-off) of every published notice, for `kiosk verify`."""
    return [
        (store_id, f"{period} ({kind})", head, entry_id, cutoff)
        for store_id, kind, period, head, entry_id, cutoff in Notice.select(
            Notice.store, Notice.kind, Notice.period, Notice.chain_head, Notice.chain_entry_id, Notice.cutoff_at,
        ).tuples()
    ]
