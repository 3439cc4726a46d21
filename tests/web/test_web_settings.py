"""Store settings: only the manager opens them; one tab per part, each at its own URL, each form
saving its own fields and refusing bad input without changing anything."""
import re

import pytest

from kiosk.audit import AuditEvent
from kiosk.stores.models import Store
from tests.helpers import body

TABS = ("/settings/", "/settings/store", "/settings/points", "/settings/redemption", "/settings/stock",
        "/settings/receipts", "/settings/advanced")


def tab_links(html):
    return re.findall(r'<a class="settings-tab[^"]*" href="([^"]+)"', html)


def test_every_tab_lists_all_tabs_and_marks_itself_as_the_current_page(manager):
    for url in TABS:
        html = body(manager.get(url))
        assert tab_links(html) == list(TABS)
        current = re.findall(r'href="([^"]+)" data-tab="[a-z]+"\s+aria-current="page"', html)
        assert current == [url]


def test_each_tab_holds_only_its_own_forms(manager):
    """The page that once held every form (and lost edits between them) is split by part."""
    forms = {url: re.findall(r'<form class="form[^"]*" method="post" action="([^"]+)"', body(manager.get(url))) for url in TABS}
    assert forms["/settings/"] == []
    assert forms["/settings/store"] == ["/settings/store"]
    assert forms["/settings/points"] == ["/settings/expiry/", "/earning/settings", "/notice/settings"]
    assert forms["/settings/redemption"] == ["/settings/redemption-window"]
    assert forms["/settings/stock"] == ["/stock/settings"]
    assert forms["/settings/receipts"] == ["/receipts/settings"]
    assert forms["/settings/advanced"] == ["/settings/advanced"]


def test_the_manage_tab_keeps_the_administration_links(manager):
    html = body(manager.get("/settings/"))
    assert '<div class="admin-links">' in html
    assert 'href="/settings/staff/"' in html and 'href="/settings/audit/"' in html and 'href="/settings/backups/"' in html


def test_the_store_tab_shows_no_technical_setting(manager):
    html = body(manager.get("/settings/store"))
    assert 'name="printer_url"' not in html and 'name="timezone"' not in html and "tcp://" not in html


def test_the_manager_switches_to_personal_accounts_and_full_names(client, manager, world):
    response = manager.post("/settings/store", {"name": "新名字信义积分超市", "account_mode": "person", "card_full_name": "1"},
                            htmx=False)
    assert response.status_code == 302 and response.headers["Location"].endswith("/settings/store")
    store = Store.get_by_id(world.store.id)
    assert (store.name, store.account_mode, store.card_full_name) == ("新名字信义积分超市", "person", True)
    html = body(client.get("/settings/store"))
    assert "新名字信义积分超市" in html  # the header and the form show the new name
    assert "超市与积分卡设置已保存" in html


@pytest.mark.parametrize("form, text", [
    ({"name": "", "account_mode": "household"}, "请填写店名"),
    ({"name": "店" * 101, "account_mode": "household"}, "店名太长，最多 100 个字"),
    ({"name": "店", "account_mode": "everyone"}, "请选择积分账户的方式"),
])
def test_bad_store_settings_are_refused_and_nothing_changes(manager, world, form, text):
    response = manager.post("/settings/store", form, htmx=False)
    html = body(response)
    assert response.status_code == 422 and text in html
    assert "已保存" not in html
    assert "data-unsaved" in html  # the typed values are shown again, marked as not saved
    store = Store.get_by_id(world.store.id)
    assert (store.name, store.account_mode) == (world.store.name, world.store.account_mode)


def test_the_advanced_tab_describes_the_printer_and_the_time_zone_in_words(manager):
    html = body(manager.get("/settings/advanced"))
    assert "小票打印机的网络地址，例如 192.168.1.50" in html
    assert '<option value="Asia/Shanghai" selected>北京时间（Asia/Shanghai）</option>' in html
    assert 'value="default" checked' in html  # no address of its own: the KIOSK_PRINTER setting


def test_the_manager_sets_a_network_printer_by_its_address(client, manager, world):
    form = {"printer_kind": "network", "printer_host": " 192.168.1.50 ", "printer_port": "9100", "timezone": "Asia/Shanghai"}
    response = manager.post("/settings/advanced", form, htmx=False)
    assert response.status_code == 302 and response.headers["Location"].endswith("/settings/advanced")
    assert Store.get_by_id(world.store.id).printer_url == "tcp://192.168.1.50:9100"
    html = body(client.get("/settings/advanced"))
    assert "打印机连接和时区已保存" in html
    assert 'value="network" checked' in html and 'name="printer_host" value="192.168.1.50"' in html
    entry = AuditEvent.select().where(AuditEvent.action == "store_settings").order_by(AuditEvent.id.desc()).get()
    assert "tcp://192.168.1.50:9100" in entry.detail


