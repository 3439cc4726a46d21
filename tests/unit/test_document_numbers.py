"""Receipt and document numbers are counted per store, 1, 2, 3…, without gaps: several stores
share one database (a district server), a refused transaction gives its number back, and
kiosks selling at once in one store never get the same number."""
from datetime import date

import pytest

from kiosk.checkout import service as checkout
from kiosk.checkout.models import Refund, Sale
from kiosk.db import database
from kiosk.errors import KioskError
from kiosk.goods import service as goods
from kiosk.ledger import service as ledger
from kiosk.reports.verify import verify
from kiosk.staff.models import CASHIER, MANAGER, OPERATIONS, Staff
from kiosk.stocktake import service as stocktake
from kiosk.stores import numbering
from kiosk.stores.models import DocumentCounter
from tests.helpers import race, second_store

TODAY = date(2026, 11, 23)


def sell(world, key, product="食盐", quantity=1, name="张建华"):
    return checkout.checkout(world.store, world.cards[name].id, [(world.products[product].id, quantity)],
                             world.staff[CASHIER].id, key).sale


def sell_soap(store, cashier, card, soap, key):
    return checkout.checkout(store, card.id, [(soap.id, 1)], cashier.id, key, tz_name=store.timezone).sale


def return_one(store, sale, approver, key):
    line = sale.lines.first()
    return checkout.refund(store, sale.id, {line.id: 1}, sale.staff_id, approver.id, key)


def test_two_stores_in_one_database_each_number_their_sales_and_returns_from_one(world):
    other, other_cashier, _, other_card, soap, other_first = second_store()
    other_manager = Staff.create(store=other, name="孙店长", role=MANAGER, pin_hash="unused")
    mine = [sell(world, f"numbers-xy-sale-{i:04d}") for i in range(3)]
    theirs = [other_first] + [sell_soap(other, other_cashier, other_card, soap, f"numbers-ab-sale-{i:04d}")
                              for i in range(2)]
    # The ids interleave (XY's sales came after AB's first); the numbers do not.
    assert [s.serial for s in mine] == [1, 2, 3] and [s.serial for s in theirs] == [1, 2, 3]
    assert [Sale.get_by_id(s.id).receipt_no for s in mine] == ["XYS0000001", "XYS0000002", "XYS0000003"]
    assert [Sale.get_by_id(s.id).receipt_no for s in theirs] == ["ABS0000001", "ABS0000002", "ABS0000003"]
    refunds = [return_one(world.store, mine[0], world.staff[MANAGER], "numbers-xy-refund-01"),
               return_one(other, theirs[2], other_manager, "numbers-ab-refund-01"),
               return_one(world.store, mine[1], world.staff[MANAGER], "numbers-xy-refund-02")]
    assert [Refund.get_by_id(r.id).receipt_no for r in refunds] == ["XYT0000001", "ABT0000001", "XYT0000002"]
    assert numbering.last_numbers(world.store.id) == {"sale": 3, "refund": 2}
    assert numbering.last_numbers(other.id) == {"sale": 3, "refund": 1}
    assert verify() == []


def test_a_receipt_number_finds_the_sale_of_its_own_store_only(world):
    other, *_, other_sale = second_store()
    mine = sell(world, "numbers-find-sale-0001")
    assert mine.serial == other_sale.serial == 1
    assert checkout.find_sale(world.store, "XYS0000001").id == mine.id
    assert checkout.find_sale(other, "ABS0000001").id == other_sale.id
    for store, text in ((world.store, "ABS0000001"), (other, "XYS0000001"), (world.store, "XYS0000002")):
        with pytest.raises(KioskError) as refused:
            checkout.find_sale(store, text)
        assert refused.value.code == "unknown_receipt"


def test_goods_documents_and_stock_takes_are_numbered_per_store_too(world):
    other, *_ = second_store()
    other_manager = Staff.create(store=other, name="孙店长", role=MANAGER, pin_hash="unused")
    from kiosk.inventory.models import Product

    soap = Product.get(Product.store == other)
    rice = world.products["大米"]

    def receive(store, product, staff, key):
        return goods.receive(store, kind="purchase", lines=[{"product_id": product.id, "quantity": "2"}],
                             staff=staff, key=key, today=TODAY)

    documents = [receive(world.store, rice, world.staff[OPERATIONS], "numbers-in-xy-000001").document,
                 receive(other, soap, other_manager, "numbers-in-ab-000001").document,
                 receive(world.store, rice, world.staff[OPERATIONS], "numbers-in-xy-000002").document]
    assert [d.number for d in documents] == ["XYRK0000001", "ABRK0000001", "XYRK0000002"]
    out = [goods.write_off(store, reason="damaged", note="", lines=[{"product_id": product.id, "quantity": 1}],
                           staff=staff, key=key).document
           for store, product, staff, key in ((other, soap, other_manager, "numbers-out-ab-00001"),
                                              (world.store, rice, world.staff[MANAGER], "numbers-out-xy-00001"))]
    assert [d.number for d in out] == ["ABCK0000001", "XYCK0000001"]
    counts = [stocktake.start(other, other_manager, category="清洁"),
              stocktake.start(world.store, world.staff[MANAGER], category="粮油")]
    assert [c.number for c in counts] == ["ABP00001", "XYP00001"]
    assert verify() == []


