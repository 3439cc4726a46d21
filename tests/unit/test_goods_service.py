"""Goods in and out: one transaction each, idempotent, refusing bad input without a trace;
batches first-expiry-first-out; the near-expiry, low-stock and restock lists."""
import csv
import io
import threading
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from kiosk.checkout import service as checkout
from kiosk.db import database
from kiosk.errors import KioskError
from kiosk.goods import service
from kiosk.goods.models import StockReceipt, StockReceiptLine, WriteOff
from kiosk.inventory import service as inventory
from kiosk.inventory.models import STOCK_IN, STOCKTAKE, WRITE_OFF, Product, StockMovement
from kiosk.reports.verify import verify as problems
from kiosk.stores.models import Store

TODAY = date(2026, 11, 23)
KEY = "k" * 24


def qty(world, name):
    return Product.get_by_id(world.products[name].id).quantity


def line(world, name, quantity, batch="", expiry=""):
    return {"product_id": world.products[name].id, "quantity": quantity, "batch_no": batch, "expiry": expiry}


def receive(world, lines, *, key=KEY, kind="purchase", **kwargs):
    return service.receive(world.store, kind=kind, lines=lines, staff=world.staff["operations"], key=key,
                           today=TODAY, **kwargs)


def counts():
    return (StockReceipt.select().count(), StockReceiptLine.select().count(), WriteOff.select().count(),
            StockMovement.select().count(), [p.quantity for p in Product.select().order_by(Product.id)])


def test_a_donation_stocks_every_line_in_one_document(world):
    posted = receive(world, [line(world, "食用油", "24", "B2611", "2027-05-01"), line(world, "大米", 10),
                             line(world, "食用油", "6", "B2612", "2027-08-01")],
                     kind="donation", donor_name=" 幸福里 超市 ", donor_contact="13800001111", thank_publicly=False)
    receipt = posted.document
    assert posted.created and receipt.kind == "donation" and receipt.donor_name == "幸福里 超市"
    assert (receipt.total_units, receipt.total_points) == (40, 30 * 100 + 10 * 50)
    assert receipt.number == f"XYRK{receipt.id:07d}"
    assert (qty(world, "食用油"), qty(world, "大米")) == (10 + 30, 20 + 10)
    moves = list(StockMovement.select().where(StockMovement.reference == f"stock_in:{receipt.id}"))
    assert sorted((m.product_id, m.delta, m.kind) for m in moves) == sorted(
        [(world.products["食用油"].id, 30, STOCK_IN), (world.products["大米"].id, 10, STOCK_IN)])
    assert [(ln.batch_no, ln.expiry) for ln in service.receipt_lines(receipt)] == [
        ("B2611", date(2027, 5, 1)), ("", None), ("B2612", date(2027, 8, 1))]
    assert problems() == []


def test_the_same_draft_submitted_twice_is_one_document(world):
    first = receive(world, [line(world, "食盐", 5)])
    again = receive(world, [line(world, "食盐", 5)])
    assert (first.created, again.created) == (True, False) and again.document.id == first.document.id
    assert qty(world, "食盐") == 55


def test_two_kiosks_posting_the_same_draft_at_once_stock_it_once(world, instance):
    from kiosk import db as kiosk_db

    results, barrier = [], threading.Barrier(2)

    def post():
        kiosk_db.database.connect(reuse_if_open=True)
        barrier.wait()
        try:
            results.append(receive(world, [line(world, "食盐", 5)]).created)
        finally:
            kiosk_db.database.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    database.connect(reuse_if_open=True)
    assert sorted(results) == [False, True]
    assert qty(world, "食盐") == 55


@pytest.mark.parametrize("quantity", ["-1", "0", "1000000000000", "abc", "", "1.5", " ", None, True, "１２"])
def test_a_bad_quantity_is_refused_naming_the_line_and_changes_nothing(world, quantity):
    before = counts()
    with pytest.raises(KioskError) as refused:
        receive(world, [line(world, "大米", 1), line(world, "食盐", quantity)])
    assert refused.value.code == "bad_stock_quantity" and refused.value.params["line"] == 2
    assert counts() == before


