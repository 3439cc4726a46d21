"""The staff screen (店长): adding people with a PIN typed twice, new PINs, roles, deactivating
(the name leaves the sign-in screen, open sessions end), unlocking; refusals change nothing."""
from datetime import timedelta

import pytest

from kiosk.audit import AuditEvent
from kiosk.db import utcnow
from kiosk.staff.models import CASHIER, MANAGER, OPERATIONS, Staff
from kiosk.stores.models import Store
from tests.helpers import body


def another_session(app, manager, staff, pin):
    """A second kiosk (its own cookie jar) signed in as ``staff``."""
    other = type(manager)(app.test_client())
    assert other.sign_in(staff, pin).status_code == 302
    return other


def test_the_settings_page_links_the_staff_and_audit_screens(manager):
    html = body(manager.get("/settings/"))
    assert 'href="/settings/staff/"' in html and 'href="/settings/audit/"' in html


def test_the_staff_list_shows_role_state_and_lock(manager, world):
    Staff.update(locked_until=utcnow() + timedelta(minutes=5)).where(Staff.id == world.staff[CASHIER].id).execute()
    Staff.update(active=False).where(Staff.id == world.staff[OPERATIONS].id).execute()
    html = body(manager.get("/settings/staff/"))
    cashier_row = html.split('data-staff="张收银"')[1].split("</tr>")[0]
    assert "收银员" in cashier_row and "在职" in cashier_row and "已锁定" in cashier_row
    assert "已停用" in html.split('data-staff="李运营"')[1].split("</tr>")[0]
    assert "pin_hash" not in html and "pbkdf2" not in html


def test_the_add_form_has_two_pin_pads(manager):
    html = body(manager.get("/settings/staff/new"))
    assert html.count("data-pinpad") == 2 and 'name="pin"' in html and 'name="pin_again"' in html


def test_adding_a_person_puts_them_on_the_sign_in_screen(client, manager, world):
    response = manager.post("/settings/staff/new", {"name": " 赵志愿 ", "role": "service", "pin": "2468",
                                                    "pin_again": "2468"}, htmx=False)
    assert response.status_code == 302
    person = Staff.get(Staff.name == "赵志愿")
    assert (person.role, person.store_id, person.active) == ("service", world.store.id, True)
    assert "已添加 赵志愿" in body(client.get("/settings/staff/"))
    assert f'href="/signin/{person.id}"' in body(client.get("/signin"))
    event = AuditEvent.get(AuditEvent.action == "staff_added")
    assert event.staff_id == world.staff[MANAGER].id and "2468" not in event.detail


@pytest.mark.parametrize("form, text", [
    ({"name": "赵志愿", "role": "cashier", "pin": "1234", "pin_again": "1234"}, "太容易被猜到"),
    ({"name": "赵志愿", "role": "cashier", "pin": "2468", "pin_again": "2469"}, "两次输入的密码不一致"),
    ({"name": "张收银", "role": "cashier", "pin": "2468", "pin_again": "2468"}, "张收银 已在工作人员名单中"),
    ({"name": "", "role": "cashier", "pin": "2468", "pin_again": "2468"}, "请填写工作人员姓名"),
    ({"name": "名" * 51, "role": "cashier", "pin": "2468", "pin_again": "2468"}, "最多 50"),
    ({"name": "赵志愿", "role": "boss", "pin": "2468", "pin_again": "2468"}, "请选择角色"),
])
def test_a_refused_person_is_not_added_and_the_form_says_why(manager, form, text):
    before = Staff.select().count()
    response = manager.post("/settings/staff/new", form, htmx=False)
    assert response.status_code == 422
    html = body(response)
    assert text in html, html
    assert Staff.select().count() == before
    assert 'value="2468"' not in html and 'value="1234"' not in html  # PINs are never sent back


def test_a_new_pin_from_the_person_panel(manager, world):
    cashier = world.staff[CASHIER]
    response = manager.post(f"/settings/staff/{cashier.id}/pin", {"pin": "8024", "pin_again": "8024"})
    assert response.status_code == 200
    html = body(response)
    assert 'id="staff-person"' in html and "<html" not in html and "张收银 的密码已重新设置" in html
    fresh = type(manager)(manager.client.application.test_client())
    assert fresh.sign_in(cashier, "3333").status_code == 400
    assert fresh.sign_in(cashier, "8024").status_code == 302


