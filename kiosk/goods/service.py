"""Goods in (入库), goods out (出库 / 报损), and the stock lists of the staff home screen.

A document is posted as one transaction: the document, its lines and one stock movement per
product (through kiosk.inventory.service.move_many, the only code that changes a quantity),
or nothing. Each draft carries an idempotency key, so a double tap or a stale page submitted
again finds the document already posted instead of stocking the goods twice.

**Batches.** A goods-in line with an expiry date is a batch. What is left of each batch is not
stored: it is worked out from the product's quantity, assuming goods leave first-expiry-first-out
(FEFO), as shelves are stocked: every sale, write-off or count shortage takes the batch that
expires first. The stock on hand is therefore the latest-expiring batches, as far as the quantity
reaches. This can never disagree with the stock movements (invariant 4), and it needs nothing
from checkout or the stock-take. Stock without an expiry date (received without one, from before
batches were kept, a count surplus) is counted last, so a batch is listed as near expiry as long
as the quantity could still hold it: the list warns rather than misses.
"""
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import peewee

from kiosk import audit
from kiosk.csvexport import csv_bytes
from kiosk.db import database, utcnow
from kiosk.errors import KioskError
from kiosk.goods.models import (
    DONATION,
    OTHER,
    RECEIPT_KINDS,
    WRITE_OFF_REASONS,
    StockReceipt,
    StockReceiptLine,
    WriteOff,
    WriteOffLine,
)
from kiosk.inventory import service as inventory
from kiosk.inventory.models import SALE, STOCK_IN, WRITE_OFF, Product, StockMovement
from kiosk.staff.models import MANAGER, Staff
from kiosk.stores import numbering
from kiosk.stores.models import Store

MAX_LINE_QUANTITY = 99_999
MAX_LINES = 40
MAX_STOCK = 9_999_999
MAX_EXPIRY_YEARS = 30
KEY_FORMAT = re.compile(r"[A-Za-z0-9_-]{16,64}")
BARCODE = re.compile(r"[0-9A-Za-z-]{4,32}")


def parse_quantity(value, *, line=None):
    """A whole number of units, 1–99,999, from user input.

    Raises KioskError("bad_stock_quantity") (with the ``line`` number when given).
    """
    text = str(value).strip() if value is not None and not isinstance(value, bool) else ""
    if not re.fullmatch(r"[0-9]{1,5}", text) or not 1 <= int(text) <= MAX_LINE_QUANTITY:
        raise KioskError("bad_stock_quantity", max=MAX_LINE_QUANTITY, line=line or 1)
    return int(text)


def parse_expiry(value, today, *, line=None):
    """An expiry date (YYYY-MM-DD) or None when empty; never before ``today``.

    Raises KioskError("bad_expiry") or ("expiry_in_past").
    """
    if isinstance(value, date):
        day = value
    else:
        text = (value or "").strip()
        if not text:
            return None
        try:
            day = date.fromisoformat(text) if len(text) == 10 else None
        except ValueError:
            day = None
        if day is None:
            raise KioskError("bad_expiry", line=line or 1)
    if day < today:
        raise KioskError("expiry_in_past", line=line or 1, day=day.isoformat())
    if day > today + timedelta(days=366 * MAX_EXPIRY_YEARS):
        raise KioskError("bad_expiry", line=line or 1)
    return day


def _text(value, field, limit, *, required=False):
    text = " ".join("".join(ch for ch in str(value or "") if ch.isprintable()).split())
    if required and not text:
        raise KioskError("missing_field", field=field)
    if len(text) > limit:
        raise KioskError("too_long", field=field, max=limit)
    return text


def _once(model, key, post):
    """Posted(the document ``post()`` creates, True), or Posted(the one another request
    committed with the same idempotency ``key`` between our check and our insert, False)."""
    try:
        return Posted(post(), True)
    except peewee.IntegrityError:
        existing = model.get_or_none(model.idempotency_key == key)
        if existing is None:
            raise
        return Posted(existing, False)


def _check_key(key):
    if not isinstance(key, str) or not KEY_FORMAT.fullmatch(key):
        raise KioskError("stale_page")


def find_product(store, code):
    """The store's product with this barcode (as scanned).

    Raises KioskError("unknown_barcode") for a code no product has, ("invalid_scan") for garbage.
    """
    code = "".join(ch for ch in (code or "") if ch.isprintable()).strip()[:64]
    if not BARCODE.fullmatch(code):
        raise KioskError("invalid_scan")
    product = Product.get_or_none(Product.store == store, Product.barcode == code)
    if product is None:
        raise KioskError("unknown_barcode")
    return product


