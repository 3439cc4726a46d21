"""Redemption windows and purchase limits over HTTP: the manager's settings, the cashier's
refusals in Chinese, and who may change what."""
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from kiosk.audit import AuditEvent
from kiosk.redemption import service as redemption
from kiosk.redemption.models import ProductLimit
from kiosk.stores.models import Store
from tests.helpers import balance, body


def local_today():
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


def close_today(world):
    """Open only on a day of the month that is not today: redemption is closed now."""
    other = 1 if local_today().day != 1 else 2
    return redemption.set_window(world.store, "month_days", days=[str(other)])


def reason(html):
    match = re.search(r'data-testid="reason">([^<]*)<', html)
    return match.group(1) if match else None


def scan(cashier, world, name="张建华"):
    response = cashier.post("/cashier/scan", {"code": world.payload(name)})
    assert response.status_code == 200, body(response)
    return response


def add(cashier, world, name):
    return cashier.post("/cashier/cart/add", {"product_id": str(world.products[name].id)})


def submit(cashier, checkout_form, page):
    form = checkout_form(page)
    return cashier.post("/cashier/checkout", {k: v for k, v in form.fields.items() if k != "csrf_token"})


def limit(world, name, quantity, period="month", per_member=False):
    redemption.set_limit(world.store, world.products[name].id, quantity=str(quantity), period=period, per_member=per_member)


# ----------------------------------------------------------------------------- the cashier: limits

def test_the_goods_and_the_cart_show_what_is_left_and_one_more_is_refused(cashier, world, books):
    oil = world.products["食用油"]
    limit(world, "食用油", 2)
    page = body(cashier.get("/cashier/"))
    assert f'id="limit-note-{oil.id}" class="tile-limit limit">每月限 2 件<' in page

    # Scanning swaps the register; the tiles' notes come along out of band.
    html = body(scan(cashier, world))
    assert f'<span id="limit-note-{oil.id}" class="tile-limit left" hx-swap-oob="true">本月还可兑换 2 件</span>' in html

    html = body(add(cashier, world, "食用油"))
    assert "本月还可兑换 1 件" in html
    assert '<small class="line-limit left">本月还可兑换 1 件</small>' in html
    html = body(add(cashier, world, "食用油"))
    assert 'class="tile-limit reached" hx-swap-oob="true">本月已达限购<' in html

    before = books()
    response = add(cashier, world, "食用油")
    assert response.status_code == 422
    # "Left" in the refusal is what may still be added to the cart: nothing.
    assert "食用油：本账户每月限兑换 2 件，本月还可兑换 0 件。" in body(response)
    assert cashier.register()["items"] == [[oil.id, 2]]
    # The stepper's + is refused the same way; − is always allowed.
    assert cashier.post("/cashier/cart/set", {"product_id": str(oil.id), "quantity": "1"}).status_code == 200
    response = cashier.post("/cashier/cart/set", {"product_id": str(oil.id), "quantity": "3"})
    assert response.status_code == 422 and "本月还可兑换 1 件" in body(response)
    assert cashier.register()["items"] == [[oil.id, 1]]
    assert books() == before


def test_after_a_sale_the_account_has_less_left(cashier, world, checkout_form):
    limit(world, "食用油", 1)
    scan(cashier, world)
    page = add(cashier, world, "食用油")
    assert submit(cashier, checkout_form, body(page)).status_code == 200
    cashier.post("/cashier/done")
    html = body(scan(cashier, world))
    assert "本月已达限购" in html
    response = add(cashier, world, "食用油")
    assert response.status_code == 422
    assert "食用油：本账户每月限兑换 1 件，本月还可兑换 0 件。" in body(response)


def test_a_limit_per_member_counts_the_household(cashier, world):
    from kiosk.registry.models import Household

    Household.update(members=3).where(Household.id == world.accounts["张建华"].household_id).execute()
    limit(world, "食盐", 1, per_member=True)
    assert "每人每月限 1 件" in body(cashier.get("/cashier/"))
    assert "本月还可兑换 3 件" in body(scan(cashier, world))


def test_checkout_is_refused_when_the_limit_was_reached_meanwhile(cashier, world, checkout_form, books):
    """The cart was filled, then another kiosk sold the last allowed bottle: the checkout
    service refuses, and the screen says why."""
    scan(cashier, world)
    page = add(cashier, world, "食用油")
    limit(world, "食用油", 1)
    from kiosk.checkout import service as checkout
    from kiosk.staff.models import CASHIER
    checkout.checkout(world.store, world.cards["张建华"].id, [(world.products["食用油"].id, 1)],
                      world.staff[CASHIER].id, "other-kiosk-key-0001")
    before = books()
    response = submit(cashier, checkout_form, body(page))
    assert response.status_code == 422
    assert "食用油：本账户每月限兑换 1 件，本月还可兑换 0 件。" in body(response)
    assert books() == before
    assert 'class="line-limit over">超出本月限购<' in body(response)
    assert reason(body(response)) == "食用油：本账户每月限兑换 1 件，本月还可兑换 0 件。"


