"""What the notice-board sheets list (kiosk.rulesheets.service): the rules in force on the store's
own day, the goods on sale with their limits and the window, and never another store's."""
from datetime import date, datetime, timedelta

from kiosk.earning import catalog
from kiosk.earning import service as earning
from kiosk.inventory.models import Product
from kiosk.redemption import service as redemption
from kiosk.rulesheets import service
from kiosk.rulesheets.pdf import Sheet, page_counter, sheet_html
from kiosk.stores.models import Store

DAY = date(2026, 12, 5)


def _names(sheet):
    return [line.name for group in sheet.groups for line in group.lines]


def test_the_day_is_the_stores_own_day():
    # 20:00 UTC on 5 December is already the 6th in Shanghai and still the 5th in New York.
    now = datetime(2026, 12, 5, 20, 0)
    assert service.local_today(Store(timezone="Asia/Shanghai"), now) == date(2026, 12, 6)
    assert service.local_today(Store(timezone="America/New_York"), now) == date(2026, 12, 5)


def test_earning_sheet_lists_the_current_rules_in_force_by_category_deductions_last(world):
    store = world.store
    catalog.install(store)
    clean = next(rule for rule in earning.current_rules(store) if rule.code == "CLEAN")
    earning.change_rule(clean.id, store, name="环境卫生清扫（新）", points=12)
    earning.add_rule(store, code="OLD", name="已停用的规则", category="志愿服务", points=3, unit="occurrence",
                     active_to=DAY - timedelta(days=1))
    earning.add_rule(store, code="SOON", name="明年的规则", category="志愿服务", points=3, unit="occurrence",
                     active_from=DAY + timedelta(days=1))
    earning.add_rule(store, code="TODAY", name="今天起的规则", category="志愿服务", points=3, unit="occurrence",
                     active_from=DAY, active_to=DAY)
    other = Store.create(name="别的超市", code="QT")
    earning.add_rule(other, code="SECRET", name="别店规则", category="志愿服务", points=9, unit="occurrence")

    sheet = service.earning_sheet(store, DAY)

    names = _names(sheet)
    assert "环境卫生清扫（新）" in names and "环境卫生清扫" not in names
    assert "今天起的规则" in names
    assert not {"已停用的规则", "明年的规则", "别店规则"} & set(names)
    assert sheet.store_name == "测试信义积分超市" and sheet.day == DAY
    assert [group.name for group in sheet.groups][-1] == "扣分项"
    assert all(line.deduction for line in sheet.groups[-1].lines)
    assert sheet.has_deductions
    parking = next(line for line in sheet.groups[-1].lines if line.code == "PARKING")
    assert (parking.points, parking.warnings, parking.occurrence_period) == (-10, 2, "year")
    volunteer = next(line for group in sheet.groups for line in group.lines if line.code == "VOL30")
    assert (volunteer.per_half_hour, volunteer.cap_month, volunteer.linked_share) == (True, 200, 10)


def test_earning_sheet_without_rules_is_empty(world):
    sheet = service.earning_sheet(world.store, DAY)
    assert sheet.groups == () and not sheet.has_deductions


def test_redemption_sheet_lists_goods_on_sale_with_limits_and_the_window(world):
    store = world.store
    Product.update(active=False).where(Product.id == world.products["酱油"].id).execute()
    redemption.set_limit(store, world.products["食用油"].id, quantity=1, period="month")
    redemption.set_window(store, "month_days", days=["26-31"])
    other = Store.create(name="别的超市", code="QT")
    Product.create(store=other, name="别店商品", category="粮油", points=10)

    sheet = service.redemption_sheet(Store.get_by_id(store.id), DAY)

    names = _names(sheet)
    assert "酱油" not in names and "别店商品" not in names
    assert names[:2] == ["食用油", "大米"]
    assert [group.name for group in sheet.groups] == ["粮油", "调味", "清洁", "服务券"]
    oil = sheet.groups[0].lines[0]
    assert (oil.points, oil.limit.quantity, oil.limit.period) == (100, 1, "month")
    assert sheet.groups[-1].lines[0].voucher
    assert sheet.has_limits and sheet.account_mode == "household"
    assert sheet.window.days == frozenset(range(26, 32))
    assert sheet.openings[0] == (date(2026, 12, 26), date(2026, 12, 31))
    assert len(sheet.openings) == service.OPENINGS_LISTED


def test_page_numbers_become_css_counters_in_any_language():
    assert page_counter("第 {page} / {pages} 页") == '"第 " counter(page) " / " counter(pages) " 页"'
    assert page_counter("Page {page} of {pages}") == '"Page " counter(page) " of " counter(pages)'
    assert page_counter('a "quoted" {page}') == r'"a \"quoted\" " counter(page)'


def test_a_store_name_cannot_break_out_of_the_page_style():
    sheet = Sheet(kind="earning", title="积分细则", store_name='超市"</style><script>x', dated="截至 2026年12月5日",
                  columns=("项目",), sections=())
    html = sheet_html(sheet)
    assert html.count("</style>") == 1
    assert "<script>" not in html
