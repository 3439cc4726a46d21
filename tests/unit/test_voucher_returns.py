"""A return of a voucher line cancels its unused vouchers; a used one cannot be returned."""
from datetime import timedelta

import pytest

from kiosk.checkout import service as checkout
from kiosk.checkout.models import Refund, SaleLine
from kiosk.db import utcnow
from kiosk.errors import KioskError
from kiosk.ledger.models import Account
from kiosk.reports.verify import verify
from kiosk.staff.models import CASHIER, MANAGER
from kiosk.vouchers.models import CANCELLED, ISSUED, USED, Voucher, VoucherEvent
from tests.voucher_world import give_terms, mark_used, sell


@pytest.fixture
def terms(world):
    return give_terms(world)


@pytest.fixture
def sale(world, terms):
    return sell(world, [("水果券", 2), ("物业费抵扣券", 1)]).sale


def give_back(world, sale, quantities, key="r" * 24):
    lines = {line.name: line.id for line in SaleLine.select().where(SaleLine.sale == sale)}
    return checkout.refund(world.store, sale.id, {lines[name]: qty for name, qty in quantities.items()},
                           world.staff[CASHIER].id, world.staff[MANAGER].id, key)


def by_serial():
    return {v.serial: v for v in Voucher.select()}


def test_returning_one_fruit_voucher_cancels_one_unused_and_leaves_the_rest(world, sale):
    refund = give_back(world, sale, {"水果券": 1})
    vouchers = by_serial()
    assert [vouchers[n].status for n in (1, 2, 3)] == [ISSUED, CANCELLED, ISSUED]
    assert vouchers[2].cancelled_by_id == refund.id
    assert VoucherEvent.get(VoucherEvent.voucher == vouchers[2], VoucherEvent.kind == CANCELLED)
    assert verify(world.store.timezone) == []


def test_the_unused_one_is_cancelled_when_another_of_the_line_was_used(world, sale, terms):
    mark_used(by_serial()[2], terms.fruit_stall)
    give_back(world, sale, {"水果券": 1})
    vouchers = by_serial()
    assert (vouchers[1].status, vouchers[2].status) == (CANCELLED, USED)
    assert verify(world.store.timezone) == []


def test_a_used_voucher_cannot_be_returned_and_nothing_changes(world, sale, terms):
    mark_used(by_serial()[3], terms.property_company)
    balance = Account.get_by_id(world.accounts["张建华"].id).balance
    with pytest.raises(KioskError) as refused:
        give_back(world, sale, {"水果券": 1, "物业费抵扣券": 1})
    assert refused.value.code == "voucher_used_no_return"
    assert refused.value.params == {"serial": "0000000003", "name": "物业费抵扣券"}
    assert Refund.select().count() == 0
    assert Account.get_by_id(world.accounts["张建华"].id).balance == balance
    assert [v.status for v in Voucher.select().order_by(Voucher.serial)] == [ISSUED, ISSUED, USED]
    assert SaleLine.get(SaleLine.name == "水果券").refunded_quantity == 0


def test_an_expired_voucher_cannot_be_returned(world, terms):
    sale = sell(world, [("水果券", 1)], now=utcnow() - timedelta(days=30)).sale
    with pytest.raises(KioskError) as refused:
        give_back(world, sale, {"水果券": 1})
    assert refused.value.code == "voucher_expired_no_return"
    assert Voucher.get().status == ISSUED


def test_returning_goods_of_the_same_sale_leaves_the_vouchers_alone(world, terms):
    sale = sell(world, [("水果券", 1), ("食盐", 2)]).sale
    give_back(world, sale, {"食盐": 2})
    assert Voucher.get().status == ISSUED
