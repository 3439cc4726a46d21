"""The stock-take stepper on the touch screen: taps change a number on the screen, marked 未保存,
saved as one count after a pause or when the person moves on; a blind count shows no
variance; a count that fails to save keeps its number with a Chinese message; a scan of a line
whose number waits opens its keypad after the save; the keypad of the fifth and of the last line
opens with its 保存 in view, below the line it edits.

The pause is a timer. On a busy machine two taps can be further apart than the screen's 1.5 s,
so the test sets a longer pause on the page (data-pause-ms, read at every tap) and waits for
the page's own state (data-count-state="saved", set when the server answered), never on time.
"""
import sqlite3
import time

import pytest
from playwright.sync_api import expect

from kiosk.demo import ean13
from tests.helpers import scan, sign_in

pytestmark = pytest.mark.browser

# Per screen size its own categories, so the two runs against one server do not overlap.
# "scanned": the place in the demo's goods (its barcode) of the open count's second line.
CASES = {1280: {"blind": "粮油", "open": "日用", "scanned": 13}, 1024: {"blind": "调味", "open": "清洁", "scanned": 20}}
SAVED = "[data-count-state=saved]"
LONG = 60_000  # ms: generous waits for the saved state on a loaded machine


def counts_of(env, category, name):
    """The counts recorded for ``name`` in the newest count of ``category``."""
    path = env["KIOSK_DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        rows = db.execute(
            "SELECT c.quantity FROM stocktake_count c JOIN stocktake_line l ON c.line_id = l.id"
            " WHERE l.name = ? AND l.stocktake_id = (SELECT MAX(id) FROM stocktake WHERE category = ?)"
            " ORDER BY c.id", (name, category)).fetchall()
    return [quantity for (quantity,) in rows]


def eventually(check, seconds=60):
    """Wait for ``check()`` to hold: the page sends its last count as it goes, by itself."""
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "never happened"
        time.sleep(0.1)


def start_count(page, url, category, blind):
    page.goto(url + "/stocktake/")
    page.locator("label.choice-tile", has_text=category).tap()
    if blind:
        page.locator("label.choice-tile", has_text="盲盘").tap()
    page.get_by_role("button", name="开始盘点").tap()
    expect(page.get_by_test_id("progress")).to_contain_text("已盘 0 /")
    page.wait_for_load_state("load")  # stocktake.js in place before the first tap


def set_pause(page, ms):
    page.locator(".count-lines").evaluate("(list, ms) => list.setAttribute('data-pause-ms', String(ms))", ms)


def tap_plus(line, times):
    for _ in range(times):
        line.get_by_role("button", name="加一").tap()


def box(locator):
    found = locator.bounding_box()
    assert found is not None, locator
    return found


def assert_keypad_in_view(page, line):
    """The line's keypad is open, its 保存 wholly visible, and it covers nothing of the line's
    own row (the name, the − number + steppers)."""
    keypad = line.locator(".count-keypad")
    expect(keypad.locator("[data-pinpad]")).to_be_visible()
    save = keypad.get_by_role("button", name="保存")
    expect(save).to_be_in_viewport(ratio=1)
    expect(line.locator(".count-name")).to_be_in_viewport(ratio=1)
    expect(line.locator(".stepper")).to_be_in_viewport(ratio=1)
    pad, row = box(keypad), box(line.locator(".stepper"))
    assert pad["y"] >= row["y"] + row["height"], (pad, row)
    viewport = page.viewport_size
    saved = box(save)
    assert saved["y"] + saved["height"] <= viewport["height"] and saved["x"] + saved["width"] <= viewport["width"]