def _products(store, lines):
    ids = {line["product_id"] for line in lines}
    found = {p.id: p for p in Product.select().where(Product.store == store, Product.id.in_(list(ids) or [0]))}
    for line in lines:
        if line["product_id"] not in found:
            raise KioskError("unknown_product")
    return found


def _product_id(value):
    text = str(value).strip()
    if not re.fullmatch(r"[0-9]{1,12}", text):
        raise KioskError("unknown_product")
    return int(text)


# ---------------------------------------------------------------------------------------------
# Goods in


@dataclass
class Posted:
    document: object
    created: bool  # False when the key named a document posted before (double tap, stale page)


def check_receipt_lines(store, lines, today):
    """Parse draft lines ([{product_id, quantity, batch_no, expiry}], raw form values) into
    [{product, quantity, batch_no, expiry}]. Raises KioskError naming the line."""
    if not lines:
        raise KioskError("empty_document")
    if len(lines) > MAX_LINES:
        raise KioskError("too_many_document_lines", max=MAX_LINES)
    parsed = []
    for number, line in enumerate(lines, start=1):
        parsed.append({
            "product_id": _product_id(line.get("product_id")),
            "quantity": parse_quantity(line.get("quantity"), line=number),
            "batch_no": _batch(line.get("batch_no"), number),
            "expiry": parse_expiry(line.get("expiry"), today, line=number),
        })
    products = _products(store, parsed)
    for line in parsed:
        line["product"] = products[line["product_id"]]
    return parsed


def _batch(value, number):
    text = "".join(ch for ch in str(value or "") if ch.isprintable()).strip()
    if len(text) > 40:
        raise KioskError("batch_too_long", line=number, max=40)
    return text


def receive(store, *, kind, lines, staff, key, today, donor_name="", donor_contact="", thank_publicly=True, note=""):
    """Post a goods-in document (入库单): a purchase or a donation, as one transaction.

    ``lines``: [{product_id, quantity, batch_no, expiry}] as typed. The same ``key`` always
    yields the same document. Raises KioskError: "stale_page", "bad_receipt_kind",
    "missing_field" (a donation's donor), "too_long", "empty_document", "too_many_document_lines",
    "unknown_product", "bad_stock_quantity", "bad_expiry", "expiry_in_past", "batch_too_long",
    "stock_too_large".
    """
    _check_key(key)
    if kind not in RECEIPT_KINDS:
        raise KioskError("bad_receipt_kind")
    donor_name = _text(donor_name, "donor_name", 50, required=kind == DONATION) if kind == DONATION else ""
    donor_contact = _text(donor_contact, "donor_contact", 50) if kind == DONATION else ""
    note = _text(note, "note", 200)
    existing = StockReceipt.get_or_none(StockReceipt.idempotency_key == key)
    if existing is not None:
        return Posted(existing, False)
    parsed = check_receipt_lines(store, lines, today)
    deltas = {}
    for line in parsed:
        deltas[line["product_id"]] = deltas.get(line["product_id"], 0) + line["quantity"]
    products = {line["product_id"]: line["product"] for line in parsed}
    for product_id, delta in deltas.items():
        # The column holds more, but no points supermarket keeps ten million of anything.
        if products[product_id].quantity + delta > MAX_STOCK:
            raise KioskError("stock_too_large", name=products[product_id].name, max=MAX_STOCK)
    def post():
        with database.atomic():
            receipt = StockReceipt.create(
                store=store, serial=numbering.next_number(store.id, numbering.STOCK_RECEIPT), kind=kind,
                idempotency_key=key, donor_name=donor_name, donor_contact=donor_contact,
                thank_publicly=bool(thank_publicly) if kind == DONATION else True, note=note,
                total_units=sum(line["quantity"] for line in parsed),
                total_points=sum(line["quantity"] * line["product"].points for line in parsed),
                staff=staff,
            )
            for line in parsed:
                StockReceiptLine.create(receipt=receipt, product=line["product"], quantity=line["quantity"],
                                        points=line["product"].points, batch_no=line["batch_no"], expiry=line["expiry"])
            inventory.move_many(deltas, STOCK_IN, reference=f"stock_in:{receipt.id}", staff_id=staff.id,
                                note=(donor_name or "")[:200])
            audit.record("stock_in", store=store, staff=staff, receipt=receipt.id, kind=kind,
                         units=receipt.total_units, points=receipt.total_points)
        return receipt

    return _once(StockReceipt, key, post)


