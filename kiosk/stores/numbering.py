"""Document numbers counted per store (单据号): each store numbers its sales, returns, goods-in
and goods-out documents and stock-takes 1, 2, 3… on its own, without gaps, whatever other stores
share the database.

A number is taken from the store's counter row (``document_counter``) inside the transaction
that writes the document: a refused or failed transaction rolls the counter back with it, so no
number is skipped, and the row stays locked until the commit, so two documents of one store
never get the same number (a unique index on (store, serial) of each document table says so
too). Lock order: the counter comes after the ledger chain and the accounts and before the
products (kiosk.ledger.service.move_balance states the whole order).
"""
from kiosk.db import database, q
from kiosk.stores.models import DocumentCounter

# The kinds of numbered documents: the name of each one's table.
SALE, REFUND, STOCK_RECEIPT, WRITE_OFF, STOCKTAKE = "sale", "refund", "stock_receipt", "write_off", "stocktake"
# Vouchers (服务券) and partners' settlement statements are numbered the same way.
VOUCHER, SETTLEMENT = "voucher", "settlement"
KINDS = (SALE, REFUND, STOCK_RECEIPT, WRITE_OFF, STOCKTAKE, VOUCHER, SETTLEMENT)


def next_number(store_id, kind):
    """The next number of ``kind`` for the store (a document's ``serial``), counted in the caller's transaction."""
    if kind not in KINDS:
        raise ValueError(f"unknown document kind {kind!r}")
    if not database.in_transaction():
        raise RuntimeError("a document number is taken only inside the transaction that writes the document")
    p = database.param
    sql = (f'UPDATE {q("document_counter")} SET "last" = "last" + 1 '
           f'WHERE "store_id" = {p} AND "kind" = {p} RETURNING "last"')
    row = database.execute_sql(sql, [store_id, kind]).fetchone()
    if row is None:
        # The store's first document of this kind (another writer may be starting it too).
        DocumentCounter.insert(store=store_id, kind=kind, last=0).on_conflict_ignore().execute()
        row = database.execute_sql(sql, [store_id, kind]).fetchone()
    return row[0]


def last_numbers(store_id):
    """{kind: the last number issued} of a store (kinds never used are left out)."""
    return dict(DocumentCounter.select(DocumentCounter.kind, DocumentCounter.last)
                .where(DocumentCounter.store == store_id).tuples())


def raise_to(store_id, kind, number):
    """Raise the store's counter of ``kind`` to at least ``number`` (never lowers it), in the
    caller's transaction: after a database is restored from an older copy, so that the numbers
    issued since the copy are not issued again. Returns True when the counter moved."""
    if kind not in KINDS:
        raise ValueError(f"unknown document kind {kind!r}")
    if number <= 0:
        return False
    DocumentCounter.insert(store=store_id, kind=kind, last=0).on_conflict_ignore().execute()
    return DocumentCounter.update(last=number).where(
        DocumentCounter.store == store_id, DocumentCounter.kind == kind, DocumentCounter.last < number
    ).execute() == 1
