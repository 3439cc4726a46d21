"""Settlement statements (结算单): what the store owes a partner for the vouchers it used.

The manager chooses a partner and a period (local days). The statement takes every voucher of
that partner used by them in the period and on no statement yet, links them
(``voucher.settlement``), and stores their number and total face value, under the store's next
settlement number (kiosk.stores.numbering). The linking is one conditional UPDATE (``… WHERE
settlement_id IS NULL``): two statements made at once never share a voucher, the later one is
refused and nothing of it is kept (not even its number).

An OPEN statement may be voided (its vouchers go back to "not on a statement", its number stays
used, marked void); settling it (a confirm step) closes it for good: SETTLED, who and when, and
neither it nor its vouchers change again. `kiosk verify` (``verify_problems``) re-adds every
statement.

Refusals (KioskError codes): unknown_partner, unknown_statement, nothing_to_settle,
statement_changed, statement_settled, statement_void.
"""
from dataclasses import dataclass
from datetime import datetime

from peewee import fn

from kiosk import audit
from kiosk.db import database, utcnow
from kiosk.errors import KioskError
from kiosk.reports.periods import Period, local_time
from kiosk.stores.models import Store
from kiosk.stores.numbering import SETTLEMENT, next_number
from kiosk.vouchers.codes import serial_text
from kiosk.vouchers.models import OPEN, SETTLED, USED, Partner, Settlement, Voucher
from kiosk.vouchers.partners import get_partner

# A statement made by mistake (the wrong period) is voided: its number stays, marked so.
VOID = "void"


def yuan(fen):
    """Fen as yuan with two decimals: 2000 → "20.00"."""
    sign = "-" if fen < 0 else ""
    fen = abs(int(fen))
    return f"{sign}{fen // 100}.{fen % 100:02d}"


@dataclass
class Line:
    """One voucher on a statement, times in the store's zone."""

    voucher_id: int
    serial: str
    name: str
    face: str
    issued_at: datetime
    used_at: datetime
    face_value_fen: int

    @property
    def face_value(self):
        return yuan(self.face_value_fen)


def _store_id(store):
    return getattr(store, "id", store)


def _used_in(partner_id, period, tz_name):
    start, end = period.bounds(tz_name)
    return (Voucher.partner == partner_id) & (Voucher.used_by == partner_id) & (Voucher.status == USED) & (
        Voucher.used_at >= start) & (Voucher.used_at < end)


def _lines(query, tz_name):
    rows = (query.select(Voucher.id, Voucher.serial, Voucher.name, Voucher.face, Voucher.issued_at, Voucher.used_at,
                         Voucher.face_value_fen)
            .order_by(Voucher.used_at, Voucher.serial).tuples())
    return [Line(voucher_id, serial_text(serial), name, face, local_time(issued, tz_name), local_time(used, tz_name),
                 fen) for voucher_id, serial, name, face, issued, used, fen in rows]


def unsettled(store, partner_id, period):
    """The lines a statement of ``period`` would take now: the partner's vouchers used by them
    in the period and on no statement yet (an open or settled one)."""
    store = Store.get_by_id(_store_id(store))
    partner = get_partner(store, partner_id)
    query = Voucher.select().where(Voucher.store == store.id, _used_in(partner.id, period, store.timezone),
                                   Voucher.settlement.is_null())
    return _lines(query, store.timezone)


def lines_of(settlement):
    """The vouchers on a statement, in the order they were used."""
    store = Store.get_by_id(settlement.store_id)
    return _lines(Voucher.select().where(Voucher.settlement == settlement.id), store.timezone)


def statements_of(store, partner_id=None):
    """The store's statements (of one partner), newest first."""
    query = Settlement.select(Settlement, Partner).join(Partner).where(Settlement.store == _store_id(store))
    if partner_id is not None:
        query = query.where(Settlement.partner == partner_id)
    return list(query.order_by(Settlement.serial.desc()))


def get_statement(store, settlement_id, partner_id=None):
    """The store's statement ``settlement_id`` (a partner sees only theirs). Raises unknown_statement."""
    statement = Settlement.get_or_none(Settlement.id == settlement_id, Settlement.store == _store_id(store)) \
        if isinstance(settlement_id, int) else None
    if statement is None or (partner_id is not None and statement.partner_id != partner_id):
        raise KioskError("unknown_statement")
    return statement


