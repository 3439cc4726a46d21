"""Every role's screens fit the kiosk's width in both languages: the header's links wrap onto
another row instead of pushing the page (and 退出 / Sign out) off the side of the screen."""
import pytest
from playwright.sync_api import expect

from tests.helpers import sign_in

pytestmark = pytest.mark.browser

STAFF = [("王秀英", "1111"), ("李建国", "2222"), ("张桂兰", "3333"), ("陈志强", "4444")]
WIDER_THAN_THE_SCREEN = "() => document.documentElement.scrollWidth - window.innerWidth"


@pytest.mark.parametrize("language", ["zh", "en"])
def test_no_screen_scrolls_sideways_for_any_role(server, page, shot, language):
    url, _ = server
    sign_out = "退出" if language == "zh" else "Sign out"
    for name, pin in STAFF:
        sign_in(page, url, name, pin)
        page.wait_for_url(lambda address: "/signin" not in address)
        if language == "en":
            page.get_by_role("button", name="English").tap()
            expect(page.get_by_role("button", name="中文")).to_be_visible()
        # The header is the same on every screen of a role: its first screen tells.
        page.wait_for_load_state("load")  # the stylesheet decides the widths
        assert page.evaluate(WIDER_THAN_THE_SCREEN) <= 0, f"{name}: {page.url}"
        expect(page.get_by_role("button", name=sign_out)).to_be_in_viewport(ratio=1)
        expect(page.locator("nav.nav a").last).to_be_in_viewport(ratio=1)
        if name == "王秀英":
            shot(f"70-header-{language}")
