"""办卡 in Chromium: register a household, issue and print a card, scan the QR decoded from the
printed image at the cashier, report the card lost, reissue it, and scan the old card again."""
import io
import re

from PIL import Image
from playwright.sync_api import expect

from tests.browser.docshots import keep_for_docs
from tests.helpers import decode_qr, scan, sign_in

# Each screen size registers its own household, so the two runs never meet.
HOUSEHOLDS = {1280: ("801", "吴秀芬"), 1024: ("802", "吴秀英")}


def test_issue_print_scan_report_lost_reissue(server, page, shot):
    url, env = server
    room, name = HOUSEHOLDS[page.viewport_size["width"]]
    sign_in(page, url, "李建国", "2222")
    expect(page).to_have_url(re.compile(r"/registry/$"))
    page.get_by_role("link", name="登记新户").tap()
    page.get_by_label("楼栋").fill("9")
    page.get_by_label("单元").fill("1")
    page.get_by_label("房号").fill(room)
    page.get_by_role("button", name="保存").tap()
    expect(page.get_by_text("已登记新户")).to_be_visible()
    page.get_by_label("姓名").fill(name)
    page.get_by_label("电话").fill(f"13700000{room}")
    page.get_by_role("button", name="添加", exact=True).tap()
    expect(page.get_by_text("已添加居民。")).to_be_visible()
    page.locator(f"[data-resident='{name}']").get_by_role("button", name="办卡").tap()
    expect(page.get_by_text(re.compile(f"已为 {name} 办理积分卡"))).to_be_visible()
    keep_for_docs(shot("12-household"), "registry-household")

    # Print: the card image as the desk's card printer gets it; decode its QR code.
    href = page.locator(f"[data-resident='{name}']").get_by_role("link", name="打印卡").get_attribute("href")
    image = Image.open(io.BytesIO(page.request.get(url + href).body()))
    assert image.size == (1011, 638)
    (payload,) = decode_qr(image)
    number = page.locator(f"[data-resident='{name}'] .card-no").first.inner_text()

    # The cashier scans what the printed card's QR code holds.
    sign_in(page, url, "张桂兰", "3333")
    expect(page.locator("#scan")).to_be_focused()
    scan(page, payload)
    expect(page.get_by_test_id("holder")).to_have_text(name[0] + "*" + name[-1])
    expect(page.get_by_test_id("balance")).to_have_text("0")

    # Operations reports it lost and reissues it.
    sign_in(page, url, "李建国", "2222")
    search = page.get_by_placeholder(re.compile("姓名"))
    search.fill(name)
    search.press("Enter")  # searches also when the page's script had not started when it was filled
    page.get_by_role("link", name="打开").first.tap()
    page.locator(f"[data-card='{number}']").get_by_role("button", name="挂失").tap()
    expect(page.get_by_text(f"积分卡 {number} 已挂失")).to_be_visible()
    page.locator(f"[data-card='{number}']").get_by_role("button", name="补卡").tap()
    expect(page.get_by_text("余额不变")).to_be_visible()
    shot("13-reissued")

    # The old card is refused at the cashier, with who to see.
    sign_in(page, url, "张桂兰", "3333")
    expect(page.locator("#scan")).to_be_focused()
    scan(page, payload)
    expect(page.get_by_role("alert")).to_have_text("此卡已挂失，请到运营人员处办理补卡。")
    shot("14-old-card-refused")
