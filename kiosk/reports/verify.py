"""`kiosk verify`: the invariants, checked against the whole database or one store's part of it
(`kiosk verify --store CODE` on a district server).

Balances and quantities are checked by queries that return only the rows that break them;
sales and returns are matched against their ledger entries and stock movements in one pass
over plain tuples.
"""
from datetime import timezone
from zoneinfo import ZoneInfo

from peewee import JOIN, SQL, NodeList, Select, fn

from kiosk.checkout.models import REFUND_PREFIX, SALE_PREFIX, Refund, RefundLine, Sale, SaleLine, receipt_number
from kiosk.db import database
from kiosk.inventory.models import Product, StockMovement
from kiosk.ledger.models import Account, LedgerEntry
from kiosk.stores.models import Store


def _only(query, field, store_id):
    """``query`` limited to rows whose ``field`` is ``store_id`` (all rows when it is None)."""
    return query if store_id is None else query.where(field == store_id)


# With a store, the ledger side of the checks below reads the entries filed under that store
# (ledger_entry.store_id, by its (store_id, id) index) instead of joining every entry of the
# district to its account: on PostgreSQL such a join is a scan of the whole ledger. An entry
# filed under another store than its account's is named by _ledger_stores; it then also shows
# here, as a gap in its account's sums.


def _product_ids(store_id):
    """The ids of a store's goods, as a list: ``stock_movement.product_id IN (…)`` with the ids
    written out is read through the product_id index; with a subquery or a join, PostgreSQL
    scans every store's stock movements."""
    return [product_id for (product_id,) in Product.select(Product.id).where(Product.store == store_id).tuples()]


def _account_balances(store_id):
    total = fn.COALESCE(fn.SUM(LedgerEntry.delta), 0)
    on = LedgerEntry.account == Account.id
    if store_id is not None:
        on &= LedgerEntry.store == Account.store
    query = (
        Account.select(Account.id, Account.balance, total.alias("ledger"))
        .join(LedgerEntry, JOIN.LEFT_OUTER, on=on)
        .group_by(Account.id, Account.balance)
        .having(total != Account.balance)
    )
    for row in _only(query, Account.store, store_id):
        yield f"account {row.id}: balance {row.balance} but its ledger sums to {row.ledger}"
    for row in _only(Account.select().where(Account.balance < 0), Account.store, store_id):
        yield f"account {row.id}: negative balance {row.balance}"


def _running_balances(store_id):
    running = fn.SUM(LedgerEntry.delta).over(partition_by=[LedgerEntry.account], order_by=[LedgerEntry.id])
    entries = LedgerEntry.select(LedgerEntry.id, LedgerEntry.balance_after, running.alias("running"))
    entries = _only(entries, LedgerEntry.store, store_id)
    entries = entries.alias("e")
    query = (
        Select(columns=[entries.c.id, entries.c.balance_after, entries.c.running])
        .from_(entries)
        .where(entries.c.balance_after != entries.c.running)
        .bind(database)
    )
    for entry_id, balance_after, total in query.tuples():
        yield f"ledger entry {entry_id}: balance_after {balance_after} but the running sum is {total}"


def _product_quantities(store_id):
    total = fn.COALESCE(fn.SUM(StockMovement.delta), 0)
    if store_id is None:
        query = (
            Product.select(Product.id, Product.name, Product.quantity, total.alias("moved"))
            .join(StockMovement, JOIN.LEFT_OUTER)
            .group_by(Product.id, Product.name, Product.quantity)
            .having(total != Product.quantity)
        )
    else:
        # One store's goods: each product's movements summed by the product_id index (a join
        # would scan every store's movements on PostgreSQL).
        def moved():
            return StockMovement.select(total).where(StockMovement.product == Product.id)

        query = (
            Product.select(Product.id, Product.name, Product.quantity, moved().alias("moved"))
            .where(Product.store == store_id, Product.quantity != moved())
        )
    for row in query:
        yield f"product {row.id} {row.name}: quantity {row.quantity} but its movements sum to {row.moved}"
    for row in _only(Product.select().where(Product.quantity < 0), Product.store, store_id):
        yield f"product {row.id} {row.name}: negative quantity {row.quantity}"


