"""Browser tests: Debian's Chromium, driven by Playwright, against `kiosk serve` on a free port.

The server is the real thing: set up by the `kiosk init-db` and `kiosk demo` commands, served
by waitress in its own process. Screenshots are kept under test-artifacts/ for people to look at.
"""
import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--disable-quic", "--no-first-run",
]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def kiosk(env, *args):
    return subprocess.run([sys.executable, "-m", "kiosk", *args], env=env, check=True, capture_output=True, text=True)


@contextlib.contextmanager
def running_kiosk(instance, demo=True, **settings):
    """`kiosk init-db`, `kiosk demo` (unless not ``demo``: an empty store, as a new store finds
    it) and `kiosk serve` in ``instance`` with extra KIOSK_* ``settings``; yields (base URL,
    environment for CLI calls)."""
    port = free_port()
    env = dict(os.environ, KIOSK_INSTANCE_PATH=str(instance), KIOSK_PORT=str(port),
               KIOSK_DATABASE_URL="sqlite:///" + str(instance / "kiosk.db"), KIOSK_RETURN_TO_IDLE_SECONDS="600",
               KIOSK_PASSBOOK_SECONDS="4")
    env.update(settings)  # a test's own settings win over these defaults
    kiosk(env, "init-db")
    if demo:
        kiosk(env, "demo")
    log = open(instance / "server.log", "w")
    process = subprocess.Popen([sys.executable, "-m", "kiosk", "serve"], env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    try:
        while True:
            try:
                with urllib.request.urlopen(url + "/healthz", timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("kiosk serve did not start: " + (instance / "server.log").read_text())
                time.sleep(0.2)
        yield url, env
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A running kiosk with demo data; yields (base URL, environment for CLI calls)."""
    with running_kiosk(tmp_path_factory.mktemp("browser-instance")) as running:
        yield running


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: run `make test` (installs Debian's chromium) or apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(params=[(1280, 800), (1024, 768)], ids=lambda size: f"{size[0]}x{size[1]}")
def page(browser, request):
    width, height = request.param
    context = browser.new_context(viewport={"width": width, "height": height}, has_touch=True, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def shot(page, request):
    """shot(name): save a screenshot of the page as a test artifact; returns its path."""

    def take(name):
        ARTIFACTS.mkdir(exist_ok=True)
        size = page.viewport_size
        path = ARTIFACTS / f"{name}-{size['width']}x{size['height']}.png"
        page.screenshot(path=str(path))
        return path

    return take
