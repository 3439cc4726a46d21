"""The day close (交班 / 日结): what each cashier did in a shift or a day, closed once.

Days are local days in the store's time zone. What a close covers is decided by *when things
were recorded*, so nothing is counted twice or lost:

- A **day close** of day D covers every sale, return and card recorded from the end of the
  previous day close up to the end of D, or up to the moment of the close when D is closed
  before it ends (a close can be taken at any time). A record that lands in a day already
  closed (a sale after an early close, a record with an earlier date) is counted on the next
  day's close and listed under corrections with the day it belongs to; so is a return of a
  sale from an earlier day. The first close of a store covers its day only. Closing a day when
  days since the last close were never closed closes those first (as the nightly run would).
- A **shift close** (交班) covers one cashier's own records from their previous shift close of
  the same day (or the start of the day) to now. It is for handing over the till; the day
  close still covers the whole day. Once the day is closed, its shifts are closed too.

A close stores its figures as JSON (``DayClose.figures``) with the ledger chain head at that
moment, and is never changed: a second close of the same day is refused. A close takes the
store's books lock (as a checkout does) and keeps the highest sale and return ids it could see:
a checkout in flight at the moment of the close (stamped just before it, committed just after)
has a higher id, and the next close counts it as a late record instead of losing it.
"""
import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Optional
from zoneinfo import ZoneInfo

import peewee
from peewee import fn

from kiosk import audit
from kiosk.audit import AuditEvent
from kiosk.ledger.models import Account
from kiosk.checkout.models import REFUND_PREFIX, SALE_PREFIX, Refund, RefundLine, Sale, SaleLine, receipt_number
from kiosk.dayclose.models import DAY, SHIFT, DayClose
from kiosk.db import database, is_sqlite, utcnow
from kiosk.errors import KioskError
from kiosk.inventory.models import Product
from kiosk.ledger import chain
from kiosk.ledger.models import LedgerChain, LedgerEntry
from kiosk.printing.models import HELD, PENDING, SENDING, PrintJob
from kiosk.staff.models import Staff
from kiosk.vouchers import service as vouchers

UNPRINTED = (PENDING, SENDING, HELD)
_CHUNK = 500  # references per IN list


# ---------------------------------------------------------------------------------------------
# Local days


def local_today(tz_name, now=None):
    """Today in ``tz_name`` (``now`` naive UTC, default the current time)."""
    return (now or utcnow()).replace(tzinfo=timezone.utc).astimezone(ZoneInfo(tz_name)).date()


def day_bounds(day, tz_name):
    """(start, end) of local ``day`` as naive UTC times: end is the next day's start (a day is
    23 or 25 hours long where clocks change)."""
    zone = ZoneInfo(tz_name)

    def utc(d):
        return datetime.combine(d, time(0), tzinfo=zone).astimezone(timezone.utc).replace(tzinfo=None)

    return utc(day), utc(day + timedelta(days=1))


def local_day(moment, tz_name):
    """The local date of naive UTC ``moment`` in ``tz_name``."""
    return moment.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(tz_name)).date()


def parse_day(text):
    """A date from "YYYY-MM-DD". Raises KioskError("bad_close_day")."""
    text = str(text or "").strip()
    if len(text) == 10:
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    raise KioskError("bad_close_day", day=text[:20])


# ---------------------------------------------------------------------------------------------
# The figures


@dataclass(frozen=True)
class Span:
    """What a close covers: records made before ``until`` (naive UTC) and from ``since`` on,
    and also, before ``since``, sales and returns with ids above ``after_sale``/``after_refund``
    (those of the previous close: recorded before it but committed after it). ``number`` is
    the shift's number in its day (1 for a day)."""

    since: datetime
    until: datetime
    after_sale: Optional[int] = None
    after_refund: Optional[int] = None
    number: int = 1


def _window(model, span, after=None):
    condition = model.created_at < span.until
    started = model.created_at >= span.since
    if after is not None:
        started |= model.id > after
    return condition & started


def _in_chunks(values):
    values = list(values)
    for start in range(0, len(values), _CHUNK):
        yield values[start:start + _CHUNK]