def _sums_by_reference(model, kind, store_id):
    """{reference: summed delta} of ledger entries or stock movements of one kind (of one
    store's accounts or goods)."""
    query = (
        model.select(model.reference, fn.SUM(model.delta))
        .where(model.kind == kind)
        .group_by(model.reference)
    )
    if store_id is not None and model is LedgerEntry:
        query = query.where(LedgerEntry.store == store_id)  # the entry's own store: no join
    elif store_id is not None:
        query = query.where(model.product.in_(_product_ids(store_id)))
    return dict(query.tuples())


def _sales(store_id):
    debits = _sums_by_reference(LedgerEntry, "redeem", store_id)
    movements = _sums_by_reference(StockMovement, "sale", store_id)
    line_total = fn.COALESCE(fn.SUM(SaleLine.points * SaleLine.quantity), 0)
    quantity = fn.COALESCE(fn.SUM(SaleLine.quantity), 0)
    query = (
        Sale.select(Sale.id, Sale.store, Sale.serial, Sale.total, Sale.balance_before, Sale.balance_after, line_total,
                    quantity)
        .join(SaleLine, JOIN.LEFT_OUTER)
        .group_by(Sale.id, Sale.store, Sale.serial, Sale.total, Sale.balance_before, Sale.balance_after)
    )
    query = _only(query, Sale.store, store_id)
    codes = dict(Store.select(Store.id, Store.code).tuples())
    for sale_id, store_id, serial, total, before, after, lines, items in query.tuples().iterator():
        reference = f"sale:{sale_id}"
        sale_id = receipt_number(codes[store_id], SALE_PREFIX, serial)
        if lines != total:
            yield f"sale {sale_id}: total {total} but its lines sum to {lines}"
        if debits.pop(reference, None) != -total:
            yield f"sale {sale_id}: the ledger debit is not -{total}"
        if movements.pop(reference, None) != -items:
            yield f"sale {sale_id}: stock movements do not match its {items} items"
        if before - total != after:
            yield f"sale {sale_id}: balance {before} - {total} != {after}"
    for reference in debits:
        yield f"ledger redemption {reference} has no sale"
    for reference in movements:
        yield f"stock movement {reference} has no sale"


def _refunds(store_id):
    returned = fn.COALESCE(fn.SUM(RefundLine.quantity), 0)
    if store_id is None:
        query = SaleLine.select(SaleLine.id, SaleLine.quantity, SaleLine.refunded_quantity, returned)
    else:
        # From the store's sales to their lines (as _sales reads them: by the sale_id index);
        # starting from sale_line, PostgreSQL scans every store's lines.
        query = (Sale.select(SaleLine.id, SaleLine.quantity, SaleLine.refunded_quantity, returned)
                 .join(SaleLine, JOIN.LEFT_OUTER, on=(SaleLine.sale == Sale.id))
                 .where(Sale.store == store_id)
                 .switch(SaleLine))
    query = (
        query.join(RefundLine, JOIN.LEFT_OUTER, on=(RefundLine.sale_line == SaleLine.id))
        .group_by(SaleLine.id, SaleLine.quantity, SaleLine.refunded_quantity)
        .having((returned != SaleLine.refunded_quantity) | (returned > SaleLine.quantity))
    )
    for line_id, sold, cached, total in query.tuples():
        if line_id is None:  # a sale without lines (_sales names it)
            continue
        yield f"sale line {line_id}: refunded_quantity {cached}, its returns sum to {total}, {sold} sold"
    credits = _sums_by_reference(LedgerEntry, "refund", store_id)
    movements = _sums_by_reference(StockMovement, "return", store_id)
    line_total = fn.COALESCE(fn.SUM(RefundLine.points * RefundLine.quantity), 0)
    quantity = fn.COALESCE(fn.SUM(RefundLine.quantity), 0)
    query = (
        Refund.select(Refund.id, Refund.store, Refund.serial, Refund.total, line_total, quantity)
        .join(RefundLine, JOIN.LEFT_OUTER)
        .group_by(Refund.id, Refund.store, Refund.serial, Refund.total)
    )
    query = _only(query, Refund.store, store_id)
    codes = dict(Store.select(Store.id, Store.code).tuples())
    for refund_id, store_id, serial, total, lines, items in query.tuples().iterator():
        reference = f"refund:{refund_id}"
        refund_id = receipt_number(codes[store_id], REFUND_PREFIX, serial)
        if lines != total:
            yield f"refund {refund_id}: total {total} but its lines sum to {lines}"
        if credits.pop(reference, None) != total:
            yield f"refund {refund_id}: the ledger credit is not {total}"
        if movements.pop(reference, None) != items:
            yield f"refund {refund_id}: stock returned does not match its {items} items"
    for reference in credits:
        yield f"ledger refund {reference} has no refund"
    for reference in movements:
        yield f"stock return {reference} has no refund"


