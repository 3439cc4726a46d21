"""The store's reports for a period: points, participation and goods.

One function per report (``points``, ``participation``, ``goods``), each for one store and one
Period (kiosk.reports.periods), so that a street-office view can call them store by store. Every
figure is an aggregate the database computes (SUM / COUNT … GROUP BY over the period's rows,
bounded by the store and by the period's UTC bounds or local service dates); the Python here only
shapes the few grouped rows that come back. Every query runs on SQLite and on PostgreSQL.

Points outstanding at a bound (the store's liability) are the sum of the ledger up to that bound,
not today's cached balances, so a past month's report stays what it was.

No Flask, no writes: the reports are read-only and never lock what a checkout needs.
"""
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Optional

from peewee import JOIN, SQL, Case, fn

from kiosk.checkout.models import Refund, RefundLine, Sale, SaleLine
from kiosk.db import utcnow
from kiosk.earning.models import APPROVED, Rule, ServiceRecord
from kiosk.goods import service as goods_service
from kiosk.goods.models import DONATION, PURCHASE, StockReceipt, WriteOff
from kiosk.inventory.models import Product, StockMovement
from kiosk.ledger.models import (ADJUST, DEDUCT, EARN, EXPIRE, OPENING, REDEEM, REFUND, Account, LedgerChain,
                                 LedgerEntry)
from kiosk.privacy import mask_name
from kiosk.registry.models import Household, Resident
from kiosk.reports.periods import utc_midnight
from kiosk.stocktake.models import FINISHED, StockTake, StockTakeLine
from kiosk.vouchers import service as voucher_service

TOP = 10  # rows of the top-N tables (households, goods)


def _int(value):
    """A SUM as a whole number (PostgreSQL answers a Decimal, and NULL for no rows)."""
    return int(value or 0)


def _store_id(store):
    return getattr(store, "id", store)


def _ledger(store, start=None, end=None):
    """The store's ledger entries (by their own store column, m0020) from ``start`` until ``end``:
    read through the (store_id, created_at) index (m0022), no join to account."""
    query = LedgerEntry.select().where(LedgerEntry.store == _store_id(store))
    if start is not None:
        query = query.where(LedgerEntry.created_at >= start)
    if end is not None:
        query = query.where(LedgerEntry.created_at < end)
    return query


def outstanding_at(store, moment):
    """The points the store's accounts held at ``moment`` (naive UTC): the sum of every ledger
    entry before it."""
    return _int(_ledger(store, end=moment).select(fn.SUM(LedgerEntry.delta)).scalar())


def _from_today(store, start, end):
    """True when a figure at ``start`` is cheaper to read backwards from today's cached totals
    (account balances, product quantities) less what happened since, than forwards from the
    store's first row: when less time has passed since ``end`` than went by before ``start``.
    Both ways give the same figure (`kiosk verify` checks the cached totals are the ledger's and
    the movements' sums); this only chooses which rows to read."""
    created = getattr(store, "created_at", None)
    if created is None:
        return False
    return utcnow() - end < start - created


def chain_head(store):
    """(head hash, entries) of the store's ledger chain, ("", 0) before its first entry."""
    row = LedgerChain.get_or_none(LedgerChain.store == _store_id(store))
    return (row.head, row.length) if row else ("", 0)


