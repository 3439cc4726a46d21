"""Redemption checkout and returns: each one transaction, each idempotent by key.

Checkout is the hot path of a month-end rush, so its statements are written as SQL (through
``database.param`` and kiosk.db.insert_rows, valid on SQLite and PostgreSQL alike) rather than
built by peewee per call, which cost several times the statements themselves; see bench/.
"""
import re
import time
from dataclasses import dataclass, field

import peewee

from kiosk import audit
from kiosk.cards.models import Card
from kiosk.cards.service import check_active
from kiosk.checkout import receipts
from kiosk.checkout.models import REFUND_PREFIX, SALE_PREFIX, Refund, RefundLine, Sale, SaleLine, receipt_number
from kiosk.db import database, insert_rows, is_busy, retry_on_conflict, utcnow
from kiosk.errors import KioskError
from kiosk.inventory import service as inventory
from kiosk.inventory.models import RETURN, SALE, VOUCHER, Product
from kiosk.ledger import service as ledger
from kiosk.ledger.models import REDEEM, REFUND
from kiosk.printing import service as printing
from kiosk.redemption import service as redemption
from kiosk.redemption.windows import ALWAYS, DEFAULT_TIMEZONE
from kiosk.staff.models import MANAGER, Staff
from kiosk.stores import numbering
from kiosk.stores.models import Store
from kiosk.vouchers import service as vouchers

MAX_QUANTITY = 999
MAX_LINES = 50
KEY_FORMAT = re.compile(r"[A-Za-z0-9_-]{16,64}")


def parse_quantity(value):
    """A cart quantity from user input: a whole number 1–999; raises KioskError("bad_quantity")."""
    text = str(value).strip() if value is not None else ""
    if not re.fullmatch(r"[0-9]{1,4}", text) or not 1 <= int(text) <= MAX_QUANTITY:
        raise KioskError("bad_quantity", max=MAX_QUANTITY)
    return int(text)


@dataclass
class PricedLine:
    product: Product
    quantity: int
    allowance: object = None  # redemption.Allowance of a limited product, for the account

    @property
    def total(self):
        return self.product.points * self.quantity

    @property
    def short(self):
        return self.quantity > self.product.quantity

    @property
    def over_limit(self):
        return self.allowance is not None and self.quantity > self.allowance.left


@dataclass
class PricedCart:
    """A cart as the cashier sees it, with the reasons checkout is not possible yet."""

    lines: list
    balance: int
    problems: list = field(default_factory=list)  # KioskError instances
    window: object = None  # redemption.WindowState
    allowances: dict = field(default_factory=dict)  # {product_id: redemption.Allowance}, with an account

    @property
    def total(self):
        return sum(line.total for line in self.lines)

    @property
    def balance_after(self):
        return self.balance - self.total

    @property
    def count(self):
        return sum(line.quantity for line in self.lines)

    @property
    def can_checkout(self):
        return not self.problems


def price_cart(store, account, items, *, limits=None, now=None, tz_name=DEFAULT_TIMEZONE):
    """Price ``items`` ([(product_id, quantity)]) for ``account``; never raises for a bad cart.

    Products no longer on sale are dropped and reported as problems. ``limits``
    ({product_id: ProductLimit}, default: those of the cart's products) are the limits whose
    allowances for the account the cart carries (the cashier screen passes all the store's).
    """
    items = dict(items)
    window = redemption.window_state(store, now, tz_name)
    if limits is None:
        limits = redemption.store_limits(store, items)
    allowances = redemption.allowances(account.id, redemption.limit_rows(limits.values()), now, tz_name) if account else {}
    products = {
        p.id: p for p in Product.select().where(Product.store == store, Product.id.in_(list(items) or [0]))
    }
    lines, problems = [], []
    for product_id, quantity in items.items():
        product = products.get(product_id)
        if product is None or not product.active:
            problems.append(KioskError("product_unavailable", name=product.name if product else ""))
            continue
        lines.append(PricedLine(product, quantity, allowances.get(product_id)))
    cart = PricedCart(lines, account.balance if account else 0, problems, window, allowances)
    if not window.open:
        problems.insert(0, redemption.closed_error(window))
    if account is None:
        problems.append(KioskError("no_card"))
    if not lines:
        problems.append(KioskError("empty_cart"))
    try:
        vouchers.check_sellable([line.product for line in lines])
    except KioskError as exc:
        problems.append(exc)
    for line in lines:
        if line.short:
            problems.append(KioskError("out_of_stock", name=line.product.name, available=line.product.quantity))
        if line.over_limit:
            problems.append(line.allowance.error())
    if account is not None and cart.total > cart.balance:
        problems.append(KioskError("insufficient_points", balance=cart.balance, needed=cart.total))
    return cart