def _receipt_jobs(store_id):
    """Every sale and every return has its receipt job (queued in its own transaction)."""
    from kiosk.checkout.receipts import REFUND as REFUND_RECEIPT
    from kiosk.checkout.receipts import SALE as SALE_RECEIPT
    from kiosk.printing.models import PrintJob

    codes = dict(Store.select(Store.id, Store.code).tuples())
    # A receipt job is queued for the document's own store: with ``store_id`` only that
    # store's jobs are read.
    jobs = _only(PrintJob.select(PrintJob.id).where(PrintJob.document_kind == SALE_RECEIPT,
                                                    PrintJob.document_id == Sale.id), PrintJob.store, store_id)
    sales = _only(Sale.select(Sale.serial, Sale.store).where(~fn.EXISTS(jobs)), Sale.store, store_id)
    for serial, owner in sales.tuples().iterator():
        yield f"sale {receipt_number(codes[owner], SALE_PREFIX, serial)} has no receipt job"
    jobs = _only(PrintJob.select(PrintJob.id).where(PrintJob.document_kind == REFUND_RECEIPT,
                                                    PrintJob.document_id == Refund.id), PrintJob.store, store_id)
    refunds = _only(Refund.select(Refund.serial, Refund.store).where(~fn.EXISTS(jobs)), Refund.store, store_id)
    for serial, owner in refunds.tuples().iterator():
        yield f"refund {receipt_number(codes[owner], REFUND_PREFIX, serial)} has no receipt job"


def _service_records(store_id):
    """Every approved service record has exactly its ledger entry; nothing else was posted for
    a record (pending, rejected, warnings, deductions in their objection period, cancelled);
    linked bonuses and corrections belong to approved records."""
    from kiosk.earning.models import APPROVED, Correction, ServiceRecord

    posted = {}
    # One pass for the three prefixes, with LIKE: a btree index on reference can answer it on
    # PostgreSQL (in the C collation), where peewee's startswith is ILIKE, which no index
    # answers (and peewee's ``%`` is GLOB on SQLite).
    service, linked, correction = (NodeList((LedgerEntry.reference, SQL("LIKE"), f"{prefix}%"))
                                   for prefix in ("service:", "linked:", "correction:"))
    query = (LedgerEntry.select(LedgerEntry.id, LedgerEntry.reference, LedgerEntry.kind, LedgerEntry.delta,
                                LedgerEntry.account)
             .where(service | linked | correction)
             .order_by(LedgerEntry.id))
    query = _only(query, LedgerEntry.store, store_id)
    for entry_id, reference, kind, delta, account_id in query.tuples().iterator():
        posted.setdefault(reference, []).append((entry_id, kind, delta, account_id))
    corrections = Correction.select(Correction.record, fn.SUM(Correction.delta)).group_by(Correction.record)
    if store_id is not None:
        corrections = corrections.where(Correction.record.in_(
            ServiceRecord.select(ServiceRecord.id).where(ServiceRecord.store == store_id)))
    corrections = dict(corrections.tuples())
    query = _only(ServiceRecord.select(ServiceRecord.id, ServiceRecord.status, ServiceRecord.points, ServiceRecord.account,
                                       ServiceRecord.ledger_entry), ServiceRecord.store, store_id)
    for record_id, status, points, account_id, entry_id in query.tuples().iterator():
        entries = posted.pop(f"service:{record_id}", [])
        linked = posted.pop(f"linked:{record_id}", [])
        corrected = posted.pop(f"correction:{record_id}", [])
        if status != APPROVED:
            if entries or linked or corrected or entry_id is not None:
                yield f"service record {record_id} is {status} but has ledger entries"
            continue
        if points > 0:
            ok = len(entries) == 1 and entries[0][0] == entry_id and entries[0][1:] == ("earn", points, account_id)
        else:  # a deduction takes its points, or what the balance had left (nothing at zero)
            ok = (not entries and entry_id is None) or (
                len(entries) == 1 and entries[0][0] == entry_id and entries[0][1] == "deduct"
                and points <= entries[0][2] < 0 and entries[0][3] == account_id)
        if not ok:
            yield f"service record {record_id}: its ledger entry does not match its {points} points"
        if sum(e[2] for e in corrected) != corrections.get(record_id, 0) or any(e[1] != "adjust" for e in corrected):
            yield f"service record {record_id}: corrections do not match their ledger entries"
        if any(e[1] != "earn" or e[2] <= 0 for e in linked) or len(linked) > 1:
            yield f"service record {record_id}: a wrong linked bonus"
    for reference in posted:
        yield f"ledger entries {reference} have no service record"


