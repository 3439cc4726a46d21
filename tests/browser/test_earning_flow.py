"""Operations records a group activity on the touch screen, customer service approves it, and
the cashier sees the balances risen."""
import re
import sqlite3

import pytest
from playwright.sync_api import expect

from tests.helpers import balance_of, cli, open_screen, scan, sign_in

pytestmark = pytest.mark.browser


def card_of(env, name):
    """The card number of a demo resident, read from the kiosk's database file."""
    path = env["KIOSK_DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        (number,) = db.execute("SELECT card.number FROM card JOIN resident ON card.resident_id = resident.id"
                               " WHERE resident.name = ? AND card.status = 'active'", (name,)).fetchone()
    return number


def payload_of(env, number):
    from kiosk import keys
    from kiosk.cards.service import card_payload

    return card_payload("XY", number, keys.load(env["KIOSK_INSTANCE_PATH"])["CARD_SIGNING_KEY"])


def test_record_a_group_activity_approve_it_and_see_the_balances(server, page, shot):
    url, env = server
    first, second = card_of(env, "孙淑珍"), card_of(env, "孙立新")
    before = balance_of(env, first), balance_of(env, second)

    sign_in(page, url, "李建国", "2222")
    open_screen(page, "积分登记")
    page.locator("input[type=search]").fill("孙")
    page.get_by_role("button", name="搜索").tap()
    page.locator("[data-add='孙淑珍']").tap()
    expect(page.locator("[data-person='孙淑珍']")).to_be_visible()
    page.locator("#scan").focus()
    scan(page, payload_of(env, second))  # the second participant's card, scanned
    expect(page.locator("[data-person='孙立新']")).to_be_visible()
    page.get_by_text("志愿服务（每30分钟）").tap()
    page.locator("input[name=content]").fill("社区图书角值班")
    page.locator("input[name=minutes]").fill("90")
    shot("40-record-service")
    page.get_by_role("button", name="提交审核").tap()
    expect(page.get_by_text("已登记 2 条服务，等待审核。")).to_be_visible()
    assert (balance_of(env, first), balance_of(env, second)) == before  # not before review

    sign_in(page, url, "陈志强", "4444")
    open_screen(page, "积分审核")
    expect(page.locator("[data-record]")).to_have_count(2)
    shot("41-review-queue")
    for _ in range(2):
        page.locator("[data-record]").first.get_by_role("button", name="通过").tap()
        expect(page.get_by_text(re.compile("已审核通过"))).to_be_visible()
    expect(page.get_by_text("没有待审核的记录。")).to_be_visible()

    sign_in(page, url, "张桂兰", "3333")
    expect(page.locator("#scan")).to_be_focused()
    scan(page, payload_of(env, first))
    expect(page.get_by_test_id("balance")).to_have_text(str(before[0] + 15))
    shot("42-balance-risen")
    assert balance_of(env, second) == before[1] + 15
    assert cli(env, "verify").startswith("ok")
