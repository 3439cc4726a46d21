"""The partner screen at /partner/: sign-in with a PIN (a session apart from staff's), a scanned
or typed voucher shown as valid or why not, and 核销 once."""
from datetime import timedelta

import pytest

from kiosk.audit import AuditEvent
from kiosk.cards.service import card_payload
from kiosk.db import utcnow
from kiosk.staff.models import PinThrottle
from kiosk.vouchers.codes import serial_text, voucher_payload
from kiosk.vouchers.models import CANCELLED, Voucher, VoucherEvent
from tests import partner_data
from tests.conftest import PINS, Session
from tests.helpers import body, second_store


@pytest.fixture
def fruit(world):
    return partner_data.partner(world.store, "鲜果园", partner_data.FRUIT_PIN, honours="时令水果券")


@pytest.fixture
def estate(world):
    return partner_data.partner(world.store, "物业公司", partner_data.PROPERTY_PIN)


def partner_session(client, partner, pin):
    session = Session(client)
    session.client.get("/partner/")
    response = session.client.post(f"/partner/signin/{partner.id}", data={"pin": pin, "csrf_token": session.token()})
    assert response.status_code == 302 and response.headers["Location"].endswith("/partner/")
    session.partner = partner
    return session


@pytest.fixture
def at_stall(client, fruit):
    return partner_session(client, fruit, partner_data.FRUIT_PIN)


def used_events(made):
    return VoucherEvent.select().where(VoucherEvent.voucher == made.id, VoucherEvent.kind == "used").count()


def test_the_sign_in_lists_partners_with_a_pin_only(client, world, fruit):
    partner_data.partner(world.store, "无密码商家")
    page = body(client.get("/partner/"))
    assert "合作商家登录" in page and "鲜果园" in page and "时令水果券" in page and "无密码商家" not in page


def test_a_partner_may_type_their_name_instead(client, world, fruit):
    response = client.get("/partner/signin?name=鲜果园")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/partner/signin/{fruit.id}")
    unknown = client.get("/partner/signin?name=不存在")
    assert unknown.status_code == 422 and "没有这个合作商家" in body(unknown)


def test_a_wrong_pin_is_refused_with_a_sentence(client, world, fruit):
    session = Session(client)
    response = client.post(f"/partner/signin/{fruit.id}", data={"pin": "0000", "csrf_token": session.token()})
    assert response.status_code == 400 and "密码错误" in body(response)
    assert 'data-testid="voucher-scan"' not in body(client.get("/partner/"))


def test_wrong_pins_lock_the_partner_out_like_staff(client, world, fruit, app):
    session = Session(client)
    limit = app.config["PIN_MAX_ATTEMPTS"]
    for _ in range(limit):
        client.post(f"/partner/signin/{fruit.id}", data={"pin": "0000", "csrf_token": session.token()})
    locked = client.post(f"/partner/signin/{fruit.id}",
                         data={"pin": partner_data.FRUIT_PIN, "csrf_token": session.token()})
    assert locked.status_code == 400 and "错误次数过多" in body(locked)
    assert PinThrottle.get(PinThrottle.key == f"partner:{fruit.id}").failed_attempts == limit
    assert 'data-testid="voucher-scan"' not in body(client.get("/partner/"))


def test_a_signed_in_partner_reaches_no_staff_screen(at_stall):
    for url in ("/", "/home", "/cashier/", "/settings/", "/partners/", "/registry/", "/reports/", "/district/"):
        response = at_stall.get(url)
        assert response.status_code == 302 and response.headers["Location"].endswith("/partner/"), url
    assert at_stall.get("/cashier/", htmx=True).headers.get("HX-Redirect", "").endswith("/partner/")
    assert at_stall.post("/partners/new", {"name": "x"}, htmx=False).headers["Location"].endswith("/partner/")