def _goods_documents(store_id):
    from kiosk.goods.service import check_documents

    return check_documents(store_id)


def _ledger_stores(store_id):
    """Every ledger entry is filed under its account's store (ledger_entry.store_id, m0020)."""
    from kiosk.ledger.chain import misfiled_entries

    return misfiled_entries(store_id)


def _ledger_chain(store_id):
    from kiosk.ledger.chain import verify_chains
    from kiosk.notice.service import published_heads

    yield from verify_chains(published_heads(), store_id)


def _day_close_heads(store_id):
    """Each stored close (day or shift) still names a head on its store's ledger chain: the entry
    it stored as the head holds that hash and is the store's. With the chain walk above (every
    entry's hash follows from its fields and the entry before it, so a head commits to every entry
    up to it), a ledger rewritten, cut short or moved since the close shows here by the close's
    day. One join by entry id, no second walk. (No cut-off is checked, unlike a notice's: a
    checkout stamped just before a close may commit just after it, kiosk/dayclose/service.py.)"""
    from kiosk.dayclose.models import DAY, DayClose
    from kiosk.ledger.chain import GENESIS

    query = (DayClose.select(DayClose.store, DayClose.day, DayClose.kind, DayClose.number, DayClose.chain_head,
                             DayClose.chain_entry_id, LedgerEntry.hash, LedgerEntry.store)
             .join(LedgerEntry, JOIN.LEFT_OUTER, on=(DayClose.chain_entry_id == LedgerEntry.id))
             .order_by(DayClose.id))
    for store, day, kind, number, head, entry_id, stored, entry_store in _only(query, DayClose.store, store_id).tuples():
        label = f"store {store} day close {day}" if kind == DAY else f"store {store} shift close {day} #{number}"
        if entry_id is None:
            if head != GENESIS:
                yield f"{label}: its chain head {head[:16]}… is not that of an empty ledger"
        elif stored is None:
            yield f"{label}: ledger entry {entry_id}, the chain head it stored, is missing"
        elif stored != head or entry_store != store:
            yield f"{label}: the ledger no longer leads to the chain head it stored ({head[:16]}…)"


def _daily_redemptions(tz_name, store_id=None):
    """For every local day: points redeemed (ledger redeem entries less refund entries) equal
    the points value of the goods issued (sale lines less refund lines, at their prices).

    Each side is dated by its own record (the ledger entry; the sale or refund), which one
    transaction writes microseconds apart."""
    zone = ZoneInfo(tz_name)
    days = {}

    def day(moment):
        # Every time zone's offset is a whole number of quarter hours: convert each quarter once.
        quarter = moment.replace(minute=moment.minute - moment.minute % 15, second=0, microsecond=0)
        if quarter not in days:
            days[quarter] = quarter.replace(tzinfo=timezone.utc).astimezone(zone).date()
        return days[quarter]

    ledger, goods = {}, {}
    query = (LedgerEntry.select(LedgerEntry.created_at, LedgerEntry.delta)
             .where(LedgerEntry.kind.in_(["redeem", "refund"])))
    query = _only(query, LedgerEntry.store, store_id)
    for created_at, delta in query.tuples().iterator():
        ledger[day(created_at)] = ledger.get(day(created_at), 0) - delta
    # From the sales to their lines (by the sale_id index, as _sales reads them).
    query = _only(Sale.select(Sale.created_at, SaleLine.points * SaleLine.quantity)
                  .join(SaleLine, JOIN.LEFT_OUTER, on=(SaleLine.sale == Sale.id)), Sale.store, store_id)
    for created_at, value in query.tuples().iterator():
        if value is not None:  # a sale without lines (_sales names it)
            goods[day(created_at)] = goods.get(day(created_at), 0) + value
    query = _only(RefundLine.select(Refund.created_at, RefundLine.points * RefundLine.quantity)
                  .join(Refund, on=(RefundLine.refund == Refund.id)), Refund.store, store_id)
    for created_at, value in query.tuples().iterator():
        goods[day(created_at)] = goods.get(day(created_at), 0) - value
    for when in sorted(set(ledger) | set(goods)):
        if ledger.get(when, 0) != goods.get(when, 0):
            yield (f"{when:%Y-%m-%d}: {ledger.get(when, 0)} points redeemed (less refunds) but the goods issued "
                   f"(less returns) are worth {goods.get(when, 0)} points")


