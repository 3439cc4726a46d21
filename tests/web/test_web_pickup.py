"""Proxy pickup (代领): a relative in the household picks up for an older resident."""
import re

from kiosk.checkout.models import Sale
from kiosk.registry.models import Resident
from kiosk.registry.service import initials
from tests.helpers import body


def add_member(world, holder, name):
    household = world.cards[holder].account.household
    return Resident.create(store=world.store, household=household, name=name, initials=initials(name))


def test_the_checkout_records_who_picked_up(cashier, world):
    daughter = add_member(world, "张建华", "张小红")
    html = body(cashier.post("/cashier/scan", {"code": world.payload("张建华")}))
    assert f'data-pickup="{daughter.id}"' in html and "张*红" in html
    cashier.post("/cashier/pickup", {"resident_id": str(daughter.id)})
    page = body(cashier.post("/cashier/cart/add", {"product_id": str(world.products["食盐"].id)}))
    fields = dict(re.findall(r'name="(key|version|total)" value="([^"]*)"', page))
    done = body(cashier.post("/cashier/checkout", fields))
    assert Sale.get().picked_up_by == "张小红"
    assert "张*红" in done


def test_by_default_the_holder_picks_up(cashier, world):
    add_member(world, "张建华", "张小红")
    cashier.post("/cashier/scan", {"code": world.payload("张建华")})
    page = body(cashier.post("/cashier/cart/add", {"product_id": str(world.products["食盐"].id)}))
    fields = dict(re.findall(r'name="(key|version|total)" value="([^"]*)"', page))
    cashier.post("/cashier/checkout", fields)
    assert Sale.get().picked_up_by == ""


def test_someone_outside_the_household_cannot_be_chosen(cashier, world):
    stranger = world.cards["李秀兰"].resident
    cashier.post("/cashier/scan", {"code": world.payload("张建华")})
    before = cashier.register()
    response = cashier.post("/cashier/pickup", {"resident_id": str(stranger.id)})
    assert response.status_code == 422
    assert cashier.register() == before


def test_choosing_a_pickup_needs_a_card(cashier, world):
    response = cashier.post("/cashier/pickup", {"resident_id": "1"})
    assert response.status_code == 422 and "请先扫描积分卡" in body(response)
