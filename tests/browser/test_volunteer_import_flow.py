"""Operations uploads the volunteer platform's export, corrects the rule on screen and submits
it; customer service checks the same rows and confirms; the balances rise."""
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.browser.docshots import keep_for_docs
from tests.browser.test_redemption_flow import assert_touch_targets
from tests.helpers import balance_of, cli, open_screen, sign_in

pytestmark = pytest.mark.browser

# Demo residents and their cards (kiosk/demo.py): phones are 139 + the card number.
PEOPLE = {1280: [("张建华", "10000001"), ("李秀兰", "10000002")],
          1024: [("刘志强", "10000004"), ("陈桂芳", "10000005")]}


def export(people, today):
    """A GBK CSV as the volunteer mini-program exports it, with a title row, a stranger and a
    row repeated."""
    (first, first_card), (second, second_card) = people
    day = (today - timedelta(days=3)).isoformat()
    other = (today - timedelta(days=2)).isoformat()
    rows = [
        "幸福里社区志愿服务时长明细",
        "序号,姓名,手机号,身份证号,活动名称,服务日期,开始时间,结束时间,服务时长(小时)",
        f"1,{first},139{first_card},,社区图书角值班,{day},09:00,11:00,2",
        f"2,{second},139****{second_card[-4:]},,敬老院陪伴老人,{other},14:00,15:30,1.5",
        f"3,赵无名,13700000000,,垃圾分类宣传,{other},08:00,09:00,1",
        f"4,{first},139{first_card},,社区图书角值班,{day},14:00,16:00,2",
    ]
    return ("\r\n".join(rows) + "\r\n").encode("gbk")


def test_upload_an_export_and_a_second_person_confirms_it(server, page, shot):
    url, env = server
    people = PEOPLE[page.viewport_size["width"]]
    before = [balance_of(env, card) for _, card in people]
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()

    sign_in(page, url, "李建国", "2222")
    open_screen(page, "志愿导入")
    page.locator("input[type=file]").set_input_files(
        files=[{"name": "志愿汇导出-11月.csv", "mimeType": "text/csv", "buffer": export(people, today)}])
    page.get_by_role("button", name="检查文件").tap()
    expect(page.get_by_text("请选择计分规则")).to_be_visible()
    # The text is there before htmx has started; a choice made before that sends nothing.
    page.wait_for_load_state("load")
    expect(page.get_by_role("button", name=re.compile("提交"))).to_be_disabled()
    page.locator("select[name=rule]").select_option("rule:VOL30")
    expect(page.locator("[data-count=valid]")).to_have_text("2")
    expect(page.locator("[data-row='5']")).to_contain_text("登记册中没有 赵无名")
    expect(page.locator("[data-row='6']")).to_contain_text("与第 3 行重复")
    assert_touch_targets(page)
    shot("50-volunteer-import-mapping")
    page.get_by_role("button", name="提交 2 行，请他人确认").tap()
    expect(page.get_by_text("已提交，等待其他工作人员")).to_be_visible()
    expect(page.locator(".confirm-batch")).to_have_count(0)  # the uploader cannot confirm

    sign_in(page, url, "陈志强", "4444")
    open_screen(page, re.compile("志愿导入"), exact=False)
    page.locator("table.waiting tr[data-batch]").last.get_by_role("link", name="核对").tap()
    expect(page.locator("[data-count=points]")).to_have_text("35")
    assert_touch_targets(page)
    keep_for_docs(shot("51-volunteer-import-confirm"), "volunteer-import")
    page.get_by_role("button", name=re.compile("确认入账 2 条服务")).tap()
    expect(page.get_by_text("已确认：入账 2 条服务，共 35 积分。")).to_be_visible()
    shot("52-volunteer-import-confirmed")
    assert [balance_of(env, card) for _, card in people] == [before[0] + 20, before[1] + 15]
    assert cli(env, "verify").startswith("ok")

    # The manager's header carries every screen, the import included.
    sign_in(page, url, "王秀英", "1111")
    open_screen(page, "志愿导入")
    expect(page.locator("table.decided tr[data-batch]").first).to_contain_text("已确认入账")
    assert_touch_targets(page)
    shot("53-volunteer-import-list")