def test_the_manager_types_another_connection_and_goes_back_to_the_default(manager, world):
    form = {"printer_kind": "other", "printer_url": " usb://0x0416:0x5011 ", "timezone": "Asia/Shanghai"}
    assert manager.post("/settings/advanced", form, htmx=False).status_code == 302
    assert Store.get_by_id(world.store.id).printer_url == "usb://0x0416:0x5011"
    assert 'value="other" checked' in body(manager.get("/settings/advanced"))
    assert manager.post("/settings/advanced", {"printer_kind": "default", "printer_url": "usb://0x0416:0x5011",
                                               "timezone": "Asia/Shanghai"}, htmx=False).status_code == 302
    assert Store.get_by_id(world.store.id).printer_url == ""


@pytest.mark.parametrize("form, text", [
    ({"printer_kind": "network", "printer_host": "", "printer_port": "9100"}, "请填写打印机的网络地址"),
    ({"printer_kind": "network", "printer_host": "192.168.1.50", "printer_port": "70000"}, "打印机端口必须是 1 到 65535 之间的数字"),
    ({"printer_kind": "network", "printer_host": "192.168.1.50", "printer_port": "九一"}, "打印机端口必须是 1 到 65535 之间的数字"),
    ({"printer_kind": "network", "printer_host": "打印机 在 柜台", "printer_port": "9100"},
     "这个打印机地址无法使用。请按这样的格式填写：192.168.1.50"),
    ({"printer_kind": "network", "printer_host": "tcp://192.168.1.50", "printer_port": "9100"},
     "这个打印机地址无法使用。请按这样的格式填写：192.168.1.50"),
    ({"printer_kind": "other", "printer_url": "lp0"}, "这个打印机地址无法使用"),
    ({"printer_kind": "other", "printer_url": "usb://nonsense"}, "这个打印机地址无法使用。请按这样的格式填写：usb://0x0416:0x5011"),
    ({"printer_kind": "other", "printer_url": ""}, "请填写打印机地址"),
    ({"printer_kind": "bluetooth"}, "请选择小票打印机的连接方式"),
    ({"printer_kind": "default", "timezone": "Mars/Olympus"}, "Mars/Olympus 不是有效的时区"),
])
def test_a_bad_printer_address_or_time_zone_is_refused_and_nothing_changes(manager, world, form, text):
    form = {"timezone": "Asia/Shanghai", **form}
    response = manager.post("/settings/advanced", form, htmx=False)
    html = body(response)
    assert response.status_code == 422 and text in html, html[html.find('class="message'):][:300]
    assert "已保存" not in html and "data-unsaved" in html
    store = Store.get_by_id(world.store.id)
    assert (store.printer_url, store.timezone) == ("", "Asia/Shanghai")


def test_the_manager_changes_the_time_zone_and_the_kiosk_follows_it(app, manager, world):
    form = {"printer_kind": "default", "timezone": "Asia/Urumqi"}
    assert manager.post("/settings/advanced", form, htmx=False).status_code == 302
    assert Store.get_by_id(world.store.id).timezone == "Asia/Urumqi"
    assert app.config["BABEL_DEFAULT_TIMEZONE"] == "Asia/Urumqi"
    assert '<option value="Asia/Urumqi" selected>新疆时间（Asia/Urumqi）</option>' in body(manager.get("/settings/advanced"))


def test_a_zone_not_in_the_list_is_still_shown_as_the_stores_own(manager, world):
    Store.update(timezone="Europe/Berlin").where(Store.id == world.store.id).execute()
    assert '<option value="Europe/Berlin" selected>Europe/Berlin</option>' in body(manager.get("/settings/advanced"))


@pytest.mark.parametrize("url", TABS)
@pytest.mark.parametrize("role", ["cashier", "operations"])
def test_only_the_manager_opens_settings(request, client, role, url):
    request.getfixturevalue(role)
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", ["/settings/store", "/settings/advanced"])
def test_only_the_manager_saves_settings(cashier, world, url):
    form = {"name": "别人的店", "account_mode": "person", "printer_kind": "other", "printer_url": "virtual://", "timezone": "Asia/Taipei"}
    assert cashier.post(url, form, htmx=False).status_code == 403
    store = Store.get_by_id(world.store.id)
    assert (store.name, store.printer_url, store.timezone) == (world.store.name, "", "Asia/Shanghai")