def find_receipt(store, receipt_id):
    """Raises KioskError("unknown_document")."""
    receipt = StockReceipt.get_or_none(StockReceipt.id == receipt_id, StockReceipt.store == store)
    if receipt is None:
        raise KioskError("unknown_document")
    return receipt


def receipt_lines(receipt):
    return list(StockReceiptLine.select(StockReceiptLine, Product).join(Product)
                .where(StockReceiptLine.receipt == receipt).order_by(StockReceiptLine.id))


def recent_receipts(store, limit=20):
    return StockReceipt.select().where(StockReceipt.store == store).order_by(StockReceipt.id.desc()).limit(limit)


def donations(store, day_from, day_to, tz_name="Asia/Shanghai"):
    """Donations received from ``day_from`` to ``day_to`` (the store's local dates, inclusive),
    newest first: the list of donors the community thanks in public."""
    zone = ZoneInfo(tz_name)
    start = datetime.combine(day_from, time.min, zone).astimezone(timezone.utc).replace(tzinfo=None)
    end = datetime.combine(day_to + timedelta(days=1), time.min, zone).astimezone(timezone.utc).replace(tzinfo=None)
    return list(
        StockReceipt.select()
        .where(StockReceipt.store == store, StockReceipt.kind == DONATION,
               StockReceipt.created_at >= start, StockReceipt.created_at < end)
        .order_by(StockReceipt.id.desc())
    )


# ---------------------------------------------------------------------------------------------
# Goods out


@dataclass
class PricedWriteOff:
    lines: list  # [{product, quantity}]
    units: int
    points: int
    needs_approval: bool


def price_write_off(store, lines):
    """Parse draft lines ([{product_id, quantity}]) and say whether a manager must approve.

    Raises KioskError: "empty_document", "too_many_document_lines", "unknown_product",
    "bad_stock_quantity", "out_of_stock" (more than the shelf holds, as far as we know now).
    """
    if not lines:
        raise KioskError("empty_document")
    if len(lines) > MAX_LINES:
        raise KioskError("too_many_document_lines", max=MAX_LINES)
    parsed = [{"product_id": _product_id(line.get("product_id")),
               "quantity": parse_quantity(line.get("quantity"), line=number)}
              for number, line in enumerate(lines, start=1)]
    products = _products(store, parsed)
    merged = {}
    for line in parsed:
        merged[line["product_id"]] = merged.get(line["product_id"], 0) + line["quantity"]
    for product_id, quantity in merged.items():
        if quantity > products[product_id].quantity:
            raise KioskError("out_of_stock", name=products[product_id].name, available=products[product_id].quantity)
    priced = [{"product": products[pid], "quantity": qty} for pid, qty in merged.items()]
    units = sum(merged.values())
    points = sum(line["product"].points * line["quantity"] for line in priced)
    return PricedWriteOff(priced, units, points, needs_approval(store, units, points))


def needs_approval(store, units, points):
    """Whether goods out of ``units`` worth ``points`` needs a store manager's approval."""
    return units > store.writeoff_approval_units or points > store.writeoff_approval_points


def write_off(store, *, reason, note, lines, staff, key, approver=None):
    """Post a goods-out document (报损 / 出库) as one transaction; stock never goes below zero,
    even with a sale at the same moment on another kiosk (the movement is a guarded update).

    ``approver``: the manager who approved with their PIN (needed above the store's threshold;
    a manager's own write-off needs nobody else). Raises KioskError: "stale_page",
    "bad_write_off_reason", "missing_field" (the note, for reason "other"), "too_long",
    "empty_document", "too_many_document_lines", "unknown_product", "bad_stock_quantity", "out_of_stock",
    "needs_manager_approval".
    """
    _check_key(key)
    if reason not in WRITE_OFF_REASONS:
        raise KioskError("bad_write_off_reason")
    note = _text(note, "write_off_note", 200, required=reason == OTHER)
    existing = WriteOff.get_or_none(WriteOff.idempotency_key == key)
    if existing is not None:
        return Posted(existing, False)
    if staff.role == MANAGER:
        approver = approver or staff
    priced = price_write_off(store, lines)
    if approver is not None:
        approver = Staff.get_or_none(Staff.id == approver.id, Staff.store == store, Staff.active == True)  # noqa: E712
        if approver is None or approver.role != MANAGER:
            raise KioskError("needs_manager_approval", units=priced.units, points=priced.points)
    elif priced.needs_approval:
        raise KioskError("needs_manager_approval", units=priced.units, points=priced.points)
    def post():
        with database.atomic():
            record = WriteOff.create(
                store=store, serial=numbering.next_number(store.id, numbering.WRITE_OFF), reason=reason, note=note,
                idempotency_key=key, total_units=priced.units,
                total_points=priced.points, staff=staff, approved_by=approver,
            )
            for line in priced.lines:
                WriteOffLine.create(write_off=record, product=line["product"], quantity=line["quantity"],
                                    points=line["product"].points)
            inventory.move_many({line["product"].id: -line["quantity"] for line in priced.lines}, WRITE_OFF,
                                reference=f"write_off:{record.id}", staff_id=staff.id, note=f"{reason} {note}".strip())
            audit.record("write_off", store=store, staff=staff, write_off=record.id, reason=reason,
                         units=priced.units, points=priced.points, approved_by=approver.id if approver else None)
        return record

    return _once(WriteOff, key, post)


