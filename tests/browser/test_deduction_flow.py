"""A deduction on the touch screens: operations records littering, customer service approves
it into the objection period, the resident objects at the idle kiosk with their card, and
another staff member upholds the objection, so nothing is ever deducted."""
import re

import pytest
from playwright.sync_api import expect

from tests.helpers import balance_of, cli, open_screen, scan, sign_in

pytestmark = pytest.mark.browser

# One resident per screen size: the server (and its database) is shared by both runs.
RESIDENT = {1280: "吴海燕", 1024: "周文斌"}


def test_a_resident_objects_to_a_deduction_at_the_idle_kiosk(server, page, shot):
    from tests.browser.test_earning_flow import card_of, payload_of

    url, env = server
    name = RESIDENT[page.viewport_size["width"]]
    number = card_of(env, name)
    before = balance_of(env, number)

    sign_in(page, url, "李建国", "2222")
    open_screen(page, "积分登记")
    page.locator("#scan").focus()
    scan(page, payload_of(env, number))
    expect(page.locator(f"[data-person='{name}']")).to_be_visible()
    page.get_by_text("乱扔垃圾").tap()
    page.locator("input[name=content]").fill("楼道口乱扔垃圾")
    shot("43-record-deduction")
    page.get_by_role("button", name="提交审核").tap()
    expect(page.get_by_text("已登记 1 条扣分，等待审核。")).to_be_visible()

    sign_in(page, url, "陈志强", "4444")
    open_screen(page, "积分审核")
    pending = page.locator("[data-record]").filter(has_text=name)
    expect(pending).to_contain_text("审核通过后进入 7 天异议期")
    pending.get_by_role("button", name="通过").tap()
    expect(page.get_by_text(re.compile(f"扣 {name} 5 积分，如无异议"))).to_be_visible()
    expect(page.locator("#objections [data-record]").filter(has_text=name)).to_contain_text("如居民无异议")
    shot("44-objection-period")

    # The resident, at the idle kiosk, sees the deduction before it takes effect and objects.
    page.goto("about:blank")  # no poll of the old page races the navigation below
    page.context.clear_cookies()
    page.goto(url + "/")
    expect(page.locator("#passbook-scan")).to_be_focused()
    scan(page, payload_of(env, number))
    notice = page.get_by_test_id("pending-deduction")
    expect(notice).to_contain_text("待生效扣分：乱扔垃圾 -5 分")
    expect(page.get_by_test_id("passbook-balance")).to_have_text(str(before))
    shot("45-passbook-deduction")
    box = notice.get_by_role("button", name="我有异议").bounding_box()
    assert box["height"] >= 48 and box["width"] >= 48
    notice.get_by_role("button", name="我有异议").tap()
    expect(page.get_by_text(re.compile("您对“乱扔垃圾”的异议已登记"))).to_be_visible()

    sign_in(page, url, "王秀英", "1111")  # the store manager decides
    open_screen(page, "积分审核")
    disputed = page.locator("#objections [data-record]").filter(has_text=name)
    expect(disputed).to_contain_text("居民在自助机提出")
    disputed.locator("input[name=reason]").fill("监控显示非本户所为")
    shot("46-objection-decision")
    disputed.get_by_role("button", name="异议成立：撤销扣分").tap()
    expect(page.get_by_text(f"异议成立：{name} 的扣分已撤销。")).to_be_visible()
    assert balance_of(env, number) == before
    page.get_by_role("link", name="已审核记录与更正").tap()
    expect(page.locator("[data-record]").filter(has_text=name).first).to_contain_text("异议成立，已撤销")
    shot("47-reviewed-records")
    assert cli(env, "verify").startswith("ok")