def _sums(settlement_id):
    count, total = (Voucher.select(fn.COUNT(Voucher.id), fn.COALESCE(fn.SUM(Voucher.face_value_fen), 0))
                    .where(Voucher.settlement == settlement_id).tuples().get())
    return int(count), int(total)


def create_statement(store, partner_id, period, *, by):
    """A new OPEN statement of the partner's unsettled used vouchers in ``period`` (a
    kiosk.reports.periods.Period). Raises unknown_partner, nothing_to_settle (``period``),
    statement_changed (another statement took some of them meanwhile: nothing was kept)."""
    store = Store.get_by_id(_store_id(store))
    with database.atomic():
        partner = get_partner(store, partner_id)
        ids = [voucher_id for (voucher_id,) in Voucher.select(Voucher.id).where(
            Voucher.store == store.id, _used_in(partner.id, period, store.timezone),
            Voucher.settlement.is_null()).tuples()]
        if not ids:
            raise KioskError("nothing_to_settle", partner=partner.name, period=period.label)
        statement = Settlement.create(store=store.id, partner=partner.id, serial=next_number(store.id, SETTLEMENT),
                                      start=period.first, end=period.last, status=OPEN,
                                      created_by=getattr(by, "id", by))
        linked = Voucher.update(settlement=statement.id).where(Voucher.id.in_(ids), Voucher.settlement.is_null(),
                                                               Voucher.status == USED).execute()
        if linked != len(ids):
            raise KioskError("statement_changed")
        count, total = _sums(statement.id)
        Settlement.update(count=count, total_fen=total).where(Settlement.id == statement.id).execute()
        audit.record("settlement_created", store=store.id, staff=getattr(by, "id", by), settlement=statement.id,
                     serial=statement.serial, partner=partner.id, partner_name=partner.name, period=period.code,
                     count=count, total_fen=total)
    return Settlement.get_by_id(statement.id)


def _refuse_closed(statement):
    if statement.status == SETTLED:
        raise KioskError("statement_settled", serial=statement.serial)
    if statement.status == VOID:
        raise KioskError("statement_void", serial=statement.serial)


def settle_statement(store, settlement_id, *, by, now=None):
    """Close an OPEN statement for good (paid or reconciled). Raises unknown_statement,
    statement_settled, statement_void, statement_changed (its vouchers no longer add up to it)."""
    now = now or utcnow()
    with database.atomic():
        statement = get_statement(store, settlement_id)
        _refuse_closed(statement)
        if _sums(statement.id) != (statement.count, statement.total_fen):
            raise KioskError("statement_changed")
        changed = Settlement.update(status=SETTLED, settled_at=now, settled_by=getattr(by, "id", by)).where(
            Settlement.id == statement.id, Settlement.status == OPEN).execute()
        if changed != 1:  # settled or voided from another screen meanwhile
            _refuse_closed(Settlement.get_by_id(statement.id))
            raise KioskError("statement_changed")
        audit.record("settlement_settled", store=statement.store_id, staff=getattr(by, "id", by),
                     settlement=statement.id, serial=statement.serial, partner=statement.partner_id,
                     count=statement.count, total_fen=statement.total_fen)
    return Settlement.get_by_id(statement.id)


def void_statement(store, settlement_id, *, by):
    """Void an OPEN statement (made for the wrong period): its vouchers are on no statement
    again; its number stays, marked void. Raises unknown_statement, statement_settled, statement_void."""
    with database.atomic():
        statement = get_statement(store, settlement_id)
        _refuse_closed(statement)
        changed = Settlement.update(status=VOID, count=0, total_fen=0).where(
            Settlement.id == statement.id, Settlement.status == OPEN).execute()
        if changed != 1:
            _refuse_closed(Settlement.get_by_id(statement.id))
            raise KioskError("statement_changed")
        Voucher.update(settlement=None).where(Voucher.settlement == statement.id).execute()
        audit.record("settlement_voided", store=statement.store_id, staff=getattr(by, "id", by),
                     settlement=statement.id, serial=statement.serial, partner=statement.partner_id)
    return Settlement.get_by_id(statement.id)


