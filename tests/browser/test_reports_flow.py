"""The store manager opens this month's report on the touch screen at both kiosk sizes: charts
shown, nothing wider than the screen, every tab; then downloads the points workbook and its
totals equal sums taken straight from the ledger in the database."""
import io
import sqlite3
import subprocess
import sys

import openpyxl
import pytest
from playwright.sync_api import expect

from kiosk.reports import periods
from tests.browser.conftest import ARTIFACTS, running_kiosk
from tests.browser.docshots import keep_for_docs
from tests.helpers import cli, open_screen, sign_in

pytestmark = pytest.mark.browser

OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
CHARTS_DRAWN = """
() => Array.from(document.querySelectorAll('img[data-testid=chart]'))
  .map(img => [img.complete && img.naturalWidth > 0, Math.round(img.getBoundingClientRect().width),
               img.getBoundingClientRect().right <= document.documentElement.clientWidth + 1])
"""


# A month with something in it, through the services as the screens would do it: redemptions by
# three households, a donation and a write-off (run in a process of its own, on the server's file).
ACTIVITY = """
import os, sys
from datetime import datetime
from zoneinfo import ZoneInfo
from kiosk import db
from kiosk.cards.models import Card
from kiosk.checkout import service as checkout
from kiosk.goods import service as goods
from kiosk.inventory.models import Product
from kiosk.staff.models import CASHIER, MANAGER, Staff
from kiosk.stores.models import Store

db.connect(os.environ["KIOSK_DATABASE_URL"], pool_size=0)
store = Store.get()
today = datetime.now(ZoneInfo(store.timezone)).date()
cashier = Staff.get(Staff.store == store, Staff.role == CASHIER)
manager = Staff.get(Staff.store == store, Staff.role == MANAGER)
products = list(Product.select().where(Product.store == store, Product.quantity > 5, Product.points <= 60)
                .order_by(Product.id).limit(6))
for number, card in enumerate(Card.select().where(Card.store == store).order_by(Card.id).limit(3)):
    items = [(products[number].id, 1), (products[number + 3].id, 2)]
    checkout.checkout(store, card.id, items, cashier.id, f"report-test-sale-{number}", tz_name=store.timezone)
goods.receive(store, kind="donation", lines=[{"product_id": products[0].id, "quantity": "12", "batch_no": "",
              "expiry": ""}], staff=manager, key="report-test-donation-1", today=today, donor_name="幸福里爱心企业")
goods.write_off(store, reason="damaged", note="", lines=[{"product_id": products[1].id, "quantity": "1"}],
                staff=manager, key="report-test-write-off-1")
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with running_kiosk(tmp_path_factory.mktemp("reports-instance")) as (url, env):
        cli(env, "demo", "--activity")  # approved service records: points earned this month
        subprocess.run([sys.executable, "-c", ACTIVITY], env=env, check=True, capture_output=True, text=True)
        yield url, env


def ledger_sums(env, code):
    """(earned, redeemed, outstanding at the end) for the period, summed by plain SQL."""
    start, end = periods.parse(code).bounds("Asia/Shanghai")
    path = env["KIOSK_DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        def total(sql, *params):
            return db.execute(sql, params).fetchone()[0] or 0
        bounds = (start.isoformat(sep=" "), end.isoformat(sep=" "))
        earned = total("SELECT SUM(delta) FROM ledger_entry WHERE kind = 'earn' AND created_at >= ? AND created_at < ?",
                       *bounds)
        redeemed = -total("SELECT SUM(delta) FROM ledger_entry WHERE kind = 'redeem' AND created_at >= ? "
                          "AND created_at < ?", *bounds)
        outstanding = total("SELECT SUM(delta) FROM ledger_entry WHERE created_at < ?", bounds[1])
    return earned, redeemed, outstanding


def check_screen(page):
    expect(page.get_by_test_id("chart").first).to_be_visible()
    page.wait_for_function("() => Array.from(document.querySelectorAll('img[data-testid=chart]'))"
                           ".every(img => img.complete && img.naturalWidth > 0)")
    drawn = page.evaluate(CHARTS_DRAWN)
    assert drawn and all(loaded and width > 300 and inside for loaded, width, inside in drawn), drawn
    assert page.evaluate(OVERFLOW) <= 0


def test_a_month_report_with_charts_and_its_workbook(server, page, shot):
    url, env = server
    errors = []  # as the policy's own browser test collects them
    page.on("console", lambda message: errors.append(message.text)
            if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.add_init_script("document.addEventListener('securitypolicyviolation', e => "
                         "console.error('Content Security Policy: ' + e.violatedDirective + ' ' + e.blockedURI))")
    sign_in(page, url, "王秀英", "1111")
    page.wait_for_url(lambda address: "/signin" not in address)
    page.goto(url + "/settings/")
    open_screen(page, "报表")
    page.wait_for_url(url + "/reports/")
    page.get_by_test_id("period-this_month").tap()
    expect(page.get_by_test_id("period-this_month")).to_have_class("btn big primary")
    code = page.get_by_test_id("report").get_attribute("data-period")
    assert periods.parse(code).kind == periods.MONTH
    check_screen(page)
    earned, redeemed, outstanding = ledger_sums(env, code)
    assert earned > 0 and redeemed > 0
    figures = page.locator(".report-figures")
    expect(figures).to_contain_text(f"获得{earned:,}")
    page.locator(".report-title").scroll_into_view_if_needed()
    page.evaluate("() => window.scrollTo(0, document.querySelector('.report-title').getBoundingClientRect().top + window.scrollY - 8)")
    keep_for_docs(shot("reports-points"), "reports-points")

    page.get_by_test_id("tab-participation").tap()
    expect(page.get_by_test_id("report")).to_have_attribute("data-tab", "participation")
    check_screen(page)
    page.locator(".report-title").scroll_into_view_if_needed()
    page.evaluate("() => window.scrollTo(0, document.querySelector('.report-title').getBoundingClientRect().top + window.scrollY - 8)")
    keep_for_docs(shot("reports-participation"), "reports-participation")
    page.get_by_test_id("tab-goods").tap()
    expect(page.get_by_test_id("report")).to_have_attribute("data-tab", "goods")
    check_screen(page)
    assert len(page.evaluate(CHARTS_DRAWN)) == 2
    page.locator(".report-title").scroll_into_view_if_needed()
    page.evaluate("() => window.scrollTo(0, document.querySelector('.report-title').getBoundingClientRect().top + window.scrollY - 8)")
    keep_for_docs(shot("reports-goods"), "reports-goods")

    page.get_by_test_id("tab-points").tap()
    expect(page.get_by_test_id("report")).to_have_attribute("data-tab", "points")
    with page.expect_download() as download:
        page.get_by_test_id("report-xlsx").tap()
    with open(download.value.path(), "rb") as file:
        data = file.read()
    book = openpyxl.load_workbook(io.BytesIO(data))
    summary = {row[0]: row[1] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)}
    assert (summary["获得"], summary["兑换"], summary["期末积分余额"]) == (earned, redeemed, outstanding)
    by_rule = book["按规则获得积分"]
    rows = list(by_rule.iter_rows(min_row=2, values_only=True))
    assert rows[-1][-1] == earned  # the totals row
    assert sum(row[-1] for row in rows[:-1]) == earned
    about = {row[0]: row[1] for row in book["说明"].iter_rows(min_row=2, values_only=True)}
    with sqlite3.connect(env["KIOSK_DATABASE_URL"].removeprefix("sqlite:///")) as db:
        head = db.execute("SELECT head FROM ledger_chain").fetchone()[0]
    assert about["账本链头"] == head
    assert errors == []  # no script error, no Content-Security-Policy violation (the charts are data: images)


def test_the_street_page_and_a_chosen_pair_of_days(server, page, shot):
    url, env = server
    sign_in(page, url, "王秀英", "1111")
    page.wait_for_url(lambda address: "/signin" not in address)
    page.goto(url + "/reports/?tab=participation")
    first = page.locator("input[name=from]")
    last = page.locator("input[name=to]")
    start = last.input_value()[:8] + "01"
    first.fill(start)
    page.get_by_role("button", name="查看").tap()
    expect(page.get_by_test_id("report")).to_have_attribute("data-period", f"{start}..{last.input_value()}"
                                                            if start != last.input_value() else start)
    check_screen(page)
    page.locator(".report-title").scroll_into_view_if_needed()
    page.evaluate("() => window.scrollTo(0, document.querySelector('.report-title').getBoundingClientRect().top + window.scrollY - 8)")
    shot("reports-days")
    response = page.request.get(url + "/reports/street.pdf?period=" + page.get_by_test_id("report").get_attribute("data-period"))
    assert response.ok and response.body().startswith(b"%PDF")
    from tests.helpers import pdf_page_images

    images = pdf_page_images(response.body(), dpi=80)
    assert len(images) == 1
    size = page.viewport_size
    images[0].save(ARTIFACTS / f"street-page-{size['width']}x{size['height']}.png")
