"""The manager adds a volunteer on the touch screen (PIN typed twice on two pads), the volunteer
signs in with it, and the audit log shows the change, filtered with htmx."""
import re

import pytest
from playwright.sync_api import expect

from tests.browser.docshots import keep_for_docs
from tests.helpers import sign_in

pytestmark = pytest.mark.browser


def tap_pin(pad, pin):
    for digit in pin:
        pad.get_by_role("button", name=digit, exact=True).tap()


def test_add_a_volunteer_then_read_it_in_the_audit_log(server, page, shot):
    url, _ = server
    name = "赵志愿" + str(page.viewport_size["width"])
    sign_in(page, url, "王秀英", "1111")
    page.wait_for_url(lambda address: "/signin" not in address)
    page.goto(url + "/settings/")
    page.get_by_role("link", name="工作人员").tap()
    page.get_by_role("link", name="添加工作人员").tap()
    page.wait_for_load_state("load")
    page.get_by_label("姓名").fill(name)
    page.get_by_label("客服").check()
    pads = page.locator("[data-pinpad]")
    tap_pin(pads.nth(0), "2468")
    tap_pin(pads.nth(1), "2468")
    shot("80-staff-add")
    page.get_by_role("button", name="添加", exact=True).tap()
    expect(page.locator(f'[data-staff="{name}"]')).to_contain_text("客服")
    keep_for_docs(shot("81-staff-list"), "staff")
    page.locator(f'[data-staff="{name}"]').get_by_role("link", name="管理").tap()
    expect(page.locator("#staff-person")).to_contain_text("设置新密码")
    shot("83-staff-person")

    page.goto(url + "/settings/audit/")
    page.get_by_label("类别").select_option(label="添加工作人员")
    expect(page).to_have_url(re.compile(r"action=staff_added"))
    expect(page.locator("[data-event]", has_text=f"name: {name}")).to_have_count(1)
    expect(page.locator("[data-event]", has_text="登录")).to_have_count(0)  # only the kind chosen
    assert page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth") <= 0
    shot("82-audit-log")

    sign_in(page, url, name, "2468")
    page.wait_for_url(lambda address: "/signin" not in address)
    expect(page.locator(".staff-name")).to_contain_text(name)
