"""Issuing, cancelling and expiring vouchers, and the terms of voucher products. No Flask here.

A voucher product (Product.kind "voucher") is sold only once it has terms (VoucherTerms: who
honours it, what it is worth, how long it is valid, household or bearer). Checkout makes one
Voucher per unit sold (:func:`issue`, inside the sale's transaction) and queues one slip per
voucher after the receipt (:func:`queue_slips`); a return cancels the line's unused vouchers
(:func:`cancel_for_refund`, inside the return's transaction); the nightly ``kiosk expire``
expires the ones past their last valid day (:func:`expire_due`). Every change of a voucher's
status appends its VoucherEvent in the same transaction.

Lock order (kiosk.ledger.service.move_balance): a voucher's number comes from the store's
document counter, so :func:`issue` runs after the account's debit and before the stock moves.
"""
import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import peewee

from kiosk import audit
from kiosk.db import database, insert_rows, utcnow
from kiosk.errors import KioskError
from kiosk.inventory.models import VOUCHER as VOUCHER_KIND
from kiosk.stores import numbering
from kiosk.vouchers.codes import serial_text
from kiosk.vouchers.models import (
    CANCELLED, EXPIRED, HOLDERS, HOUSEHOLD, ISSUED, USED, Partner, Voucher, VoucherEvent, VoucherTerms,
)

MAX_FACE_VALUE_FEN = 10_000_000  # 100 000 yuan: more is a typing mistake
MAX_VALID_DAYS = 3660
FACE_LENGTH = 60
# Yuan as typed: 20, 20.5, 20.50 (a full-width point or digits are read too).
YUAN = re.compile(r"([0-9]{1,6})(?:\.([0-9]{1,2}))?")
CHUNK = 200  # rows in one INSERT
# The product form's fields (names of its inputs).
TERM_FIELDS = ("voucher_partner", "voucher_face", "voucher_value", "voucher_days", "voucher_holder")


# -- terms ----------------------------------------------------------------------------------

@dataclass
class TermsForm:
    partner_id: int
    face: str
    face_value_fen: int
    valid_days: int
    holder: str


def partners_for_terms(store):
    """The store's active partners, by name: what the product form offers."""
    return list(Partner.select().where(Partner.store == store, Partner.active == True)  # noqa: E712
                .order_by(Partner.name))