# ----------------------------------------------------------------------------- the cashier: the window

def test_a_closed_store_says_so_and_still_shows_balances(cashier, world, books, checkout_form):
    close_today(world)
    html = body(cashier.get("/cashier/"))
    assert "现在不是兑换时间" in html and "下次开放：" in html and "仍可扫卡查询余额" in html
    html = body(scan(cashier, world))
    assert 'data-testid="balance">500<' in html
    assert "现在不是兑换时间" in html and 'class="checkout-form"' not in html  # nothing to redeem
    before = books()
    response = add(cashier, world, "食盐")
    assert response.status_code == 422
    assert re.search(r"现在不是兑换时间，\d+月\d+日起开放兑换。余额仍可查询。", body(response))
    assert cashier.register()["items"] == []
    assert books() == before


def test_a_page_left_open_across_closing_time_is_refused_by_the_checkout(cashier, world, books, checkout_form):
    scan(cashier, world)
    page = add(cashier, world, "食盐")
    assert "disabled" not in checkout_form(body(page)).button()
    close_today(world)  # the window closes while the cart waits on screen
    before = books()
    response = submit(cashier, checkout_form, body(page))
    assert response.status_code == 422
    assert "现在不是兑换时间" in body(response)
    assert books() == before
    assert balance(world, "张建华") == 500


def test_an_open_limited_window_says_until_when(cashier, world):
    redemption.set_window(world.store, "month_days", days=["1-31"])
    assert "兑换开放至" not in body(cashier.get("/cashier/"))  # every day: no end to announce
    today = local_today()
    redemption.set_window(world.store, "month_days", days=[str(today.day)])
    html = body(cashier.get("/cashier/"))
    assert "兑换开放至" in html and f"{today.month}月{today.day}日" in html
    assert "现在不是兑换时间" not in html


# ----------------------------------------------------------------------------- settings: the window

def test_the_manager_opens_redemption_for_the_last_days_of_the_month(client, manager, world):
    page = body(client.get("/settings/redemption"))
    assert "兑换时间" in page and "每月最后几天" in page and "每季度指定周" in page
    response = manager.post("/settings/redemption-window", {"mode": "month_last", "last_days": "5"}, htmx=False)
    assert response.status_code == 302 and response.headers["Location"].endswith("/settings/redemption#redemption-window")
    store = Store.get_by_id(world.store.id)
    assert (store.redemption_window, store.redemption_days) == ("month_last", "5")
    page = body(client.get("/settings/redemption"))
    assert "兑换时间已保存。" in page and "每月最后 5 天" in page and "接下来的兑换时间：" in page
    assert AuditEvent.select().where(AuditEvent.action == "redemption_window").count() == 1


def test_days_and_weeks_are_ticked_boxes(client, manager, world):
    manager.post("/settings/redemption-window", {"mode": "month_days", "days": ["26", "27", "28", "29", "30", "31"]},
                 htmx=False)
    assert Store.get_by_id(world.store.id).redemption_days == "26-31"
    page = body(client.get("/settings/redemption"))
    assert re.search(r'name="days" value="26"\s+checked', page) and not re.search(r'name="days" value="25"\s+checked', page)
    assert "每月 26–31 日" in page
    manager.post("/settings/redemption-window", {"mode": "quarter_weeks", "weeks": ["1", "13"]}, htmx=False)
    assert "每季度第 1、13 周" in body(client.get("/settings/redemption"))
    manager.post("/settings/redemption-window", {"mode": "always"}, htmx=False)
    assert "随时可兑换。" in body(client.get("/settings/redemption"))


@pytest.mark.parametrize("form, text", [
    ({"mode": "weekly"}, "请选择兑换开放时间。"),
    ({}, "请选择兑换开放时间。"),
    ({"mode": "month_days"}, "请至少选择每月的一天。"),
    ({"mode": "month_days", "days": ["32"]}, "每月的日期须为 1 到 31 之间的整数。"),
    ({"mode": "month_days", "days": ["<script>"]}, "每月的日期须为 1 到 31 之间的整数。"),
    ({"mode": "month_last", "last_days": ""}, "月末天数须为 1 到 28 之间的整数。"),
    ({"mode": "month_last", "last_days": "0"}, "月末天数须为 1 到 28 之间的整数。"),
    ({"mode": "month_last", "last_days": str(10**12)}, "月末天数须为 1 到 28 之间的整数。"),
    ({"mode": "month_last", "last_days": "五"}, "月末天数须为 1 到 28 之间的整数。"),
    ({"mode": "quarter_weeks"}, "请至少选择季度中的一周。"),
    ({"mode": "quarter_weeks", "weeks": ["14"]}, "季度中的周须为第 1 到第 13 周，或最后一周。"),
])
def test_bad_window_settings_are_refused_and_nothing_changes(manager, world, form, text):
    redemption.set_window(world.store, "month_last", last_days="3")
    response = manager.post("/settings/redemption-window", form, htmx=False)
    assert response.status_code == 422
    html = body(response)
    assert text in html
    assert "超市设置" in html and 'id="redemption-limits"' in html  # the whole settings page at its tab
    assert 'aria-current="page">兑换</a>' in html and "data-unsaved" in html
    store = Store.get_by_id(world.store.id)
    assert (store.redemption_window, store.redemption_days) == ("month_last", "3")