def test_staff_sessions_are_not_partners(manager, world, fruit):
    made = partner_data.world_voucher(world, fruit)
    page = body(manager.get("/partner/"))
    assert "合作商家登录" in page and 'data-testid="voucher-scan"' not in page
    response = manager.post("/partner/use", {"voucher_id": str(made.id)}, htmx=False)
    assert response.status_code == 302 and response.headers["Location"].endswith("/partner/")
    assert manager.post("/partner/check", {"code": serial_text(made.serial)}, htmx=False).status_code == 302
    assert Voucher.get_by_id(made.id).status == "issued"


def test_signing_in_as_a_partner_ends_the_staff_session_in_that_browser(manager, world, fruit):
    partner_session(manager.client, fruit, partner_data.FRUIT_PIN)
    response = manager.get("/settings/")
    assert response.headers["Location"].endswith("/partner/")


def test_signing_out_ends_every_copy_of_the_session(at_stall):
    with at_stall.client.session_transaction() as copied:
        saved = dict(copied)
    assert at_stall.post("/partner/signout", htmx=False).status_code == 302
    with at_stall.client.session_transaction() as session:
        session.update(saved)
    assert 'data-testid="voucher-scan"' not in body(at_stall.get("/partner/"))


def test_deactivation_ends_the_partners_session(at_stall, world):
    from kiosk.vouchers import partners

    partners.deactivate_partner(world.store, at_stall.partner.id, by=None)
    assert 'data-testid="voucher-scan"' not in body(at_stall.get("/partner/"))


def test_the_scan_screen_and_its_fragment(at_stall, world):
    made = partner_data.world_voucher(world, at_stall.partner, face="时令水果 1 份")
    page = at_stall.get("/partner/")
    assert 'data-testid="voucher-scan"' in body(page) and "鲜果园" in body(page)
    fragment = body(at_stall.post("/partner/check", {"code": partner_data.payload(world, made)}))
    assert fragment.lstrip().startswith('<div id="voucher"') and "<html" not in fragment
    assert 'data-state="valid"' in fragment and "有效" in fragment and "时令水果 1 份" in fragment
    assert "张*华" in fragment and "张建华" not in fragment and "有效期至" in fragment
    assert f'name="voucher_id" value="{made.id}"' in fragment and "核销" in fragment
    typed = body(at_stall.post("/partner/check", {"code": serial_text(made.serial)}, htmx=False))
    assert "<html" in typed and 'data-state="valid"' in typed


def test_using_it_once_then_a_second_scan_says_already_used_by_you(at_stall, world):
    made = partner_data.world_voucher(world, at_stall.partner)
    used = at_stall.post("/partner/use", {"voucher_id": str(made.id)})
    assert used.status_code == 200 and "核销成功" in body(used) and 'data-state="used"' in body(used)
    again = at_stall.post("/partner/check", {"code": partner_data.payload(world, made)})
    assert 'data-state="used"' in body(again) and "已使用" in body(again) and "由您（鲜果园）核销" in body(again)
    assert used_events(made) == 1


def test_a_double_tap_or_stale_page_changes_nothing(at_stall, world):
    made = partner_data.world_voucher(world, at_stall.partner)
    first = at_stall.post("/partner/use", {"voucher_id": str(made.id)})
    second = at_stall.post("/partner/use", {"voucher_id": str(made.id)}, htmx=False)
    assert first.status_code == 200 and second.status_code == 422
    assert "已使用" in body(second) and "鲜果园" in body(second)
    assert used_events(made) == 1
    assert AuditEvent.select().where(AuditEvent.action == "voucher_used").count() == 1


def test_a_use_without_the_csrf_token_is_refused(at_stall, world):
    made = partner_data.world_voucher(world, at_stall.partner)
    response = at_stall.client.post("/partner/use", data={"voucher_id": str(made.id)})
    assert response.status_code == 400
    assert Voucher.get_by_id(made.id).status == "issued"


@pytest.mark.parametrize("voucher_id", ["", "abc", "-1", "99999999", "1" * 40])
def test_a_bad_voucher_id_is_refused(at_stall, world, voucher_id):
    response = at_stall.post("/partner/use", {"voucher_id": voucher_id})
    assert response.status_code == 422 and "本店没有发出过这个券号" in body(response)


