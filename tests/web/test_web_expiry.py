"""Expiry and point value on screens: the manager's settings section, and the notice that the
passbook, the cashier's panel, the household page and the receipt all give."""
import re
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from kiosk.db import database
from kiosk.expiry import service as expiry
from kiosk.ledger import service as ledger
from kiosk.ledger.models import EARN
from kiosk.stores.models import Store
from tests.helpers import body

TZ = "Asia/Shanghai"


def today():
    return datetime.now(ZoneInfo(TZ)).date()


def earn_on(monkeypatch, account, day, points):
    """Post an earning as if approved at noon on ``day`` (local)."""
    moment = datetime.combine(day, time(12), ZoneInfo(TZ)).astimezone(timezone.utc).replace(tzinfo=None)
    with monkeypatch.context() as patch:
        patch.setattr(ledger, "utcnow", lambda: moment)
        with database.atomic():
            ledger.post(account.id, points, EARN, reference="test", note="环境卫生清扫")


@pytest.fixture
def due_soon(world, monkeypatch):
    """12-month expiry at 1.00 yuan a point; 张建华 earned 120 points that expire in five days."""
    Store.update(expiry_mode="months", expiry_months=12, expiry_notice_days=30, point_value_fen=100).where(
        Store.id == world.store.id).execute()
    due = today() + timedelta(days=5)
    earned = expiry.add_months(due, -12)
    earn_on(monkeypatch, world.accounts["张建华"], earned, 120)
    # The day those points really expire (a month end may move it by a day or two).
    return expiry.add_months(earned, 12)


def notice(due):
    return f"您有120积分将于{due.isoformat()}到期"


# -- settings ------------------------------------------------------------------------------

def test_the_settings_page_has_the_expiry_section_with_the_current_values(client, manager, world):
    html = body(client.get("/settings/points"))
    assert 'id="expiry-settings"' in html and "积分有效期与价值" in html
    assert re.search(r'value="none"\s+checked', html)
    assert 'name="notice_days" value="30"' in html


def test_the_manager_sets_months_and_a_point_value(client, manager, world):
    response = manager.post("/settings/expiry/", {"expiry_mode": "months", "expiry_months": "24", "notice_days": "30",
                                                  "point_value": "0.50", "expiry_month": "12", "expiry_day": "31"})
    assert response.status_code == 200
    html = body(response)
    assert html.lstrip().startswith('<section id="expiry-settings"') and "已保存" in html
    start = today() + timedelta(days=30)
    assert f"到期规则自 {start.isoformat()} 起生效" in html
    store = Store.get_by_id(world.store.id)
    assert (store.expiry_mode, store.expiry_months, store.point_value_fen, store.expiry_start) == ("months", 24, 50, start)
    assert 'name="point_value" value="0.50"' in html


def test_the_manager_sets_a_yearly_reset_without_javascript(client, manager, world):
    response = manager.post("/settings/expiry/", {"expiry_mode": "yearly", "expiry_month": "6", "expiry_day": "30",
                                                  "expiry_months": "12", "notice_days": "14", "point_value": ""}, htmx=False)
    assert response.status_code == 302 and response.location.endswith("/settings/points#expiry-settings")
    store = Store.get_by_id(world.store.id)
    assert (store.expiry_mode, store.expiry_month_day, store.expiry_notice_days, store.point_value_fen) == (
        "yearly", "06-30", 14, None)
    assert "积分有效期与价值已保存" in body(client.get("/settings/points"))


