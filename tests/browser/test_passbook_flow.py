"""A resident at the idle kiosk scans their own card and sees their points, then it closes."""
from playwright.sync_api import expect

from tests.helpers import balance_of


def test_a_resident_scans_their_card_at_the_idle_kiosk(server, page, shot):
    url, env = server
    from kiosk import keys
    from kiosk.cards.service import card_payload

    number = "10000009"
    payload = card_payload("XY", number, keys.load(env["KIOSK_INSTANCE_PATH"])["CARD_SIGNING_KEY"])
    page.goto(url + "/")
    expect(page.locator("#passbook-scan")).to_be_focused()
    page.keyboard.type(payload, delay=5)
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("passbook-balance")).to_have_text(str(balance_of(env, number)))
    expect(page.get_by_test_id("passbook-holder")).to_contain_text("*")
    expect(page.locator(".passbook-entries")).to_contain_text("期初积分")
    shot("11-passbook")
    # It goes back to idle by itself (KIOSK_PASSBOOK_SECONDS=4 for the test server).
    expect(page.get_by_test_id("passbook-balance")).to_have_count(0, timeout=10000)
    expect(page.locator("#passbook-scan")).to_be_focused()
