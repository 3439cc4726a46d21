"""Scanning with the camera in Chromium, where the kiosk has no scanner: Chromium's fake camera
plays a video of a printed card; zxing-wasm, served by the kiosk itself, reads its QR code."""
import re
import time

import pytest
from playwright.sync_api import expect

from kiosk import keys
from kiosk.cards.service import card_payload
from tests.camera import card_scene, write_y4m
from tests.helpers import cli, sign_in

NUMBER = "10000005"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--disable-quic", "--no-first-run",
]


@pytest.fixture(scope="module")
def camera_video(server, tmp_path_factory):
    url, env = server
    payload = card_payload("XY", NUMBER, keys.load(env["KIOSK_INSTANCE_PATH"])["CARD_SIGNING_KEY"])
    path = tmp_path_factory.mktemp("camera") / "cam.y4m"
    return write_y4m(path, card_scene(payload, number=NUMBER)).resolve()


@pytest.fixture(scope="module")
def camera_browser(browser, camera_video):
    """A second Chromium, from the same Playwright, whose camera films the card."""
    fake = browser.browser_type.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS + [
        "--use-fake-device-for-media-stream", f"--use-file-for-fake-video-capture={camera_video}",
    ])
    yield fake
    fake.close()


@pytest.fixture(params=[(1280, 800), (1024, 768)], ids=lambda size: f"{size[0]}x{size[1]}")
def page(camera_browser, request):
    """The conftest's page, in the Chromium with the camera (shot() uses it too)."""
    width, height = request.param
    context = camera_browser.new_context(viewport={"width": width, "height": height}, has_touch=True, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


def message(page, name):
    """What the camera dialog says in the page's language (its texts are in data-message-* attributes)."""
    text = page.locator("#camera").get_attribute(f"data-message-{name}")
    assert text
    return text


def requests_of(page):
    seen = []
    page.on("request", lambda request: seen.append(request.url))
    return seen


def assert_all_local(seen, url):
    """Nothing left the kiosk: every request went to the kiosk server (an offline kiosk works)."""
    assert seen and [u for u in seen if not (u.startswith(url + "/") or u.startswith(("data:", "blob:")))] == []


def test_the_camera_reads_a_card_at_the_cashier(server, page, shot):
    url, env = server
    page.context.grant_permissions(["camera"], origin=url)
    seen = requests_of(page)
    sign_in(page, url, "张桂兰", "3333")
    expect(page.locator("#scan")).to_be_focused()

    # Hold the reader's WebAssembly back a moment, to see the camera's picture in the dialog.
    wasm = []
    page.route(re.compile(r"/static/vendor/zxing_reader\.[0-9a-f]{12}\.wasm$"), lambda route: wasm.append(route))
    page.locator("[data-camera-open]").tap()
    dialog = page.locator("#camera")
    expect(dialog).to_be_visible()
    expect(dialog.locator("video")).to_be_visible()
    expect(dialog.get_by_role("status")).to_have_text(message(page, "hint"))
    page.wait_for_function("() => document.querySelector('#camera video').videoWidth > 0")
    shot("23-camera-open")
    started = time.monotonic()
    wasm.pop().continue_()

    expect(page.get_by_test_id("holder")).to_have_text(holder_of(env, NUMBER))
    print(f"camera scan: {time.monotonic() - started:.2f} s from the reader's download to the card on screen")
    expect(dialog).to_be_hidden()
    # The camera is off once the card is read.
    assert page.evaluate("document.querySelector('#camera video').srcObject") is None
    shot("24-camera-read-card")
    assert_all_local(seen, url)
    # The WebAssembly under its content-hashed name (kiosk.assets), which the browser keeps a year.
    assert any(re.search(r"/static/vendor/zxing_reader\.[0-9a-f]{12}\.wasm$", u) for u in seen)
    page.get_by_role("button", name="取消").tap()


def test_the_camera_reads_a_card_on_the_passbook_screen(server, page):
    url, env = server
    page.context.grant_permissions(["camera"], origin=url)
    seen = requests_of(page)
    page.goto(url + "/")
    page.locator("[data-camera-open]").tap()
    expect(page.get_by_test_id("passbook-holder")).to_have_text(holder_of(env, NUMBER))
    expect(page.locator("#camera")).to_be_hidden()
    assert_all_local(seen, url)


def test_a_refused_camera_says_so_and_closes(server, page, shot):
    url, env = server  # no camera permission granted in this browser context
    sign_in(page, url, "张桂兰", "3333")
    page.locator("[data-camera-open]").tap()
    status = page.locator("#camera").get_by_role("status")
    expect(status).to_have_text(message(page, "denied"))
    expect(page.locator("#camera video")).to_be_hidden()
    shot("25-camera-refused")
    page.locator("[data-camera-close]").tap()
    expect(page.locator("#camera")).to_be_hidden()
    expect(page.locator("#scan")).to_be_focused()


def test_without_a_camera_it_says_so(server, browser):
    url, env = server
    context = browser.new_context(viewport={"width": 1024, "height": 768}, has_touch=True, locale="zh-CN")
    page = context.new_page()
    sign_in(page, url, "张桂兰", "3333")
    page.locator("[data-camera-open]").tap()
    expect(page.locator("#camera").get_by_role("status")).to_have_text(message(page, "no-camera"))
    context.close()


def holder_of(env, number):
    return re.search(r"holder\s+(\S+)", cli(env, "balance", number)).group(1)