def _stocktakes(store_id):
    """Every stock-take adjustment belongs to a finished count and matches its lines."""
    from kiosk.stocktake.models import FINISHED, StockTake, StockTakeLine

    posted = {}
    query = (StockMovement.select(StockMovement.reference, StockMovement.product, StockMovement.delta)
             .where(StockMovement.kind == "stocktake"))
    if store_id is not None:
        query = query.where(StockMovement.product.in_(_product_ids(store_id)))
    for reference, product_id, delta in query.tuples().iterator():
        key = (reference, product_id)
        posted[key] = posted.get(key, 0) + delta
    query = (StockTakeLine.select(StockTake.id, StockTake.status, StockTakeLine.product, StockTakeLine.adjustment)
             .join(StockTake, on=(StockTakeLine.stocktake == StockTake.id)))
    query = _only(query, StockTake.store, store_id)
    for stocktake_id, status, product_id, adjustment in query.tuples().iterator():
        moved = posted.pop((f"stocktake:{stocktake_id}", product_id), 0)
        if moved != (adjustment or 0) or (status != FINISHED and (moved or adjustment)):
            yield f"stock-take {stocktake_id}: product {product_id} moved {moved} but its count adjusts {adjustment or 0}"
    for reference, product_id in posted:
        yield f"stock movement {reference} of product {product_id} has no stock-take line"


def _document_counters(store_id):
    """Each store's document counter is at least the highest number it gave (else its next
    document would take a number already printed)."""
    from kiosk.goods.models import StockReceipt, WriteOff
    from kiosk.stocktake.models import StockTake
    from kiosk.stores.models import DocumentCounter
    from kiosk.vouchers.models import Voucher

    codes = dict(Store.select(Store.id, Store.code).tuples())
    for model in (Sale, Refund, StockReceipt, WriteOff, StockTake, Voucher):
        kind = model._meta.table_name
        highest = _only(model.select(model.store, fn.MAX(model.serial)), model.store, store_id).group_by(model.store)
        counters = dict(DocumentCounter.select(DocumentCounter.store, DocumentCounter.last)
                        .where(DocumentCounter.kind == kind).tuples())
        for owner, serial in highest.tuples():
            if counters.get(owner, 0) < serial:
                yield f"store {codes[owner]}: the {kind} counter is at {counters.get(owner, 0)}, below number {serial}"


def _settlements(store_id):
    """Partners' settlement statements still add up: the vouchers linked to each number and total
    what it stored, each used by its partner within its days (kiosk.vouchers.settlement)."""
    from kiosk.vouchers.settlement import verify_problems

    yield from verify_problems(store_id)


def _vouchers(store_id):
    """Vouchers: one per voucher unit sold; events and status agree; used once, while valid."""
    from kiosk.vouchers import checks

    for check in checks.CHECKS:
        yield from check(store_id)


CHECKS = (_account_balances, _running_balances, _product_quantities, _sales, _refunds, _receipt_jobs, _service_records,
          _ledger_stores, _ledger_chain, _day_close_heads, _goods_documents, _stocktakes, _document_counters,
          _vouchers, _settlements)


def verify(tz_name="Asia/Shanghai", store_id=None):
    """Every broken invariant as a sentence; an empty list means the books are consistent.
    Days are counted in ``tz_name`` (the store's time zone). With ``store_id``, only that
    store's accounts, goods, documents and ledger chain are checked (a district server)."""
    problems = []
    for check in CHECKS:
        problems.extend(check(store_id))
    problems.extend(_daily_redemptions(tz_name, store_id))
    return problems