@pytest.mark.parametrize("form, text", [
    ({"expiry_mode": "yearly", "expiry_month": "2", "expiry_day": "29"}, "2月29日不是每年都有"),
    ({"expiry_mode": "yearly", "expiry_month": "4", "expiry_day": "31"}, "每年都有的月份和日期"),
    ({"expiry_mode": "months", "expiry_months": "0"}, "1 到 120 个月"),
    ({"expiry_mode": "months", "expiry_months": "abc"}, "1 到 120 个月"),
    ({"expiry_mode": "months", "expiry_months": "121"}, "1 到 120 个月"),
    ({"expiry_mode": "none", "notice_days": "-1"}, "0 到 365 天"),
    ({"expiry_mode": "none", "notice_days": "400"}, "0 到 365 天"),
    ({"expiry_mode": "none", "point_value": "1.005"}, "最多两位小数"),
    ({"expiry_mode": "none", "point_value": "abc"}, "最多两位小数"),
    ({"expiry_mode": "forever"}, "请选择积分是否到期"),
])
def test_bad_expiry_settings_are_refused_in_chinese_and_change_nothing(manager, world, form, text):
    form = {"notice_days": "30", "expiry_months": "12", **form}
    response = manager.post("/settings/expiry/", form)
    assert response.status_code == 422
    html = body(response)
    assert text in html and html.lstrip().startswith('<section id="expiry-settings"')
    store = Store.get_by_id(world.store.id)
    assert (store.expiry_mode, store.point_value_fen, store.expiry_notice_days) == ("none", None, 30)


def test_a_refusal_without_javascript_shows_the_whole_page_with_what_was_typed(manager, world):
    response = manager.post("/settings/expiry/", {"expiry_mode": "months", "expiry_months": "200", "notice_days": "30",
                                                  "point_value": "2"}, htmx=False)
    assert response.status_code == 422
    html = body(response)
    assert "1 到 120 个月" in html and 'name="expiry_months" value="200"' in html
    assert 'id="earning-settings"' in html and 'id="notice-settings"' in html  # its tab, the other sections intact
    assert "data-unsaved" in html and "已保存" not in html  # what was typed is shown as not saved


@pytest.mark.parametrize("role", ["cashier", "operations"])
def test_only_the_manager_changes_expiry(request, client, world, role):
    session = request.getfixturevalue(role)
    assert session.post("/settings/expiry/", {"expiry_mode": "months", "expiry_months": "1", "notice_days": "0"}).status_code == 403
    assert Store.get_by_id(world.store.id).expiry_mode == "none"


# -- the notice ----------------------------------------------------------------------------

@pytest.fixture
def resident(client):
    client.get("/signin")
    with client.session_transaction() as session:
        token = session.setdefault("csrf_token", "passbook-token")
    return lambda code: client.post("/passbook/scan", data={"code": code, "csrf_token": token}, headers={"HX-Request": "true"})


def test_the_passbook_announces_the_points_that_expire_and_their_value(resident, world, due_soon):
    html = body(resident(world.payload("张建华")))
    assert notice(due_soon) in html
    assert 'data-testid="point-value">≈ ¥620.00<' in html


def test_the_passbook_says_nothing_of_points_that_do_not_expire_soon(resident, world, due_soon):
    html = body(resident(world.payload("李秀兰")))
    assert "到期" not in html
    assert "≈ ¥30.00" in html


def test_the_cashier_sees_the_notice_and_the_receipt_prints_it(cashier, world, due_soon, printer, checkout_form):
    scanned = body(cashier.post("/cashier/scan", {"code": world.payload("张建华")}))
    assert notice(due_soon) in scanned and "≈ ¥620.00" in scanned
    cart = cashier.post("/cashier/cart/add", {"product_id": str(world.products["食盐"].id)})
    form = checkout_form(cart)
    done = body(cashier.post("/cashier/checkout", {k: v for k, v in form.fields.items() if k != "csrf_token"}))
    # Spending takes the oldest points first: 20 of the 120 are gone.
    assert f"您有100积分将于{due_soon.isoformat()}到期" in done and "≈ ¥600.00" in done
    receipt, data = printer.jobs[-1]
    assert receipt.notes == (f"您有100积分将于{due_soon.isoformat()}到期",)
    assert f"您有100积分将于{due_soon.isoformat()}到期".encode("gb18030") in data
    assert "600分 ≈ ￥600.00".encode("gb18030") in data


