"""Checkout issues one numbered voucher per unit of a voucher product, in the sale's transaction."""
from datetime import datetime

import pytest

from kiosk.checkout import service as checkout
from kiosk.checkout.models import Sale
from kiosk.db import database
from kiosk.errors import KioskError
from kiosk.inventory import service as inventory
from kiosk.inventory.models import STOCK_IN, VOUCHER, Product
from kiosk.printing.models import PrintJob
from kiosk.reports.verify import verify
from kiosk.vouchers import service
from kiosk.vouchers.models import BEARER, HOUSEHOLD, ISSUED, Partner, Voucher, VoucherEvent, VoucherTerms
from tests.helpers import second_store
from tests.voucher_world import give_terms, sell


@pytest.fixture
def terms(world):
    return give_terms(world)


def test_three_units_make_three_vouchers_numbered_in_a_row_with_the_terms_copied(world, terms):
    sale = sell(world, [("水果券", 2), ("物业费抵扣券", 1), ("食盐", 1)]).sale
    vouchers = list(Voucher.select().where(Voucher.sale == sale).order_by(Voucher.serial))
    assert [v.serial for v in vouchers] == [1, 2, 3]
    fruit, prop = vouchers[:2], vouchers[2]
    assert {(v.name, v.face, v.face_value_fen, v.holder, v.partner_id) for v in fruit} == {
        ("水果券", "时令水果 1 份", 0, HOUSEHOLD, terms.fruit_stall.id)}
    assert all(v.account_id == world.accounts["张建华"].id for v in fruit)
    assert (prop.face_value_fen, prop.holder, prop.account_id, prop.partner_id) == (2000, BEARER, None,
                                                                                    terms.property_company.id)
    assert all(v.status == ISSUED and v.sale_line.sale_id == sale.id for v in vouchers)
    assert [e.kind for e in VoucherEvent.select().order_by(VoucherEvent.id)] == [ISSUED] * 3
    assert verify(world.store.timezone) == []


def test_a_voucher_is_valid_to_the_end_of_its_last_day_in_the_stores_time_zone(world, terms):
    # 2026-12-05 23:30 in Shanghai (15:30 UTC): the first of its 7 days; the last is the 11th.
    sale = sell(world, [("水果券", 1)], now=datetime(2026, 12, 5, 15, 30)).sale
    voucher = Voucher.get(Voucher.sale == sale)
    assert voucher.valid_until == datetime(2026, 12, 11, 16, 0)  # midnight of the 12th, local


def test_the_next_sale_continues_the_numbers_and_a_second_store_numbers_its_own(world, terms):
    sell(world, [("水果券", 1)], key="a" * 24)
    sell(world, [("物业费抵扣券", 2)], key="b" * 24)
    assert sorted(v.serial for v in Voucher.select().where(Voucher.store == world.store)) == [1, 2, 3]
    store, cashier, _account, card, _soap, _sale = second_store()
    with database.atomic():
        partner = Partner.create(store=store, name="二店水果摊")
        product = Product.create(store=store, name="二店水果券", category="服务券", points=10, kind=VOUCHER)
        inventory.move(product.id, 5, STOCK_IN, reference="test")
        VoucherTerms.create(product=product, partner=partner, face="水果 1 份", valid_days=3)
    checkout.checkout(store, card.id, [(product.id, 2)], cashier.id, "c" * 24)
    assert sorted(v.serial for v in Voucher.select().where(Voucher.store == store)) == [1, 2]
    assert verify(world.store.timezone) == []


def test_each_voucher_gets_its_slip_job_after_the_receipt(world, terms):
    sale = sell(world, [("水果券", 2), ("物业费抵扣券", 1)]).sale
    jobs = list(PrintJob.select().order_by(PrintJob.id))
    assert [(j.document_kind, j.kind) for j in jobs] == [("sale", "receipt")] + [("voucher", "voucher")] * 3
    ids = [v.id for v in Voucher.select().where(Voucher.sale == sale).order_by(Voucher.serial)]
    assert [j.document_id for j in jobs[1:]] == ids


def test_a_retried_checkout_issues_no_second_set(world, terms):
    first = sell(world, [("水果券", 2)])
    again = sell(world, [("水果券", 2)])
    assert not again.created and again.sale.id == first.sale.id
    assert Voucher.select().count() == 2


def test_a_refused_sale_issues_nothing_and_takes_no_number(world, terms):
    with pytest.raises(KioskError, match="insufficient_points"):
        sell(world, [("水果券", 1)], card="王德明", key="x" * 24)
    sell(world, [("水果券", 1)], key="y" * 24)
    assert [v.serial for v in Voucher.select()] == [1]
    assert Sale.select().count() == 1


def test_figures_count_issued_and_outstanding_per_partner(world, terms):
    sell(world, [("水果券", 2), ("物业费抵扣券", 1)])
    rows = {r.partner: r for r in service.figures(world.store, datetime(2000, 1, 1), datetime(2100, 1, 1))}
    assert (rows["老王水果摊"].issued, rows["老王水果摊"].outstanding) == (2, 2)
    assert (rows["幸福里物业"].issued, rows["幸福里物业"].outstanding) == (1, 1)
    assert service.figures(world.store, datetime(2000, 1, 1), datetime(2000, 1, 2)) == []
