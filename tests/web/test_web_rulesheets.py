"""The notice-board sheets (积分细则, 兑换细则) as A4 PDFs from the settings page: real text in an
embedded Noto Sans CJK font, the store's name, day and page numbers, and only its own data."""
import io
from datetime import date, datetime, timedelta

from babel.dates import format_date
from pypdf import PdfReader

from kiosk.earning import catalog
from kiosk.earning import service as earning
from kiosk.inventory.models import Product
from kiosk.redemption import service as redemption
from kiosk.rulesheets import service as rulesheets
from kiosk.rulesheets import views
from kiosk.rulesheets.pdf import PdfUnavailable
from kiosk.rulesheets.service import local_today
from kiosk.stores.models import Store
from tests.helpers import body

EARNING, REDEMPTION = "/settings/rulesheets/earning.pdf", "/settings/rulesheets/redemption.pdf"
A4_POINTS = (595, 842)


def _read(response):
    """The PDF's text with all whitespace removed (extraction spaces CJK text unevenly), and the reader."""
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("inline;")
    data = response.get_data()
    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data))
    text = "".join("".join(page.extract_text().split()) for page in reader.pages)
    return text, reader


def _assert_a4_with_embedded_noto(reader):
    fonts = set()
    for page in reader.pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == A4_POINTS
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", [font]):
                descriptor = descendant.get_object()["/FontDescriptor"].get_object()
                embedded = any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
                fonts.add((str(font["/BaseFont"]), embedded))
    assert fonts and all(embedded for _, embedded in fonts)
    assert all("Noto-Sans-CJK-SC" in name for name, _ in fonts), fonts


def _today_words(world):
    return "截至" + format_date(local_today(world.store), "long", locale="zh_CN")


def _other_store():
    other = Store.create(name="隔壁积分超市", code="QT")
    earning.add_rule(other, code="SECRET", name="隔壁专用规则", category="志愿服务", points=7, unit="occurrence")
    Product.create(store=other, name="隔壁专卖大米", category="粮油", points=40)
    return other


