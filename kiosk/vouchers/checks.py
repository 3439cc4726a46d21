"""The voucher invariants `kiosk verify` checks (kiosk.reports.verify.CHECKS): each function
takes a store id (None: every store) and yields a sentence per broken invariant."""
from peewee import fn

from kiosk.checkout.models import SALE_PREFIX, Sale, SaleLine, receipt_number
from kiosk.inventory.models import VOUCHER as VOUCHER_KIND
from kiosk.inventory.models import Product
from kiosk.stores.models import Store
from kiosk.vouchers.codes import serial_text
from kiosk.vouchers.models import CANCELLED, ISSUED, USED, Voucher, VoucherEvent


def _only(query, field, store_id):
    return query if store_id is None else query.where(field == store_id)


def _codes():
    return dict(Store.select(Store.id, Store.code).tuples())


def voucher_units(store_id):
    """Every unit of a voucher product sold has exactly one voucher: a sale line of a voucher
    product (or one with vouchers) has as many vouchers as its quantity. (A product's kind is
    never changed once it has been sold: kiosk.vouchers.service.check_kind_change.)"""
    codes = _codes()
    # Voucher products sold before the store issued its first voucher (before m0023) were sold
    # as plain goods: their lines have no vouchers, and never will.
    first = dict(_only(Voucher.select(Voucher.store, fn.MIN(Voucher.sale)), Voucher.store, store_id)
                 .group_by(Voucher.store).tuples())
    count = (Voucher.select(fn.COUNT(Voucher.id)).where(Voucher.sale_line == SaleLine.id))
    lines = _only(
        SaleLine.select(SaleLine.id, SaleLine.name, SaleLine.quantity, Sale.id, Sale.serial, Sale.store,
                        count.alias("n"))
        .join(Sale).switch(SaleLine).join(Product)
        .where((Product.kind == VOUCHER_KIND) | fn.EXISTS(Voucher.select(Voucher.id).where(Voucher.sale_line == SaleLine.id))),
        Sale.store, store_id)
    for _line_id, name, quantity, sale_id, serial, owner, made in lines.tuples().iterator():
        if made == 0 and (owner not in first or sale_id < first[owner]):
            continue
        if made != quantity:
            yield (f"sale {receipt_number(codes[owner], SALE_PREFIX, serial)}: {quantity} of voucher {name} sold, "
                   f"{made} voucher(s) issued")


def voucher_events(store_id):
    """Each voucher has one ISSUED event, at most one USED event, and its status is its last
    event's kind; a used voucher was used before the end of its last valid day and was never
    cancelled."""
    codes = _codes()
    events = {}
    query = _only(VoucherEvent.select(VoucherEvent.voucher, VoucherEvent.kind, VoucherEvent.created_at)
                  .join(Voucher), Voucher.store, store_id).order_by(VoucherEvent.id)
    for voucher_id, kind, created_at in query.tuples().iterator():
        events.setdefault(voucher_id, []).append((kind, created_at))
    vouchers = _only(Voucher.select(Voucher.id, Voucher.store, Voucher.serial, Voucher.status, Voucher.valid_until,
                                    Voucher.used_at), Voucher.store, store_id)
    for voucher_id, owner, serial, status, valid_until, used_at in vouchers.tuples().iterator():
        name = f"voucher {codes[owner]}-{serial_text(serial)}"
        kinds = [kind for kind, _ in events.get(voucher_id, [])]
        if kinds.count(ISSUED) != 1:
            yield f"{name} has {kinds.count(ISSUED)} issued events"
        if kinds.count(USED) > 1:
            yield f"{name} was used {kinds.count(USED)} times"
        last = kinds[-1] if kinds else None
        if last != status:
            yield f"{name} is {status} but its last event is {last or 'missing'}"
        used = [moment for kind, moment in events.get(voucher_id, []) if kind == USED]
        if used:
            if any(moment >= valid_until for moment in used) or (used_at is not None and used_at >= valid_until):
                yield f"{name} was used after its last valid day"
            if CANCELLED in kinds:
                yield f"{name} was used and cancelled"


CHECKS = (voucher_units, voucher_events)
