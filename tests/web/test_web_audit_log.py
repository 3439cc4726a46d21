"""The audit log screen (店长): this store's events only, newest first, 50 a page, filtered by
person, kind and the store's local days, and exported to Excel with the same filter."""
import io
import json
import re
from datetime import datetime

import pytest
from openpyxl import load_workbook

from kiosk.audit import AuditEvent
from kiosk.staff.models import CASHIER, MANAGER, Staff
from kiosk.stores.models import Store
from tests.helpers import body


def event(world, action, when, staff=None, store=None, **detail):
    return AuditEvent.create(store=store or world.store, staff=staff, action=action, detail=json.dumps(detail),
                             created_at=when)


def shown(response):
    """The event ids of the listed rows, in order."""
    return [int(n) for n in re.findall(r'data-event="(\d+)"', body(response))]


@pytest.fixture
def log(world):
    """A few events of this store, and one of another store that must never show."""
    AuditEvent.delete().execute()  # the manager's own sign-in is added by the fixture below
    cashier, boss = world.staff[CASHIER], world.staff[MANAGER]
    other = Store.create(name="另一个超市", code="QT")
    stranger = Staff.create(store=other, name="外店人员", role=MANAGER, pin_hash="x")
    return {
        # 2026-03-01 17:30 UTC is 2026-03-02 01:30 in Shanghai.
        "late": event(world, "reprint", datetime(2026, 3, 1, 17, 30), cashier, sale=7, receipt="XY0000007"),
        "early": event(world, "stock_in", datetime(2026, 3, 1, 2, 0), cashier, number="XYRK0000001"),
        "boss": event(world, "store_settings", datetime(2026, 3, 3, 8, 0), boss, name="新名字"),
        "odd": event(world, "something_new", datetime(2026, 3, 4, 8, 0), None, note="raw"),
        "foreign": event(world, "reprint", datetime(2026, 3, 2, 8, 0), stranger, store=other, secret_of="QT"),
    }


def test_the_log_lists_this_stores_events_newest_first_in_local_time(manager, log):
    response = manager.get("/settings/audit/?from=2026-03-01&to=2026-03-04")
    assert response.status_code == 200
    assert shown(response) == [log["odd"].id, log["boss"].id, log["late"].id, log["early"].id]
    html = body(response)
    assert "外店人员" not in html and "secret_of" not in html
    row = html.split(f'data-event="{log["late"].id}"')[1].split("</tr>")[0]
    assert "2026-03-02 01:30:00" in row and "张收银" in row and "收银员" in row
    assert "重印小票" in row and "sale: 7" in row and "receipt: XY0000007" in row
    odd = html.split(f'data-event="{log["odd"].id}"')[1].split("</tr>")[0]
    assert "something_new" in odd  # no words for this kind: its code


def test_filter_by_person_kind_and_local_days(manager, world, log):
    cashier = world.staff[CASHIER]
    assert shown(manager.get(f"/settings/audit/?staff={cashier.id}")) == [log["late"].id, log["early"].id]
    assert shown(manager.get("/settings/audit/?action=reprint")) == [log["late"].id]
    # Local days: the event at 01:30 on 2 March (Shanghai) belongs to 2 March, not 1 March.
    assert shown(manager.get("/settings/audit/?from=2026-03-01&to=2026-03-01")) == [log["early"].id]
    assert shown(manager.get("/settings/audit/?from=2026-03-02&to=2026-03-03")) == [log["boss"].id, log["late"].id]
    assert shown(manager.get(f"/settings/audit/?staff={cashier.id}&action=stock_in&from=2026-03-01")) == [log["early"].id]


def test_the_filter_answers_htmx_with_the_list_only(manager, log):
    response = manager.get("/settings/audit/?action=store_settings", htmx=True)
    html = body(response)
    assert html.lstrip().startswith('<div id="audit-list"') and "<html" not in html
    assert shown(response) == [log["boss"].id]
    assert "/settings/audit/export.xlsx?action=store_settings" in html
    page = body(manager.get("/settings/audit/?action=store_settings"))
    assert 'hx-get="/settings/audit/"' in page and 'method="get"' in page  # works without htmx too
    assert '<option value="store_settings" selected>' in page


