"""Checkout over HTTP: one transaction, one sale per cart however often it is submitted,
a receipt printed after the commit, and a stale page refused."""
import re

import pytest

from kiosk.checkout.models import Sale, SaleLine
from kiosk.inventory.models import Product, StockMovement
from kiosk.ledger.models import LedgerEntry
from kiosk.printing.faults import detail as printer_detail
from kiosk.printing.models import PrintJob
from kiosk.reports.verify import verify
from tests.helpers import balance, body, stock


def fill_cart(cashier, world, card, goods):
    """Scan ``card`` and tap each product of ``goods`` ({name: quantity}); the last response."""
    response = cashier.post("/cashier/scan", {"code": world.payload(card)})
    assert response.status_code == 200
    for name, quantity in goods.items():
        for _ in range(quantity):
            response = cashier.post("/cashier/cart/add", {"product_id": str(world.products[name].id)})
            assert response.status_code == 200, body(response)
    return response


def submit(cashier, form):
    """Post the checkout form as the page would (key, version, total)."""
    return cashier.post("/cashier/checkout", {k: v for k, v in form.fields.items() if k != "csrf_token"})


def new_balance(html):
    match = re.search(r'data-testid="new-balance">\s*(\d+)\s*<', html)
    return int(match.group(1)) if match else None


def test_checkout_debits_moves_stock_prints_and_shows_the_new_balance(cashier, world, printer, checkout_form):
    page = fill_cart(cashier, world, "张建华", {"食用油": 2, "食盐": 1})
    form = checkout_form(page)
    assert form.fields["total"] == "220"
    assert "disabled" not in form.button()

    response = submit(cashier, form)
    assert response.status_code == 200
    html = body(response)
    assert "兑换成功" in html
    assert "兑换成功，扣除 220 积分" in html
    assert new_balance(html) == 280
    assert "小票已打印" in html

    assert balance(world, "张建华") == 280
    assert stock(world, "食用油") == 8 and stock(world, "食盐") == 49
    sale = Sale.get()
    assert (sale.total, sale.balance_before, sale.balance_after) == (220, 500, 280)
    assert sale.receipt_no in html
    lines = {line.name: (line.points, line.quantity) for line in SaleLine.select().where(SaleLine.sale == sale)}
    assert lines == {"食用油": (100, 2), "食盐": (20, 1)}
    debit = LedgerEntry.get(LedgerEntry.reference == f"sale:{sale.id}")
    assert (debit.delta, debit.kind, debit.balance_after) == (-220, "redeem", 280)
    assert StockMovement.select().where(StockMovement.reference == f"sale:{sale.id}").count() == 2

    assert len(printer.jobs) == 1
    receipt, data = printer.jobs[0]
    assert receipt.receipt_no == sale.receipt_no and not receipt.reprint
    assert "食用油".encode("gb18030") in data
    assert "食盐".encode("gb18030") in data
    assert "张*华".encode("gb18030") in data and "张建华".encode("gb18030") not in data
    assert PrintJob.get().status == "printed"
    # The register starts a new cart: the next resident cannot reuse this one.
    assert cashier.register()["items"] == [] and cashier.register()["done"] == sale.id
    assert verify() == []


def test_double_submit_of_the_same_form_is_one_sale_one_debit_one_receipt(cashier, world, printer, checkout_form):
    form = checkout_form(fill_cart(cashier, world, "张建华", {"大米": 1}))
    first = submit(cashier, form)
    second = submit(cashier, form)  # a double tap, or htmx retrying after a timeout
    assert first.status_code == 200
    assert second.status_code == 200
    assert "这笔兑换已经完成" in body(second)
    assert new_balance(body(second)) == 450
    assert Sale.select().count() == 1
    assert LedgerEntry.select().where(LedgerEntry.kind == "redeem").count() == 1
    assert balance(world, "张建华") == 450
    assert stock(world, "大米") == 19
    assert len(printer.jobs) == 1
    assert PrintJob.select().count() == 1
    assert verify() == []


