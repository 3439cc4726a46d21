"""A partner (the fruit stall) signs in at /partner/ on the kiosk (1280x800) and on a phone
(390x844), scans a voucher like a USB scanner (or types its ten digits on the phone), sees 有效,
taps 核销, and a second scan says 已使用. Nothing is wider than the screen. The valid-voucher
screenshots are docs/partner-kiosk.png and docs/partner-phone.png (copied with KIOSK_UPDATE_DOCS=1)."""
import json
import os
import shutil
import subprocess
import sys

import pytest
from playwright.sync_api import expect

from tests.browser.axe import assert_accessible
from tests.browser.conftest import ARTIFACTS, running_kiosk
from tests.helpers import scan

pytestmark = pytest.mark.browser

OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
DOCS = ARTIFACTS.parent / "docs"
PIN = "4826"
SIZES = {"kiosk": dict(viewport={"width": 1280, "height": 800}),
         "phone": dict(viewport={"width": 390, "height": 844}, is_mobile=True, device_scale_factor=2)}

# Four fruit vouchers of the demo store in the server's database (issuing them at the till is
# another screen's): prints [(serial, payload)].
VOUCHERS = """
import json, os
from kiosk import db, keys
db.connect(os.environ["KIOSK_DATABASE_URL"], pool_size=0)
from kiosk.cards.models import Card
from kiosk.inventory.models import Product
from kiosk.staff.models import Staff
from kiosk.stores.models import Store
from kiosk.vouchers.codes import serial_text
from kiosk.vouchers.models import Partner
from tests import partner_data
store = Store.get()
fruit = Partner.get(Partner.name == "鲜果园")
card = Card.select().where(Card.store == store, Card.status == "active").order_by(Card.id).first()
product = (Product.select().where(Product.store == store).order_by((Product.kind == "voucher").desc(), Product.id)
           .first())
cashier = Staff.select().where(Staff.store == store, Staff.role == "cashier").first()
key = keys.load(os.environ["KIOSK_INSTANCE_PATH"])["CARD_SIGNING_KEY"]
from kiosk.vouchers.codes import voucher_payload
out = []
for _ in range(4):
    made = partner_data.voucher(store, fruit, product, card.account, card, cashier, face="时令水果 1 份", fen=1500)
    out.append((serial_text(made.serial), voucher_payload(store.code, made.serial, key)))
print(json.dumps(out))
"""