@pytest.mark.parametrize("expiry, code", [
    ("2026-11-22", "expiry_in_past"), ("2026-13-01", "bad_expiry"), ("tomorrow", "bad_expiry"),
    ("9999-12-31", "bad_expiry"), ("2026-1-5", "bad_expiry"),
])
def test_a_past_or_garbled_expiry_is_refused(world, expiry, code):
    before = counts()
    with pytest.raises(KioskError) as refused:
        receive(world, [line(world, "大米", 3, expiry=expiry)])
    assert refused.value.code == code
    assert counts() == before


def test_goods_expiring_today_are_taken_in(world):
    assert receive(world, [line(world, "大米", 3, expiry=TODAY.isoformat())]).created


@pytest.mark.parametrize("lines, kwargs, code", [
    ([], {}, "empty_document"),
    ([{"product_id": "999999", "quantity": 1}], {}, "unknown_product"),
    ([{"product_id": "1; DROP TABLE product", "quantity": 1}], {}, "unknown_product"),
    (None, {"kind": "gift"}, "bad_receipt_kind"),
    (None, {"kind": "donation", "donor_name": "  "}, "missing_field"),
    (None, {"kind": "donation", "donor_name": "张" * 51}, "too_long"),
    (None, {"key": "short"}, "stale_page"),
])
def test_bad_documents_are_refused_and_change_nothing(world, lines, kwargs, code):
    before = counts()
    with pytest.raises(KioskError) as refused:
        receive(world, [line(world, "大米", 1)] if lines is None else lines, **kwargs)
    assert refused.value.code == code
    assert counts() == before


def test_a_product_of_another_store_cannot_be_stocked(world):
    other = Store.create(name="别的超市", code="QT")
    foreign = Product.create(store=other, name="外店商品", category="粮油", points=10)
    with pytest.raises(KioskError) as refused:
        receive(world, [{"product_id": foreign.id, "quantity": 1}])
    assert refused.value.code == "unknown_product"


def test_absurd_stock_totals_are_refused(world):
    receive(world, [line(world, "大米", 99_999)], key="a" * 20)
    with pytest.raises(KioskError) as refused:
        for n in range(101):
            receive(world, [line(world, "大米", 99_999)], key=f"bulk{n:04d}" + "x" * 16)
    assert refused.value.code == "stock_too_large"
    assert qty(world, "大米") <= service.MAX_STOCK


def test_scanning_finds_the_product_or_says_why_not(world):
    assert service.find_product(world.store, "6901234000017\n").id == world.products["食用油"].id
    for code, why in [("6901234999999", "unknown_barcode"), ("", "invalid_scan"), ("\x1b[A", "invalid_scan"),
                      ("XY:1:abcdefabcdef", "invalid_scan")]:
        with pytest.raises(KioskError) as refused:
            service.find_product(world.store, code)
        assert refused.value.code == why


def write_off(world, lines, *, role="cashier", key=KEY, approver=None, reason="damaged", note="包装破损"):
    return service.write_off(world.store, reason=reason, note=note, lines=lines, staff=world.staff[role], key=key,
                             approver=approver)


def test_a_small_write_off_needs_no_approval_and_takes_the_stock(world):
    posted = write_off(world, [{"product_id": world.products["食盐"].id, "quantity": "3"}])
    record = posted.document
    assert posted.created and record.approved_by is None and (record.total_units, record.total_points) == (3, 60)
    assert qty(world, "食盐") == 47
    (move,) = StockMovement.select().where(StockMovement.reference == f"write_off:{record.id}")
    assert (move.kind, move.delta, move.note) == (WRITE_OFF, -3, "damaged 包装破损")
    assert problems() == []


def test_above_the_threshold_a_manager_must_approve(world):
    lines = [{"product_id": world.products["食盐"].id, "quantity": 11}]
    before = counts()
    with pytest.raises(KioskError) as refused:
        write_off(world, lines)
    assert refused.value.code == "needs_manager_approval" and refused.value.params == {"units": 11, "points": 220}
    with pytest.raises(KioskError):
        write_off(world, lines, approver=world.staff["service"])  # not a manager
    assert counts() == before
    record = write_off(world, lines, approver=world.staff["manager"]).document
    assert record.approved_by_id == world.staff["manager"].id and qty(world, "食盐") == 39
    # Worth more than 500 points in few units counts too; a manager approves their own.
    assert service.price_write_off(world.store, [{"product_id": world.products["食用油"].id, "quantity": 6}]).needs_approval
    own = write_off(world, [{"product_id": world.products["食用油"].id, "quantity": 6}], role="manager", key="m" * 20)
    assert own.document.approved_by_id == world.staff["manager"].id