def figures(store, span, day, *, cashier=None):
    """The figures of what ``store`` recorded in ``span`` (a Span), for local ``day``; only
    ``cashier``'s own records when one is given (a shift). A plain dict, stored as it is (JSON):

    ``staff``: one row per staff member who sold, took a return or issued a card (sales and
    returns as counts and points, cards issued and reissued, goods issued and returned by
    category); ``totals`` and ``categories`` for everyone; ``corrections``: records that belong
    to an earlier day (with that day), and returns of sales from an earlier day; ``unprinted``:
    receipts of the covered sales and returns not printed at the moment; ``reconciliation``:
    the points redeemed less refunds in the ledger against the goods' value of the sales less
    returns; ``chain``: the store's ledger chain head.
    """
    tz_name = store.timezone
    rows = {}

    def row(staff_id, name):
        if staff_id not in rows:
            rows[staff_id] = {"staff_id": staff_id, "name": name, "sales": 0, "sale_points": 0, "returns": 0,
                              "return_points": 0, "cards_issued": 0, "cards_reissued": 0, "categories": {}}
        return rows[staff_id]

    def category(entry, name, field, quantity):
        counts = entry["categories"].setdefault(name or "", {"issued": 0, "returned": 0})
        counts[field] += quantity

    corrections = []
    codes = store.code

    sales = (Sale.select(Sale.id, Sale.serial, Sale.staff, Staff.name, Sale.total, Sale.created_at)
             .join(Staff, on=(Sale.staff == Staff.id))
             .where(Sale.store == store, _window(Sale, span, span.after_sale)))
    if cashier is not None:
        sales = sales.where(Sale.staff == cashier)
    sale_ids = []
    serial_of = {}  # ("sale" | "refund", id) -> the store's own number
    for sale_id, serial, staff_id, name, total, created_at in sales.order_by(Sale.id).tuples().iterator():
        entry = row(staff_id, name)
        entry["sales"] += 1
        entry["sale_points"] += total
        sale_ids.append(sale_id)
        serial_of["sale", sale_id] = serial
        belongs = local_day(created_at, tz_name)
        if belongs < day:
            corrections.append({"kind": "sale", "receipt_no": receipt_number(codes, SALE_PREFIX, serial),
                                "staff": name, "points": total, "day": belongs.isoformat(), "late": True})

    original = Sale.alias()
    refunds = (Refund.select(Refund.id, Refund.serial, Refund.staff, Staff.name, Refund.total, Refund.created_at,
                             original.serial, original.created_at)
               .join(Staff, on=(Refund.staff == Staff.id))
               .switch(Refund).join(original, on=(Refund.sale == original.id))
               .where(Refund.store == store, _window(Refund, span, span.after_refund)))
    if cashier is not None:
        refunds = refunds.where(Refund.staff == cashier)
    refund_ids = []
    for refund_id, serial, staff_id, name, total, created_at, sale_serial, sold_at in refunds.order_by(Refund.id).tuples().iterator():
        entry = row(staff_id, name)
        entry["returns"] += 1
        entry["return_points"] += total
        refund_ids.append(refund_id)
        serial_of["refund", refund_id] = serial
        belongs, sold_on = local_day(created_at, tz_name), local_day(sold_at, tz_name)
        if belongs < day or sold_on < day:
            corrections.append({
                "kind": "return", "receipt_no": receipt_number(codes, REFUND_PREFIX, serial),
                "staff": name, "points": total, "late": belongs < day,
                # A return names the day of the sale it undoes (or its own, when it is the later one).
                "day": min(belongs, sold_on).isoformat(),
                "sale_no": receipt_number(codes, SALE_PREFIX, sale_serial),
            })

    goods = (SaleLine.select(Sale.staff, Staff.name, Product.category, fn.SUM(SaleLine.quantity),
                             fn.SUM(SaleLine.points * SaleLine.quantity))
             .join(Sale, on=(SaleLine.sale == Sale.id))
             .join(Staff, on=(Sale.staff == Staff.id))
             .switch(SaleLine).join(Product, on=(SaleLine.product == Product.id))
             .where(Sale.store == store, _window(Sale, span, span.after_sale))
             .group_by(Sale.staff, Staff.name, Product.category))
    if cashier is not None:
        goods = goods.where(Sale.staff == cashier)
    goods_value = 0
    for staff_id, name, name_of_category, quantity, value in goods.tuples():
        category(row(staff_id, name), name_of_category, "issued", int(quantity))
        goods_value += int(value)

    returned = (RefundLine.select(Refund.staff, Staff.name, Product.category, fn.SUM(RefundLine.quantity),
                                  fn.SUM(RefundLine.points * RefundLine.quantity))
                .join(Refund, on=(RefundLine.refund == Refund.id))
                .join(Staff, on=(Refund.staff == Staff.id))
                .switch(RefundLine).join(SaleLine, on=(RefundLine.sale_line == SaleLine.id))
                .join(Product, on=(SaleLine.product == Product.id))
                .where(Refund.store == store, _window(Refund, span, span.after_refund))
                .group_by(Refund.staff, Staff.name, Product.category))
    if cashier is not None:
        returned = returned.where(Refund.staff == cashier)
    for staff_id, name, name_of_category, quantity, value in returned.tuples():
        category(row(staff_id, name), name_of_category, "returned", int(quantity))
        goods_value -= int(value)

    # Cards: who issued them is in the audit log (the card row does not name its issuer).
    cards = (AuditEvent.select(AuditEvent.staff, Staff.name, AuditEvent.detail)
             .join(Staff, peewee.JOIN.LEFT_OUTER, on=(AuditEvent.staff == Staff.id))
             .where(AuditEvent.store == store, AuditEvent.action == "issue_card",
                    _window(AuditEvent, span)))
    if cashier is not None:
        cards = cards.where(AuditEvent.staff == cashier)
    for staff_id, name, detail in cards.tuples():
        entry = row(staff_id or 0, name or "")
        reissue = bool(json.loads(detail or "{}").get("replaces"))
        entry["cards_reissued" if reissue else "cards_issued"] += 1

    # Receipts of the covered sales and returns that have not printed (waiting, being sent,
    # or held for a person); a job replaced by a reprint counts through its reprint.
    unprinted = []
    for kind, prefix, ids in (("sale", SALE_PREFIX, sale_ids), ("refund", REFUND_PREFIX, refund_ids)):
        for part in _in_chunks(ids):
            query = (PrintJob.select(PrintJob.document_id, PrintJob.status, PrintJob.error)
                     .where(PrintJob.store == store, PrintJob.document_kind == kind,
                            PrintJob.document_id.in_(part), PrintJob.status.in_(UNPRINTED))
                     .order_by(PrintJob.id))
            for document_id, status, error in query.tuples():
                unprinted.append({"receipt_no": receipt_number(codes, prefix, serial_of[kind, document_id]), "status": status,
                                  "error": error})

    # The ledger's side: the redeem and refund entries of exactly these sales and returns.
    redeemed = refunded = 0
    references = [f"sale:{i}" for i in sale_ids] + [f"refund:{i}" for i in refund_ids]
    for part in _in_chunks(references):
        query = (LedgerEntry.select(LedgerEntry.kind, fn.SUM(LedgerEntry.delta))
                 .join(Account, on=(LedgerEntry.account == Account.id))
                 .where(Account.store == store, LedgerEntry.reference.in_(part),
                        LedgerEntry.kind.in_(["redeem", "refund"]))
                 .group_by(LedgerEntry.kind))
        for kind, total in query.tuples():
            if kind == "redeem":
                redeemed -= int(total)
            else:
                refunded += int(total)

    staff_rows = []
    for entry in sorted(rows.values(), key=lambda e: (e["name"], e["staff_id"])):
        entry["categories"] = [{"category": name, **counts} for name, counts in sorted(entry["categories"].items())]
        staff_rows.append(entry)
    totals = {key: sum(e[key] for e in staff_rows)
              for key in ("sales", "sale_points", "returns", "return_points", "cards_issued", "cards_reissued")}
    categories = {}
    for entry in staff_rows:
        for counts in entry["categories"]:
            total = categories.setdefault(counts["category"], {"issued": 0, "returned": 0})
            total["issued"] += counts["issued"]
            total["returned"] += counts["returned"]
    head, last_id, length = chain.head(store.id)
    # Service vouchers per partner: the store's, so only in a day close (a shift is one cashier's).
    voucher_rows = [] if cashier is not None else [
        {"partner": r.partner, "issued": r.issued, "used": r.used, "cancelled": r.cancelled, "expired": r.expired,
         "outstanding": r.outstanding, "used_value_fen": r.used_value_fen}
        for r in vouchers.figures(store, span.since, span.until)]
    return {
        "store": {"code": store.code, "name": store.name},
        "day": day.isoformat(),
        "timezone": tz_name,
        "covered_from": span.since.isoformat(),
        "covered_until": span.until.isoformat(),
        "staff": staff_rows,
        "totals": totals,
        "categories": [{"category": name, **counts} for name, counts in sorted(categories.items())],
        "corrections": corrections,
        "unprinted": unprinted,
        "reconciliation": {
            "redeemed": redeemed, "refunded": refunded, "net": redeemed - refunded,
            "goods_value": goods_value, "ok": redeemed - refunded == goods_value,
        },
        "chain": {"head": head, "entry_id": last_id, "length": length},
        "vouchers": voucher_rows,
    }