def test_earning_rules_sheet_lists_rules_in_force_with_points_caps_warnings_and_deductions(manager, world, caplog):
    store = world.store
    catalog.install(store)
    today = local_today(store)
    earning.add_rule(store, code="GONE", name="已停止的巡逻", category="志愿服务", points=4, unit="occurrence",
                     active_to=today - timedelta(days=1))
    earning.add_rule(store, code="YEARLY", name="垃圾分类督导", category="人居环境", points=6, unit="occurrence",
                     cap_year=300, cap_month=30)
    _other_store()

    text, reader = _read(manager.get(EARNING))

    assert "测试信义积分超市" in text and "积分细则" in text
    assert _today_words(world) in text
    assert "第1/1页" in text
    for words in ("志愿服务（每30分钟）", "+5分", "每30分钟", "200分", "结对党员另得10%",
                  "环境卫生清扫", "+10分", "每次", "垃圾分类督导", "30分", "每年上限300分",
                  "扣分项", "乱停车影响通行（两次劝导后）", "扣分-10分", "每年前2次为劝导，第3次起扣分",
                  "乱扔垃圾", "扣分-5分", "7天"):
        assert words in text, words
    # Earning categories first, deductions last.
    assert text.index("志愿服务（每30分钟）") < text.index("扣分项") < text.index("乱扔垃圾")
    assert "已停止的巡逻" not in text
    assert "隔壁" not in text and "隔壁专用规则" not in text
    _assert_a4_with_embedded_noto(reader)
    # WeasyPrint logs (rather than raises) what it could not read or fetch: the sheet has none.
    assert [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")] == []


def test_a_long_catalog_runs_over_numbered_pages(manager, world):
    for number in range(70):
        earning.add_rule(world.store, code=f"R{number:02d}", name=f"社区服务项目{number:02d}", category=f"类别{number // 10}",
                         points=number + 1, unit="occurrence")

    text, reader = _read(manager.get(EARNING))

    pages = len(reader.pages)
    assert pages >= 2
    assert f"第1/{pages}页" in text and f"第{pages}/{pages}页" in text
    assert "社区服务项目00" in text and "社区服务项目69" in text
    _assert_a4_with_embedded_noto(reader)


def test_redemption_rules_sheet_lists_goods_on_sale_the_window_and_limits(manager, world):
    store = world.store
    Product.update(unit="桶").where(Product.id == world.products["食用油"].id).execute()
    Product.update(active=False).where(Product.id == world.products["酱油"].id).execute()
    redemption.set_limit(store, world.products["食用油"].id, quantity=1, period="month")
    redemption.set_limit(store, world.products["大米"].id, quantity=2, period="quarter", per_member=True)
    redemption.set_window(store, "month_days", days=["26-31"])
    _other_store()

    text, reader = _read(manager.get(REDEMPTION))

    assert "测试信义积分超市" in text and "兑换细则" in text
    assert _today_words(world) in text
    assert "第1/1页" in text
    for words in ("兑换时间", "每月26–31日", "近期开放", "粮油", "食用油", "100分", "桶", "每月限1桶",
                  "大米", "每人每季度限2件", "调味", "食盐", "20分", "服务券", "水果券", "50分", "限购说明"):
        assert words in text, words
    assert "酱油" not in text
    assert "隔壁" not in text
    _assert_a4_with_embedded_noto(reader)


def test_redemption_sheet_of_an_always_open_store_says_so(manager, world):
    text, _ = _read(manager.get(REDEMPTION))
    assert "随时可兑换" in text and "近期开放" not in text and "限购说明" not in text


def test_the_settings_page_links_both_sheets(manager):
    page = body(manager.get("/settings/"))
    assert f'href="{EARNING}"' in page and "打印积分细则" in page
    assert f'href="{REDEMPTION}"' in page and "打印兑换细则" in page


def test_only_the_store_manager_prints_the_sheets(cashier):
    for url in (EARNING, REDEMPTION):
        response = cashier.get(url)
        assert response.status_code == 403
        assert response.mimetype == "text/html"


def test_signed_out_visitors_are_sent_to_sign_in(client):
    for url in (EARNING, REDEMPTION):
        assert client.get(url).status_code == 302


def test_the_sheet_follows_the_screens_language(manager, world):
    catalog.install(world.store)
    manager.post("/lang/en", data={"next": "/settings/"}, htmx=False)

    text, _ = _read(manager.get(EARNING))

    assert "Pointsearningrules" in text and "Page1of1" in text
    assert "Deduction-10pts" in text and "Thefirst2timesinayeararewarnings" in text


def test_the_sheet_is_dated_and_filtered_by_the_stores_own_day(manager, world, monkeypatch):
    # 20:00 UTC on 5 December: already the 6th in Shanghai (the server's default zone), still
    # the 5th for a store in Los Angeles.
    monkeypatch.setattr(rulesheets, "utcnow", lambda: datetime(2026, 12, 5, 20, 0))
    Store.update(timezone="America/Los_Angeles").where(Store.id == world.store.id).execute()
    earning.add_rule(world.store, code="FROM6", name="六日起的规则", category="志愿服务", points=3, unit="occurrence",
                     active_from=date(2026, 12, 6))
    earning.add_rule(world.store, code="UNTIL5", name="五日止的规则", category="志愿服务", points=3, unit="occurrence",
                     active_to=date(2026, 12, 5))

    text, _ = _read(manager.get(EARNING))

    assert "截至2026年12月5日" in text
    assert "五日止的规则" in text and "六日起的规则" not in text


def test_a_computer_without_pango_gets_a_sentence_not_a_crash(manager, monkeypatch):
    def missing(sheet):
        raise PdfUnavailable("A4 sheets need Pango. Install it with: sudo apt-get install libpango-1.0-0")
    monkeypatch.setattr(views, "sheet_pdf", missing)

    response = manager.get(REDEMPTION)

    assert response.status_code == 500
    assert "本机无法生成 PDF" in body(response) and "libpango-1.0-0" in body(response)
