"""The screens run under the strict Content-Security-Policy (kiosk.headers) without a single
violation: no inline script or style, no eval, the camera reader's WebAssembly allowed."""
from playwright.sync_api import expect

from tests.helpers import sign_in

PAGES = ["/cashier/", "/returns/", "/receipts/", "/registry/", "/registry/import", "/earning/", "/earning/review",
         "/earning/import/", "/rules/", "/products/", "/stock/in/", "/stock/out/", "/stocktake/", "/settings/",
         "/settings/store", "/settings/points", "/settings/redemption", "/settings/stock", "/settings/receipts",
         "/settings/advanced", "/settings/audit/", "/passbook/"]


def test_no_screen_breaks_the_policy(server, page):
    url, _ = server
    violations = []
    page.on("console", lambda msg: violations.append(f"{page.url}: {msg.text}")
            if "Content Security Policy" in msg.text or "Content-Security-Policy" in msg.text else None)
    page.on("pageerror", lambda error: violations.append(f"{page.url}: {error}"))
    page.add_init_script("document.addEventListener('securitypolicyviolation', e => "
                         "console.error('Content Security Policy: ' + e.violatedDirective + ' ' + e.blockedURI))")
    sign_in(page, url, "王秀英", "1111")
    expect(page.locator("#scan")).to_be_focused()
    for path in PAGES:
        response = page.goto(url + path)
        assert response.status == 200, path
        assert "script-src 'self' 'wasm-unsafe-eval'" in response.headers["content-security-policy"]
        page.wait_for_load_state("load")
        page.wait_for_timeout(200)  # htmx's polls and the scripts' start-up
    assert violations == []