# ---------------------------------------------------------------------------------------------
# What a close would cover


def _last_day_close(store, before=None):
    query = DayClose.select().where(DayClose.store == store, DayClose.kind == DAY)
    if before is not None:
        query = query.where(DayClose.day < before)
    return query.order_by(DayClose.day.desc()).first()


def day_closed(store, day):
    """The day close of ``day``, or None."""
    return DayClose.get_or_none(DayClose.store == store, DayClose.kind == DAY, DayClose.day == day)


def _check_day(store, day, now):
    today = local_today(store.timezone, now)
    if day > today:
        raise KioskError("close_day_future", day=day.isoformat())
    done = day_closed(store, day)
    if done is not None:
        raise KioskError("day_already_closed", day=day.isoformat(), when=_local_text(done.closed_at, store))
    later = (DayClose.select(DayClose.day).where(DayClose.store == store, DayClose.kind == DAY, DayClose.day > day)
             .order_by(DayClose.day).first())
    if later is not None:
        raise KioskError("later_day_closed", day=day.isoformat(), later=later.day.isoformat())


def _local_text(moment, store):
    return moment.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(store.timezone)).strftime("%Y-%m-%d %H:%M")


def day_span(store, day, now=None):
    """The Span a day close of ``day`` taken at ``now`` covers (see the module)."""
    now = now or utcnow()
    start, end = day_bounds(day, store.timezone)
    previous = _last_day_close(store, before=day)
    if previous is None:
        return Span(start, min(end, now))
    return Span(previous.covered_until, min(end, now), previous.sale_mark, previous.refund_mark)


