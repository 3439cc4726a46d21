"""A store opened from an empty database, with no demo, as its own manager would do it: the
first-run screen, staff, a category, three goods and their stock, a rule; the new operations
volunteer registers a household and issues a card, records a service; the manager approves it;
the new cashier redeems. Screenshots of each step (test-artifacts/open-*)."""
import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.browser.conftest import running_kiosk
from tests.browser.docshots import keep_for_docs
from tests.helpers import cli, decode_qr, open_screen, scan, sign_in

pytestmark = pytest.mark.browser

GOODS = (("东北大米 5kg", "100"), ("加碘食盐 400g", "20"), ("立白洗洁精 1kg", "30"))


@pytest.fixture
def empty_server(tmp_path):
    """A kiosk on a fresh database: `kiosk init-db` and `kiosk serve`, nothing else."""
    with running_kiosk(tmp_path / "instance", demo=False) as running:
        yield running


def tap_digits(pad, pin):
    for digit in pin:
        pad.get_by_role("button", name=digit, exact=True).tap()


def test_a_new_store_opens_staffs_stocks_earns_and_redeems(empty_server, page, shot):
    url, env = empty_server
    # 1. The first-run screen instead of sign-in.
    page.goto(url + "/")
    expect(page).to_have_url(re.compile(r"/setup/$"))
    page.wait_for_load_state("load")  # the PIN pad's script
    page.get_by_label("店名").fill("和平里社区信义积分超市")
    page.get_by_label("超市代码").fill("hp")
    page.get_by_label("第一位店长的姓名").fill("刘桂芳")
    pad = page.locator("[data-pinpad]")
    tap_digits(pad, "2468")
    page.get_by_test_id("pin_again").tap()
    tap_digits(pad, "2469")
    keep_for_docs(shot("open-00-first-run-filled"), "first-run")  # the manuals' picture: no message yet
    page.get_by_role("button", name="开店").tap()
    expect(page.get_by_role("alert")).to_have_text("两次输入的密码不一致，请重新输入两遍。")
    expect(page.get_by_label("店名")).to_have_value("和平里社区信义积分超市")  # what was typed stays
    page.wait_for_load_state("load")
    tap_digits(pad, "2468")
    page.get_by_test_id("pin_again").tap()
    tap_digits(pad, "2468")
    shot("open-01-first-run")
    page.get_by_role("button", name="开店").tap()
    expect(page).to_have_url(re.compile(r"/settings/$"))
    expect(page.locator(".store-name")).to_have_text("和平里社区信义积分超市")
    shot("open-02-settings")
    assert page.request.get(url + "/setup/").status == 404

    # 2. Staff: a cashier and an operations volunteer, each PIN typed twice.
    for name, role, pin in (("赵丽娟", "收银", "3579"), ("孙建军", "运营", "8642")):
        page.goto(url + "/settings/staff/")
        page.get_by_role("link", name="添加工作人员").tap()
        page.wait_for_load_state("load")
        page.get_by_label("姓名").fill(name)
        page.get_by_label(role).check()
        pads = page.locator("[data-pinpad]")
        tap_digits(pads.nth(0), pin)
        tap_digits(pads.nth(1), pin)
        page.get_by_role("button", name="添加", exact=True).tap()
        expect(page.locator(f'[data-staff="{name}"]')).to_contain_text(role)
    shot("open-03-staff")

    # 3. A goods category, then three goods, then their stock.
    page.goto(url + "/categories/")
    page.get_by_label("新类别").fill("粮油调味")
    page.get_by_role("button", name="添加", exact=True).tap()
    expect(page.locator('tr[data-category="粮油调味"]')).to_be_visible()
    shot("open-04-category")
    for name, points in GOODS:
        page.goto(url + "/products/new")
        page.locator("input[name=name]").fill(name)
        page.locator("input[name=category]").fill("粮油调味")
        page.locator("input[name=points]").fill(points)
        page.get_by_role("button", name="保存").tap()
        expect(page.get_by_text(f"已保存：{name}")).to_be_visible()
    page.goto(url + "/products/")
    for name, _ in GOODS:
        expect(page.locator("#product-list")).to_contain_text(name)
    shot("open-05-goods")
    page.goto(url + "/stock/in/")
    page.wait_for_load_state("load")
    for name, _ in GOODS:
        page.locator(f"[data-pick='{name}']").tap()
        expect(page.locator(f"[data-line='{name}']")).to_be_visible()
        page.locator(f"[data-line='{name}'] .qty-input").fill("20")
    page.get_by_role("button", name="确认入库").tap()
    expect(page.locator(f"[data-line='{GOODS[0][0]}']")).to_contain_text("20")
    shot("open-06-stock-in")

    # 4. An earning rule of the community's own.
    page.goto(url + "/rules/new")
    page.wait_for_load_state("load")
    for field, value in (("name", "楼道清扫"), ("category", "人居环境"), ("points", "150"), ("cap_month", "300")):
        page.locator(f'.rule-form input[name="{field}"]').fill(value)
    page.get_by_role("button", name="保存").tap()
    expect(page.locator("tr[data-rule]", has_text="楼道清扫")).to_be_visible()
    shot("open-07-rule")

    # 5. The operations volunteer registers a household and issues a card.
    sign_in(page, url, "孙建军", "8642")
    expect(page).to_have_url(re.compile(r"/registry/$"))
    page.get_by_role("link", name="登记新户").tap()
    page.get_by_label("楼栋").fill("2")
    page.get_by_label("单元").fill("1")
    page.get_by_label("房号").fill("502")
    page.get_by_role("button", name="保存").tap()
    expect(page.get_by_text("已登记新户")).to_be_visible()
    page.get_by_label("姓名").fill("周慧敏")
    page.get_by_label("电话").fill("13912345678")
    page.get_by_role("button", name="添加", exact=True).tap()
    expect(page.get_by_text("已添加居民。")).to_be_visible()
    page.locator("[data-resident='周慧敏']").get_by_role("button", name="办卡").tap()
    expect(page.get_by_text(re.compile("已为 周慧敏 办理积分卡"))).to_be_visible()
    shot("open-08-household")
    href = page.locator("[data-resident='周慧敏']").get_by_role("link", name="打印卡").get_attribute("href")
    (payload,) = decode_qr(Image.open(io.BytesIO(page.request.get(url + href).body())))
    assert payload.startswith("JF:HP:")

    # 6. ... and records the service she did.
    open_screen(page, "积分登记")
    page.locator("input[type=search]").fill("周")
    page.get_by_role("button", name="搜索").tap()
    page.locator("[data-add='周慧敏']").tap()
    expect(page.locator("[data-person='周慧敏']")).to_be_visible()
    page.get_by_text("楼道清扫").tap()
    page.locator("input[name=content]").fill("2号楼1单元楼道清扫")
    shot("open-09-record-service")
    page.get_by_role("button", name="提交审核").tap()
    expect(page.get_by_text("已登记 1 条服务，等待审核。")).to_be_visible()

    # 7. The manager (not the one who recorded it) approves it.
    sign_in(page, url, "刘桂芳", "2468")
    page.wait_for_url(lambda address: "/signin" not in address)
    page.goto(url + "/earning/review")
    expect(page.locator("[data-record]")).to_have_count(1)
    page.locator("[data-record]").first.get_by_role("button", name="通过").tap()
    expect(page.get_by_text(re.compile("已审核通过"))).to_be_visible()
    shot("open-10-approved")

    # 8. The new cashier redeems.
    sign_in(page, url, "赵丽娟", "3579")
    expect(page.locator("#scan")).to_be_focused()
    scan(page, payload)
    expect(page.get_by_test_id("balance")).to_have_text("150")
    page.locator(f"[data-product='{GOODS[0][0]}']").tap()
    page.locator(f"[data-product='{GOODS[1][0]}']").tap()
    expect(page.get_by_test_id("total")).to_have_text("120")
    shot("open-11-cart")
    page.get_by_role("button", name="确认兑换").tap()
    expect(page.get_by_text("兑换成功", exact=True)).to_be_visible()
    expect(page.get_by_test_id("new-balance")).to_have_text("30")
    shot("open-12-redeemed")
    assert cli(env, "verify").startswith("ok")
    assert "* HP" in cli(env, "store", "list")