def test_every_bad_scan_gets_its_own_sentence(at_stall, world):
    made = partner_data.world_voucher(world, at_stall.partner)
    good = partner_data.payload(world, made)
    altered = good.replace(serial_text(made.serial), serial_text(made.serial + 1))
    card = card_payload(world.store.code, world.cards["张建华"].number, world.card_key)
    cases = [
        (altered, "可能被篡改"),
        (card, "这是居民积分卡，不是服务券"),
        (voucher_payload("AB", made.serial, world.card_key), "不是本店的券"),
        ("hello world", "这不是服务券"),
        ("", "这不是服务券"),
        ("x" * 500, "这不是服务券"),
        ("0000099999", "本店没有发出过这个券号"),
    ]
    for code, sentence in cases:
        response = at_stall.post("/partner/check", {"code": code})
        assert response.status_code == 422, code
        assert sentence in body(response), code
        assert 'data-testid="use-voucher"' not in body(response)
    assert Voucher.get_by_id(made.id).status == "issued"


def test_expired_used_and_cancelled_vouchers_say_why_not(at_stall, world, estate):
    expired = partner_data.world_voucher(world, at_stall.partner, issued_at=utcnow() - timedelta(days=40))
    page = body(at_stall.post("/partner/check", {"code": serial_text(expired.serial)}))
    assert 'data-state="expired"' in page and "已过期" in page and 'data-testid="use-voucher"' not in page
    refused = at_stall.post("/partner/use", {"voucher_id": str(expired.id)})
    assert refused.status_code == 422 and "此券已过期" in body(refused)
    cancelled = partner_data.world_voucher(world, at_stall.partner)
    Voucher.update(status=CANCELLED).where(Voucher.id == cancelled.id).execute()
    page = body(at_stall.post("/partner/check", {"code": serial_text(cancelled.serial)}))
    assert 'data-state="cancelled"' in page and "已作废" in page
    assert "此券已作废" in body(at_stall.post("/partner/use", {"voucher_id": str(cancelled.id)}))
    assert VoucherEvent.select().where(VoucherEvent.kind == "used").count() == 0


def test_another_partners_voucher_shows_nothing_of_it(at_stall, world, estate):
    theirs = partner_data.world_voucher(world, estate, face="物业费抵扣 20 元")
    page = body(at_stall.post("/partner/check", {"code": partner_data.payload(world, theirs)}))
    assert "这张券不是您的" in page and "物业费" not in page and "张*华" not in page
    refused = at_stall.post("/partner/use", {"voucher_id": str(theirs.id)})
    assert refused.status_code == 422 and "这张券不是您的" in body(refused) and "物业费" not in body(refused)
    assert Voucher.get_by_id(theirs.id).status == "issued"


def test_another_stores_voucher_is_not_found(at_stall, world):
    store, cashier, account, card, soap, _ = second_store()
    theirs = partner_data.voucher(store, partner_data.partner(store, "鲜果园"), soap, account, card, cashier)
    response = at_stall.post("/partner/use", {"voucher_id": str(theirs.id)})
    assert response.status_code == 422 and Voucher.get_by_id(theirs.id).status == "issued"
    scanned = at_stall.post("/partner/check", {"code": voucher_payload("AB", theirs.serial, world.card_key)})
    assert "不是本店的券" in body(scanned)


def test_an_idle_partner_is_signed_out(at_stall, app):
    with at_stall.client.session_transaction() as session:
        session["seen"] = 0
    response = at_stall.get("/partner/")
    assert response.status_code == 302 and "idle=1" in response.headers["Location"]


def test_the_manager_signs_in_after_the_partner_signs_out(at_stall, world):
    at_stall.post("/partner/signout", htmx=False)
    assert at_stall.sign_in(world.staff["manager"], PINS["manager"]).status_code == 302
    assert at_stall.get("/partners/").status_code == 200
