"""Signing in on the PIN pad, lock-out, roles, idle sign-out, CSRF and the language switch."""
import pytest

from kiosk.staff.models import CASHIER, MANAGER, OPERATIONS, SERVICE, Staff
from tests.helpers import body

PINS = {MANAGER: "1111", OPERATIONS: "2222", CASHIER: "3333", SERVICE: "4444"}


def signed_in_staff(client):
    with client.session_transaction() as session:
        return session.get("staff_id")


def post_pin(client, staff, pin, token=True):
    """What the PIN pad page submits (the page itself sets the session's CSRF token)."""
    page = client.get(f"/signin/{staff.id}")
    assert page.status_code == 200
    data = {"pin": pin}
    if token:
        with client.session_transaction() as session:
            data["csrf_token"] = session["csrf_token"]
    return client.post(f"/signin/{staff.id}", data=data)


def test_signin_screen_lists_the_staff_and_the_pin_pad_asks_for_a_pin(client, world):
    listing = client.get("/signin")
    assert listing.status_code == 200
    for staff in world.staff.values():
        assert staff.name in body(listing)
        assert f'href="/signin/{staff.id}"' in body(listing)

    pad = client.get(f"/signin/{world.staff[CASHIER].id}")
    assert pad.status_code == 200
    html = body(pad)
    assert "张收银" in html and "收银员" in html
    assert "data-pinpad" in html and 'name="pin"' in html
    assert "请输入密码" in html


def test_right_pin_signs_in_and_redirects_to_the_cashier_screen(client, world):
    response = post_pin(client, world.staff[CASHIER], "3333")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert signed_in_staff(client) == world.staff[CASHIER].id
    home = client.get("/")
    assert home.status_code == 302 and home.headers["Location"] == "/cashier/"
    page = client.get("/cashier/")
    assert page.status_code == 200
    assert "张收银" in body(page)


def test_wrong_pin_is_refused_with_the_tries_left_and_stays_signed_out(client, world):
    response = post_pin(client, world.staff[CASHIER], "9999")
    assert response.status_code == 400
    assert "密码错误，还可尝试 4 次" in body(response)
    assert signed_in_staff(client) is None
    assert client.get("/cashier/").status_code == 302
    assert Staff.get_by_id(world.staff[CASHIER].id).failed_attempts == 1


@pytest.mark.parametrize("pin", ["", "abc", "12", "3333333333333", " 3333"])
def test_malformed_pin_is_refused_like_a_wrong_one(client, world, pin):
    response = post_pin(client, world.staff[CASHIER], pin)
    assert response.status_code == 400
    assert "密码错误" in body(response)
    assert signed_in_staff(client) is None


def test_five_wrong_pins_lock_the_account_even_against_the_right_pin(client, world):
    cashier = world.staff[CASHIER]
    for remaining in (4, 3, 2, 1):
        response = post_pin(client, cashier, "0000")
        assert response.status_code == 400
        assert f"密码错误，还可尝试 {remaining} 次" in body(response)
    fifth = post_pin(client, cashier, "0000")
    assert fifth.status_code == 400
    assert "密码错误次数过多" in body(fifth)

    right = post_pin(client, cashier, "3333")
    assert right.status_code == 400
    assert "密码错误次数过多" in body(right)
    assert signed_in_staff(client) is None
    assert Staff.get_by_id(cashier.id).locked_until is not None
    # The lock is on the person, not on this browser: another staff member still signs in.
    assert post_pin(client, world.staff[MANAGER], "1111").status_code == 302


@pytest.mark.parametrize("role", [OPERATIONS, SERVICE])
@pytest.mark.parametrize("url", ["/cashier/", "/returns/", "/receipts/"])
def test_operations_and_service_staff_are_forbidden_the_cashier_screens(client, world, role, url):
    assert post_pin(client, world.staff[role], PINS[role]).status_code == 302
    response = client.get(url)
    assert response.status_code == 403
    assert "您的岗位不能使用此页面" in body(response)


@pytest.mark.parametrize("role", [OPERATIONS, SERVICE])
def test_operations_staff_cannot_scan_a_card_by_posting_directly(client, world, role, books):
    assert post_pin(client, world.staff[role], PINS[role]).status_code == 302
    with client.session_transaction() as session:
        token = session.setdefault("csrf_token", "t" * 32)
    before = books()
    response = client.post("/cashier/scan", data={"code": world.payload("张建华"), "csrf_token": token})
    assert response.status_code == 403
    with client.session_transaction() as session:
        assert "register" not in session
    assert books() == before


