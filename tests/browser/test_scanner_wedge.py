"""A USB keyboard-wedge scanner in Chromium: its burst of keys is a scan wherever focus is, a
person's slower typing stays where it was typed, and window.kioskScan takes the same path."""
import re
import socket

import pytest
from playwright.sync_api import expect

from kiosk import keys
from kiosk.cards.service import card_payload
from kiosk.demo import ean13
from tests.browser.conftest import running_kiosk
from tests.helpers import cli, scan, sign_in

PREFIX, SUFFIX = "]Q1", "~"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def payload_of(env, number):
    return card_payload("XY", number, keys.load(env["KIOSK_INSTANCE_PATH"])["CARD_SIGNING_KEY"])


def holder_of(env, number):
    """The masked holder name `kiosk balance` shows for a card, as the cashier screen shows it."""
    return re.search(r"holder\s+(\S+)", cli(env, "balance", number)).group(1)


def scan_posts(page):
    """The list that collects every scan the page posts from now on."""
    posts = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" and "/scan" in request.url else None)
    return posts


# The cashier screen has no text field of its own but the scan field; a staff search field as
# other screens have one stands in for it.
ADD_SEARCH_FIELD = """() => {
  const field = document.createElement('input');
  field.type = 'search'; field.id = 'staff-search'; field.className = 'search-input';
  document.querySelector('main').prepend(field);
}"""


def test_a_burst_is_a_scan_wherever_focus_is_and_types_nothing(server, page, shot):
    url, env = server
    sign_in(page, url, "张桂兰", "3333")
    expect(page.locator("#scan")).to_be_focused()
    posts = scan_posts(page)

    # Focus on a button.
    page.locator("[data-category-tab]").first.focus()
    scan(page, payload_of(env, "10000002"))
    expect(page.get_by_test_id("holder")).to_have_text(holder_of(env, "10000002"))

    # Nothing focused.
    page.evaluate("document.activeElement.blur()")
    assert page.evaluate("document.activeElement === document.body")
    scan(page, payload_of(env, "10000005"))
    expect(page.get_by_test_id("holder")).to_have_text(holder_of(env, "10000005"))

    # In a search field where someone had started typing: the scan leaves the field alone.
    page.evaluate(ADD_SEARCH_FIELD)
    search = page.locator("#staff-search")
    search.tap()
    page.keyboard.type("wang", delay=120)
    expect(search).to_have_value("wang")
    scan(page, payload_of(env, "10000007"))
    expect(page.get_by_test_id("holder")).to_have_text(holder_of(env, "10000007"))
    expect(search).to_have_value("wang")
    expect(search).to_be_focused()
    expect(page.locator("#scan")).to_have_value("")
    shot("20-scanned-with-focus-in-a-search-field")
    assert len(posts) == 3


def test_a_scanner_that_stalls_mid_code_is_still_one_scan(server, page):
    # A busy kiosk can hold a scanner's keys back for a moment; the code must not be cut in two.
    url, env = server
    sign_in(page, url, "张桂兰", "3333")
    expect(page.locator("#scan")).to_be_focused()
    page.evaluate(ADD_SEARCH_FIELD)
    search = page.locator("#staff-search")
    search.tap()
    payload = payload_of(env, "10000002")
    page.keyboard.type(payload[:12], delay=5)
    page.wait_for_timeout(150)
    scan(page, payload[12:])
    expect(page.get_by_test_id("holder")).to_have_text(holder_of(env, "10000002"))
    expect(search).to_have_value("")


def test_two_fast_scans_and_more_all_arrive_in_order(server, page):
    url, env = server
    sign_in(page, url, "张桂兰", "3333")
    expect(page.locator("#scan")).to_be_focused()
    rice = ean13("690123400000")
    # No waiting in between: the product is only accepted after the card, so order matters.
    for code in (payload_of(env, "10000008"), rice, rice):
        scan(page, code)
    expect(page.locator("[data-line='东北大米 5kg'] .qty")).to_have_text("2")
    expect(page.get_by_test_id("holder")).to_have_text(holder_of(env, "10000008"))
    page.get_by_role("button", name="取消").tap()