def _check_key(key):
    if not isinstance(key, str) or not KEY_FORMAT.fullmatch(key):
        raise KioskError("stale_page")


def _merge(items):
    merged = {}
    for product_id, quantity in items:
        quantity = parse_quantity(quantity)
        merged[int(product_id)] = merged.get(int(product_id), 0) + quantity
        if merged[int(product_id)] > MAX_QUANTITY:
            raise KioskError("bad_quantity", max=MAX_QUANTITY)
    if not merged:
        raise KioskError("empty_cart")
    if len(merged) > MAX_LINES:
        raise KioskError("too_many_lines", max=MAX_LINES)
    return merged


@dataclass
class CheckoutResult:
    sale: Sale
    created: bool  # False when the key named a sale made before (double tap, retry)


def _queue_receipt(document, *, store_id, sale_id, staff_id, refund_id=None):
    """The receipt's print job, in the caller's transaction: the sale (or return) and its
    receipt job commit together or not at all (an outbox; the worker prints after the commit)."""
    whose = (receipts.REFUND, refund_id) if refund_id is not None else (receipts.SALE, sale_id)
    printing.enqueue(document, store=store_id, document_kind=whose[0], document_id=whose[1], staff=staff_id)


def _issue_vouchers(store, sale_id, products, merged, account_id, staff_id, now, tz_name):
    """The sale's vouchers, one per unit of its voucher products (none for a cart of goods)."""
    wanted = [pid for pid in merged if products[pid].kind == VOUCHER]
    if not wanted:
        return []
    p = database.param
    line_ids = dict(database.execute_sql(
        f'SELECT "product_id", "id" FROM "sale_line" WHERE "sale_id" = {p}', [sale_id]).fetchall())
    return vouchers.issue(store, sale_id, [(line_ids[pid], pid, products[pid].name, merged[pid]) for pid in wanted],
                          account_id=account_id, staff_id=staff_id, now=now, tz_name=tz_name)