@pytest.mark.parametrize("url", ["/cashier/", "/returns/", "/receipts/"])
def test_signed_out_request_redirects_to_signin(client, world, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"] == "/signin"


def test_signed_out_htmx_request_gets_an_hx_redirect_header(client, world):
    # htmx ignores a 302 for navigation; HX-Redirect makes it load the sign-in page.
    response = client.get("/cashier/", headers={"HX-Request": "true"})
    assert response.headers["HX-Redirect"] == "/signin"
    assert "<html" not in body(response)


def test_idle_session_is_signed_out_on_the_next_request(app, client, cashier):
    app.config["IDLE_SIGNOUT_SECONDS"] = 30
    with client.session_transaction() as session:
        session["seen"] -= 31
    response = client.get("/cashier/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/signin?idle=1"
    assert signed_in_staff(client) is None
    notice = client.get(response.headers["Location"])
    assert "长时间未操作，已自动退出" in body(notice)
    # Still signed out: the next request does not get the screen back.
    assert client.get("/cashier/").headers["Location"] == "/signin"


def test_idle_signout_on_an_htmx_request_sends_hx_redirect(app, client, cashier, world):
    app.config["IDLE_SIGNOUT_SECONDS"] = 30
    cashier.post("/cashier/scan", {"code": world.payload("张建华")})
    with client.session_transaction() as session:
        session["seen"] -= 31
    response = cashier.get("/cashier/", htmx=True)
    assert response.headers["HX-Redirect"] == "/signin?idle=1"
    assert signed_in_staff(client) is None
    # The scanned card went with the session: the next cashier starts clean.
    assert cashier.register() == {}


def test_activity_within_the_idle_window_keeps_the_session(app, client, cashier):
    app.config["IDLE_SIGNOUT_SECONDS"] = 30
    with client.session_transaction() as session:
        session["seen"] -= 20
    assert client.get("/cashier/").status_code == 200
    with client.session_transaction() as session:
        session["seen"] -= 20  # 40 s since sign-in, but only 20 s since the last request
    assert client.get("/cashier/").status_code == 200


@pytest.mark.parametrize("poll", ["/receipts/badge", "/receipts/printer-status"])
def test_the_screens_own_polls_neither_write_the_session_nor_keep_it_alive(app, client, cashier, poll):
    """The printer badge asks every few seconds with nobody at the screen: that is no activity,
    and its answer must not set the cookie (answered after a checkout, it would bring back the
    cart the checkout cleared)."""
    app.config["IDLE_SIGNOUT_SECONDS"] = 30
    with client.session_transaction() as session:
        session["seen"] -= 20
    response = cashier.get(poll, htmx=True)
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    with client.session_transaction() as session:
        session["seen"] -= 20  # 40 s since the last thing a person did, a poll in between
    response = cashier.get(poll, htmx=True)
    assert response.headers["HX-Redirect"] == "/signin?idle=1"
    assert signed_in_staff(client) is None


def test_a_request_a_person_makes_still_writes_the_session(client, cashier):
    response = cashier.get("/cashier/", htmx=True)
    assert "session=" in response.headers["Set-Cookie"]


def test_signin_post_without_csrf_token_is_refused(client, world):
    response = post_pin(client, world.staff[CASHIER], "3333", token=False)
    assert response.status_code == 400
    assert "页面已过期" in body(response)
    assert signed_in_staff(client) is None


@pytest.mark.parametrize("headers", [{}, {"X-CSRF-Token": "forged"}, {"HX-Request": "true"}])
def test_post_without_a_valid_csrf_token_is_refused_and_changes_nothing(client, cashier, world, books, headers):
    cashier.post("/cashier/scan", {"code": world.payload("张建华")})
    register, before = cashier.register(), books()
    response = client.post("/cashier/cart/add", data={"product_id": str(world.products["食用油"].id)}, headers=headers)
    assert response.status_code == 400
    if "HX-Request" in headers:
        # htmx reloads the stale page, which then shows why.
        assert response.headers["HX-Refresh"] == "true"
        assert "页面已过期" in body(client.get("/cashier/"))
    else:
        assert "页面已过期" in body(response)
    assert cashier.register() == register
    assert books() == before


def test_signout_needs_csrf_too(client, cashier):
    # A forged cross-site form must not sign the cashier out in the middle of a rush.
    assert client.post("/signout").status_code == 400
    assert signed_in_staff(client) is not None
    assert cashier.post("/signout", htmx=False).status_code == 302
    assert signed_in_staff(client) is None


def test_language_switch_turns_the_ui_english_and_back(client, cashier):
    response = cashier.post("/lang/en", {"next": "/cashier/"}, htmx=False)
    assert response.status_code == 302
    assert response.headers["Location"] == "/cashier/"
    english = body(client.get("/cashier/"))
    assert "Please scan the points card" in english
    assert "请扫描积分卡" not in english
    assert 'lang="en"' in english

    cashier.post("/lang/zh_CN", {"next": "/cashier/"}, htmx=False)
    assert "请扫描积分卡" in body(client.get("/cashier/"))


def test_language_survives_signing_out(client, cashier):
    cashier.post("/lang/en", {"next": "/cashier/"}, htmx=False)
    cashier.post("/signout", htmx=False)
    assert "Staff sign-in" in body(client.get("/signin"))


def test_unknown_language_is_ignored(client, cashier):
    cashier.post("/lang/xx", {"next": "/cashier/"}, htmx=False)
    assert "请扫描积分卡" in body(client.get("/cashier/"))


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "javascript:alert(1)"])
def test_language_switch_never_redirects_off_site(cashier, target):
    response = cashier.post("/lang/en", {"next": target}, htmx=False)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