def statement_period(statement):
    """The statement's days as a Period (for its title)."""
    from kiosk.reports.periods import between

    return between(statement.start, statement.end)


# ---------------------------------------------------------------------------------------------
# Paper: A4 and XLSX. No Flask: the caller passes the words (``w``) in the reader's language.


def statement_number(store, statement):
    return f"{store.code}-JS{statement.serial:06d}"


def pdf(statement, w):
    """The statement as A4 PDF bytes. Raises kiosk.a4.PdfUnavailable."""
    from kiosk import a4

    store = Store.get_by_id(statement.store_id)
    partner = Partner.get_by_id(statement.partner_id)
    number = statement_number(store, statement)
    return a4.pdf("a4/settlement.html", w=w, store=store, partner=partner, statement=statement, number=number,
                  period=statement_period(statement).label, lines=lines_of(statement),
                  total=yuan(statement.total_fen), status=w["status_" + statement.status],
                  settled_at=local_time(statement.settled_at, store.timezone).strftime("%Y-%m-%d %H:%M")
                  if statement.settled_at else "",
                  footer_left=f"{store.name} · {w['title']} {number}", page_label=w["page"])


def xlsx(statement, w):
    """The statement as an XLSX workbook (one sheet: a row per voucher, then the total)."""
    from kiosk.csvexport import xlsx_bytes

    store = Store.get_by_id(statement.store_id)
    partner = Partner.get_by_id(statement.partner_id)
    header = [w["serial"], w["product"], w["face"], w["issued"], w["used"], w["face_value"]]
    rows = [[line.serial, line.name, line.face, line.issued_at, line.used_at, line.face_value_fen / 100]
            for line in lines_of(statement)]
    rows.append([w["total"], f"{statement.count} {w['vouchers']}", None, None, None, statement.total_fen / 100])
    title = f"{statement_number(store, statement)} {partner.name}"
    return xlsx_bytes([(title, header, rows, [14, 20, 22, 20, 20, 12], [None, None, None, None, None, "0.00"])])


def file_name(store, statement, ext):
    return f"settlement-{statement_number(store, statement)}.{ext}"


# ---------------------------------------------------------------------------------------------
# `kiosk verify`


def verify_problems(store_id=None):
    """Every statement whose vouchers no longer add up to it, as sentences: a settled or open
    statement's linked vouchers must number and total what it stored, each used by its partner
    within its days; a void one holds none."""
    query = Settlement.select(Settlement, Store).join(Store)
    if store_id is not None:
        query = query.where(Settlement.store == store_id)
    sums = dict()
    linked = (Voucher.select(Voucher.settlement, fn.COUNT(Voucher.id), fn.COALESCE(fn.SUM(Voucher.face_value_fen), 0))
              .where(Voucher.settlement.is_null(False)).group_by(Voucher.settlement))
    if store_id is not None:
        linked = linked.where(Voucher.store == store_id)
    for settlement_id, count, total in linked.tuples():
        sums[settlement_id] = (int(count), int(total))
    for statement in query:
        name = f"store {statement.store.code}: settlement {statement.serial}"
        count, total = sums.pop(statement.id, (0, 0))
        if (count, total) != (statement.count, statement.total_fen):
            yield (f"{name} ({statement.status}) stores {statement.count} vouchers worth {statement.total_fen} fen "
                   f"but links {count} worth {total} fen")
        if statement.status == VOID:
            continue
        period = Period(statement.start, statement.end)
        start, end = period.bounds(statement.store.timezone)
        wrong = (Voucher.select(Voucher.serial).where(Voucher.settlement == statement.id)
                 .where(~((Voucher.status == USED) & (Voucher.partner == statement.partner_id)
                          & (Voucher.used_by == statement.partner_id) & (Voucher.used_at >= start)
                          & (Voucher.used_at < end))))
        for (serial,) in wrong.tuples():
            yield f"{name}: voucher {serial_text(serial)} was not used by its partner within the statement's days"
    for settlement_id in sums:
        yield f"vouchers link settlement id {settlement_id}, which is not there"