def test_the_threshold_is_the_stores_setting(world):
    store = service.set_stock_settings(world.store, units=2, points=10_000, expiry_days=14)
    assert not service.needs_approval(store, 2, 40) and service.needs_approval(store, 3, 40)
    for bad in [(-1, 1, 1), (1, 1, 0), (1, 1, 366), (100_000, 1, 1), ("5", 1, 1), (None, 1, 1)]:
        with pytest.raises(KioskError) as refused:
            service.set_stock_settings(world.store, units=bad[0], points=bad[1], expiry_days=bad[2])
        assert refused.value.code == "bad_stock_settings"


def test_a_write_off_cannot_take_stock_below_zero(world):
    before = counts()
    for quantity in (2, "0", "-1", "99999999"):
        with pytest.raises(KioskError) as refused:
            write_off(world, [{"product_id": world.products["酱油"].id, "quantity": quantity}])
        assert refused.value.code in ("out_of_stock", "bad_stock_quantity")
    with pytest.raises(KioskError) as refused:  # two lines of the same product add up
        write_off(world, [{"product_id": world.products["酱油"].id, "quantity": 1}] * 2)
    assert refused.value.code == "out_of_stock"
    assert counts() == before


def test_a_sale_that_empties_the_shelf_first_makes_the_write_off_fail_whole(world, monkeypatch):
    """The write-off was checked against a quantity a sale took a moment later: the guarded
    movement refuses it and nothing of the document remains."""
    lines = [{"product_id": world.products["大米"].id, "quantity": 1},
             {"product_id": world.products["酱油"].id, "quantity": 1}]
    priced = service.price_write_off(world.store, lines)
    checkout.checkout(world.store, world.cards["张建华"].id, [(world.products["酱油"].id, 1)],
                      world.staff["cashier"].id, "s" * 24)
    monkeypatch.setattr(service, "price_write_off", lambda store, lines: priced)
    before = counts()
    with pytest.raises(KioskError) as refused:
        write_off(world, lines)
    assert refused.value.code == "out_of_stock"
    assert counts() == before and qty(world, "酱油") == 0


@pytest.mark.parametrize("reason, note, code", [("stolen", "", "bad_write_off_reason"), ("other", " ", "missing_field"),
                                                ("damaged", "x" * 201, "too_long")])
def test_a_write_off_needs_a_known_reason_and_for_other_a_note(world, reason, note, code):
    with pytest.raises(KioskError) as refused:
        write_off(world, [{"product_id": world.products["大米"].id, "quantity": 1}], reason=reason, note=note)
    assert refused.value.code == code


def test_a_write_off_submitted_twice_is_one(world):
    lines = [{"product_id": world.products["大米"].id, "quantity": 2}]
    assert write_off(world, lines).created and not write_off(world, lines).created
    assert qty(world, "大米") == 18


def batches(world, name):
    product = Product.get_by_id(world.products[name].id)
    return [(b.batch_no, b.on_hand) for b in service.batches_on_hand([product]).get(product.id, [])]


def test_goods_leave_first_expiry_first_out(world):
    """Rice: 20 without a date, then batches A (Dec) 10 and B (Jan) 10, received B first."""
    receive(world, [line(world, "大米", 10, "B", "2027-01-31")], key="b" * 20)
    receive(world, [line(world, "大米", 10, "A", "2026-12-10")], key="a" * 20)
    assert batches(world, "大米") == [("A", 10), ("B", 10)]
    with database.atomic():
        inventory.move(world.products["大米"].id, -25, STOCKTAKE)  # a count, sales… 25 left the shelf
    assert batches(world, "大米") == [("A", 5), ("B", 10)]
    write_off(world, [{"product_id": world.products["大米"].id, "quantity": 7}], reason="expired", note="")
    assert batches(world, "大米") == [("B", 8)]
    with database.atomic():
        inventory.move(world.products["大米"].id, 4, STOCKTAKE)  # a surplus fills the latest batch back first
    assert batches(world, "大米") == [("A", 2), ("B", 10)]


