"""The returns screen lists a voucher line's vouchers with their state; returning an unused one
cancels it, returning a used one is refused in Chinese naming its number and changes nothing."""
import pytest

from kiosk.checkout.models import Refund, SaleLine
from kiosk.vouchers.models import CANCELLED, ISSUED, USED, Voucher
from tests.helpers import body
from tests.voucher_world import give_terms, mark_used, sell


@pytest.fixture
def terms(world):
    return give_terms(world)


@pytest.fixture
def sale(world, terms):
    return sell(world, [("水果券", 2)]).sale


def return_form(session, sale, forms):
    page = session.get(f"/returns/?receipt={sale.receipt_no}")
    assert page.status_code == 200, body(page)
    return page, next(f for f in forms(page) if f.action == f"/returns/{sale.id}")


def submit(session, form, line, quantity):
    data = {k: v for k, v in form.fields.items() if k != "csrf_token"}
    data[f"qty_{line.id}"] = str(quantity)
    return session.post(form.action, data)


def test_a_used_voucher_is_listed_and_cannot_be_returned(manager, sale, terms, forms):
    mark_used(Voucher.get(Voucher.serial == 2), terms.fruit_stall)
    page, form = return_form(manager, sale, forms)
    assert "0000000001 未使用，0000000002 已使用" in body(page)
    line = SaleLine.get(SaleLine.sale == sale)
    response = submit(manager, form, line, 2)
    assert response.status_code == 422
    assert "券 0000000002（水果券）已使用，不能退货。未做任何更改。" in body(response)
    assert Refund.select().count() == 0
    assert [v.status for v in Voucher.select().order_by(Voucher.serial)] == [ISSUED, USED]


def test_returning_one_cancels_the_unused_voucher(manager, sale, terms, forms):
    mark_used(Voucher.get(Voucher.serial == 2), terms.fruit_stall)
    _page, form = return_form(manager, sale, forms)
    response = submit(manager, form, SaleLine.get(SaleLine.sale == sale), 1)
    assert response.status_code == 200, body(response)
    assert "0000000001 已作废" in body(response)
    assert [v.status for v in Voucher.select().order_by(Voucher.serial)] == [CANCELLED, USED]