def test_resubmitting_after_done_is_refused_and_still_one_sale(cashier, world, books, checkout_form):
    form = checkout_form(fill_cart(cashier, world, "张建华", {"大米": 1}))
    submit(cashier, form)
    cashier.post("/cashier/done")
    before = books()
    response = submit(cashier, form)
    assert response.status_code == 422
    assert "页面已过期" in body(response)
    assert books() == before
    assert verify() == []


def test_key_from_an_earlier_cart_is_refused_as_stale(cashier, world, books, checkout_form):
    old = checkout_form(fill_cart(cashier, world, "张建华", {"大米": 1}))
    cashier.post("/cashier/cancel")
    new = checkout_form(fill_cart(cashier, world, "张建华", {"大米": 1}))
    assert old.fields["key"] != new.fields["key"]
    assert old.fields["version"] == new.fields["version"]  # same card, same goods: only the key tells
    register, before = cashier.register(), books()
    response = submit(cashier, old)
    assert response.status_code == 422
    assert "页面已过期" in body(response)
    assert cashier.register() == register
    assert books() == before
    assert verify() == []


def test_version_of_another_cart_is_refused_as_stale(cashier, world, books, checkout_form):
    shown = checkout_form(fill_cart(cashier, world, "张建华", {"大米": 1}))
    # Another tap (on a second kiosk tab, or a slow swap) changed the cart after the page was shown.
    current = checkout_form(cashier.post("/cashier/cart/add", {"product_id": str(world.products["食盐"].id)}))
    assert shown.fields["key"] == current.fields["key"]
    register, before = cashier.register(), books()
    for fields in (
        shown.fields,
        {**shown.fields, "total": current.fields["total"]},
        {**current.fields, "version": "0" * 16},
        {k: v for k, v in current.fields.items() if k != "version"},
    ):
        response = cashier.post("/cashier/checkout", {k: v for k, v in fields.items() if k != "csrf_token"})
        assert response.status_code == 422
        assert "页面已过期" in body(response)
    assert cashier.register() == register
    assert books() == before
    assert verify() == []


@pytest.mark.parametrize("key", ["", "x", "not-the-key-but-long-enough", "'; DROP TABLE sale; --"])
def test_missing_or_wrong_key_is_refused_as_stale(cashier, world, books, checkout_form, key):
    form = checkout_form(fill_cart(cashier, world, "张建华", {"大米": 1}))
    before = books()
    response = cashier.post("/cashier/checkout", {**form.fields, "key": key})
    assert response.status_code == 422
    assert "页面已过期" in body(response)
    assert books() == before


def test_empty_cart_checkout_is_refused(cashier, world, books, checkout_form):
    form = checkout_form(fill_cart(cashier, world, "张建华", {}))
    before = books()
    response = submit(cashier, form)
    assert response.status_code == 422
    assert "购物车是空的" in body(response)
    assert books() == before
    assert verify() == []


def test_checkout_without_a_card_is_refused(cashier, world, books, checkout_form):
    form = checkout_form(cashier.get("/cashier/", htmx=True))
    before = books()
    response = submit(cashier, form)
    assert response.status_code == 422
    assert books() == before


def test_insufficient_balance_is_refused_even_when_posted_directly(cashier, world, books, checkout_form):
    form = checkout_form(fill_cart(cashier, world, "李秀兰", {"大米": 1}))  # 50 of 30 points
    assert "disabled" in form.button()
    register, before = cashier.register(), books()
    response = submit(cashier, form)  # the button is disabled; a script or old page posts anyway
    assert response.status_code == 422
    assert "积分不足：余额 30 分，需要 50 分" in body(response)
    assert cashier.register() == register
    assert books() == before
    assert balance(world, "李秀兰") == 30
    assert verify() == []


def test_zero_balance_account_cannot_redeem(cashier, world, books, checkout_form):
    form = checkout_form(fill_cart(cashier, world, "王德明", {"食盐": 1}))
    before = books()
    response = submit(cashier, form)
    assert response.status_code == 422
    assert "积分不足" in body(response)
    assert books() == before


def test_price_change_after_the_page_was_shown_is_refused(cashier, world, books, checkout_form):
    form = checkout_form(fill_cart(cashier, world, "张建华", {"大米": 1}))
    Product.update(points=60).where(Product.id == world.products["大米"].id).execute()
    before = books()
    response = submit(cashier, form)
    assert response.status_code == 422
    assert "商品积分已变动" in body(response)
    assert books() == before
    assert verify() == []