def buckets(period, tz_name):
    """The chart buckets of a period: weeks (from each Monday, clipped to the period) for a
    period of up to about two months, else months. [(label, first day, last day, start, end)]
    with start/end as naive UTC."""
    out = []
    if period.days <= 62:
        first = period.first
        while first <= period.last:
            last = min(first + timedelta(days=6 - first.weekday()), period.last)
            out.append((f"{first.month}/{first.day}", first, last))
            first = last + timedelta(days=1)
    else:
        for month_first in period.months():
            month_last = (month_first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
            first, last = max(month_first, period.first), min(month_last, period.last)
            label = f"{first.month}月" if period.first.year == period.last.year else f"{first.year % 100}/{first.month}"
            out.append((label, first, last))
    return [(label, first, last, utc_midnight(first, tz_name), utc_midnight(last + timedelta(days=1), tz_name))
            for label, first, last in out]


# ---------------------------------------------------------------------------------------------
# Points


@dataclass
class RuleRow:
    code: str
    name: str
    category: str
    entries: int
    points: int


@dataclass
class PointsReport:
    period: object
    store: object
    start: object  # naive UTC bounds
    end: object
    by_kind: dict  # ledger kind -> signed sum of its entries in the period
    counts: dict  # ledger kind -> entries
    earned_by_rule: list  # [RuleRow] of service earnings
    earned_by_category: list  # [(category, points)]
    deducted_by_rule: list  # [RuleRow] (points positive: taken)
    linked: int  # earned as the linked share of a paired party member (结对帮扶)
    earned_other: int  # earned without a service record behind it
    corrections_up: int
    corrections_down: int  # positive: points taken by corrections
    outstanding_start: int
    outstanding_end: int
    point_value_fen: Optional[int]
    trend: list = field(default_factory=list)  # [(label, earned, redeemed net of returns)]

    @property
    def earned(self):
        return self.by_kind.get(EARN, 0)

    @property
    def deducted(self):
        return -self.by_kind.get(DEDUCT, 0)

    @property
    def corrected(self):
        return self.by_kind.get(ADJUST, 0)

    @property
    def redeemed(self):
        return -self.by_kind.get(REDEEM, 0)

    @property
    def refunded(self):
        return self.by_kind.get(REFUND, 0)

    @property
    def expired(self):
        return -self.by_kind.get(EXPIRE, 0)

    @property
    def opening(self):
        return self.by_kind.get(OPENING, 0)

    @property
    def net_change(self):
        return sum(self.by_kind.values())

    def value_fen(self, points):
        """``points`` in fen at the store's point value, None when a point has no value."""
        return None if self.point_value_fen is None else points * self.point_value_fen


def points(store, period):
    """The points report of ``store`` for ``period``: what was earned (by rule and category),
    deducted, corrected, redeemed, returned and expired, and the points outstanding at both ends.

    Two passes: one over the store's ledger grouped by chart bucket and kind, one joined to the
    service records for the rules. The first reads either the entries up to the period's end (a
    bucket of its own for everything before the period: the outstanding points at its start) or,
    for a recent period (``_from_today``), the entries from the period's start until now, with
    the store's account balances in the same statement: the outstanding points at the start are
    then today's balances less everything since. Either way it reads no entry twice and, through
    the (store_id, created_at) index, none outside those bounds."""
    start, end = period.bounds(store.timezone)
    parts = buckets(period, store.timezone)
    backwards = _from_today(store, start, end)
    bucket = Case(None, [(LedgerEntry.created_at < start, -1)] +
                  [(LedgerEntry.created_at < part[4], index) for index, part in enumerate(parts)], len(parts))
    linked = Case(None, [(LedgerEntry.reference.startswith("linked:"), LedgerEntry.delta)], 0)
    up = Case(None, [(LedgerEntry.delta > 0, LedgerEntry.delta)], 0)
    down = Case(None, [(LedgerEntry.delta < 0, 0 - LedgerEntry.delta)], 0)
    query = ((_ledger(store, start=start) if backwards else _ledger(store, end=end))
             .select(bucket.alias("bucket"), LedgerEntry.kind, fn.SUM(LedgerEntry.delta), fn.COUNT(LedgerEntry.id),
                     fn.SUM(linked), fn.SUM(up), fn.SUM(down))
             .group_by(bucket, LedgerEntry.kind))
    if backwards:  # one statement, so the balances and the entries since are one snapshot
        query = query + (Account.select(SQL("-2"), SQL("'balances'"), fn.SUM(Account.balance), fn.COUNT(Account.id),
                                        SQL("0"), SQL("0"), SQL("0"))
                         .where(Account.store == _store_id(store)))
    before, balances, since = 0, 0, 0
    by_kind, counts, sums, extra = {}, {}, {}, {"linked": 0, "up": 0, "down": 0}
    for index, kind, total, count, link, plus, minus in query.tuples():
        index, total = int(index), _int(total)
        if index == -2:
            balances = total
            continue
        if index < 0:
            before += total
            continue
        if index >= len(parts):  # after the period (read backwards only)
            since += total
            continue
        sums[(index, kind)] = total
        by_kind[kind] = by_kind.get(kind, 0) + total
        counts[kind] = counts.get(kind, 0) + _int(count)
        if kind == EARN:
            extra["linked"] += _int(link)
        if kind == ADJUST:
            extra["up"] += _int(plus)
            extra["down"] += _int(minus)
    if backwards:
        before = balances - since - sum(by_kind.values())
    trend = [(label, sums.get((i, EARN), 0), -sums.get((i, REDEEM), 0) - sums.get((i, REFUND), 0))
             for i, (label, *_rest) in enumerate(parts)]

    # The entry an approved record posted is its ledger_entry: join on it, so the rule's version
    # (code, name, category as they were) is the one it was scored with.
    # Driven from the store's service records (far fewer than its ledger entries).
    rules = {EARN: [], DEDUCT: []}
    for kind, code, name, category, count, total in (
            ServiceRecord
            .select(LedgerEntry.kind, Rule.code, Rule.name, Rule.category, fn.COUNT(LedgerEntry.id),
                    fn.SUM(LedgerEntry.delta))
            .join(LedgerEntry, on=(ServiceRecord.ledger_entry == LedgerEntry.id))
            .switch(ServiceRecord)
            .join(Rule, on=(ServiceRecord.rule == Rule.id))
            .where(ServiceRecord.store == _store_id(store), ServiceRecord.ledger_entry.is_null(False),
                   LedgerEntry.created_at >= start, LedgerEntry.created_at < end,
                   LedgerEntry.kind.in_((EARN, DEDUCT)))
            .group_by(LedgerEntry.kind, Rule.code, Rule.name, Rule.category)
            .order_by(Rule.category, Rule.code, Rule.name).tuples()):
        rules[kind].append(RuleRow(code, name, category, _int(count), (-1 if kind == DEDUCT else 1) * _int(total)))
    categories = {}
    for row in rules[EARN]:
        categories[row.category] = categories.get(row.category, 0) + row.points
    return PointsReport(
        period=period, store=store, start=start, end=end, by_kind=by_kind, counts=counts,
        earned_by_rule=rules[EARN], earned_by_category=sorted(categories.items()),
        deducted_by_rule=rules[DEDUCT], linked=extra["linked"],
        earned_other=by_kind.get(EARN, 0) - extra["linked"] - sum(row.points for row in rules[EARN]),
        corrections_up=extra["up"], corrections_down=extra["down"],
        outstanding_start=before, outstanding_end=before + sum(by_kind.values()),
        point_value_fen=store.point_value_fen, trend=trend,
    )


# ---------------------------------------------------------------------------------------------
# Participation


@dataclass
class HouseholdRow:
    household_id: int
    address: str
    names: str  # the residents who took part, masked unless full names were asked for
    person_times: int
    minutes: int
    points: int


@dataclass
class BuildingRow:
    building: str
    unit: str
    registered: int
    taking_part: int
    person_times: int
    points: int

    @property
    def coverage(self):
        return None if not self.registered else self.taking_part / self.registered


@dataclass
class ParticipationReport:
    period: object
    store: object
    activities: int  # distinct (day, rule, content): one event however many took part
    person_times: int
    residents: int
    households: int
    households_registered: int
    minutes: int
    points: int
    top: list  # [HouseholdRow]
    buildings: list  # [BuildingRow]
    by_month: list  # [(label, person_times, points)]
    by_category: list  # [(category, person_times, points)]

    @property
    def coverage(self):
        return None if not self.households_registered else self.households / self.households_registered

    @property
    def hours(self):
        return self.minutes / 60


def service_records(store, period):
    """The approved earning records (service, not deductions) of ``store`` served in ``period``
    (by their service date, a local day)."""
    return (ServiceRecord.select()
            .where(ServiceRecord.store == _store_id(store),
                   ServiceRecord.service_date >= period.first, ServiceRecord.service_date <= period.last,
                   ServiceRecord.status == APPROVED, ServiceRecord.points > 0))


def participation(store, period, *, full_names=False):
    """The participation report of ``store`` for ``period``: who served, how often and how long,
    the coverage of the households registered by the end of the period, per building and unit."""
    start, end = period.bounds(store.timezone)
    records = service_records(store, period)
    person_times, residents, minutes, total = records.select(
        fn.COUNT(ServiceRecord.id), fn.COUNT(ServiceRecord.resident.distinct()),
        fn.SUM(ServiceRecord.minutes), fn.SUM(ServiceRecord.points)).tuples().get()
    households = (records.select(fn.COUNT(Resident.household.distinct()))
                  .join(Resident, on=(ServiceRecord.resident == Resident.id)).scalar())
    events = (records.select(ServiceRecord.service_date, ServiceRecord.rule, ServiceRecord.content)
              .group_by(ServiceRecord.service_date, ServiceRecord.rule, ServiceRecord.content))
    activities = ServiceRecord.select(fn.COUNT(SQL("*"))).from_(events.alias("activity")).scalar()
    registered = (Household.select(fn.COUNT(Household.id))
                  .where(Household.store == _store_id(store), Household.created_at < end).scalar())

    top_rows = list(records.select(Resident.household, fn.COUNT(ServiceRecord.id), fn.SUM(ServiceRecord.minutes),
                                   fn.SUM(ServiceRecord.points).alias("total"))
                    .join(Resident, on=(ServiceRecord.resident == Resident.id))
                    .group_by(Resident.household)
                    .order_by(fn.SUM(ServiceRecord.points).desc(), Resident.household)
                    .limit(TOP).tuples())
    ids = [row[0] for row in top_rows]
    labels = {h.id: h.label for h in Household.select().where(Household.id.in_(ids))} if ids else {}
    names = {}
    if ids:
        for household_id, name in (records.select(Resident.household, Resident.name)
                                   .join(Resident, on=(ServiceRecord.resident == Resident.id))
                                   .where(Resident.household.in_(ids))
                                   .group_by(Resident.household, Resident.name, Resident.id)
                                   .order_by(Resident.id).tuples()):
            names.setdefault(household_id, []).append(name if full_names else mask_name(name))
    top = [HouseholdRow(hid, labels.get(hid, ""), "、".join(names.get(hid, [])), _int(count), _int(mins), _int(pts))
           for hid, count, mins, pts in top_rows]

    taking = {}
    for building, unit, count, part, pts in (records.select(
            Household.building, Household.unit, fn.COUNT(ServiceRecord.id),
            fn.COUNT(Resident.household.distinct()), fn.SUM(ServiceRecord.points))
            .join(Resident, on=(ServiceRecord.resident == Resident.id))
            .join(Household, on=(Resident.household == Household.id))
            .group_by(Household.building, Household.unit).tuples()):
        taking[(building, unit)] = (_int(part), _int(count), _int(pts))
    buildings = []
    for building, unit, count in (Household.select(Household.building, Household.unit, fn.COUNT(Household.id))
                                  .where(Household.store == _store_id(store), Household.created_at < end)
                                  .group_by(Household.building, Household.unit).tuples()):
        part, times, pts = taking.pop((building, unit), (0, 0, 0))
        buildings.append(BuildingRow(building, unit, _int(count), part, times, pts))
    for (building, unit), (part, times, pts) in taking.items():  # registered after the period's end
        buildings.append(BuildingRow(building, unit, 0, part, times, pts))
    buildings.sort(key=lambda row: (_natural(row.building), _natural(row.unit)))

    by_month = _by_month(records, period)
    by_category = [(category, _int(count), _int(pts)) for category, count, pts in
                   (records.select(Rule.category, fn.COUNT(ServiceRecord.id), fn.SUM(ServiceRecord.points))
                    .join(Rule, on=(ServiceRecord.rule == Rule.id))
                    .group_by(Rule.category).order_by(Rule.category).tuples())]
    return ParticipationReport(
        period=period, store=store, activities=_int(activities), person_times=_int(person_times),
        residents=_int(residents), households=_int(households), households_registered=_int(registered),
        minutes=_int(minutes), points=_int(total), top=top, buildings=buildings, by_month=by_month,
        by_category=by_category,
    )


def _by_month(records, period):
    """[(label, person-times, points)] for each month of ``period`` from ``records`` (grouped by
    service day in SQL, the days summed into months here: no engine-specific date function)."""
    months = {}
    for day, count, pts in (records.select(ServiceRecord.service_date, fn.COUNT(ServiceRecord.id),
                                           fn.SUM(ServiceRecord.points))
                            .group_by(ServiceRecord.service_date).tuples()):
        day = day if isinstance(day, date) else date.fromisoformat(str(day))
        key = day.replace(day=1)
        times, total_points = months.get(key, (0, 0))
        months[key] = (times + _int(count), total_points + _int(pts))
    return [(f"{m.year % 100}/{m.month}" if period.first.year != period.last.year else f"{m.month}月",
             *months.get(m, (0, 0))) for m in period.months()]


def participation_by_month(store, last_month_period, months=12):
    """Person-times and points per month for the ``months`` months ending with the month that
    holds the end of ``last_month_period``: the chart's context when the report is a month or less."""
    from kiosk.reports.periods import Period, RANGE

    end_month = last_month_period.last.replace(day=1)
    first = end_month
    for _ in range(months - 1):
        first = (first - timedelta(days=1)).replace(day=1)
    window = Period(first, last_month_period.last, RANGE)
    return _by_month(service_records(store, window), window)


def _natural(text):
    """Sort key: 2 before 10, numbers before words."""
    text = text or ""
    return (0, int(text), "") if text.isdigit() else (1, 0, text)


# ---------------------------------------------------------------------------------------------
# Goods


@dataclass
class GoodsReport:
    period: object
    store: object
    goods_in: dict  # purchase/donation -> (documents, units, points)
    donors: list  # [(donor, documents, units, points)]
    movements: dict  # movement kind -> (units in, units out)
    write_offs: list  # [(reason, documents, units, points)]
    sold: dict  # {"sales", "units", "points"}: redemptions in the period (before returns)
    returned: dict  # {"refunds", "units", "points"}: returns made in the period
    best_sellers: list  # [(product name, category, units, points)]
    by_category: list  # [(category, units, points)] redeemed in the period
    stock_value_start: int
    stock_value_end: int
    stock_trend: list  # [(label, value at the bucket's end)] up to the bucket holding ``today``
    near_expiry: list  # [BatchOnHand] on hand now, expiring within the store's warning days of ``today``
    stocktakes: list  # [(number, finished_at, category, shelf, surplus units, surplus points, shortage units, shortage points)]
    # [kiosk.vouchers.service.PartnerFigures]: service vouchers per partner in the period
    vouchers: list = field(default_factory=list)

    @property
    def written_off_points(self):
        return sum(row[3] for row in self.write_offs)

    @property
    def near_expiry_points(self):
        return sum(batch.on_hand * batch.product.points for batch in self.near_expiry)


def _movements(store, start=None, end=None):
    query = StockMovement.select().join(Product, on=(StockMovement.product == Product.id)).where(
        Product.store == _store_id(store))
    if start is not None:
        query = query.where(StockMovement.created_at >= start)
    if end is not None:
        query = query.where(StockMovement.created_at < end)
    return query


def stock_value_at(store, moment):
    """The stock on hand at ``moment`` valued in points at today's prices: the sum of every stock
    movement before it times its product's price."""
    return _int(_movements(store, end=moment).select(fn.SUM(StockMovement.delta * Product.points)).scalar())


def goods(store, period, *, today=None, full_names=False):
    """The goods report of ``store`` for ``period``: goods in and out, stock value at both ends,
    best sellers, write-offs, stock-take variances, and (as of ``today``) the batches near expiry."""
    sid = _store_id(store)
    start, end = period.bounds(store.timezone)
    receipts = StockReceipt.select().where(StockReceipt.store == sid, StockReceipt.created_at >= start,
                                           StockReceipt.created_at < end)
    goods_in = {PURCHASE: (0, 0, 0), DONATION: (0, 0, 0)}
    for kind, count, units, pts in (receipts.select(StockReceipt.kind, fn.COUNT(StockReceipt.id),
                                                    fn.SUM(StockReceipt.total_units), fn.SUM(StockReceipt.total_points))
                                    .group_by(StockReceipt.kind).tuples()):
        goods_in[kind] = (_int(count), _int(units), _int(pts))
    donors = []
    for name, public, count, units, pts in (receipts.select(StockReceipt.donor_name, StockReceipt.thank_publicly,
                                                            fn.COUNT(StockReceipt.id), fn.SUM(StockReceipt.total_units),
                                                            fn.SUM(StockReceipt.total_points))
                                            .where(StockReceipt.kind == DONATION)
                                            .group_by(StockReceipt.donor_name, StockReceipt.thank_publicly)
                                            .order_by(fn.SUM(StockReceipt.total_points).desc(), StockReceipt.donor_name)
                                            .tuples()):
        shown = name if full_names else (mask_name(name) if public else "")
        donors.append((shown or "爱心人士", _int(count), _int(units), _int(pts)))

    movements = {}
    for kind, up, down in (_movements(store, start, end).select(
            StockMovement.kind,
            fn.SUM(Case(None, [(StockMovement.delta > 0, StockMovement.delta)], 0)),
            fn.SUM(Case(None, [(StockMovement.delta < 0, 0 - StockMovement.delta)], 0)))
            .group_by(StockMovement.kind).tuples()):
        movements[kind] = (_int(up), _int(down))
    write_offs = [(reason, _int(count), _int(units), _int(pts)) for reason, count, units, pts in (
        WriteOff.select(WriteOff.reason, fn.COUNT(WriteOff.id), fn.SUM(WriteOff.total_units), fn.SUM(WriteOff.total_points))
        .where(WriteOff.store == sid, WriteOff.created_at >= start, WriteOff.created_at < end)
        .group_by(WriteOff.reason).order_by(WriteOff.reason).tuples())]

    lines = (SaleLine.select().join(Sale, on=(SaleLine.sale == Sale.id))
             .where(Sale.store == sid, Sale.created_at >= start, Sale.created_at < end))
    sales, pts = (Sale.select(fn.COUNT(Sale.id), fn.SUM(Sale.total))
                  .where(Sale.store == sid, Sale.created_at >= start, Sale.created_at < end)
                  .tuples().get())
    units = lines.select(fn.SUM(SaleLine.quantity)).scalar()
    sold = {"sales": _int(sales), "units": _int(units), "points": _int(pts)}
    refunds, refunded_points = (Refund.select(fn.COUNT(Refund.id), fn.SUM(Refund.total))
                                .where(Refund.store == sid, Refund.created_at >= start, Refund.created_at < end)
                                .tuples().get())
    refunded_units = (RefundLine.select(fn.SUM(RefundLine.quantity)).join(Refund, on=(RefundLine.refund == Refund.id))
                      .where(Refund.store == sid, Refund.created_at >= start, Refund.created_at < end).scalar())
    returned = {"refunds": _int(refunds), "units": _int(refunded_units), "points": _int(refunded_points)}
    line_points = fn.SUM(SaleLine.points * SaleLine.quantity)
    best = [(name, category, _int(qty), _int(total)) for name, category, qty, total in (
        lines.select(Product.name, Product.category, fn.SUM(SaleLine.quantity), line_points)
        .join(Product, on=(SaleLine.product == Product.id))
        .group_by(Product.id, Product.name, Product.category)
        .order_by(fn.SUM(SaleLine.quantity).desc(), line_points.desc(), Product.id)
        .limit(TOP).tuples())]
    by_category = [(category, _int(qty), _int(total)) for category, qty, total in (
        lines.select(Product.category, fn.SUM(SaleLine.quantity), line_points)
        .join(Product, on=(SaleLine.product == Product.id))
        .group_by(Product.category).order_by(line_points.desc(), Product.category).tuples())]

    # One pass over the movements up to the end: a bucket for all before the period (the stock
    # value at its start), then one per week or month. For a recent period, as in points(), the
    # movements since the period's start with today's stock in the same statement instead.
    parts = buckets(period, store.timezone)
    backwards = _from_today(store, start, end)
    bucket = Case(None, [(StockMovement.created_at < start, -1)] +
                  [(StockMovement.created_at < part[4], index) for index, part in enumerate(parts)], len(parts))
    query = ((_movements(store, start=start) if backwards else _movements(store, end=end))
             .select(bucket.alias("bucket"), fn.SUM(StockMovement.delta * Product.points))
             .group_by(bucket))
    if backwards:
        query = query + (Product.select(SQL("-2"), fn.SUM(Product.quantity * Product.points))
                         .where(Product.store == sid))
    changes = {int(index): _int(total) for index, total in query.tuples()}
    if backwards:
        changes[-1] = changes.pop(-2, 0) - sum(total for index, total in changes.items() if index >= 0)
    value_start = changes.get(-1, 0)
    trend, running = [], value_start
    for index, (label, first, *_rest) in enumerate(parts):
        running += changes.get(index, 0)
        if today is None or first <= today:  # no flat line into the weeks still to come
            trend.append((label, running))

    stocktakes = []
    surplus = Case(None, [(StockTakeLine.adjustment > 0, StockTakeLine.adjustment)], 0)
    shortage = Case(None, [(StockTakeLine.adjustment < 0, 0 - StockTakeLine.adjustment)], 0)
    price = fn.COALESCE(StockTakeLine.points, 0)
    for take_id, finished_at, category, shelf, up_units, up_points, down_units, down_points in (
            StockTake.select(StockTake.id, StockTake.finished_at, StockTake.category, StockTake.shelf,
                             fn.SUM(surplus), fn.SUM(surplus * price), fn.SUM(shortage), fn.SUM(shortage * price))
            .join(StockTakeLine, JOIN.LEFT_OUTER, on=(StockTakeLine.stocktake == StockTake.id))
            .where(StockTake.store == sid, StockTake.status == FINISHED,
                   StockTake.finished_at >= start, StockTake.finished_at < end)
            .group_by(StockTake.id, StockTake.finished_at, StockTake.category, StockTake.shelf)
            .order_by(StockTake.id).tuples()):
        stocktakes.append((f"{store.code}P{take_id:05d}", finished_at, category, shelf, _int(up_units),
                           _int(up_points), _int(down_units), _int(down_points)))

    return GoodsReport(
        period=period, store=store, goods_in=goods_in, donors=donors, movements=movements, write_offs=write_offs,
        sold=sold, returned=returned, best_sellers=best, by_category=by_category,
        stock_value_start=value_start, stock_value_end=running, stock_trend=trend,
        near_expiry=goods_service.near_expiry(store, today or period.last), stocktakes=stocktakes,
        vouchers=voucher_service.figures(sid, start, end),
    )