def test_slow_typing_stays_in_the_field_and_is_not_a_scan(server, page, shot):
    url, env = server
    sign_in(page, url, "张桂兰", "3333")
    expect(page.locator("#scan")).to_be_focused()
    posts = scan_posts(page)
    page.evaluate(ADD_SEARCH_FIELD)
    search = page.locator("#staff-search")
    search.tap()
    page.keyboard.type("10000011", delay=120)  # a card number, typed by a person
    page.keyboard.press("Enter")
    expect(search).to_have_value("10000011")
    page.wait_for_timeout(300)
    assert posts == []
    expect(page.get_by_text("请扫描积分卡")).to_be_visible()
    shot("21-typed-by-hand-into-a-search-field")

    # Typed by hand into the scan field, a card number is sent on Enter; the store does not take
    # typed card numbers (the default), so the cashier is asked to scan the card.
    page.locator("#scan").focus()
    page.keyboard.type("10000011", delay=120)
    expect(page.locator("#scan")).to_have_value("10000011")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_have_text("请扫描积分卡：本店不接受手动输入卡号。")
    expect(page.locator("#scan")).to_have_value("")
    assert len(posts) == 1


def test_on_the_pin_screen_a_scan_types_nothing_and_a_slow_pin_signs_in(server, page):
    url, env = server
    page.goto("about:blank")  # no poll of the old page races the navigation below
    page.context.clear_cookies()
    page.goto(url + "/")
    page.get_by_text("张桂兰").tap()
    pin = page.locator("[data-pin-field]")
    pin.tap()
    expect(pin).to_be_focused()
    scan(page, payload_of(env, "10000012"))  # this screen takes no scans: nothing happens
    page.wait_for_timeout(300)
    expect(pin).to_have_value("")
    expect(page.get_by_role("alert")).to_have_count(0)
    assert page.evaluate(f"window.kioskScan({payload_of(env, '10000012')!r})") is False

    page.keyboard.type("3333", delay=120)  # a PIN typed on a keyboard
    expect(pin).to_have_value("3333")
    page.get_by_role("button", name="登录").tap()
    expect(page.locator("#scan")).to_be_focused()


def test_kiosk_scan_takes_the_scanners_path(server, page):
    url, env = server
    sign_in(page, url, "张桂兰", "3333")
    expect(page.locator("#scan")).to_be_focused()
    rice = ean13("690123400000")
    assert page.evaluate("([card, rice]) => [kioskScan(card), kioskScan(rice), kioskScan('  ')]",
                         [payload_of(env, "10000012"), rice]) == [True, True, False]
    expect(page.get_by_test_id("holder")).to_have_text(holder_of(env, "10000012"))
    expect(page.locator("[data-line='东北大米 5kg'] .qty")).to_have_text("1")
    page.get_by_role("button", name="取消").tap()


# A scanner set up to add "]Q1" before each code and "~" after it.
@pytest.fixture(scope="module")
def prefixed_server(tmp_path_factory):
    with running_kiosk(tmp_path_factory.mktemp("prefixed-instance"),
                       KIOSK_SCANNER_PREFIX=PREFIX, KIOSK_SCANNER_SUFFIX=SUFFIX) as running:
        yield running


def test_the_scanners_prefix_and_suffix_are_not_part_of_the_code(prefixed_server, page, shot):
    url, env = prefixed_server
    sign_in(page, url, "张桂兰", "3333")
    expect(page.locator("body")).to_have_attribute("data-scanner-prefix", PREFIX)
    expect(page.locator("body")).to_have_attribute("data-scanner-suffix", SUFFIX)
    page.evaluate("document.activeElement.blur()")
    scan(page, PREFIX + payload_of(env, "10000002") + SUFFIX)
    expect(page.get_by_test_id("holder")).to_have_text(holder_of(env, "10000002"))
    scan(page, PREFIX + ean13("690123400000") + SUFFIX)
    expect(page.locator("[data-line='东北大米 5kg'] .qty")).to_have_text("1")
    # A serial scanner set up the same way hands its codes to kioskScan as they come.
    page.evaluate("code => kioskScan(code)", PREFIX + ean13("690123400000") + SUFFIX)
    expect(page.locator("[data-line='东北大米 5kg'] .qty")).to_have_text("2")
    shot("22-scanner-with-prefix-and-suffix")
    page.get_by_role("button", name="取消").tap()