def test_stock_sold_elsewhere_after_the_page_was_shown_is_refused(cashier, world, books, checkout_form):
    # Another kiosk sold the last bottle of soy sauce while this cart was open.
    from kiosk.checkout import service
    from kiosk.staff.models import MANAGER
    form = checkout_form(fill_cart(cashier, world, "张建华", {"酱油": 1}))
    service.checkout(world.store, world.cards["李秀兰"].id, [(world.products["酱油"].id, 1)],
                     world.staff[MANAGER].id, "other-kiosk-key-0001")
    before = books()
    response = submit(cashier, form)
    assert response.status_code == 422
    assert "库存不足" in body(response)
    assert books() == before
    assert stock(world, "酱油") == 0
    assert verify() == []


def test_non_ascii_digit_total_is_refused_not_a_crash(cashier, world, books, checkout_form):
    # "²".isdigit() is True but int("²") raises: the view lets it through to the service.
    form = checkout_form(fill_cart(cashier, world, "张建华", {"大米": 1}))
    before = books()
    response = cashier.post("/cashier/checkout", {**form.fields, "total": "²"})
    assert response.status_code == 422
    assert books() == before


@pytest.mark.parametrize("total", ["abc", "-50", "5e1", "", None])
def test_garbled_or_missing_total_does_not_skip_the_price_check(cashier, world, books, checkout_form, total):
    # The total is what the resident was shown; without a readable one the server cannot
    # know the price was accepted, so it must not charge a price nobody saw.
    form = checkout_form(fill_cart(cashier, world, "张建华", {"大米": 1}))
    Product.update(points=60).where(Product.id == world.products["大米"].id).execute()
    fields = {k: v for k, v in form.fields.items() if k != "total"}
    if total is not None:
        fields["total"] = total
    before = books()
    response = cashier.post("/cashier/checkout", fields)
    assert response.status_code == 422
    assert "商品积分已变动" in body(response) or "页面已过期" in body(response)
    assert books() == before
    assert verify() == []


def test_printer_failure_still_commits_the_sale_and_offers_a_reprint(cashier, world, printer, checkout_form, forms):
    printer.fail_with = "out of paper"
    form = checkout_form(fill_cart(cashier, world, "张建华", {"食用油": 1}))
    response = submit(cashier, form)
    assert response.status_code == 200
    html = body(response)
    assert "兑换成功" in html
    assert "小票尚未打印：打印机缺纸" in html
    assert "重印小票" in html
    assert new_balance(html) == 400

    sale = Sale.get()
    assert balance(world, "张建华") == 400 and stock(world, "食用油") == 9
    job = PrintJob.get()
    assert (job.document_kind, job.document_id, job.status, printer_detail(job.error), job.attempts) == (
        "sale", sale.id, "pending", "out of paper", 1)
    assert len(printer.jobs) == 0
    reprint = next(f for f in forms(response) if f.action.startswith("/cashier/reprint/"))
    assert reprint.action == f"/cashier/reprint/{job.id}"
    assert verify() == []


def test_reprint_after_fixing_the_printer_prints_a_receipt_marked_reprint(cashier, world, printer, checkout_form, forms):
    printer.fail_with = "out of paper"
    response = submit(cashier, checkout_form(fill_cart(cashier, world, "张建华", {"食用油": 1})))
    reprint = next(f for f in forms(response) if f.action.startswith("/cashier/reprint/"))

    printer.fail_with = None
    response = cashier.post(reprint.action)
    assert response.status_code == 200
    html = body(response)
    assert "小票已重印" in html
    assert "小票已打印" in html
    assert len(printer.jobs) == 1
    receipt, data = printer.jobs[0]
    assert receipt.reprint
    assert "重印".encode("gb18030") in data
    assert "食用油".encode("gb18030") in data
    jobs = list(PrintJob.select().order_by(PrintJob.id))
    # The waiting original is replaced by the reprint, so only one receipt comes out.
    assert [(j.status, j.reprint) for j in jobs] == [("failed", False), ("printed", True)]
    # Reprinting is not redeeming again.
    assert Sale.select().count() == 1 and balance(world, "张建华") == 400
    assert verify() == []


