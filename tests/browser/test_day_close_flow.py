"""The day close in Chromium at 1280x800: a cashier sells and hands over the till (交班), the
manager previews the day, closes it, prints the 日结单 on a network receipt printer (a fake
ESC/POS printer on 127.0.0.1 that keeps the bytes it read) and opens the A4 page."""
import pytest
from playwright.sync_api import expect

from kiosk import keys
from kiosk.cards.service import card_payload
from tests.browser.conftest import running_kiosk
from tests.fakeprinter import FakePrinter
from tests.helpers import balance_of, pdf_text, scan, sign_in

pytestmark = pytest.mark.browser
CARD = "10000005"


@pytest.fixture(scope="module")
def printer():
    printer = FakePrinter()
    yield printer
    printer.close()


@pytest.fixture(scope="module")
def till(tmp_path_factory, printer):
    with running_kiosk(tmp_path_factory.mktemp("dayclose-instance"), KIOSK_PRINTER=printer.url + "?timeout=2") as running:
        yield running


def zh(text):
    return text.encode("gb18030")


@pytest.mark.parametrize("page", [(1280, 800)], indirect=True, ids=["1280x800"])
def test_a_cashier_hands_over_and_the_manager_closes_the_day(till, printer, page, shot):
    url, env = till
    before = balance_of(env, CARD)
    sign_in(page, url, "张桂兰", "3333")
    expect(page.locator("#scan")).to_be_focused()
    scan(page, card_payload("XY", CARD, keys.load(env["KIOSK_INSTANCE_PATH"])["CARD_SIGNING_KEY"]))
    expect(page.get_by_test_id("balance")).to_have_text(str(before))
    page.locator("[data-product='龙须挂面 1kg']").tap()
    page.get_by_role("button", name="确认兑换").tap()
    expect(page.get_by_test_id("new-balance")).to_have_text(str(before - 20))
    expect(page.get_by_test_id("receipt-status")).to_contain_text("小票已打印")

    # The cashier's shift, from the register.
    page.get_by_test_id("close-link").tap()
    expect(page.get_by_role("heading", name="交班单")).to_be_visible()
    expect(page.get_by_test_id("close-sales")).to_have_text("1 · 20分")
    page.get_by_test_id("close-confirm").tap()
    expect(page.get_by_text("已结账。数字已保存，不会再更改。")).to_be_visible()
    expect(page.get_by_test_id("close-record")).to_contain_text("结账人张桂兰")

    # The manager's day, from the settings page.
    sign_in(page, url, "王秀英", "1111")
    expect(page.locator("#scan")).to_be_focused()  # signed in: the register
    page.goto(url + "/settings/")
    page.get_by_role("link", name="日结", exact=True).tap()
    expect(page.get_by_test_id("close-sales")).to_have_text("1 · 20分")
    expect(page.get_by_test_id("close-staff")).to_contain_text("张桂兰")
    expect(page.get_by_test_id("close-reconciliation")).to_have_text("相符")
    shot("day-close-preview")
    page.get_by_test_id("close-confirm").tap()
    expect(page.get_by_text("已结账。数字已保存，不会再更改。")).to_be_visible()
    expect(page.get_by_test_id("close-record")).to_contain_text("结账人王秀英")
    close_url = page.url

    jobs = len(printer.jobs)
    page.get_by_test_id("close-print").tap()
    expect(page.get_by_test_id("receipt-status")).to_contain_text("小票已打印")
    assert printer.wait_for_jobs(jobs + 1)
    data = printer.jobs[-1]
    for text in ("日结单", "营业日：", "张桂兰", "1笔 20分", "核对", "相符", "账本链头"):
        assert zh(text) in data, text
    shot("day-close-printed")

    a4 = page.context.request.get(close_url + ".pdf")
    assert a4.ok and a4.headers["content-type"] == "application/pdf"
    text = pdf_text(a4.body())
    assert "日结单" in text and "张桂兰" in text and "相符" in text
    # The list of closes holds the cashier's shift and the day.
    page.get_by_role("link", name="返回").tap()
    expect(page.get_by_test_id("close-history").locator("tbody tr")).to_have_count(2)
    # The day is closed: the screen says so rather than offering a second close.
    expect(page.get_by_test_id("close-confirm")).to_have_count(0)
    expect(page.get_by_role("alert")).to_contain_text("已经日结过")