def test_near_expiry_lists_batches_within_the_window_and_expired_ones(world):
    receive(world, [line(world, "食用油", 4, "OIL1", "2026-11-30"), line(world, "大米", 5, "R1", "2027-06-01"),
                    line(world, "食盐", 2, "S1", "2026-12-20")])
    rows = service.near_expiry(world.store, TODAY)
    assert [(r.product.name, r.batch_no, r.on_hand, r.days_left(TODAY)) for r in rows] == [
        ("食用油", "OIL1", 4, 7), ("食盐", "S1", 2, 27)]
    later = service.near_expiry(world.store, date(2026, 12, 5), days=1)
    assert [(r.batch_no, r.days_left(date(2026, 12, 5))) for r in later] == [("OIL1", -5)]
    # Once the shelf cannot hold the batch any more, it is off the list.
    write_off(world, [{"product_id": world.products["食用油"].id, "quantity": 14}], role="manager", reason="expired", note="")
    assert [r.batch_no for r in service.near_expiry(world.store, TODAY)] == ["S1"]


def test_low_stock_lists_products_at_or_below_their_line(world):
    Product.update(low_stock=10).where(Product.id.in_([world.products["食用油"].id, world.products["大米"].id])).execute()
    names = [p.name for p in service.low_stock(world.store)]
    # 洗洁精 is empty (line 0), 酱油 has 1 (line 0: not low), 食用油 10 ≤ 10, 大米 20 > 10.
    assert names == ["洗洁精", "食用油"]
    Product.update(active=False).where(Product.id == world.products["洗洁精"].id).execute()
    assert [p.name for p in service.low_stock(world.store)] == ["食用油"]


def test_the_restock_csv_opens_in_excel_with_chinese(world):
    Product.update(low_stock=10).where(Product.id == world.products["食用油"].id).execute()
    Product.update(name="=HYPERLINK(1)").where(Product.id == world.products["洗洁精"].id).execute()
    checkout.checkout(world.store, world.cards["张建华"].id, [(world.products["食用油"].id, 3)],
                      world.staff["cashier"].id, "c" * 24)
    rows = service.restock_list(world.store)
    assert [(p.name, sold, suggested) for p, sold, suggested in rows] == [("=HYPERLINK(1)", 0, 1), ("食用油", 3, 13)]
    data = service.restock_csv(rows, ["商品", "分类", "条码", "单位", "库存", "低库存线", "近30天兑换", "建议补货"])
    assert data.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert table[0][0] == "商品" and table[1][0] == "'=HYPERLINK(1)"
    assert table[2] == ["食用油", "粮油", "6901234000017", "件", "7", "10", "3", "13"]


def test_donations_list_the_donors_of_a_period(world):
    receive(world, [line(world, "大米", 1)], kind="donation", donor_name="刘阿姨", key="d" * 20)
    receive(world, [line(world, "大米", 1)], key="p" * 20)
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()  # the store's date, not the machine's
    assert [r.donor_name for r in service.donations(world.store, today, today)] == ["刘阿姨"]
    assert service.donations(world.store, today - timedelta(days=3), today - timedelta(days=1)) == []
    assert service.donations(world.store, today + timedelta(days=1), today + timedelta(days=2)) == []


def test_the_same_batch_on_two_documents_is_one_row(world):
    receive(world, [line(world, "食盐", 2, "S1", "2026-12-20")], key="1" * 20)
    receive(world, [line(world, "食盐", 3, "S1", "2026-12-20")], key="2" * 20)
    (row,) = service.near_expiry(world.store, TODAY)
    assert (row.batch_no, row.received, row.on_hand) == ("S1", 5, 5)


def test_verify_matches_every_document_with_its_movements(world):
    receive(world, [line(world, "大米", 4), line(world, "大米", 2, "B", "2027-01-01")])
    write_off(world, [{"product_id": world.products["食盐"].id, "quantity": 3}], key="w" * 20)
    assert problems() == []
    with database.atomic():  # a goods-in movement without its document, and one document short
        inventory.move(world.products["大米"].id, 1, STOCK_IN, reference="stock_in:999")
        inventory.move(world.products["食盐"].id, -1, WRITE_OFF, reference=f"write_off:{WriteOff.get().id}")
    found = problems()
    assert "stock movement stock_in:999 has no goods-in document" in found
    assert f"goods-out document {WriteOff.get().id}: its stock movements do not match its lines" in found