def test_a_refused_window_form_keeps_what_was_ticked(manager, world):
    response = manager.post("/settings/redemption-window", {"mode": "quarter_weeks", "weeks": ["1", "99"]}, htmx=False)
    html = body(response)
    assert re.search(r'name="weeks" value="1"\s+checked', html)
    assert re.search(r'name="mode" value="quarter_weeks"\s+checked', html)


# ----------------------------------------------------------------------------- settings: limits

def test_the_manager_finds_a_product_and_sets_its_limit(manager, world):
    page = body(manager.get("/settings/limits/?q=油"))
    assert 'data-limit-product="食用油"' in page and 'data-limit-product="食盐"' not in page
    oil = world.products["食用油"]
    form = body(manager.get(f"/settings/limits/{oil.id}/edit", htmx=True))
    assert f'<div id="limit-{oil.id}" class="limit-row editing"' in form and "<html" not in form
    assert 'name="quantity"' in form and 'value="month"' in form
    response = manager.post(f"/settings/limits/{oil.id}", {"quantity": "1", "period": "month", "per_member": "1"})
    assert response.status_code == 200
    html = body(response)
    assert "每人每月限 1 件" in html and "限购已保存。" in html
    saved = ProductLimit.get(ProductLimit.product == oil.id)
    assert (saved.quantity, saved.period, saved.per_member) == (1, "month", True)
    response = manager.post(f"/settings/limits/{oil.id}/remove", {})
    assert "已取消限购。" in body(response) and "不限购" in body(response)
    assert ProductLimit.select().count() == 0


def test_without_javascript_the_limit_form_is_a_page(manager, world):
    rice = world.products["大米"]
    page = body(manager.get(f"/settings/limits/{rice.id}/edit"))
    assert "<html" in page and 'name="quantity"' in page
    response = manager.post(f"/settings/limits/{rice.id}", {"quantity": "2", "period": "quarter"}, htmx=False)
    assert response.status_code == 302
    assert "每季度限 2 件" in body(manager.get(response.headers["Location"]))


@pytest.mark.parametrize("form, text", [
    ({"quantity": "0", "period": "month"}, "限购数量须为 1 到 999 之间的整数。"),
    ({"quantity": "-1", "period": "month"}, "限购数量须为 1 到 999 之间的整数。"),
    ({"quantity": str(10**12), "period": "month"}, "限购数量须为 1 到 999 之间的整数。"),
    ({"quantity": "一瓶", "period": "month"}, "限购数量须为 1 到 999 之间的整数。"),
    ({"quantity": "", "period": "month"}, "限购数量须为 1 到 999 之间的整数。"),
    ({"quantity": "1", "period": "week"}, "请选择限购周期：每月、每季度或每年。"),
    ({"quantity": "1"}, "请选择限购周期：每月、每季度或每年。"),
])
def test_bad_limits_are_refused_and_nothing_changes(manager, world, form, text):
    oil = world.products["食用油"]
    response = manager.post(f"/settings/limits/{oil.id}", form)
    assert response.status_code == 422
    html = body(response)
    assert text in html and 'class="limit-row editing"' in html
    assert f'value="{form["quantity"]}"' in html  # what was typed stays in the field
    assert ProductLimit.select().count() == 0


def test_an_unknown_product_is_refused(manager, world):
    for url in ("/settings/limits/999999", "/settings/limits/999999/remove"):
        response = manager.post(url, {"quantity": "1", "period": "month"})
        assert response.status_code == 404 and "未找到此商品。" in body(response)
    assert ProductLimit.select().count() == 0


@pytest.mark.parametrize("role", ["cashier", "operations"])
def test_only_the_manager_changes_windows_and_limits(request, client, world, role):
    session = request.getfixturevalue(role)
    oil = world.products["食用油"]
    assert client.get("/settings/limits/").status_code == 403
    assert session.post("/settings/redemption-window", {"mode": "month_last", "last_days": "1"}).status_code == 403
    assert session.post(f"/settings/limits/{oil.id}", {"quantity": "1", "period": "month"}).status_code == 403
    assert Store.get_by_id(world.store.id).redemption_window == "always"
    assert ProductLimit.select().count() == 0


def test_signed_out_visitors_are_sent_to_sign_in(client, world):
    response = client.get("/settings/limits/")
    assert response.status_code == 302 and "/signin" in response.headers["Location"]