def test_a_refused_checkout_or_return_leaves_no_gap_in_the_numbers(world):
    first = sell(world, "numbers-gap-sale-0001")
    # Soy sauce: one bottle. The refusal comes after the number was taken (stock is moved last):
    # the rollback gives it back.
    with pytest.raises(KioskError) as refused:
        sell(world, "numbers-gap-sale-0002", product="酱油", quantity=2)
    assert refused.value.code == "out_of_stock"
    assert sell(world, "numbers-gap-sale-0003").serial == first.serial + 1 == 2
    line = first.lines.first()
    with pytest.raises(KioskError) as refused:
        checkout.refund(world.store, first.id, {line.id: 2}, world.staff[CASHIER].id, world.staff[MANAGER].id,
                        "numbers-gap-refund-01")
    assert refused.value.code == "over_refund"
    assert return_one(world.store, first, world.staff[MANAGER], "numbers-gap-refund-02").serial == 1
    assert numbering.last_numbers(world.store.id) == {"sale": 2, "refund": 1}


def test_concurrent_checkouts_in_one_store_get_distinct_consecutive_numbers(world):
    def attempt(i):
        return sell(world, f"numbers-race-key-{i:04d}").serial

    outcomes = race(8, attempt)
    assert sorted(outcomes) == list(range(1, 9))
    assert DocumentCounter.get(DocumentCounter.store == world.store, DocumentCounter.kind == "sale").last == 8
    assert verify() == []


def test_concurrent_checkouts_in_two_stores_each_count_on_their_own(world):
    other, other_cashier, _, other_card, soap, _ = second_store()

    def attempt(i):
        if i % 2:
            return "AB", sell_soap(other, other_cashier, other_card, soap, f"numbers-two-ab-{i:04d}").serial
        return "XY", sell(world, f"numbers-two-xy-{i:04d}").serial

    outcomes = race(8, attempt)
    assert sorted(n for code, n in outcomes if code == "XY") == [1, 2, 3, 4]
    assert sorted(n for code, n in outcomes if code == "AB") == [2, 3, 4, 5]  # AB's first sale was made before
    assert verify() == []


def test_a_number_is_taken_only_inside_the_documents_transaction(world):
    with pytest.raises(RuntimeError):
        numbering.next_number(world.store.id, numbering.SALE)
    with database.atomic(), pytest.raises(ValueError):
        numbering.next_number(world.store.id, "invoice")


def test_a_second_document_with_a_taken_number_is_refused_by_the_database(world):
    import peewee

    sale = sell(world, "numbers-unique-sale-01")
    with pytest.raises(peewee.IntegrityError), database.atomic():
        Sale.update(serial=sale.serial).where(Sale.id == sell(world, "numbers-unique-sale-02").id).execute()


def test_the_passbook_names_each_sale_by_its_stores_receipt_number(world):
    other, *_ = second_store()
    sale = sell(world, "numbers-passbook-sale-1")
    refund = return_one(world.store, sale, world.staff[MANAGER], "numbers-passbook-ret-1")
    entries = list(ledger.history(world.accounts["张建华"].id))
    names = checkout.document_names(entries)
    assert [ledger.describe(e, names=names) for e in entries[:2]] == [Refund.get_by_id(refund.id).receipt_no,
                                                                  Sale.get_by_id(sale.id).receipt_no]
    assert Sale.get_by_id(sale.id).receipt_no == "XYS0000001"


def test_verify_reports_a_counter_below_the_numbers_it_gave(world):
    sell(world, "numbers-verify-sale-01")
    sell(world, "numbers-verify-sale-02")
    DocumentCounter.update(last=1).where(DocumentCounter.store == world.store, DocumentCounter.kind == "sale").execute()
    assert verify() == ["store XY: the sale counter is at 1, below number 2"]


def test_raising_a_counter_after_a_restore_never_lowers_it(world):
    sell(world, "numbers-raise-sale-0001")
    with database.atomic():
        assert numbering.raise_to(world.store.id, numbering.SALE, 5)
        assert not numbering.raise_to(world.store.id, numbering.SALE, 3)
        assert numbering.raise_to(world.store.id, numbering.WRITE_OFF, 2)  # a kind not used yet
        assert not numbering.raise_to(world.store.id, numbering.REFUND, 0)
    assert numbering.last_numbers(world.store.id) == {"sale": 5, "write_off": 2}
    assert sell(world, "numbers-raise-sale-0002").serial == 6
