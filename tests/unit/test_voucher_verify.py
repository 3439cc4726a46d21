"""`kiosk verify` names each broken voucher invariant (rows broken on purpose)."""
from datetime import timedelta

import pytest

from kiosk.reports.verify import verify
from kiosk.stores.models import DocumentCounter
from kiosk.vouchers.models import CANCELLED, ISSUED, USED, Voucher, VoucherEvent
from tests.helpers import run_sql
from tests.voucher_world import give_terms, mark_used, sell


@pytest.fixture
def terms(world):
    return give_terms(world)


@pytest.fixture
def sale(world, terms):
    sale = sell(world, [("水果券", 2), ("物业费抵扣券", 1)]).sale
    assert verify(world.store.timezone) == []
    return sale


def problems(world):
    return verify(world.store.timezone)


def test_a_voucher_unit_sold_without_its_voucher_is_named(world, sale):
    voucher = Voucher.get(Voucher.serial == 2)
    run_sql("DELETE FROM voucher_event WHERE voucher_id = ?", [voucher.id])
    run_sql("DELETE FROM print_job WHERE document_kind = 'voucher' AND document_id = ?", [voucher.id])
    voucher.delete_instance()
    assert problems(world) == [f"sale {sale.receipt_no}: 2 of voucher 水果券 sold, 1 voucher(s) issued"]


def test_a_voucher_used_twice_is_named(world, sale, terms):
    voucher = mark_used(Voucher.get(Voucher.serial == 1), terms.fruit_stall)
    # The unique (voucher, kind) index forbids a second USED event: without it, verify says so.
    run_sql("DROP INDEX voucher_event_voucher_id_kind")
    VoucherEvent.create(voucher=voucher, kind=USED, partner=terms.fruit_stall)
    assert "voucher XY-0000000001 was used 2 times" in problems(world)


def test_a_status_that_disagrees_with_the_events_is_named(world, sale):
    Voucher.update(status=USED).where(Voucher.serial == 3).execute()
    assert problems(world) == ["voucher XY-0000000003 is used but its last event is issued"]


def test_a_voucher_used_after_its_last_day_is_named(world, sale, terms):
    voucher = Voucher.get(Voucher.serial == 3)
    mark_used(voucher, terms.property_company, when=voucher.valid_until + timedelta(minutes=1))
    assert problems(world) == ["voucher XY-0000000003 was used after its last valid day"]


def test_a_cancelled_voucher_that_was_used_is_named(world, sale, terms):
    voucher = mark_used(Voucher.get(Voucher.serial == 1), terms.fruit_stall)
    VoucherEvent.create(voucher=voucher, kind=CANCELLED)
    Voucher.update(status=CANCELLED).where(Voucher.id == voucher.id).execute()
    assert problems(world) == ["voucher XY-0000000001 was used and cancelled"]


def test_a_voucher_counter_below_the_highest_number_is_named(world, sale):
    DocumentCounter.update(last=1).where(DocumentCounter.kind == "voucher").execute()
    assert problems(world) == ["store XY: the voucher counter is at 1, below number 3"]


def test_a_voucher_without_its_issued_event_is_named(world, sale):
    run_sql("DELETE FROM voucher_event WHERE voucher_id = ? AND kind = ?", [Voucher.get(Voucher.serial == 2).id, ISSUED])
    assert "voucher XY-0000000002 has 0 issued events" in problems(world)



def test_voucher_products_sold_before_the_first_voucher_are_not_held_to_it(world, terms):
    # Sold as plain goods before the store had vouchers (a database from before m0023)…
    run_sql("UPDATE product SET kind = 'goods' WHERE name = ?", ["水果券"])
    old = sell(world, [("水果券", 1)], key="o" * 24).sale
    run_sql("UPDATE product SET kind = 'voucher' WHERE name = ?", ["水果券"])
    assert Voucher.select().count() == 0
    # …then the store's first vouchers.
    sell(world, [("水果券", 2)], key="n" * 24)
    assert problems(world) == []
    assert old.id < Voucher.select().first().sale_id