def shift_span(store, cashier, day, now=None):
    """The Span a shift close of ``cashier`` on ``day`` at ``now`` covers."""
    now = now or utcnow()
    start, end = day_bounds(day, store.timezone)
    previous = (DayClose.select().where(DayClose.store == store, DayClose.kind == SHIFT, DayClose.day == day,
                                        DayClose.owner == cashier.id)
                .order_by(DayClose.number.desc()).first())
    if previous is None:
        return Span(start, min(end, now))
    return Span(previous.covered_until, min(end, now), previous.sale_mark, previous.refund_mark, previous.number + 1)


def preview_day(store, day, now=None):
    """The figures a day close of ``day`` would store now, without storing anything.

    Raises KioskError: "close_day_future", "day_already_closed", "later_day_closed"."""
    now = now or utcnow()
    _check_day(store, day, now)
    missed = missed_days(store, day)
    if missed:
        # The close closes those days first; then this day covers its own records only.
        start, end = day_bounds(day, store.timezone)
        return dict(figures(store, Span(start, min(end, now)), day), missed_days=[d.isoformat() for d in missed])
    return figures(store, day_span(store, day, now), day)


def missed_days(store, day):
    """The days between the store's last day close before ``day`` and ``day`` that nobody
    closed: a close of ``day`` closes them first."""
    last = _last_day_close(store, before=day)
    if last is None:
        return []
    return [last.day + timedelta(days=n) for n in range(1, (day - last.day).days)]


def preview_shift(store, cashier, now=None):
    """The figures of ``cashier``'s shift so far today. Raises KioskError("day_already_closed")."""
    now = now or utcnow()
    day = local_today(store.timezone, now)
    done = day_closed(store, day)
    if done is not None:
        raise KioskError("day_already_closed", day=day.isoformat(), when=_local_text(done.closed_at, store))
    return figures(store, shift_span(store, cashier, day, now), day, cashier=cashier.id)


# ---------------------------------------------------------------------------------------------
# Closing


def _lock_books(store):
    """Hold the store's books until the transaction ends, as checkout and returns do before they
    write (kiosk.ledger.chain.lock): a sale or return still in flight either committed before
    the close reads, or gets its id after the close's marks. On SQLite the transaction is
    already the only writer (BEGIN IMMEDIATE)."""
    if not is_sqlite():
        list(LedgerChain.select(LedgerChain.store).where(LedgerChain.store == store).for_update())


def _marks(store):
    """(highest sale id, highest return id) of the store now; 0 before its first."""
    return (Sale.select(fn.MAX(Sale.id)).where(Sale.store == store).scalar() or 0,
            Refund.select(fn.MAX(Refund.id)).where(Refund.store == store).scalar() or 0)


