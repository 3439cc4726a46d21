"""m0017 numbers existing documents per store: every row keeps the number it was printed with
(its id), each store's counters start after its highest number (or the receipt-number floor a
restore had set), and from there each store counts on by itself."""
from datetime import date

from kiosk import schema
from kiosk.checkout import service as checkout
from kiosk.checkout.models import Refund, Sale
from kiosk.db import database
from kiosk.goods import service as goods
from kiosk.goods.models import StockReceipt
from kiosk.reports.verify import verify
from kiosk.staff.models import CASHIER, MANAGER, OPERATIONS
from kiosk.stores import numbering
from tests.helpers import run_sql, second_store, upgrade_to_m0017


def test_m0017_keeps_every_printed_number_and_counts_on_per_store(world, monkeypatch):
    other, other_cashier, _, other_card, soap, other_first = second_store()
    xy = [checkout.checkout(world.store, world.cards["张建华"].id, [(world.products["食盐"].id, 1)],
                            world.staff[CASHIER].id, f"m0017-xy-sale-{i:04d}").sale for i in range(3)]
    ab = checkout.checkout(other, other_card.id, [(soap.id, 1)], other_cashier.id, "m0017-ab-sale-0002").sale
    line = xy[0].lines.first()
    refund = checkout.refund(world.store, xy[0].id, {line.id: 1}, world.staff[CASHIER].id,
                             world.staff[MANAGER].id, "m0017-xy-refund-01")
    document = goods.receive(world.store, kind="purchase", staff=world.staff[OPERATIONS], key="m0017-goods-in-0001",
                             lines=[{"product_id": world.products["大米"].id, "quantity": "3"}],
                             today=date(2026, 11, 23)).document
    # What the receipts and documents printed before m0017: the store code and the row's id.
    printed = {("sale", s.id): f"{s.store.code}S{s.id:07d}" for s in (*xy, other_first, ab)}
    printed[("refund", refund.id)] = f"XYT{refund.id:07d}"
    every = schema.available_migrations()
    tables = ("sale", "refund", "stock_receipt", "write_off", "stocktake", "document_counter")
    shape = {t: ({c.name: c.null for c in database.get_columns(t)},
                 sorted((i.name, i.unique) for i in database.get_indexes(t))) for t in tables}

    def restored_earlier():
        # A restore from an older copy had raised XY's sale numbers above what its rows show.
        run_sql('UPDATE "store" SET "sale_number_floor" = ? WHERE "id" = ?', (40, world.store.id))

    assert upgrade_to_m0017(monkeypatch, every, prepare=restored_earlier) == ["m0017_document_numbers"]

    for (kind, row_id), text in printed.items():
        model = Sale if kind == "sale" else Refund
        assert model.get_by_id(row_id).serial == row_id
        assert model.get_by_id(row_id).receipt_no == text
    assert StockReceipt.get_by_id(document.id).number == f"XYRK{document.id:07d}"
    assert numbering.last_numbers(world.store.id) == {
        "sale": 40, "refund": refund.id, "stock_receipt": document.id}
    assert numbering.last_numbers(other.id) == {"sale": ab.id}
    # The tables are as a new database makes them (SQLite rebuilt them to make serial NOT NULL).
    assert {t: ({c.name: c.null for c in database.get_columns(t)},
                sorted((i.name, i.unique) for i in database.get_indexes(t))) for t in tables} == shape
    columns = [c.name for c in database.get_columns("store")]
    assert "sale_number_floor" not in columns and "refund_number_floor" not in columns
    assert verify() == []

    # Each store counts on from its own highest number.
    after = checkout.checkout(world.store, world.cards["张建华"].id, [(world.products["食盐"].id, 1)],
                              world.staff[CASHIER].id, "m0017-xy-sale-after1").sale
    assert Sale.get_by_id(after.id).receipt_no == "XYS0000041"
    after = checkout.checkout(other, other_card.id, [(soap.id, 1)], other_cashier.id, "m0017-ab-sale-after1").sale
    assert after.serial == ab.id + 1
    assert checkout.find_sale(world.store, printed[("sale", xy[1].id)]).id == xy[1].id
    assert verify() == []