@pytest.mark.parametrize("query, text", [
    ("from=2026-03-05&to=2026-03-01", "起始日期晚于结束日期"),
    ("from=yesterday", "不是日期"),
    ("staff=abc", "本店没有这位工作人员"),
])
def test_a_bad_filter_says_why_and_lists_nothing(manager, log, query, text):
    response = manager.get("/settings/audit/?" + query)
    assert response.status_code == 422 and text in body(response) and shown(response) == []
    assert manager.get("/settings/audit/export.xlsx?" + query).status_code == 422


def test_another_stores_person_cannot_be_chosen(manager, log):
    stranger = Staff.get(Staff.name == "外店人员")
    response = manager.get(f"/settings/audit/?staff={stranger.id}")
    assert response.status_code == 422 and shown(response) == []
    assert "外店人员" not in body(manager.get("/settings/audit/"))  # not offered in the filter either


def test_fifty_a_page_with_page_links(manager, world, log):
    AuditEvent.delete().where(AuditEvent.store == world.store).execute()
    made = [event(world, "reprint", datetime(2026, 4, 1, 0, minute), world.staff[CASHIER], n=minute).id
            for minute in range(0, 60)] + \
           [event(world, "reprint", datetime(2026, 4, 1, 1, minute), world.staff[CASHIER], n=60 + minute).id
            for minute in range(0, 60)]
    newest_first = list(reversed(made))
    query = "?action=reprint&from=2026-04-01"
    first = manager.get("/settings/audit/" + query)
    assert shown(first) == newest_first[:50]
    html = body(first)
    assert "共 120 条记录" in html
    assert 'href="/settings/audit/?page=2&amp;action=reprint&amp;from=2026-04-01"' in html
    assert shown(manager.get("/settings/audit/" + query + "&page=2", htmx=True)) == newest_first[50:100]
    assert shown(manager.get("/settings/audit/" + query + "&page=3")) == newest_first[100:]
    assert shown(manager.get("/settings/audit/" + query + "&page=99")) == newest_first[100:]  # past the end: the last


def test_the_export_is_the_filtered_list_as_a_workbook(manager, world, log):
    response = manager.get(f"/settings/audit/export.xlsx?staff={world.staff[CASHIER].id}")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("时间", "人员", "角色", "操作", "操作代码", "详情")
    assert rows[1] == (datetime(2026, 3, 2, 1, 30), "张收银", "收银员", "重印小票", "reprint", "sale: 7; receipt: XY0000007")
    assert rows[2] == (datetime(2026, 3, 1, 10, 0), "张收银", "收银员", "入库", "stock_in", "number: XYRK0000001")
    assert len(rows) == 3


def test_a_name_that_looks_like_a_formula_stays_text(manager, world, log):
    prankster = Staff.create(store=world.store, name="=SUM(1,2)", role=CASHIER, pin_hash="x")
    event(world, "reprint", datetime(2026, 3, 5, 8, 0), prankster, sale=8)
    sheet = load_workbook(io.BytesIO(manager.get(f"/settings/audit/export.xlsx?staff={prankster.id}").data)).active
    [cell] = [row[1] for row in sheet.iter_rows(min_row=2)]
    assert cell.data_type == "s" and cell.value == "=SUM(1,2)"


def test_the_export_holds_only_this_store(manager, log):
    sheet = load_workbook(io.BytesIO(manager.get("/settings/audit/export.xlsx").data)).active
    text = repr(list(sheet.iter_rows(values_only=True)))
    assert "外店人员" not in text and "secret_of" not in text
    assert "something_new" in text


def test_staff_changes_show_and_no_pin_ever_does(manager, world, log):
    manager.post("/settings/staff/new", {"name": "赵志愿", "role": "cashier", "pin": "2468", "pin_again": "2468"})
    manager.post(f"/settings/staff/{world.staff[CASHIER].id}/pin", {"pin": "8024", "pin_again": "8024"})
    html = body(manager.get("/settings/audit/"))
    assert "添加工作人员" in html and "设置密码" in html
    assert "role: 收银员" in html  # a role in the details in words, not its code
    assert "2468" not in html and "8024" not in html and "pbkdf2" not in html and "scrypt" not in html


@pytest.mark.parametrize("role", ["cashier", "operations"])
def test_only_the_manager_reads_the_log(request, role):
    session = request.getfixturevalue(role)
    assert session.get("/settings/audit/").status_code == 403
    assert session.get("/settings/audit/export.xlsx").status_code == 403
