"""The monthly public notice (公示) on the idle kiosk: the passbook screen rotates to it, it
fills the screen in large type, pages through every household by itself and hands back."""
import re
import subprocess
import sys

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import running_kiosk
from tests.browser.docshots import keep_for_docs
from tests.helpers import open_screen, sign_in

# Run in the server's environment: a month of service points on the demo store, then the
# monthly notice holding today is published as on the day after its cut-off (the test cannot
# wait for the 27th). Everything else is the real server.
PUBLISH = """
import datetime, os, zoneinfo
from kiosk import create_app
from kiosk.db import database
from kiosk.ledger import service as ledger
from kiosk.ledger.models import EARN, Account
from kiosk.notice import service
from kiosk.stores.models import Store

app = create_app()
with app.app_context():
    database.connect(reuse_if_open=True)
    store = Store.get()
    tz = app.config["BABEL_DEFAULT_TIMEZONE"]
    accounts = list(Account.select().where(Account.store == store).order_by(Account.id))
    with database.atomic():
        for i, account in enumerate(accounts):
            if i % 5:
                ledger.post(account.id, 10 * (i % 7 + 1), EARN, note="志愿服务")
    today = datetime.datetime.now(zoneinfo.ZoneInfo(tz)).date()
    year, month = service.month_covering(store, today)
    _, day_to = service.month_period(store, year, month)
    notice = service.publish_month(store, f"{year}-{month:02d}", today=day_to + datetime.timedelta(days=1), tz_name=tz)
    print(notice.period)
"""

TINY_TARGETS = """
() => Array.from(document.querySelectorAll('button, a, input:not([type=hidden])'))
  .filter(el => el.offsetParent !== null)
  .map(el => [el.textContent.trim(), el.getBoundingClientRect()])
  .filter(([, r]) => r.width < 48 || r.height < 48)
  .map(([name, r]) => `${name} ${Math.round(r.width)}x${Math.round(r.height)}`)
"""


@pytest.fixture(scope="module")
def notice_server(tmp_path_factory):
    instance = tmp_path_factory.mktemp("notice-instance")
    with running_kiosk(instance, KIOSK_NOTICE_ROTATE_SECONDS="2", KIOSK_NOTICE_PAGE_SECONDS="3") as (url, env):
        period = subprocess.run([sys.executable, "-c", PUBLISH], env=env, capture_output=True, text=True,
                                check=True).stdout.strip()
        yield url, env, period


def test_the_idle_kiosk_shows_the_monthly_notice_full_screen(notice_server, page, shot):
    url, env, period = notice_server
    page.goto(url + "/passbook/")
    # The idle passbook screen rotates to the notice by itself.
    board = page.get_by_test_id("notice-board")
    expect(board).to_be_visible(timeout=8000)
    assert page.url.endswith("/notice/display")
    expect(page.locator(".board-head h1")).to_have_text(f"{period} 积分公示")
    expect(page.get_by_test_id("board-page")).to_have_text("第 1 / 3 页")  # 24 demo households, 10 a page
    rows = page.locator(".board-lines tbody tr")
    expect(rows).to_have_count(10)
    text = board.inner_text()
    assert "*" in text and "王秀英" not in text
    for name in ("张建华", "李秀兰", "王德明"):
        assert name not in text
    first = rows.first.locator("td")
    assert first.nth(0).inner_text() == "1"
    # Large type, and the whole board on the screen without scrolling (once the stylesheet is in).
    page.wait_for_load_state("load")
    size = float(page.evaluate("getComputedStyle(document.querySelector('.board-lines td')).fontSize")[:-2])
    assert size >= 26
    assert page.evaluate("document.documentElement.scrollHeight <= window.innerHeight + 1")
    assert page.evaluate(TINY_TARGETS) == []
    keep_for_docs(shot("40-notice-display"), "notice-display")

    # It pages through every household by itself, then goes back to the passbook screen.
    expect(page.get_by_test_id("board-page")).to_have_text("第 2 / 3 页", timeout=8000)
    expect(page.get_by_test_id("board-page")).to_have_text("第 3 / 3 页", timeout=8000)
    expect(rows).to_have_count(4)
    shot("41-notice-display-last-page")
    expect(page.locator("#passbook-scan")).to_be_visible(timeout=8000)
    assert page.url.endswith("/passbook/")


def test_a_resident_taps_back_to_the_passbook(notice_server, page):
    url, _, _ = notice_server
    page.goto(url + "/notice/display")
    page.get_by_role("link", name="扫卡查积分").tap()
    expect(page.locator("#passbook-scan")).to_be_focused()


def test_customer_service_sees_the_published_notice(notice_server, page, shot):
    url, _, period = notice_server
    sign_in(page, url, "陈志强", "4444")
    open_screen(page, "积分公示")
    expect(page.get_by_text("已发布的公示")).to_be_visible()
    page.get_by_role("link", name="打开").first.tap()
    expect(page.get_by_test_id("chain-head")).to_have_text(re.compile("^[0-9a-f]{64}$"))
    expect(page.locator(".notice-lines")).to_contain_text("*")
    shot("42-notice-page")
