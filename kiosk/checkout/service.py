"""Redemption checkout and returns: each one transaction, each idempotent by key."""
import re
from dataclasses import dataclass, field

import peewee

from kiosk import audit
from kiosk.cards.models import Card
from kiosk.cards.service import check_active
from kiosk.checkout.models import Refund, RefundLine, Sale, SaleLine
from kiosk.db import database
from kiosk.errors import KioskError
from kiosk.inventory import service as inventory
from kiosk.inventory.models import RETURN, SALE, Product
from kiosk.ledger import service as ledger
from kiosk.ledger.models import REDEEM, REFUND
from kiosk.staff.models import MANAGER, Staff

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

    @property
    def total(self):
        return self.product.points * self.quantity

    @property
    def short(self):
        return self.quantity > self.product.quantity


@dataclass
class PricedCart:
    """A cart as the cashier sees it, with the reasons checkout is not possible yet."""

    lines: list
    balance: int
    problems: list = field(default_factory=list)  # KioskError instances

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


def price_cart(store, account, items):
    """Price ``items`` ([(product_id, quantity)]) for ``account``; never raises for a bad cart.

    Products no longer on sale are dropped and reported as problems.
    """
    items = dict(items)
    products = {
        p.id: p for p in Product.select().where(Product.store == store, Product.id.in_(list(items) or [0]))
    }
    lines, problems = [], []
    for product_id, quantity in items.items():
        product = products.get(product_id)
        if product is None or not product.active:
            problems.append(KioskError("product_unavailable", name=product.name if product else ""))
            continue
        lines.append(PricedLine(product, quantity))
    cart = PricedCart(lines, account.balance if account else 0, problems)
    if account is None:
        problems.append(KioskError("no_card"))
    if not lines:
        problems.append(KioskError("empty_cart"))
    for line in lines:
        if line.short:
            problems.append(KioskError("out_of_stock", name=line.product.name, available=line.product.quantity))
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


def checkout(store, card_id, items, staff_id, key, *, expected_total=None):
    """Redeem ``items`` ([(product_id, quantity)]) with the card's account, as one transaction.

    The same ``key`` always yields the same sale. ``expected_total`` is the total the cashier
    saw: if prices changed since, the checkout is refused rather than charging another sum.
    Raises KioskError: "stale_page", "bad_quantity", "empty_cart", "too_many_lines",
    "card_lost", "card_revoked", "unknown_card", "product_unavailable", "price_changed",
    "insufficient_points", "out_of_stock".
    """
    _check_key(key)
    merged = _merge(items)
    try:
        with database.atomic():
            existing = Sale.get_or_none(Sale.idempotency_key == key)
            if existing is not None:
                return CheckoutResult(existing, False)
            card = Card.get_or_none(Card.id == card_id, Card.store == store)
            if card is None:
                raise KioskError("unknown_card", number="")
            check_active(card)
            products = {
                p.id: p for p in Product.select().where(Product.store == store, Product.id.in_(list(merged)))
            }
            for product_id in merged:
                product = products.get(product_id)
                if product is None or not product.active:
                    raise KioskError("product_unavailable", name=product.name if product else "")
            total = sum(products[pid].points * qty for pid, qty in merged.items())
            if expected_total is not None and expected_total != total:
                raise KioskError("price_changed")
            sale = Sale.create(
                store=store, receipt_no=f"PENDING-{key}", idempotency_key=key,
                account=card.account_id, card=card, staff=staff_id,
                total=total, balance_before=0, balance_after=0,
            )
            reference = f"sale:{sale.id}"
            entry = ledger.post(card.account_id, -total, REDEEM, reference=reference, staff_id=staff_id)
            for product_id, quantity in merged.items():
                product = products[product_id]
                SaleLine.create(sale=sale, product=product, name=product.name, points=product.points, quantity=quantity)
                inventory.move(product_id, -quantity, SALE, reference=reference, staff_id=staff_id)
            Sale.update(
                receipt_no=f"{store.code}S{sale.id:07d}",
                balance_before=entry.balance_after + total,
                balance_after=entry.balance_after,
            ).where(Sale.id == sale.id).execute()
            audit.record("checkout", store=store, staff=staff_id, sale=sale.id, total=total)
    except peewee.IntegrityError:
        # Another request with the same key committed between our check and our insert.
        existing = Sale.get_or_none(Sale.idempotency_key == key)
        if existing is None:
            raise
        return CheckoutResult(existing, False)
    return CheckoutResult(Sale.get_by_id(sale.id), True)


def find_sale(store, receipt_no):
    """The sale with this receipt number; raises KioskError("unknown_receipt")."""
    text = "".join(ch for ch in (receipt_no or "") if ch.isprintable()).strip().upper()
    sale = Sale.get_or_none(Sale.store == store, Sale.receipt_no == text[:24]) if text else None
    if sale is None:
        raise KioskError("unknown_receipt")
    return sale


def refund(store, sale_id, quantities, staff_id, approver_id, key):
    """Return ``quantities`` ({sale_line_id: quantity}) of a sale: points and stock go back.

    A compensating ledger credit and stock return, never an edit. The approver must be a
    manager. Returning more than was sold (counting earlier returns) is refused.
    Raises KioskError: "stale_page", "bad_quantity", "nothing_to_refund", "not_a_manager",
    "unknown_receipt", "over_refund".
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
            record = Refund.create(
                store=store, sale=sale, receipt_no=f"PENDING-{key}", idempotency_key=key,
                staff=staff_id, approved_by=approver, total=total, balance_before=0, balance_after=0,
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
                inventory.move(line.product_id, quantity, RETURN, reference=reference, staff_id=staff_id)
            entry = ledger.post(sale.account_id, total, REFUND, reference=reference, staff_id=staff_id)
            Refund.update(
                receipt_no=f"{store.code}T{record.id:07d}",
                balance_before=entry.balance_after - total,
                balance_after=entry.balance_after,
            ).where(Refund.id == record.id).execute()
            audit.record("refund", store=store, staff=staff_id, approved_by=approver.id, sale=sale.id, total=total)
    except peewee.IntegrityError:
        existing = Refund.get_or_none(Refund.idempotency_key == key)
        if existing is None:
            raise
        return existing
    return Refund.get_by_id(record.id)