def find_write_off(store, write_off_id):
    """Raises KioskError("unknown_document")."""
    record = WriteOff.get_or_none(WriteOff.id == write_off_id, WriteOff.store == store)
    if record is None:
        raise KioskError("unknown_document")
    return record


def write_off_lines(record):
    return list(WriteOffLine.select(WriteOffLine, Product).join(Product)
                .where(WriteOffLine.write_off == record).order_by(WriteOffLine.id))


def recent_write_offs(store, limit=20):
    return WriteOff.select().where(WriteOff.store == store).order_by(WriteOff.id.desc()).limit(limit)


# ---------------------------------------------------------------------------------------------
# Batches, near expiry, low stock, restock


@dataclass
class BatchOnHand:
    product: Product
    batch_no: str
    expiry: date
    received: int
    on_hand: int  # what is left, first-expiry-first-out (see the module's docstring)
    receipt_id: int

    def days_left(self, today):
        return (self.expiry - today).days


def batches_on_hand(products):
    """{product_id: [BatchOnHand]} of the batches with an expiry date still (partly) on hand,
    earliest expiry first, for ``products`` (Product instances with their current quantity)."""
    products = {p.id: p for p in products}
    if not products:
        return {}
    lines = (
        StockReceiptLine.select()
        .where(StockReceiptLine.product.in_(list(products)), StockReceiptLine.expiry.is_null(False))
        # Latest-expiring first: those are what the quantity on hand still holds.
        .order_by(StockReceiptLine.product, StockReceiptLine.expiry.desc(), StockReceiptLine.id.desc())
    )
    left = {pid: p.quantity for pid, p in products.items()}
    found = {}
    for line in lines:
        pid = line.product_id
        share = min(line.quantity, left[pid])
        if share <= 0:
            continue
        left[pid] -= share
        found.setdefault(pid, []).append(BatchOnHand(products[pid], line.batch_no, line.expiry, line.quantity, share,
                                                     line.receipt_id))
    for batches in found.values():
        batches.reverse()
    return found


def near_expiry(store, today, days=None):
    """Batches still on hand that expire within ``days`` (the store's setting) or have expired,
    earliest first."""
    days = store.expiry_warning_days if days is None else days
    limit = today + timedelta(days=days)
    candidates = (
        Product.select()
        .where(Product.store == store, Product.quantity > 0,
               Product.id.in_(StockReceiptLine.select(StockReceiptLine.product)
                              .where(StockReceiptLine.expiry.is_null(False), StockReceiptLine.expiry <= limit)))
    )
    merged = {}
    for batches in batches_on_hand(list(candidates)).values():
        for batch in batches:
            if batch.expiry > limit:
                continue
            # The same batch received on two documents is one batch on the shelf.
            same = merged.get((batch.product.id, batch.batch_no, batch.expiry))
            if same is None:
                merged[(batch.product.id, batch.batch_no, batch.expiry)] = batch
            else:
                same.received += batch.received
                same.on_hand += batch.on_hand
    return sorted(merged.values(), key=lambda b: (b.expiry, b.product.sort_order, b.product.id))


def low_stock(store):
    """Products on sale whose quantity is at or below their low-stock line, emptiest first."""
    return list(
        Product.select()
        .where(Product.store == store, Product.active == True, Product.quantity <= Product.low_stock)  # noqa: E712
        .order_by(Product.quantity, Product.sort_order, Product.id)
    )


