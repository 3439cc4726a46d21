"""The manager switches expiry on; residents and the cashier see which points will expire."""
import sqlite3
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from tests.helpers import balance_of, cli, open_screen, scan, sign_in


def test_expiry_is_set_on_the_settings_screen_and_announced_at_the_passbook(server, page, shot):
    url, env = server
    from kiosk import keys
    from kiosk.cards.service import card_payload

    # Every demo entry was earned two years ago, so a 12-month limit catches them all.
    with sqlite3.connect(env["KIOSK_INSTANCE_PATH"] + "/kiosk.db") as conn:
        conn.execute("UPDATE ledger_entry SET created_at = '2024-06-01 02:00:00'")
    sign_in(page, url, "王秀英", "1111")
    open_screen(page, "超市设置")
    page.locator(".settings-tabs").get_by_role("link", name="积分", exact=True).tap()
    section = page.locator("#expiry-settings")
    section.get_by_label("获得后满若干个月到期").check()
    section.get_by_label("月数").fill("12")
    section.get_by_label("提前几天通知").fill("30")
    section.get_by_label("每分折合人民币").fill("1")
    section.get_by_role("button", name="保存").tap()
    expect(section.locator(".message.success")).to_contain_text("已保存")
    start = datetime.now(ZoneInfo("Asia/Shanghai")).date() + timedelta(days=30)
    expect(page.get_by_test_id("expiry-start")).to_contain_text(start.isoformat())
    expect(section.get_by_label("每分折合人民币")).to_have_value("1.00")
    section.locator("h2").scroll_into_view_if_needed()
    shot("expiry-settings")

    # Nothing expires before the announcement period is over.
    dry = cli(env, "expire", "--dry-run")
    assert f"expiry starts on {start}" in dry

    number = "10000009"
    points = balance_of(env, number)
    page.get_by_role("button", name="退出").tap()
    expect(page.locator("#passbook-scan")).to_be_focused()
    payload = card_payload("XY", number, keys.load(env["KIOSK_INSTANCE_PATH"])["CARD_SIGNING_KEY"])
    scan(page, payload)
    expect(page.get_by_test_id("expiry-notice")).to_have_text(f"您有{points}积分将于{start.isoformat()}到期")
    expect(page.get_by_test_id("point-value")).to_have_text(f"≈ ¥{points:,}.00")
    shot("expiry-passbook")

    # The cashier sees the same notice beside the balance.
    sign_in(page, url, "张桂兰", "3333")
    expect(page.locator("#scan")).to_be_focused()
    scan(page, payload)
    register = page.locator("#register")
    expect(register.get_by_test_id("expiry-notice")).to_have_text(f"您有{points}积分将于{start.isoformat()}到期")
    expect(register.get_by_test_id("point-value")).to_have_text(f"≈ ¥{points:,}.00")
    shot("expiry-cashier")