@retry_on_conflict
def checkout(store, card_id, items, staff_id, key, *, expected_total=None, picked_up_by="", now=None,
             tz_name=DEFAULT_TIMEZONE, receipt=None, voucher_slip=None):
    """Redeem ``items`` ([(product_id, quantity)]) with the card's account, as one transaction.

    The same ``key`` always yields the same sale. ``expected_total`` is the total the cashier
    saw: if prices changed since, the checkout is refused rather than charging another sum.
    ``picked_up_by`` names a relative who picks up for the holder (代领). The store's
    redemption window and product limits are checked at ``now`` (naive UTC, the sale's time;
    default the current time) in the time zone ``tz_name``. The sale's receipt is queued in
    the same transaction: ``receipt(sale)`` gives its document (default: the plain receipt in
    the store's time zone); the caller wakes the print worker after this returns. Each unit of
    a voucher product becomes a numbered voucher (kiosk.vouchers.service.issue), whose slip
    ``voucher_slip(voucher)`` is queued after the receipt (None: no slips, for callers that
    print nothing).
    Raises KioskError: "stale_page", "bad_quantity", "empty_cart", "too_many_lines",
    "card_lost", "card_revoked", "unknown_card", "product_unavailable", "price_changed",
    "insufficient_points", "out_of_stock", "redemption_closed", "limit_reached_<period>",
    "voucher_without_terms", "voucher_partner_inactive".
    """
    _check_key(key)
    merged = _merge(items)
    try:
        with database.atomic():
            p = database.param
            existing = database.execute_sql(f'SELECT "id" FROM "sale" WHERE "idempotency_key" = {p}', [key]).fetchone()
            if existing is not None:
                return CheckoutResult(Sale.get_by_id(existing[0]), False)
            # After the key: a sale made just before closing time is still found by its retry.
            now = now or utcnow()
            if store.redemption_window != ALWAYS:
                redemption.check_open(store, now, tz_name)
            row = database.execute_sql(
                f'SELECT "account_id", "status", "number" FROM "card" WHERE "id" = {p} AND "store_id" = {p}',
                [card_id, store.id],
            ).fetchone()
            if row is None:
                raise KioskError("unknown_card", number="")
            card = Card(id=card_id, account_id=row[0], status=row[1], number=row[2])
            check_active(card)
            # The product's limit comes along in the same statement: no extra query for a cart
            # without limited goods.
            rows = database.execute_sql(
                f'SELECT "product"."id", "product"."name", "product"."points", "product"."active", "product"."unit", '
                f'"product_limit"."quantity", "product_limit"."period", "product_limit"."per_member", '
                f'"product"."kind" FROM "product" '
                f'LEFT JOIN "product_limit" ON "product_limit"."product_id" = "product"."id" '
                f'WHERE "product"."store_id" = {p} AND "product"."id" IN ({", ".join([p] * len(merged))})',
                [store.id, *merged],
            ).fetchall()
            products = {r[0]: Product(id=r[0], name=r[1], points=r[2], active=bool(r[3]), kind=r[8]) for r in rows}
            limited = [(r[0], r[1], r[4], r[5], r[6], bool(r[7])) for r in rows if r[5] is not None]
            for product_id in merged:
                product = products.get(product_id)
                if product is None or not product.active:
                    raise KioskError("product_unavailable", name=product.name if product else "")
            total = sum(products[pid].points * qty for pid, qty in merged.items())
            if expected_total is not None and expected_total != total:
                raise KioskError("price_changed")
            # The debit first (guarded), so the sale is written once with its balances.
            balance_after = ledger.move_balance(card.account_id, -total)
            if limited:
                # Counted only now that the account is locked by the debit (see enforce).
                redemption.enforce(card.account_id, merged, limited, now, tz_name)
            fields = {
                "store_id": store.id, "idempotency_key": key, "account_id": card.account_id, "card_id": card.id,
                "staff_id": staff_id, "total": total, "balance_before": balance_after + total,
                "balance_after": balance_after, "picked_up_by": (picked_up_by or "").strip()[:50],
                "created_at": now,
            }
            # Numbered in this transaction: a checkout refused below (out of stock) leaves no gap.
            fields["serial"] = numbering.next_number(store.id, numbering.SALE)
            (sale_id,) = insert_rows(Sale, [fields], returning="id")
            sale = Sale(id=sale_id, **fields)
            sale.store = store
            reference = f"sale:{sale_id}"
            ledger.record(card.account_id, -total, REDEEM, balance_after, reference=reference, staff_id=staff_id)
            insert_rows(SaleLine, [
                {"sale_id": sale_id, "product_id": pid, "name": products[pid].name, "points": products[pid].points,
                 "quantity": qty, "refunded_quantity": 0}
                for pid, qty in merged.items()
            ])
            issued = _issue_vouchers(store, sale_id, products, merged, card.account_id, staff_id, now, tz_name)
            inventory.move_many(
                {pid: -qty for pid, qty in merged.items()}, SALE, reference=reference, staff_id=staff_id
            )
            document = receipt(sale) if receipt else receipts.receipt_for_sale(sale, tz_name=tz_name)
            _queue_receipt(document, store_id=store.id, sale_id=sale_id, staff_id=staff_id)
            if issued and voucher_slip is not None:
                vouchers.queue_slips(store, issued, voucher_slip, staff_id=staff_id)  # after the receipt
    except peewee.IntegrityError:
        # Another request with the same key committed between our check and our insert.
        existing = Sale.get_or_none(Sale.idempotency_key == key)
        if existing is None:
            raise
        return CheckoutResult(existing, False)
    return CheckoutResult(sale, True)


def when_busy_retry(operation, retries, *, pause=0.05):
    """Run ``operation()``; while the database is busy (another writer held the lock longer than
    the busy time-out), try again up to ``retries`` more times. Safe for checkout and refund:
    each attempt is one transaction, idempotent by its key, so a retry never makes a second sale.
    Raises KioskError("checkout_busy") when the database stays busy."""
    for attempt in range(retries + 1):
        try:
            return operation()
        except peewee.OperationalError as exc:
            if not is_busy(exc):
                raise
            if database.in_transaction():  # an outer transaction is broken: not ours to retry
                raise
            if attempt == retries:
                raise KioskError("checkout_busy") from exc
            time.sleep(pause * (attempt + 1))
    raise AssertionError("unreachable")


def document_names(entries):
    """{reference: receipt number} for the ledger entries (or references) that name a sale or a
    return, for kiosk.ledger.service.describe: two queries whatever the number of entries."""
    ids = {"sale": set(), "refund": set()}
    for entry in entries:
        reference = getattr(entry, "reference", entry)
        kind, _, number = reference.partition(":")
        if kind in ids and number.isdigit():
            ids[kind].add(int(number))
    names = {}
    for kind, model, prefix in (("sale", Sale, SALE_PREFIX), ("refund", Refund, REFUND_PREFIX)):
        if not ids[kind]:
            continue
        rows = (model.select(model.id, model.serial, Store.code)
                .join(Store, on=(model.store == Store.id))
                .where(model.id.in_(sorted(ids[kind])))
                .tuples())
        names.update({f"{kind}:{row_id}": receipt_number(code, prefix, serial) for row_id, serial, code in rows})
    return names