# Uses voucher {serial} as the fruit stall unless the partner flows did already.
USE = """
import os
from kiosk import db
db.connect(os.environ["KIOSK_DATABASE_URL"], pool_size=0)
from kiosk.vouchers.models import Partner, Voucher
from kiosk.vouchers.redeem import use_voucher
voucher = Voucher.get(Voucher.serial == {serial})
if voucher.status == "issued":
    use_voucher(voucher.id, Partner.get(Partner.name == "鲜果园"))
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with running_kiosk(tmp_path_factory.mktemp("partner-instance")) as (url, env):
        subprocess.run([sys.executable, "-m", "kiosk", "partner", "add", "鲜果园", "--honours", "时令水果券",
                        "--pin-stdin"], env=env, input=f"{PIN}\n", check=True, capture_output=True, text=True)
        made = subprocess.run([sys.executable, "-c", VOUCHERS], env=env, check=True, capture_output=True, text=True)
        yield url, json.loads(made.stdout), env


def no_overflow(page):
    assert page.evaluate(OVERFLOW) <= 0


@pytest.mark.parametrize("size", ["kiosk", "phone"])
def test_a_partner_uses_a_voucher_once(browser, server, size):
    url, vouchers, _env = server
    serial, payload = vouchers[0 if size == "kiosk" else 1]
    context = browser.new_context(has_touch=True, locale="zh-CN", **SIZES[size])
    page = context.new_page()
    ARTIFACTS.mkdir(exist_ok=True)
    try:
        page.goto(url + "/partner/")
        expect(page.get_by_role("heading", name="合作商家登录")).to_be_visible()
        no_overflow(page)
        page.screenshot(path=str(ARTIFACTS / f"partner-signin-{size}.png"))
        page.get_by_test_id("partner-tile").filter(has_text="鲜果园").tap()
        page.wait_for_url("**/partner/signin/*")
        page.wait_for_load_state("load")
        no_overflow(page)
        page.screenshot(path=str(ARTIFACTS / f"partner-pin-{size}.png"))
        for digit in PIN:
            page.get_by_role("button", name=digit, exact=True).tap()
        page.get_by_role("button", name="登录").tap()
        field = page.get_by_test_id("voucher-scan")
        expect(field).to_be_visible()
        expect(page.get_by_test_id("partner-name")).to_have_text("鲜果园")
        page.wait_for_load_state("load")
        if size == "phone":
            field.tap()
            page.keyboard.type(serial, delay=90)  # a person typing the number on the slip
            page.keyboard.press("Enter")
        else:
            scan(page, payload)
        card = page.get_by_test_id("voucher-card")
        expect(card).to_have_attribute("data-state", "valid")
        expect(page.get_by_test_id("voucher-state")).to_have_text("有效")
        expect(card).to_contain_text("时令水果 1 份")
        expect(page.get_by_test_id("voucher-serial")).to_have_text(serial)
        no_overflow(page)
        valid_shot = ARTIFACTS / f"partner-valid-{size}.png"
        page.screenshot(path=str(valid_shot), full_page=True)
        if os.environ.get("KIOSK_UPDATE_DOCS"):  # the README's screenshot; a test run leaves docs/ alone
            shutil.copy(valid_shot, DOCS / f"partner-{size}.png")
        assert_accessible(page, "合作商家核销")
        page.get_by_test_id("use-voucher").tap()
        expect(page.get_by_text("核销成功")).to_be_visible()
        expect(card).to_have_attribute("data-state", "used")
        scan(page, payload)
        expect(page.get_by_test_id("voucher-state")).to_have_text("已使用")
        expect(page.get_by_test_id("voucher-used")).to_contain_text("由您（鲜果园）核销")
        expect(page.get_by_test_id("use-voucher")).to_have_count(0)
        no_overflow(page)
        page.screenshot(path=str(ARTIFACTS / f"partner-used-{size}.png"), full_page=True)
    finally:
        context.close()


def test_the_manager_settles_what_the_partner_used(browser, server):
    """After the flows above: the store manager makes this month's statement of the fruit stall
    (the two vouchers used), looks at it and settles it."""
    from tests.helpers import sign_in

    url, vouchers, env = server
    context = browser.new_context(viewport={"width": 1280, "height": 800}, has_touch=True, locale="zh-CN")
    page = context.new_page()
    try:
        # The partner flows used two vouchers; use them here too when this test runs alone.
        for serial, _payload in vouchers[:2]:
            subprocess.run([sys.executable, "-c", USE.format(serial=int(serial))], env=env, check=True,
                           capture_output=True, text=True)
        sign_in(page, url, "王秀英", "1111")
        expect(page.locator(".staff-name")).to_contain_text("王秀英")
        page.goto(url + "/settings/")
        page.get_by_role("link", name="合作商家").tap()
        expect(page.locator("tr[data-partner='鲜果园']")).to_contain_text("时令水果券")
        page.locator("tr[data-partner='鲜果园']").get_by_role("link", name="管理").tap()
        expect(page.get_by_test_id("new-statement")).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "partner-person-kiosk.png"), full_page=True)
        page.get_by_test_id("new-statement").tap()
        page.get_by_test_id("period-this_month").tap()
        expect(page.locator("tr[data-serial]")).to_have_count(2)
        assert page.evaluate(OVERFLOW) <= 0
        page.screenshot(path=str(ARTIFACTS / "partner-settle-kiosk.png"), full_page=True)
        page.get_by_test_id("make-statement").tap()
        expect(page.get_by_test_id("statement-status")).to_have_text("未结算")
        expect(page.get_by_test_id("statement-total")).to_have_text("30.00")
        page.screenshot(path=str(ARTIFACTS / "partner-statement-kiosk.png"), full_page=True)
        if os.environ.get("KIOSK_UPDATE_DOCS"):  # the manual's screenshot; a test run leaves docs/ alone
            shutil.copy(ARTIFACTS / "partner-statement-kiosk.png", DOCS / "partner-statement.png")
        page.get_by_test_id("settle-statement").tap()
        page.get_by_test_id("confirm-settle").tap()
        expect(page.get_by_test_id("statement-status")).to_contain_text("已结算")
        expect(page.get_by_test_id("settle-statement")).to_have_count(0)
    finally:
        context.close()
