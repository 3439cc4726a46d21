"""The street office signs in on the touch PIN pad at /district/ and sees two stores of one
database side by side at 1280x800: headline figures, the last day closed, the last verification;
nothing wider than the screen. The screenshot is the README's docs/district.png (copied there with KIOSK_UPDATE_DOCS=1)."""
import os
import shutil
import subprocess
import sys
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, running_kiosk
from tests.helpers import cli

pytestmark = pytest.mark.browser

OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
DOCS = ARTIFACTS.parent / "docs"

# A second store with a household, goods and a sale, in the server's database.
SECOND_STORE = """
import os
from kiosk import db
db.connect(os.environ["KIOSK_DATABASE_URL"], pool_size=0)
from tests.helpers import second_store
second_store(quantity=2)
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with running_kiosk(tmp_path_factory.mktemp("district-instance"), KIOSK_STORE="XY") as (url, env):
        subprocess.run([sys.executable, "-c", SECOND_STORE], env=env, check=True, capture_output=True, text=True)
        yesterday = (datetime.now(ZoneInfo("Asia/Shanghai")) - timedelta(days=1)).date().isoformat()
        cli(env, "demo", "--activity")  # service records in XY this month
        cli(env, "close-day", "--store", "XY", "--date", yesterday)
        cli(env, "verify")
        subprocess.run([sys.executable, "-m", "kiosk", "district", "add-user", "街道刘", "--pin-stdin"], env=env,
                       input="4826\n", check=True, capture_output=True, text=True)
        yield url, env, yesterday


def test_street_office_sees_two_stores_side_by_side(browser, server):
    url, _env, yesterday = server
    context = browser.new_context(viewport={"width": 1280, "height": 800}, has_touch=True, locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(url + "/district/")
        page.get_by_text("街道刘").tap()
        page.wait_for_url("**/district/signin/*")
        page.wait_for_load_state("load")
        for digit in "4826":
            page.get_by_role("button", name=digit, exact=True).tap()
        page.get_by_role("button", name="登录").tap()
        table = page.get_by_test_id("district-table")
        expect(table).to_be_visible()
        expect(page.get_by_test_id("store-XY")).to_contain_text("幸福里社区信义积分超市")
        expect(page.get_by_test_id("store-AB")).to_contain_text("二店积分超市")
        expect(page.get_by_test_id("last-close-XY")).to_have_text(yesterday)
        expect(page.get_by_test_id("last-close-AB")).to_have_text("尚无")
        # The header names no store: the street office is no store's.
        expect(page.locator(".topbar .store-name")).not_to_contain_text("幸福里")
        for code in ("XY", "AB"):
            expect(page.get_by_test_id(f"last-verify-{code}")).to_contain_text("无问题")
        assert page.evaluate(OVERFLOW) <= 0
        # The period picker swaps the table in place.
        page.get_by_test_id("period-this_year").tap()
        expect(page.get_by_test_id("district")).to_have_attribute("data-period", str(datetime.now(ZoneInfo("Asia/Shanghai")).year))
        page.get_by_test_id("period-this_month").tap()
        expect(page.get_by_test_id("period-this_month")).to_have_class("btn big primary")
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / "district-1280x800.png"
        page.screenshot(path=str(path), full_page=True)
        if os.environ.get("KIOSK_UPDATE_DOCS"):  # the README's screenshot; a test run leaves docs/ alone
            shutil.copy(path, DOCS / "district.png")
        # A street user is never sent to a store's screen.
        page.goto(url + "/cashier/")
        page.wait_for_url("**/district/")
    finally:
        context.close()