def find_sale(store, receipt_no):
    """The sale with this receipt number (as printed, or scanned from its QR code).

    Raises KioskError("unknown_receipt").
    """
    text = "".join(ch for ch in (receipt_no or "") if ch.isprintable()).strip().upper()
    match = re.fullmatch(r"([0-9A-Z]{1,8})" + SALE_PREFIX + r"([0-9]{1,12})", text[:32])
    sale = None
    if match and match.group(1) == store.code.upper():
        sale = Sale.get_or_none(Sale.store == store, Sale.serial == int(match.group(2)))
    if sale is None:
        raise KioskError("unknown_receipt")
    return sale


@retry_on_conflict
def refund(store, sale_id, quantities, staff_id, approver_id, key, *, receipt=None):
    """Return ``quantities`` ({sale_line_id: quantity}) of a sale: points and stock go back.

    A compensating ledger credit and stock return, never an edit. The approver must be a
    manager. Returning more than was sold (counting earlier returns) is refused. The return's
    receipt is queued in the same transaction (``receipt(refund)`` gives it, as for checkout).
    Returned units of a voucher line cancel that many of its unused vouchers; a line whose
    vouchers were used (or expired) cannot be returned for those units.
    Raises KioskError: "stale_page", "bad_quantity", "nothing_to_refund", "not_a_manager",
    "unknown_receipt", "over_refund", "voucher_used_no_return", "voucher_expired_no_return".
    """
    _check_key(key)
    wanted = {}
    for line_id, quantity in quantities.items():
        if not re.fullmatch(r"[0-9]{1,18}", str(line_id)):
            raise KioskError("unknown_receipt")
        text = str(quantity).strip()
        if not re.fullmatch(r"[0-9]{1,4}", text) or int(text) > MAX_QUANTITY:
            raise KioskError("bad_quantity", max=MAX_QUANTITY)
        if int(text) > 0:
            wanted[int(line_id)] = int(text)
    if not wanted:
        raise KioskError("nothing_to_refund")
    approver = Staff.get_or_none(Staff.id == approver_id, Staff.store == store, Staff.active == True)  # noqa: E712
    if approver is None or approver.role != MANAGER:
        raise KioskError("not_a_manager")
    try:
        with database.atomic():
            existing = Refund.get_or_none(Refund.idempotency_key == key)
            if existing is not None:
                return existing
            sale = Sale.get_or_none(Sale.id == sale_id, Sale.store == store)
            if sale is None:
                raise KioskError("unknown_receipt")
            lines = {line.id: line for line in SaleLine.select().where(SaleLine.sale == sale)}
            if any(line_id not in lines for line_id in wanted):
                raise KioskError("unknown_receipt")
            total = sum(lines[i].points * q for i, q in wanted.items())
            balance_after = ledger.move_balance(sale.account_id, total)
            record = Refund.create(
                serial=numbering.next_number(store.id, numbering.REFUND), store=store, sale=sale, idempotency_key=key,
                staff=staff_id, approved_by=approver,
                total=total, balance_before=balance_after - total, balance_after=balance_after,
            )
            reference = f"refund:{record.id}"
            for line_id, quantity in wanted.items():
                line = lines[line_id]
                # Guarded: two returns of the same line at once can never exceed what was sold.
                raised = (
                    SaleLine.update(refunded_quantity=SaleLine.refunded_quantity + quantity)
                    .where(SaleLine.id == line_id, SaleLine.refunded_quantity + quantity <= SaleLine.quantity)
                    .execute()
                )
                if raised != 1:
                    raise KioskError("over_refund", name=line.name, available=line.quantity - line.refunded_quantity)
                RefundLine.create(refund=record, sale_line=line, quantity=quantity, points=line.points)
            ledger.record(sale.account_id, total, REFUND, balance_after, reference=reference, staff_id=staff_id)
            returned = {}
            for line_id, quantity in wanted.items():
                product_id = lines[line_id].product_id
                returned[product_id] = returned.get(product_id, 0) + quantity
            # The returned units' vouchers are cancelled, or the return is refused (one was used).
            vouchers.cancel_for_refund(record.id, wanted, staff_id=staff_id)
            inventory.move_many(returned, RETURN, reference=reference, staff_id=staff_id)
            audit.record("refund", store=store, staff=staff_id, approved_by=approver.id, sale=sale.id, total=total)
            document = receipt(record) if receipt else receipts.receipt_for_refund(record, tz_name=store.timezone)
            _queue_receipt(document, store_id=store.id, sale_id=sale.id, staff_id=staff_id, refund_id=record.id)
    except peewee.IntegrityError:
        existing = Refund.get_or_none(Refund.idempotency_key == key)
        if existing is None:
            raise
        return existing
    return record