def test_a_weak_new_pin_is_refused_in_the_panel(manager, world):
    cashier = world.staff[CASHIER]
    old = Staff.get_by_id(cashier.id).pin_hash
    response = manager.post(f"/settings/staff/{cashier.id}/pin", {"pin": "5555", "pin_again": "5555"})
    assert response.status_code == 422 and "太容易被猜到" in body(response)
    assert Staff.get_by_id(cashier.id).pin_hash == old


def test_a_change_without_htmx_redirects_to_the_person_page(client, manager, world):
    cashier = world.staff[CASHIER]
    response = manager.post(f"/settings/staff/{cashier.id}/role", {"role": "operations"}, htmx=False)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/settings/staff/{cashier.id}")
    assert Staff.get_by_id(cashier.id).role == OPERATIONS
    assert "已更改 张收银 的角色" in body(client.get(f"/settings/staff/{cashier.id}"))


def test_deactivating_ends_the_persons_session_and_hides_the_name(app, client, manager, world):
    cashier = world.staff[CASHIER]
    till = another_session(app, manager, cashier, "3333")
    assert till.get("/cashier/").status_code == 200
    response = manager.post(f"/settings/staff/{cashier.id}/deactivate", {})
    assert response.status_code == 200 and "已停用 张收银" in body(response)
    assert till.get("/cashier/").status_code == 302  # back to sign-in
    assert f'href="/signin/{cashier.id}"' not in body(client.get("/signin"))
    assert manager.get(f"/signin/{cashier.id}").status_code == 302
    # Reactivating brings the name back with the old PIN.
    assert manager.post(f"/settings/staff/{cashier.id}/reactivate", {}).status_code == 200
    assert another_session(app, manager, cashier, "3333").get("/cashier/").status_code == 200


def test_the_last_manager_is_told_why_and_stays(manager, world):
    boss = world.staff[MANAGER]
    for action, data in (("deactivate", {}), ("role", {"role": "cashier"})):
        response = manager.post(f"/settings/staff/{boss.id}/{action}", data)
        assert response.status_code == 422 and "最后一位在职店长" in body(response)
    kept = Staff.get_by_id(boss.id)
    assert (kept.role, kept.active) == (MANAGER, True)
    assert manager.get("/settings/staff/").status_code == 200


def test_a_manager_who_steps_down_leaves_the_screen(manager, world):
    boss = world.staff[MANAGER]
    manager.post(f"/settings/staff/{world.staff[OPERATIONS].id}/role", {"role": "manager"})
    response = manager.post(f"/settings/staff/{boss.id}/role", {"role": "cashier"})
    assert response.status_code == 200 and response.headers["HX-Redirect"] == "/"
    assert manager.get("/settings/staff/").status_code == 403


def test_unlocking_a_locked_name(manager, world):
    cashier = world.staff[CASHIER]
    Staff.update(locked_until=utcnow() + timedelta(minutes=5)).where(Staff.id == cashier.id).execute()
    page = body(manager.get(f"/settings/staff/{cashier.id}"))
    assert "锁定至" in page and f'/settings/staff/{cashier.id}/unlock' in page
    response = manager.post(f"/settings/staff/{cashier.id}/unlock", {})
    assert response.status_code == 200 and "张收银 已解锁" in body(response)
    assert Staff.get_by_id(cashier.id).locked_until is None
    assert "/unlock" not in body(response)


def test_another_stores_staff_is_out_of_reach(manager, world):
    other = Store.create(name="另一个超市", code="QT")
    stranger = Staff.create(store=other, name="外人", role=CASHIER, pin_hash="x")
    assert "外人" not in body(manager.get("/settings/staff/"))
    assert manager.get(f"/settings/staff/{stranger.id}").status_code == 302
    response = manager.post(f"/settings/staff/{stranger.id}/deactivate", {}, htmx=False)
    assert response.status_code == 302 and Staff.get_by_id(stranger.id).active


@pytest.mark.parametrize("role", ["cashier", "operations"])
def test_only_the_manager_opens_the_staff_screen(request, world, role):
    session = request.getfixturevalue(role)
    assert session.get("/settings/staff/").status_code == 403
    assert session.get("/settings/staff/new").status_code == 403
    response = session.post(f"/settings/staff/{world.staff[MANAGER].id}/deactivate", {}, htmx=False)
    assert response.status_code == 403 and Staff.get_by_id(world.staff[MANAGER].id).active