def test_the_english_screen_still_prints_a_chinese_receipt(cashier, client, world, due_soon, printer, checkout_form):
    with client.session_transaction() as session:
        session["lang"] = "en"
    scanned = body(cashier.post("/cashier/scan", {"code": world.payload("张建华")}))
    assert f"You have 120 points that expire on {due_soon.isoformat()}" in scanned
    form = checkout_form(cashier.post("/cashier/cart/add", {"product_id": str(world.products["食盐"].id)}))
    cashier.post("/cashier/checkout", {k: v for k, v in form.fields.items() if k != "csrf_token"})
    receipt, _ = printer.jobs[-1]
    assert receipt.notes == (f"您有100积分将于{due_soon.isoformat()}到期",)


def test_the_household_page_and_the_statement_show_the_value_and_the_notice(client, operations, world, due_soon, printer):
    account = world.accounts["张建华"]
    household = body(client.get(f"/registry/households/{account.household_id}"))
    assert notice(due_soon) in household and "≈ ¥620.00" in household
    operations.post(f"/registry/accounts/{account.id}/statement/print", {"period": "this_year"}, htmx=False)
    statement, data = printer.jobs[-1]
    # (The backdated earning makes this year's figures odd; the value follows the closing balance.)
    assert statement.closing_value == f"≈ ￥{statement.closing:,}.00"
    assert statement.closing_value.encode("gb18030") in data


def test_nothing_is_announced_or_valued_when_the_store_has_neither(resident, world):
    html = body(resident(world.payload("张建华")))
    assert "到期" not in html and "≈" not in html


def test_an_expiry_entry_reads_sensibly_in_the_passbook(resident, world, due_soon):
    account = world.accounts["张建华"]
    with database.atomic():
        ledger.post(account.id, -20, "expire", reference=f"expire:{date(2026, 1, 31)}", note="2026-01-31 到期未使用")
    html = body(resident(world.payload("张建华")))
    assert re.search(r"积分到期\s+2026-01-31 到期未使用", html)


def test_a_return_receipt_announces_the_points_it_gave_back_with_their_age(manager, world, due_soon, printer, forms):
    from kiosk.checkout import service as checkout
    from kiosk.checkout.models import SaleLine
    from kiosk.staff.models import CASHIER

    salt = world.products["食盐"]
    sale = checkout.checkout(world.store, world.cards["张建华"].id, [(salt.id, 2)], world.staff[CASHIER].id,
                             "expiry-return-key-01").sale  # 40 of the 120 old points spent
    page = manager.get(f"/returns/?receipt={sale.receipt_no}")
    form = next(f for f in forms(page) if f.action == f"/returns/{sale.id}")
    data = {k: v for k, v in form.fields.items() if k != "csrf_token"}
    data[f"qty_{SaleLine.get(SaleLine.sale == sale).id}"] = "1"
    assert manager.post(form.action, data).status_code == 200
    receipt, printed = printer.jobs[-1]
    # The 20 points returned are old points again: 100 of them expire on the day.
    assert receipt.kind == "refund" and receipt.notes == (f"您有100积分将于{due_soon.isoformat()}到期",)
    assert receipt.balance_value == "≈ ￥600.00" and "600分 ≈ ￥600.00".encode("gb18030") in printed


def test_many_expiry_days_are_summed_up_in_a_few_lines(app, world, monkeypatch):
    from kiosk.expiry import display

    items = [expiry.Expiring(date(2026, 12, day), day) for day in (1, 2, 3, 4)]
    with app.test_request_context():
        assert display.notices(items[:3], 3) == [
            "您有1积分将于2026-12-01到期", "您有2积分将于2026-12-02到期", "您有3积分将于2026-12-03到期"]
        assert display.notices(items, 3) == [
            "您有1积分将于2026-12-01到期", "您有2积分将于2026-12-02到期", "另有7积分将于2026-12-04前陆续到期"]
        assert display.notices(items, 2) == ["您有1积分将于2026-12-01到期", "另有9积分将于2026-12-04前陆续到期"]
