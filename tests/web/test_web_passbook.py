"""The resident's passbook on the idle kiosk: no sign-in, the card's QR code is the key."""
import re

import pytest

from kiosk.checkout import service as checkout
from kiosk.staff.models import CASHIER
from tests.helpers import body


@pytest.fixture
def resident(client):
    """A browser at the idle kiosk, nobody signed in, posting like the page does."""
    client.get("/signin")
    with client.session_transaction() as session:
        token = session.setdefault("csrf_token", "passbook-token")

    def scan(code):
        return client.post("/passbook/scan", data={"code": code, "csrf_token": token}, headers={"HX-Request": "true"})

    return scan


def test_the_idle_sign_in_screen_invites_residents_to_scan(client, world):
    html = body(client.get("/signin"))
    assert 'id="passbook"' in html and "扫描积分卡" in html


def test_scanning_your_card_shows_balance_and_latest_entries_without_sign_in(resident, world):
    sale = checkout.checkout(world.store, world.cards["张建华"].id, [(world.products["食盐"].id, 2)],
                             world.staff[CASHIER].id, "passbook-sale-key-01").sale
    html = body(resident(world.payload("张建华")))
    assert "张*华" in html and "张建华" not in html
    assert re.search(r'data-testid="passbook-balance">460<', html)
    assert sale.receipt_no in html and "-40" in html
    assert "13800000001" not in html  # never a phone number on a public screen


@pytest.mark.parametrize("code, message", [
    ("10000001", "无法识别"),  # a typed card number is not a key
    ("JF:XY:10000001:AAAAAAAAAAAAAAAA", "无效卡"),
    ("garbage ###", "无法识别"),
])
def test_anything_but_a_valid_card_shows_nothing(resident, world, code, message):
    response = resident(code)
    assert response.status_code == 422
    html = body(response)
    assert message in html and "passbook-balance" not in html


def test_a_lost_card_shows_nothing_but_who_to_see(resident, world):
    from kiosk.cards.service import report_lost

    report_lost(world.cards["张建华"])
    html = body(resident(world.payload("张建华")))
    assert "此卡已挂失" in html and "passbook-balance" not in html


def test_the_passbook_cannot_change_anything(client, world):
    # The only POST is the scan; nothing else under /passbook accepts a write.
    assert client.post("/passbook/").status_code in (400, 405)


def test_the_open_passbook_has_a_close_button_and_a_countdown(resident, world, app):
    html = body(resident(world.payload("张建华")))
    seconds = app.config["PASSBOOK_SECONDS"]
    assert re.search(rf'data-countdown="{seconds}"[^>]*>{seconds}<', html)
    assert "此页面将在 " in html and "秒后自动关闭" in html
    close = re.search(r'<a class="btn big primary" data-testid="passbook-close" href="([^"]+)"\s+hx-get="([^"]+)">关闭</a>', html)
    assert close and close.group(1) == close.group(2) == "/passbook/"


def test_the_sign_in_screen_puts_the_passbook_beside_the_staff_names(client, world):
    html = body(client.get("/signin"))
    layout = html.index('class="signin-layout"')
    assert layout < html.index('class="staff-grid"') < html.index('class="signin-side"') < html.index('id="passbook"')
    assert re.search(r"countdown\.[0-9a-f]+\.js", html)  # its content-hashed name
