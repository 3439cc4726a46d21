"""The manager's partners at /partners/: list, add, edit, PIN, deactivate; store manager only."""
import pytest

from kiosk.audit import AuditEvent
from kiosk.vouchers.models import Partner
from tests import partner_data
from tests.conftest import signed_in
from tests.helpers import body


def test_the_settings_page_links_the_partners(manager):
    assert "/partners/" in body(manager.get("/settings/"))


@pytest.mark.parametrize("role", ["cashier", "operations", "service"])
def test_only_the_manager_may_keep_partners(client, world, role):
    session = signed_in(client, world, role)
    assert session.get("/partners/").status_code == 403
    assert session.post("/partners/new", {"name": "鲜果园"}, htmx=False).status_code == 403
    assert Partner.select().count() == 0


def test_a_partner_is_added_then_given_a_pin(manager, world):
    response = manager.post("/partners/new", {"name": "鲜果园", "contact": "刘 139", "honours": "时令水果券"}, htmx=False)
    assert response.status_code == 302
    fruit = Partner.get(Partner.name == "鲜果园")
    assert response.headers["Location"].endswith(f"/partners/{fruit.id}")
    listing = body(manager.get("/partners/"))
    assert "鲜果园" in listing and "时令水果券" in listing and "未设密码" in listing
    pin = manager.post(f"/partners/{fruit.id}/pin", {"pin": "4826", "pin_again": "4826"}, htmx=False)
    assert pin.status_code == 302
    assert Partner.get_by_id(fruit.id).pin_hash
    assert "已设置新密码" in body(manager.get(pin.headers["Location"]))
    actions = [a for (a,) in AuditEvent.select(AuditEvent.action).where(AuditEvent.action.startswith("partner_")).tuples()]
    assert actions == ["partner_added", "partner_pin_set"]


@pytest.mark.parametrize("form, sentence", [
    ({"name": ""}, "请填写商家名称"),
    ({"name": "长" * 51}, "商家名称太长"),
    ({"name": "x", "contact": "1" * 101}, "联系方式太长"),
    ({"name": "x", "honours": "1" * 201}, "受理的服务券太长"),
    ({"name": "鲜果园"}, "已有名为 鲜果园 的合作商家"),
])
def test_bad_details_are_refused_with_a_sentence(manager, world, form, sentence):
    partner_data.partner(world.store, "鲜果园")
    response = manager.post("/partners/new", form, htmx=False)
    assert response.status_code == 422 and sentence in body(response)
    assert Partner.select().count() == 1


@pytest.mark.parametrize("pins, sentence", [
    (("1234", "1234"), "太容易被猜到"),
    (("4826", "4827"), "两次输入的密码不一致"),
    (("12", "12"), "4 到 8 位数字"),
])
def test_a_weak_or_mistyped_pin_is_refused(manager, world, pins, sentence):
    fruit = partner_data.partner(world.store, "鲜果园")
    response = manager.post(f"/partners/{fruit.id}/pin", {"pin": pins[0], "pin_again": pins[1]}, htmx=False)
    assert response.status_code == 422 and sentence in body(response)
    assert Partner.get_by_id(fruit.id).pin_hash == ""


def test_editing_and_deactivating(manager, world):
    fruit = partner_data.partner(world.store, "鲜果园", partner_data.FRUIT_PIN)
    edit = manager.post(f"/partners/{fruit.id}/edit", {"name": "鲜果园", "contact": "王", "honours": "水果"}, htmx=False)
    assert edit.status_code == 302 and Partner.get_by_id(fruit.id).contact == "王"
    partner_data.partner(world.store, "物业公司")
    clash = manager.post(f"/partners/{fruit.id}/edit", {"name": "物业公司"}, htmx=False)
    assert clash.status_code == 422 and 'value="物业公司"' in body(clash)
    assert manager.post(f"/partners/{fruit.id}/deactivate", htmx=False).status_code == 302
    assert Partner.get_by_id(fruit.id).active is False
    assert manager.get(f"/partners/{fruit.id}").status_code == 200  # shows the flash
    assert 'data-testid="partner-tile"' not in body(manager.client.get("/partner/"))
    assert manager.post(f"/partners/{fruit.id}/reactivate", htmx=False).status_code == 302
    assert Partner.get_by_id(fruit.id).active is True


def test_an_unknown_or_other_stores_partner_is_refused(manager, world):
    from tests.helpers import second_store

    store = second_store()[0]
    theirs = partner_data.partner(store, "别店商家")
    for url in (f"/partners/{theirs.id}", "/partners/987654"):
        response = manager.get(url)
        assert response.status_code == 302 and response.headers["Location"].endswith("/partners/")
    response = manager.post(f"/partners/{theirs.id}/pin", {"pin": "4826", "pin_again": "4826"}, htmx=False)
    assert response.status_code == 302 and Partner.get_by_id(theirs.id).pin_hash == ""