def _store_close(store, day, kind, span, data, *, cashier=None, closed_by=None, now=None):
    head = data["chain"]
    sale_mark, refund_mark = _marks(store)
    return DayClose.create(
        store=store, day=day, kind=kind, cashier=cashier, owner=cashier.id if cashier is not None else 0,
        number=span.number, covered_from=span.since, covered_until=span.until, closed_by=closed_by, closed_at=now,
        figures=json.dumps(data, ensure_ascii=False, sort_keys=True),
        chain_head=head["head"], chain_entry_id=head["entry_id"], chain_length=head["length"],
        # Never below the previous close's: nothing it left out may be counted twice.
        sale_mark=max(sale_mark, span.after_sale or 0), refund_mark=max(refund_mark, span.after_refund or 0),
    )


def _close_one_day(store, day, now, closed_by):
    span = day_span(store, day, now)
    record = _store_close(store, day, DAY, span, figures(store, span, day), closed_by=closed_by, now=now)
    audit.record("close_day", store=store, staff=closed_by, day=day.isoformat(), close=record.id,
                 nightly=closed_by is None)
    return record


def close_day(store, day, *, staff=None, now=None):
    """Close ``day`` (a local date, today or earlier) of ``store``; ``staff`` None is the nightly
    run. Days between the last day close and ``day`` that nobody closed are closed first, by
    the kiosk (closed_by empty). Returns the DayClose of ``day``.

    Raises KioskError: "close_day_future", "day_already_closed" (also when another till closed
    it a moment ago), "later_day_closed".
    """
    now = now or utcnow()
    _check_day(store, day, now)
    try:
        with database.atomic():
            _lock_books(store)
            last = _last_day_close(store, before=day)
            if last is not None:
                missed = last.day + timedelta(days=1)
                while missed < day:
                    _close_one_day(store, missed, now, None)
                    missed += timedelta(days=1)
            return _close_one_day(store, day, now, staff)
    except peewee.IntegrityError:
        done = day_closed(store, day)
        if done is None:
            raise
        raise KioskError("day_already_closed", day=day.isoformat(), when=_local_text(done.closed_at, store)) from None


def close_shift(store, cashier, *, now=None):
    """Close ``cashier``'s shift (交班): their records since their last shift close today (or
    since the start of the day). Returns the DayClose.

    Raises KioskError: "day_already_closed" (the day's close covers the shift),
    "shift_just_closed" (the same close submitted twice, or from two tills at once).
    """
    now = now or utcnow()
    day = local_today(store.timezone, now)
    done = day_closed(store, day)
    if done is not None:
        raise KioskError("day_already_closed", day=day.isoformat(), when=_local_text(done.closed_at, store))
    try:
        with database.atomic():
            _lock_books(store)
            span = shift_span(store, cashier, day, now)
            record = _store_close(store, day, SHIFT, span, figures(store, span, day, cashier=cashier.id),
                                  cashier=cashier, closed_by=cashier, now=now)
            audit.record("close_shift", store=store, staff=cashier, day=day.isoformat(), close=record.id)
            return record
    except peewee.IntegrityError:
        raise KioskError("shift_just_closed") from None


def close_unclosed(store, now=None):
    """The nightly run: close every past day of ``store`` since its last day close that nobody
    closed (yesterday only, before the store's first close). Returns the DayCloses written
    (none when another run closed them at the same moment)."""
    now = now or utcnow()
    yesterday = local_today(store.timezone, now) - timedelta(days=1)
    try:
        with database.atomic():
            _lock_books(store)
            last = _last_day_close(store)
            day = last.day + timedelta(days=1) if last is not None else yesterday
            written = []
            while day <= yesterday:
                written.append(_close_one_day(store, day, now, None))
                day += timedelta(days=1)
            return written
    except peewee.IntegrityError:
        return []


# ---------------------------------------------------------------------------------------------
# Reading closes


def closes(store, *, cashier=None, limit=60):
    """The store's closes, newest first (only ``cashier``'s shift closes when given)."""
    query = DayClose.select().where(DayClose.store == store)
    if cashier is not None:
        query = query.where(DayClose.kind == SHIFT, DayClose.owner == cashier.id)
    return list(query.order_by(DayClose.closed_at.desc(), DayClose.id.desc()).limit(limit))


def find_close(store, close_id, *, cashier=None):
    """One close of ``store`` (a cashier sees only their own shift closes).

    Raises KioskError("unknown_close")."""
    record = DayClose.get_or_none(DayClose.id == close_id, DayClose.store == store)
    if record is None or (cashier is not None and (record.kind != SHIFT or record.owner != cashier.id)):
        raise KioskError("unknown_close")
    return record


def stored_figures(record):
    return json.loads(record.figures)