def test_reprint_while_the_printer_is_still_broken_says_so(cashier, world, printer, checkout_form, forms):
    printer.fail_with = "out of paper"
    response = submit(cashier, checkout_form(fill_cart(cashier, world, "张建华", {"食盐": 1})))
    reprint = next(f for f in forms(response) if f.action.startswith("/cashier/reprint/"))
    response = cashier.post(reprint.action)
    assert "小票未打印：打印机缺纸" in body(response)
    assert Sale.select().count() == 1


def test_reprint_of_an_unknown_job_is_refused(cashier, world, books):
    before = books()
    response = cashier.post("/cashier/reprint/99999")
    assert response.status_code == 422
    assert "打印队列中没有这张小票" in body(response)
    assert books() == before


def test_done_returns_to_idle(cashier, world, checkout_form):
    submit(cashier, checkout_form(fill_cart(cashier, world, "张建华", {"大米": 1})))
    response = cashier.post("/cashier/done")
    assert response.status_code == 200
    html = body(response)
    assert "请扫描积分卡" in html
    assert "兑换成功" not in html
    register = cashier.register()
    assert register["card_id"] is None and register["items"] == [] and not register.get("done")
    assert verify() == []


def test_a_cookie_from_before_the_checkout_does_not_bring_the_cart_back(cashier, client, world, books, printer,
                                                                        checkout_form):
    """The cart lives in the session cookie. A request answered out of order (or a browser
    replaying an old cookie) can set the cookie as it was before the checkout; the cart whose
    sale went through stays finished, and nothing is sold twice."""
    form = checkout_form(fill_cart(cashier, world, "张建华", {"大米": 1}))
    before_checkout = client.get_cookie("session").value
    submit(cashier, form)
    after = books()
    client.set_cookie("session", before_checkout)
    response = cashier.post("/cashier/done")
    html = body(response)
    assert "请扫描积分卡" in html and "data-line=" not in html
    register = cashier.register()
    assert register["card_id"] is None and register["items"] == []
    # The old page's checkout is the same sale, shown again: no second debit, no second receipt.
    client.set_cookie("session", before_checkout)
    again = submit(cashier, form)
    assert again.status_code == 200
    assert "这笔兑换已经完成" in body(again)
    assert new_balance(body(again)) == 450
    assert len(printer.jobs) == 1
    assert books() == after
    assert Sale.select().count() == 1
    assert verify() == []


def test_scanning_the_next_card_after_checkout_starts_a_new_redemption(cashier, world, checkout_form):
    submit(cashier, checkout_form(fill_cart(cashier, world, "张建华", {"大米": 1})))
    response = cashier.post("/cashier/scan", {"code": world.payload("李秀兰")})
    assert response.status_code == 200
    assert "李*兰" in body(response)
    assert cashier.register()["card_id"] == world.cards["李秀兰"].id


def test_card_reported_lost_after_scanning_cannot_redeem(cashier, world, books, checkout_form):
    from kiosk.cards.models import Card
    form = checkout_form(fill_cart(cashier, world, "张建华", {"大米": 1}))
    Card.update(status="lost").where(Card.id == world.cards["张建华"].id).execute()
    before = books()
    response = submit(cashier, form)
    assert response.status_code == 422
    assert "此卡已挂失" in body(response)
    assert books() == before
    assert verify() == []


def test_the_receipt_is_printed_in_the_stores_language_even_when_the_screen_is_english(cashier, world, printer):
    import re
    cashier.post("/lang/en", {"next": "/cashier/"}, htmx=False)
    cashier.post("/cashier/scan", {"code": world.payload("张建华")})
    page = cashier.post("/cashier/cart/add", {"product_id": str(world.products["食盐"].id)}).get_data(as_text=True)
    assert "Cart" in page or "Total" in page  # the screen is English
    fields = dict(re.findall(r'name="(key|version|total)" value="([^"]*)"', page))
    cashier.post("/cashier/checkout", fields)
    receipt, data = printer.jobs[-1]
    assert receipt.labels.title_sale == "兑换小票"
    assert "兑换小票".encode("gb18030") in data
