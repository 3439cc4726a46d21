"""kiosk-screen.sh as a till's desktop runs it at log-on: it waits for `kiosk serve` to answer,
then puts Chromium full screen on the staff sign-in screen.

The launcher is the file `kiosk boot linux` generates, run unchanged; only KIOSK_BROWSER and
KIOSK_BROWSER_FLAGS make Chromium headless and reachable over the DevTools protocol. The server
is started a few seconds after the launcher, as it is after a power cut (so the `server` fixture,
which starts it at once, does not fit).
"""
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, free_port, kiosk

pytestmark = pytest.mark.browser


def answers(url):
    try:
        with urllib.request.urlopen(url, timeout=1):
            return True
    except OSError:
        return False


def wait_for(condition, seconds, what):
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up after {seconds}s waiting for {what}")
        time.sleep(0.2)


def group_alive(pgid):
    """Whether any process of the group is still running (zombies do not count)."""
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as file:
                    fields = file.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid and fields[0] != "Z":
                return True
    return False


def stop_group(process):
    """Stop a process started in its own session and everything it started (Chromium's helpers)."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            break
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        deadline = time.monotonic() + 10
        while group_alive(process.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        if not group_alive(process.pid):
            break
    assert not group_alive(process.pid), "Chromium processes survived the launcher's process group"


@pytest.fixture
def till(tmp_path):
    """A kiosk instance with demo data whose server is not started yet, and its boot files."""
    instance = tmp_path / "instance"
    env = dict(os.environ, KIOSK_INSTANCE_PATH=str(instance), KIOSK_PORT=str(free_port()),
               KIOSK_DATABASE_URL="sqlite:///" + str(instance / "kiosk.db"))
    for name in ("KIOSK_URL", "KIOSK_BROWSER", "KIOSK_BROWSER_FLAGS", "KIOSK_WAIT_SECONDS", "KIOSK_HOST"):
        env.pop(name, None)
    kiosk(env, "init-db")
    kiosk(env, "demo")
    kiosk(env, "boot", "linux", "--user", "kiosk", "--out", str(tmp_path / "boot"))
    return env, tmp_path / "boot" / "kiosk-screen.sh"


@pytest.fixture
def processes():
    """Processes to stop at the end, each in its own process group."""
    started = []
    yield started
    for process in reversed(started):
        stop_group(process)


def test_launcher_waits_for_the_server_then_shows_the_signin_screen_full_screen(till, processes, browser, tmp_path):
    env, script = till
    port = env["KIOSK_PORT"]
    url = f"http://127.0.0.1:{port}/"
    devtools = free_port()
    flags = [*CHROMIUM_ARGS, "--headless=new", f"--user-data-dir={tmp_path / 'profile'}",
             f"--remote-debugging-port={devtools}"]
    launcher_log = tmp_path / "launcher.log"
    with open(launcher_log, "w") as log:
        launcher = subprocess.Popen(
            [str(script)], env=dict(env, KIOSK_BROWSER=CHROMIUM, KIOSK_BROWSER_FLAGS=" ".join(flags), KIOSK_WAIT_SECONDS="60"),
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
    processes.append(launcher)

    # No server yet: the launcher keeps waiting and starts no browser.
    wait_for(lambda: "waiting up to 60s" in launcher_log.read_text(), 10, "the launcher to start waiting")
    time.sleep(3)
    assert launcher.poll() is None, launcher_log.read_text()
    assert "starting" not in launcher_log.read_text()
    assert not answers(f"http://127.0.0.1:{devtools}/json/version")

    with open(tmp_path / "server.log", "w") as log:
        processes.append(subprocess.Popen([sys.executable, "-m", "kiosk", "serve"], env=env, stdout=log,
                                          stderr=subprocess.STDOUT, start_new_session=True))
    wait_for(lambda: answers(f"http://127.0.0.1:{devtools}/json/version"), 60,
             "Chromium's DevTools port (launcher log: " + launcher_log.read_text() + ")")
    assert "the kiosk server is up" in launcher_log.read_text()

    # The launcher exec'd Chromium itself (same process), in kiosk mode on the kiosk URL.
    with open(f"/proc/{launcher.pid}/cmdline", "rb") as file:
        argv = file.read().decode().split("\0")
    for flag in ("--kiosk", f"--app={url}", "--noerrdialogs", "--disable-session-crashed-bubble", "--disable-infobars",
                 "--overscroll-history-navigation=0", "--check-for-update-interval=31536000", "--headless=new"):
        assert flag in argv, argv

    chromium = browser.browser_type.connect_over_cdp(f"http://127.0.0.1:{devtools}")
    try:
        def kiosk_page():
            return next((page for context in chromium.contexts for page in context.pages if page.url.startswith(url)), None)

        wait_for(lambda: kiosk_page() is not None, 30, "a page at " + url)
        page = kiosk_page()
        expect(page).to_have_url(re.compile(r"/signin$"))
        expect(page.get_by_role("heading", name="工作人员登录")).to_be_visible()
        expect(page.locator(".staff-tile").filter(has_text="李建国")).to_be_visible()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "00-kiosk-launcher-signin.png"))
    finally:
        chromium.close()


def test_launcher_gives_up_with_a_plain_message_when_no_server_answers(till, tmp_path):
    env, script = till
    marker = tmp_path / "browser-started"
    fake_browser = tmp_path / "fake-browser"
    fake_browser.write_text(f"#!/bin/sh\ntouch {marker}\n")
    fake_browser.chmod(0o755)
    started = time.monotonic()
    result = subprocess.run([str(script)], env=dict(env, KIOSK_BROWSER=str(fake_browser), KIOSK_WAIT_SECONDS="2"),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert time.monotonic() - started >= 2
    health = f"http://127.0.0.1:{env['KIOSK_PORT']}/healthz"
    assert f"kiosk-screen: the kiosk server did not answer at {health} within 2s." in result.stderr
    assert "systemctl status points-kiosk" in result.stderr
    assert not marker.exists()