# Every form of every tab, posted without JavaScript: (action, a good form, a bad form, its tab,
# what the tab says once saved, what it says when refused).
FORMS = [
    ("/settings/store", {"name": "新店名", "account_mode": "person"}, {"name": " ", "account_mode": "person"},
     "/settings/store", "超市与积分卡设置已保存", "请填写店名"),
    ("/settings/expiry/", {"expiry_mode": "months", "expiry_months": "24", "notice_days": "30", "expiry_month": "12",
                           "expiry_day": "31", "point_value": ""},
     {"expiry_mode": "forever", "expiry_months": "24", "notice_days": "30"}, "/settings/points", "积分有效期与价值已保存",
     "请选择积分是否到期"),
    ("/earning/settings", {"objection_days": "14"}, {"objection_days": "91"}, "/settings/points", "扣分设置已保存",
     "异议期须为 0 到 90 之间的整数天数"),
    ("/notice/settings", {"notice_cutoff_day": "20", "star_candidates": "15"}, {"notice_cutoff_day": "31", "star_candidates": "15"},
     "/settings/points", "公示设置已保存", "截止日必须是 1 到 28 之间的日期"),
    ("/settings/redemption-window", {"mode": "month_last", "last_days": "5"}, {"mode": "month_last", "last_days": "0"},
     "/settings/redemption", "兑换时间已保存", "月末天数须为 1 到 28 之间的整数"),
    ("/stock/settings", {"writeoff_approval_units": "3", "writeoff_approval_points": "200", "expiry_warning_days": "14"},
     {"writeoff_approval_units": "-1", "writeoff_approval_points": "200", "expiry_warning_days": "14"}, "/settings/stock",
     "库存设置已保存", "库存设置有误"),
    ("/receipts/settings", {"receipt_uncertain": "wait", "receipt_problem_minutes": "45"},
     {"receipt_uncertain": "maybe", "receipt_problem_minutes": "45"}, "/settings/receipts", "小票设置已保存",
     "请选择可能已打出的小票如何处理"),
    ("/settings/advanced", {"printer_kind": "network", "printer_host": "192.168.1.50", "printer_port": "9100", "timezone": "Asia/Shanghai"},
     {"printer_kind": "network", "printer_host": "", "printer_port": "9100", "timezone": "Asia/Shanghai"}, "/settings/advanced",
     "打印机连接和时区已保存", "请填写打印机的网络地址"),
]


def store_row(world):
    return Store.select().where(Store.id == world.store.id).dicts().get()


def current_tab(html):
    return re.findall(r'href="([^"]+)" data-tab="[a-z]+"\s+aria-current="page"', html)


@pytest.mark.parametrize("action, good, bad, tab, saved, refused", FORMS, ids=[form[0] for form in FORMS])
def test_each_form_saves_on_its_own_tab_and_says_which_part_was_saved(manager, world, action, good, bad, tab, saved, refused):
    before = store_row(world)
    response = manager.post(action, good, htmx=False, follow_redirects=True)
    html = body(response)
    assert response.status_code == 200 and response.request.path == tab and current_tab(html) == [tab]
    assert saved in html
    assert store_row(world) != before


@pytest.mark.parametrize("action, good, bad, tab, saved, refused", FORMS, ids=[form[0] for form in FORMS])
def test_each_form_refuses_bad_input_on_its_tab_and_never_says_saved(manager, world, action, good, bad, tab, saved, refused):
    before = store_row(world)
    response = manager.post(action, bad, htmx=False, follow_redirects=True)
    html = body(response)
    assert refused in html and current_tab(html) == [tab]
    assert "已保存" not in html
    assert store_row(world) == before


@pytest.mark.parametrize("back, tab", [("advanced", "/settings/advanced"), ("receipts", "/settings/receipts"),
                                       ("https://example.com/", "/settings/receipts"), ("", "/settings/receipts")])
def test_a_test_page_comes_back_to_the_tab_it_was_asked_from(manager, printer, back, tab):
    response = manager.post("/settings/test-page", {"back": back}, htmx=False)
    assert response.status_code == 302 and response.headers["Location"] == tab
    assert "测试页已发送到打印机" in body(manager.get(tab))