def redeemed_since(store, since):
    """{product_id: units that left by redemption since ``since``} (net of nothing: returns are
    not subtracted, a return is a person's change of mind, not lower demand)."""
    query = (
        StockMovement.select(StockMovement.product, peewee.fn.SUM(StockMovement.delta).alias("units"))
        .join(Product)
        .where(Product.store == store, StockMovement.kind == SALE, StockMovement.created_at >= since)
        .group_by(StockMovement.product)
    )
    return {row.product_id: -int(row.units) for row in query}


def restock_list(store, now=None):
    """[(product, redeemed in the last 30 days, suggested quantity)] for the low-stock products.

    The suggestion brings the shelf up to what 30 days of redemptions need, and at least to
    twice the low-stock line, whichever is more.
    """
    since = (now or utcnow()) - timedelta(days=30)
    products = low_stock(store)
    sold = redeemed_since(store, since)
    rows = []
    for product in products:
        target = max(sold.get(product.id, 0), 2 * product.low_stock, 1)
        rows.append((product, sold.get(product.id, 0), max(target - product.quantity, 1)))
    return rows


def restock_csv(rows, headings):
    """The restock list as CSV bytes, UTF-8 with a byte-order mark so Excel opens the Chinese."""
    return csv_bytes(headings, (
        (product.name, product.category, product.barcode, product.unit, product.quantity, product.low_stock, sold,
         suggested)
        for product, sold, suggested in rows
    ))


# ---------------------------------------------------------------------------------------------
# Settings


def set_stock_settings(store, *, units, points, expiry_days, staff=None):
    """The write-off approval threshold (units, points value) and the near-expiry window.

    Raises KioskError("bad_stock_settings").
    """
    values = (units, points, expiry_days)
    if any(not isinstance(v, int) or isinstance(v, bool) for v in values) or not (
        0 <= units <= 99_999 and 0 <= points <= 9_999_999 and 1 <= expiry_days <= 365
    ):
        raise KioskError("bad_stock_settings")
    with database.atomic():
        Store.update(writeoff_approval_units=units, writeoff_approval_points=points,
                     expiry_warning_days=expiry_days).where(Store.id == store.id).execute()
        audit.record("store_settings", store=store, staff=staff, writeoff_approval_units=units,
                     writeoff_approval_points=points, expiry_warning_days=expiry_days)
    return Store.get_by_id(store.id)



# ---------------------------------------------------------------------------------------------
# kiosk verify


def check_documents(store_id=None):
    """Every goods-in and goods-out document moved exactly its lines' stock, and no goods-in or
    goods-out movement names a document that does not exist (a check of `kiosk verify`); only
    ``store_id``'s documents and goods when given."""
    for model, line_model, kind, prefix, sign, name in (
        (StockReceipt, StockReceiptLine, STOCK_IN, "stock_in:", 1, "goods-in document"),
        (WriteOff, WriteOffLine, WRITE_OFF, "write_off:", -1, "goods-out document"),
    ):
        moved = {}
        query = (
            StockMovement.select(StockMovement.reference, StockMovement.product, peewee.fn.SUM(StockMovement.delta))
            .where(StockMovement.kind == kind, StockMovement.reference.startswith(prefix))
            .group_by(StockMovement.reference, StockMovement.product)
        )
        if store_id is not None:
            # The store's product ids written out: read through the product_id index, where a
            # join to product scans every store's movements on PostgreSQL (a district server).
            goods = [i for (i,) in Product.select(Product.id).where(Product.store == store_id).tuples()]
            query = query.where(StockMovement.product.in_(goods))
        for reference, product_id, delta in query.tuples():
            moved.setdefault(reference, {})[product_id] = delta
        document = line_model.receipt if line_model is StockReceiptLine else line_model.write_off
        lines = {}
        query = (line_model.select(document, line_model.product, peewee.fn.SUM(line_model.quantity))
                 .join(model, on=(document == model.id))
                 .group_by(document, line_model.product))
        documents = model.select(model.id)
        if store_id is not None:
            query, documents = query.where(model.store == store_id), documents.where(model.store == store_id)
        for document_id, product_id, quantity in query.tuples():
            lines.setdefault(f"{prefix}{document_id}", {})[product_id] = sign * quantity
        for document_id in documents.tuples():
            reference = f"{prefix}{document_id[0]}"
            if moved.pop(reference, None) != lines.get(reference):
                yield f"{name} {document_id[0]}: its stock movements do not match its lines"
        for reference in moved:
            yield f"stock movement {reference} has no {name}"