def parse_yuan(text):
    """Fen from yuan as typed ("20", "20.5", "0"); raises KioskError("bad_face_value")."""
    raw = "".join(ch for ch in str(text or "") if ch.isprintable()).strip()
    raw = raw.translate(str.maketrans("０１２３４５６７８９．", "0123456789.")).removesuffix("元").strip()
    match = YUAN.fullmatch(raw)
    if not match:
        raise KioskError("bad_face_value", max=MAX_FACE_VALUE_FEN // 100)
    fen = int(match.group(1)) * 100 + int((match.group(2) or "0").ljust(2, "0"))
    if fen > MAX_FACE_VALUE_FEN:
        raise KioskError("bad_face_value", max=MAX_FACE_VALUE_FEN // 100)
    return fen


def yuan_text(fen):
    """20.00 for 2000 fen."""
    return f"{fen // 100}.{fen % 100:02d}"


def parse_terms(store, values):
    """A TermsForm from the product form's ``values`` (strings), or None when every term field
    is left empty (a voucher product without terms: saved, but not sold until it has them).

    Raises KioskError: "voucher_partner_missing", "voucher_partner_unknown", "missing_field" (face),
    "too_long" (face), "bad_face_value", "bad_valid_days", "bad_holder".
    """
    def text(name):
        return " ".join("".join(ch for ch in str(values.get(name) or "") if ch.isprintable()).split())

    partner_raw, face, value_raw, days_raw = (text(name) for name in TERM_FIELDS[:4])
    if not (partner_raw or face or value_raw or days_raw):
        return None
    if not partner_raw:
        raise KioskError("voucher_partner_missing")
    partner = None
    if partner_raw.isascii() and partner_raw.isdigit() and len(partner_raw) <= 12:
        partner = Partner.get_or_none(Partner.id == int(partner_raw), Partner.store == store,
                                      Partner.active == True)  # noqa: E712
    if partner is None:
        raise KioskError("voucher_partner_unknown")
    if not face:
        raise KioskError("missing_field", field="voucher_face")
    if len(face) > FACE_LENGTH:
        raise KioskError("too_long", field="voucher_face", max=FACE_LENGTH)
    fen = parse_yuan(value_raw)
    if not (days_raw.isascii() and days_raw.isdigit() and len(days_raw) <= 5
            and 1 <= int(days_raw) <= MAX_VALID_DAYS):
        raise KioskError("bad_valid_days", max=MAX_VALID_DAYS)
    holder = text("voucher_holder") or HOUSEHOLD
    if holder not in HOLDERS:
        raise KioskError("bad_holder")
    return TermsForm(partner.id, face, fen, int(days_raw), holder)


def terms_values(product):
    """The product form's term fields of ``product`` (strings; empty when it has no terms)."""
    terms = VoucherTerms.get_or_none(VoucherTerms.product == product) if product is not None else None
    if terms is None:
        return {"voucher_partner": "", "voucher_face": "", "voucher_value": "", "voucher_days": "",
                "voucher_holder": HOUSEHOLD}
    return {"voucher_partner": str(terms.partner_id), "voucher_face": terms.face,
            "voucher_value": yuan_text(terms.face_value_fen), "voucher_days": str(terms.valid_days),
            "voucher_holder": terms.holder}


def save_terms(store, product, terms, *, staff):
    """Set (or, with ``terms`` None, remove) a voucher product's terms, in the caller's
    transaction (the product form's save). A goods product keeps whatever it had: its terms
    count again only if it becomes a voucher. Vouchers already issued keep the terms they were
    issued with. Each change is an audit event."""
    if product.kind != VOUCHER_KIND:
        return None
    staff_id = getattr(staff, "id", staff)
    existing = VoucherTerms.get_or_none(VoucherTerms.product == product)
    if terms is None:
        if existing is not None:
            existing.delete_instance()
            audit.record("voucher_terms_removed", store=store, staff=staff_id, product=product.id)
        return None
    row = existing or VoucherTerms(product=product)
    before = None if existing is None else [existing.partner_id, existing.face, existing.face_value_fen,
                                            existing.valid_days, existing.holder]
    row.partner, row.face, row.face_value_fen = terms.partner_id, terms.face, terms.face_value_fen
    row.valid_days, row.holder = terms.valid_days, terms.holder
    after = [row.partner_id, row.face, row.face_value_fen, row.valid_days, row.holder]
    if before != after:
        row.save()
        audit.record("voucher_terms", store=store, staff=staff_id, product=product.id, terms=after)
    return row


def check_kind_change(product, kind):
    """Refuse turning goods that have been sold into a voucher, or the other way round: its past
    sales would then say the wrong thing (a voucher sold without vouchers). Raises
    KioskError("kind_fixed_after_sales")."""
    from kiosk.checkout.models import SaleLine

    if product is None or product.kind == kind:
        return
    if SaleLine.select().where(SaleLine.product == product).exists():
        raise KioskError("kind_fixed_after_sales", name=product.name)


def check_sellable(products):
    """Refuse voucher products that cannot be sold: no terms (the manager must say who honours
    them first), or a partner who no longer takes vouchers. ``products``: Product rows (or
    objects with id, name and kind). Raises KioskError("voucher_without_terms"),
    ("voucher_partner_inactive")."""
    vouchers = {p.id: p for p in products if p.kind == VOUCHER_KIND}
    if not vouchers:
        return
    terms = {row.product_id: row for row in VoucherTerms.select(VoucherTerms, Partner)
             .join(Partner).where(VoucherTerms.product.in_(list(vouchers)))}
    for product_id, product in vouchers.items():
        row = terms.get(product_id)
        if row is None:
            raise KioskError("voucher_without_terms", name=product.name)
        if not row.partner.active:
            raise KioskError("voucher_partner_inactive", name=product.name, partner=row.partner.name)


# -- issuing --------------------------------------------------------------------------------

def valid_until(issued_at, valid_days, tz_name):
    """The end of a voucher's last valid day (the day it is issued counts as the first), as
    naive UTC: the next local midnight after it, in the store's time zone."""
    zone = ZoneInfo(tz_name)
    first = issued_at.replace(tzinfo=timezone.utc).astimezone(zone).date()
    end = datetime.combine(first + timedelta(days=valid_days), time.min, zone)
    return end.astimezone(timezone.utc).replace(tzinfo=None)


def issue(store, sale_id, lines, *, account_id, staff_id=None, now=None, tz_name=None):
    """Make one Voucher per unit of each voucher line of a sale, with its ISSUED event, in the
    sale's transaction; returns them in number order. ``lines``: [(sale_line_id, product_id,
    name, quantity)] of the sale's voucher products. Each takes the next voucher number of the
    store and a copy of its product's terms; a household voucher belongs to ``account_id``.

    Call it after the account's debit and before the stock moves (the lock order).
    Raises KioskError("voucher_without_terms"), ("voucher_partner_inactive").
    """
    if not lines:
        return []
    if not database.in_transaction():
        raise RuntimeError("vouchers are issued only inside the sale's transaction")
    now = now or utcnow()
    tz_name = tz_name or store.timezone
    terms = {row.product_id: row for row in VoucherTerms.select(VoucherTerms, Partner).join(Partner)
             .where(VoucherTerms.product.in_([product_id for _, product_id, _, _ in lines]))}
    rows = []
    for line_id, product_id, name, quantity in lines:
        row = terms.get(product_id)
        if row is None:
            raise KioskError("voucher_without_terms", name=name)
        if not row.partner.active:
            raise KioskError("voucher_partner_inactive", name=name, partner=row.partner.name)
        until = valid_until(now, row.valid_days, tz_name)
        for _ in range(quantity):
            rows.append({
                "store_id": store.id, "serial": numbering.next_number(store.id, numbering.VOUCHER),
                "product_id": product_id, "partner_id": row.partner_id, "sale_id": sale_id,
                "sale_line_id": line_id, "account_id": account_id if row.holder == HOUSEHOLD else None,
                "name": name, "face": row.face, "face_value_fen": row.face_value_fen, "holder": row.holder,
                "issued_at": now, "valid_until": until, "status": ISSUED,
            })
    ids = []
    for start in range(0, len(rows), CHUNK):  # a statement's parameters stay well under SQLite's limit
        ids += insert_rows(Voucher, rows[start:start + CHUNK], returning="id")
    for start in range(0, len(ids), CHUNK):
        insert_rows(VoucherEvent, [{"voucher_id": voucher_id, "kind": ISSUED, "partner_id": None, "staff_id": staff_id,
                                    "created_at": now} for voucher_id in ids[start:start + CHUNK]])
    return [Voucher(id=voucher_id, **row) for voucher_id, row in zip(ids, rows)]


# Whose print job a voucher slip is (PrintJob.document_kind), with the voucher's id.
SLIP = "voucher"


def queue_slips(store, vouchers, slip, *, staff_id=None):
    """Queue one slip per voucher (``slip(voucher)`` gives its devices.VoucherSlip), in the
    caller's transaction and after the sale's receipt, so each prints after it, cut apart."""
    from kiosk.printing import service as printing

    for voucher in vouchers:
        printing.enqueue(slip(voucher), store=store.id, document_kind=SLIP, document_id=voucher.id, staff=staff_id)


def slip_jobs(voucher_ids):
    """The print jobs of vouchers' slips (originals and reprints), oldest first."""
    from kiosk.printing.models import PrintJob

    return list(PrintJob.select().where(PrintJob.document_kind == SLIP, PrintJob.document_id.in_(list(voucher_ids)))
                .order_by(PrintJob.id))


def reprint_slip(voucher, store, *, staff=None):
    """Queue a voucher's slip again, marked 重印, with the same number and QR code; returns
    the new job (the print worker is woken by the caller). Raises KioskError("unknown_voucher")."""
    from kiosk.printing import service as printing

    if voucher is None or voucher.store_id != store.id:
        raise KioskError("unknown_voucher")
    jobs = slip_jobs([voucher.id])
    if not jobs:
        raise KioskError("unknown_voucher")
    return printing.reprint(jobs[0].id, store, staff=staff)


# -- returns --------------------------------------------------------------------------------

def cancel_for_refund(refund_id, returned, *, staff_id=None, now=None):
    """Cancel the vouchers of the returned units, in the return's transaction: ``returned`` is
    {sale_line_id: quantity returned now}; lines without vouchers are left alone. Each line's
    unused vouchers (highest number first) are cancelled, with their CANCELLED event and
    ``cancelled_by`` the return. Returns the cancelled vouchers.

    Raises KioskError("voucher_used_no_return", serial=…) when a line has fewer unused vouchers than
    units returned (one was used or expired: that many units cannot be returned), naming one.
    """
    now = now or utcnow()
    line_ids = list(returned)
    if not line_ids:
        return []
    by_line = {}
    for voucher in Voucher.select().where(Voucher.sale_line.in_(line_ids)).order_by(Voucher.serial.desc()):
        by_line.setdefault(voucher.sale_line_id, []).append(voucher)
    cancelled = []
    for line_id, quantity in returned.items():
        vouchers = by_line.get(line_id)
        if not vouchers:
            continue
        unused = [v for v in vouchers if v.status == ISSUED and v.valid_until > now]
        if len(unused) < quantity:
            spent = next((v for v in vouchers if v.status in (USED, EXPIRED) or
                          (v.status == ISSUED and v.valid_until <= now)), vouchers[0])
            code = "voucher_used_no_return" if spent.status == USED else "voucher_expired_no_return"
            raise KioskError(code, serial=serial_text(spent.serial), name=spent.name)
        cancelled += unused[:quantity]
    if not cancelled:
        return []
    ids = [v.id for v in cancelled]
    changed = (Voucher.update(status=CANCELLED, cancelled_by=refund_id)
               .where(Voucher.id.in_(ids), Voucher.status == ISSUED).execute())
    if changed != len(ids):
        # A partner used one of them between our read and our write.
        used = Voucher.select().where(Voucher.id.in_(ids), Voucher.status != ISSUED).first()
        raise KioskError("voucher_used_no_return", serial=serial_text(used.serial), name=used.name)
    insert_rows(VoucherEvent, [{"voucher_id": voucher_id, "kind": CANCELLED, "partner_id": None,
                                "staff_id": staff_id, "created_at": now} for voucher_id in ids])
    return cancelled


def line_vouchers(sale):
    """{sale_line_id: [Voucher, …]} of a sale, by number: what the returns screen shows."""
    grouped = {}
    for voucher in Voucher.select().where(Voucher.sale == sale).order_by(Voucher.serial):
        grouped.setdefault(voucher.sale_line_id, []).append(voucher)
    return grouped


# -- expiry ---------------------------------------------------------------------------------

def expire_due(store, now=None, *, dry_run=False):
    """Mark the store's ISSUED vouchers past their last valid day EXPIRED, each with its
    EXPIRED event, in one transaction; returns how many. Run again, it finds none (idempotent)."""
    now = now or utcnow()
    due = Voucher.select(Voucher.id).where(Voucher.store == store, Voucher.status == ISSUED,
                                           Voucher.valid_until <= now)
    if dry_run:
        return due.count()
    with database.atomic():
        ids = [voucher_id for (voucher_id,) in due.tuples()]
        if not ids:
            return 0
        expired = []
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            # Conditional: a voucher used meanwhile is not expired.
            expired += [voucher_id for (voucher_id,) in database.execute_sql(
                f'UPDATE "voucher" SET "status" = {database.param} WHERE "status" = {database.param} '
                f'AND "id" IN ({", ".join([database.param] * len(chunk))}) RETURNING "id"',
                [EXPIRED, ISSUED, *chunk]).fetchall()]
        for start in range(0, len(expired), 500):
            insert_rows(VoucherEvent, [{"voucher_id": voucher_id, "kind": EXPIRED, "partner_id": None,
                                        "staff_id": None, "created_at": now}
                                       for voucher_id in expired[start:start + 500]])
        if expired:
            audit.record("vouchers_expired", store=store, count=len(expired))
    return len(expired)


# -- figures --------------------------------------------------------------------------------

@dataclass
class PartnerFigures:
    partner: str
    issued: int = 0
    used: int = 0
    cancelled: int = 0
    expired: int = 0
    outstanding: int = 0  # issued and not used, cancelled or expired at the end of the span
    used_value_fen: int = 0


def figures(store, start, end):
    """Per partner (by name), the vouchers issued, used, cancelled and expired in [start, end)
    (naive UTC) and those outstanding at ``end``; partners with nothing to show are left out.
    Counted from the events, so a past day's figures stay what they were."""
    rows = {}

    def row(partner_id, name):
        return rows.setdefault(partner_id, PartnerFigures(name))

    names = dict(Partner.select(Partner.id, Partner.name).where(Partner.store == store).tuples())
    counts = (VoucherEvent.select(Voucher.partner, VoucherEvent.kind, peewee.fn.COUNT(VoucherEvent.id),
                                  peewee.fn.SUM(Voucher.face_value_fen))
              .join(Voucher).where(Voucher.store == store, VoucherEvent.created_at >= start,
                                   VoucherEvent.created_at < end)
              .group_by(Voucher.partner, VoucherEvent.kind).tuples())
    for partner_id, kind, count, value in counts:
        figures_row = row(partner_id, names.get(partner_id, ""))
        setattr(figures_row, kind, count)
        if kind == USED:
            figures_row.used_value_fen = int(value or 0)
    # Outstanding at the end: issued before it, with no later-ending event before it.
    ended = VoucherEvent.select(VoucherEvent.id).where(VoucherEvent.voucher == Voucher.id, VoucherEvent.kind != ISSUED,
                                                       VoucherEvent.created_at < end)
    outstanding = (Voucher.select(Voucher.partner, peewee.fn.COUNT(Voucher.id))
                   .where(Voucher.store == store, Voucher.issued_at < end, ~peewee.fn.EXISTS(ended))
                   .group_by(Voucher.partner).tuples())
    for partner_id, count in outstanding:
        row(partner_id, names.get(partner_id, "")).outstanding = count
    return sorted(rows.values(), key=lambda r: r.partner)
