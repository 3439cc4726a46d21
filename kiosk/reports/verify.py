"""`kiosk verify`: the invariants, checked against the whole database.

Each check is one query that returns only the rows that break the invariant, so a clean
database of any size returns nothing quickly.
"""
from peewee import JOIN, Select, fn

from kiosk.cards.models import Account
from kiosk.db import database
from kiosk.checkout.models import Refund, RefundLine, Sale, SaleLine
from kiosk.inventory.models import Product, StockMovement
from kiosk.ledger.models import LedgerEntry


def _account_balances():
    total = fn.COALESCE(fn.SUM(LedgerEntry.delta), 0)
    query = (
        Account.select(Account.id, Account.balance, total.alias("ledger"))
        .join(LedgerEntry, JOIN.LEFT_OUTER)
        .group_by(Account.id, Account.balance)
        .having(total != Account.balance)
    )
    for row in query:
        yield f"account {row.id}: balance {row.balance} but its ledger sums to {row.ledger}"
    for row in Account.select().where(Account.balance < 0):
        yield f"account {row.id}: negative balance {row.balance}"


def _running_balances():
    running = fn.SUM(LedgerEntry.delta).over(partition_by=[LedgerEntry.account], order_by=[LedgerEntry.id])
    entries = LedgerEntry.select(LedgerEntry.id, LedgerEntry.balance_after, running.alias("running")).alias("e")
    query = (
        Select(columns=[entries.c.id, entries.c.balance_after, entries.c.running])
        .from_(entries)
        .where(entries.c.balance_after != entries.c.running)
        .bind(database)
    )
    for entry_id, balance_after, total in query.tuples():
        yield f"ledger entry {entry_id}: balance_after {balance_after} but the running sum is {total}"


def _product_quantities():
    total = fn.COALESCE(fn.SUM(StockMovement.delta), 0)
    query = (
        Product.select(Product.id, Product.name, Product.quantity, total.alias("moved"))
        .join(StockMovement, JOIN.LEFT_OUTER)
        .group_by(Product.id, Product.name, Product.quantity)
        .having(total != Product.quantity)
    )
    for row in query:
        yield f"product {row.id} {row.name}: quantity {row.quantity} but its movements sum to {row.moved}"
    for row in Product.select().where(Product.quantity < 0):
        yield f"product {row.id} {row.name}: negative quantity {row.quantity}"


def _sales():
    line_total = fn.COALESCE(fn.SUM(SaleLine.points * SaleLine.quantity), 0)
    query = (
        Sale.select(Sale.id, Sale.receipt_no, Sale.total, line_total.alias("lines"))
        .join(SaleLine, JOIN.LEFT_OUTER)
        .group_by(Sale.id, Sale.receipt_no, Sale.total)
        .having(line_total != Sale.total)
    )
    for row in query:
        yield f"sale {row.receipt_no}: total {row.total} but its lines sum to {row.lines}"
    debit = (
        LedgerEntry.select(LedgerEntry.reference, fn.SUM(LedgerEntry.delta).alias("delta"))
        .where(LedgerEntry.kind == "redeem")
        .group_by(LedgerEntry.reference)
    )
    debits = {row.reference: row.delta for row in debit}
    moved = (
        StockMovement.select(StockMovement.reference, fn.SUM(StockMovement.delta).alias("delta"))
        .where(StockMovement.kind == "sale")
        .group_by(StockMovement.reference)
    )
    movements = {row.reference: row.delta for row in moved}
    quantity = fn.COALESCE(fn.SUM(SaleLine.quantity), 0)
    for sale in (
        Sale.select(Sale.id, Sale.receipt_no, Sale.total, Sale.balance_before, Sale.balance_after, quantity.alias("qty"))
        .join(SaleLine, JOIN.LEFT_OUTER)
        .group_by(Sale.id, Sale.receipt_no, Sale.total, Sale.balance_before, Sale.balance_after)
    ):
        reference = f"sale:{sale.id}"
        if debits.pop(reference, None) != -sale.total:
            yield f"sale {sale.receipt_no}: the ledger debit is not -{sale.total}"
        if movements.pop(reference, None) != -sale.qty:
            yield f"sale {sale.receipt_no}: stock movements do not match its {sale.qty} items"
        if sale.balance_before - sale.total != sale.balance_after:
            yield f"sale {sale.receipt_no}: balance {sale.balance_before} - {sale.total} != {sale.balance_after}"
    for reference in debits:
        yield f"ledger redemption {reference} has no sale"
    for reference in movements:
        yield f"stock movement {reference} has no sale"


def _refunds():
    refunded = fn.COALESCE(fn.SUM(RefundLine.quantity), 0)
    query = (
        SaleLine.select(SaleLine.id, SaleLine.quantity, SaleLine.refunded_quantity, refunded.alias("returned"))
        .join(RefundLine, JOIN.LEFT_OUTER)
        .group_by(SaleLine.id, SaleLine.quantity, SaleLine.refunded_quantity)
    )
    for row in query:
        if row.returned != row.refunded_quantity:
            yield f"sale line {row.id}: refunded_quantity {row.refunded_quantity} but its returns sum to {row.returned}"
        if row.returned > row.quantity:
            yield f"sale line {row.id}: {row.returned} returned of {row.quantity} sold"
    credits = {
        row.reference: row.delta
        for row in LedgerEntry.select(LedgerEntry.reference, fn.SUM(LedgerEntry.delta).alias("delta"))
        .where(LedgerEntry.kind == "refund")
        .group_by(LedgerEntry.reference)
    }
    line_total = fn.COALESCE(fn.SUM(RefundLine.points * RefundLine.quantity), 0)
    for refund in (
        Refund.select(Refund.id, Refund.receipt_no, Refund.total, line_total.alias("lines"))
        .join(RefundLine, JOIN.LEFT_OUTER)
        .group_by(Refund.id, Refund.receipt_no, Refund.total)
    ):
        if refund.lines != refund.total:
            yield f"refund {refund.receipt_no}: total {refund.total} but its lines sum to {refund.lines}"
        if credits.pop(f"refund:{refund.id}", None) != refund.total:
            yield f"refund {refund.receipt_no}: the ledger credit is not {refund.total}"
    for reference in credits:
        yield f"ledger refund {reference} has no refund"


CHECKS = (_account_balances, _running_balances, _product_quantities, _sales, _refunds)


def verify():
    """Every broken invariant as a sentence; an empty list means the books are consistent."""
    problems = []
    for check in CHECKS:
        problems.extend(check())
    return problems