def test_taps_make_one_count_a_blind_count_shows_no_variance_and_the_keypad_opens_in_view(server, page, shot):
    url, env = server
    case = CASES[page.viewport_size["width"]]
    posts = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" and "/lines/" in request.url else None)
    sign_in(page, url, "李建国", "2222")
    expect(page.get_by_test_id("staff-name")).to_contain_text("李建国")
    start_count(page, url, case["blind"], blind=True)
    lines = page.locator(".count-line")
    names = lines.evaluate_all("els => els.map(el => el.getAttribute('data-line'))")
    assert len(names) >= 5

    # Five quick taps: a pending number on the screen, marked 未保存, then one count of 5.
    set_pause(page, 5000)
    first = page.locator(f"[data-line='{names[0]}']")
    tap_plus(first, 5)
    expect(first.get_by_test_id("counted")).to_have_text("5")
    shot("56-stocktake-pending")
    expect(page.locator(f"[data-line='{names[0]}']{SAVED}")).to_be_visible(timeout=LONG)
    expect(first.get_by_test_id("pending")).to_be_hidden()
    expect(first.get_by_test_id("counted")).to_have_text("5")
    expect(page.get_by_test_id("progress")).to_contain_text("已盘 1 /")
    assert counts_of(env, case["blind"], names[0]) == [5]
    assert len(posts) == 1, posts
    # + goes on from the saved number, − too.
    tap_plus(first, 2)
    first.get_by_role("button", name="减一").tap()
    expect(first.get_by_test_id("counted")).to_have_text("6")
    expect(first.get_by_test_id("pending")).to_be_visible()

    # Moving on saves at once: no pause needed (it is made too long to matter).
    set_pause(page, 600_000)
    second = page.locator(f"[data-line='{names[1]}']")
    tap_plus(second, 2)  # the first line's 6 is saved as the second line is tapped
    expect(page.locator(f"[data-line='{names[0]}']{SAVED}")).to_be_visible(timeout=LONG)
    third = page.locator(f"[data-line='{names[2]}']")
    tap_plus(third, 1)
    expect(page.locator(f"[data-line='{names[1]}']{SAVED}")).to_be_visible(timeout=LONG)
    assert counts_of(env, case["blind"], names[0]) == [5, 6]
    assert counts_of(env, case["blind"], names[1]) == [2]
    # Its own keypad: the stepped 1 is saved first, then the keypad opens to type the count.
    third.get_by_test_id("counted").tap()
    expect(third.locator("[data-pinpad]")).to_be_visible(timeout=LONG)
    for digit in "12":
        third.get_by_role("button", name=digit, exact=True).tap()
    third.locator(".count-keypad").get_by_role("button", name="保存").tap()
    expect(third.locator("[data-pinpad]")).to_have_count(0)
    expect(third.get_by_test_id("counted")).to_have_text("12")
    assert counts_of(env, case["blind"], names[2]) == [1, 12]
    assert len(posts) == 5, posts  # 5; 6; 2; 1; 12 — one per settled number

    # Blind: whatever is saved, no variance and no book quantity on the counting screen.
    for word in ("盘亏", "盘盈", "相符", "账面"):
        expect(page.locator(".count-lines")).not_to_contain_text(word)
    expect(page.get_by_test_id("variance")).to_have_count(0)

    # The keypad of the fifth line and of the last opens in view, below its line.
    for index in (4, len(names) - 1):
        line = page.locator(f"[data-line='{names[index]}']")
        line.get_by_test_id("counted").tap()
        assert_keypad_in_view(page, line)
        shot(f"5{7 + (index != 4)}-stocktake-keypad-{'fifth' if index == 4 else 'last'}")
        line.locator(".count-keypad").get_by_role("button", name="关闭").tap()
        expect(line.locator("[data-pinpad]")).to_have_count(0)

    # Leaving the page saves the number still waiting: once, though it may go twice (its save
    # starts as the link is tapped, and the page sends it again as it goes).
    fourth = page.locator(f"[data-line='{names[3]}']")
    tap_plus(fourth, 3)
    expect(fourth.get_by_test_id("pending")).to_be_visible()
    page.get_by_role("link", name="全部盘点单").tap()
    page.wait_for_url(url + "/stocktake/")
    eventually(lambda: counts_of(env, case["blind"], names[3]) == [3])


def test_a_variance_shows_once_saved_a_failed_save_keeps_the_number_and_a_scan_waits_for_the_save(server, page, shot):
    url, env = server
    case = CASES[page.viewport_size["width"]]
    sign_in(page, url, "李建国", "2222")
    expect(page.get_by_test_id("staff-name")).to_contain_text("李建国")
    start_count(page, url, case["open"], blind=False)
    set_pause(page, 600_000)  # only moving on or 保存 saves here
    line = page.locator(".count-line").first
    name = line.get_attribute("data-line")
    book = int(line.get_by_test_id("book").inner_text())

    # Typed on the keypad as the books say: 相符 once saved.
    line.get_by_test_id("counted").tap()
    for digit in str(book):
        line.get_by_role("button", name=digit, exact=True).tap()
    line.locator(".count-keypad").get_by_role("button", name="保存").tap()
    expect(line.get_by_test_id("variance")).to_have_text("相符")

    # One more found: pending, the old variance hidden until the new number is saved.
    tap_plus(line, 1)
    expect(line.get_by_test_id("counted")).to_have_text(str(book + 1))
    expect(line.get_by_test_id("pending")).to_be_visible()
    expect(line.get_by_test_id("variance")).to_be_hidden()

    # The server does not answer: the number stays, pending, with a message in Chinese.
    page.route("**/lines/*", lambda route: route.abort() if route.request.method == "POST" else route.continue_())
    line.locator(".count-save").get_by_role("button", name="保存").tap()
    expect(page.locator(f"[data-line='{name}'][data-count-state=failed]")).to_be_visible(timeout=LONG)
    expect(line.get_by_role("alert")).to_have_text("清点数量未保存：服务器没有应答。请点“保存”重试。")
    expect(line.get_by_test_id("counted")).to_have_text(str(book + 1))
    expect(line.get_by_test_id("pending")).to_be_visible()
    shot("59-stocktake-save-failed")
    assert counts_of(env, case["open"], name) == [book]

    # Answered again: 保存 saves it, and now the surplus shows.
    page.unroute("**/lines/*")
    line.locator(".count-save").get_by_role("button", name="保存").tap()
    expect(page.locator(f"[data-line='{name}']{SAVED}")).to_be_visible(timeout=LONG)
    expect(line.get_by_test_id("variance")).to_have_text("盘盈 1")
    expect(line.get_by_test_id("pending")).to_be_hidden()
    assert counts_of(env, case["open"], name) == [book, book + 1]

    # A scan of a line whose number waits: the number is saved first, then its keypad opens
    # on the line as saved, and the count typed there is saved after it.
    second = page.locator(".count-line").nth(1)
    other = second.get_attribute("data-line")
    tap_plus(second, 2)
    page.locator("#scan").focus()
    scan(page, ean13(f"6901234{case['scanned']:05d}"))
    expect(second.locator("[data-pinpad]")).to_be_visible(timeout=LONG)
    line_keypad = second.locator(".count-keypad")
    line_keypad.get_by_role("button", name="7", exact=True).tap()
    line_keypad.get_by_role("button", name="保存").tap()
    expect(second.locator("[data-pinpad]")).to_have_count(0)
    expect(second.get_by_test_id("counted")).to_have_text("7")
    expect(second.get_by_role("alert")).to_have_count(0)
    assert counts_of(env, case["open"], other) == [2, 7]
