"""Returns (退货): find the sale by receipt number, return part of it, a manager approves."""
import pytest

from kiosk.checkout import service as checkout
from kiosk.checkout.models import Refund, SaleLine
from kiosk.inventory.models import StockMovement
from kiosk.ledger.models import LedgerEntry
from kiosk.printing.models import PrintJob
from kiosk.reports.verify import verify
from kiosk.staff.models import CASHIER, MANAGER
from tests.helpers import balance, body, stock


@pytest.fixture
def sale(world):
    """张建华 redeemed 2 食用油 and 3 食盐 (260 points): balance 240, 食用油 8, 食盐 47."""
    items = [(world.products["食用油"].id, 2), (world.products["食盐"].id, 3)]
    sale = checkout.checkout(world.store, world.cards["张建华"].id, items, world.staff[CASHIER].id, "sale-key-0000000001").sale
    # The sale's receipt job is queued with the sale; it printed at the time.
    PrintJob.update(status="printed").where(PrintJob.document_kind == "sale", PrintJob.document_id == sale.id).execute()
    return sale


def line(sale, name):
    return SaleLine.get(SaleLine.sale == sale, SaleLine.name == name)


def return_form(session, sale, forms):
    """Open the sale on the returns screen; its return form."""
    page = session.get(f"/returns/?receipt={sale.receipt_no}")
    assert page.status_code == 200, body(page)
    return next(f for f in forms(page) if f.action == f"/returns/{sale.id}")


def submit(session, form, quantities, **extra):
    """Post the return form with ``quantities`` ({SaleLine: n}) filled in."""
    data = {k: v for k, v in form.fields.items() if k != "csrf_token"}
    data.update({f"qty_{sale_line.id}": str(n) for sale_line, n in quantities.items()})
    data.update(extra)
    return session.post(form.action, data)


def test_manager_finds_the_sale_by_receipt_number(manager, sale, forms):
    page = manager.get(f"/returns/?receipt={sale.receipt_no}")
    assert page.status_code == 200
    html = body(page)
    assert sale.receipt_no in html
    assert 'data-line="食用油"' in html and 'data-line="食盐"' in html
    assert "张*华" in html and "张建华" not in html
    form = next(f for f in forms(page) if f.action == f"/returns/{sale.id}")
    assert {f"qty_{line(sale, '食用油').id}", f"qty_{line(sale, '食盐').id}", "key"} <= set(form.fields)
    assert "manager_pin" not in form.fields  # the manager approves by being signed in


def test_receipt_number_is_found_whatever_the_case_and_spaces(manager, sale):
    page = manager.get(f"/returns/?receipt=%20{sale.receipt_no.lower()}%0D")
    assert page.status_code == 200
    assert f"/returns/{sale.id}" in body(page)


def test_manager_refunds_part_of_a_line(manager, world, sale, printer, forms, books):
    oil = line(sale, "食用油")
    response = submit(manager, return_form(manager, sale, forms), {oil: 1})
    assert response.status_code == 200
    html = body(response)
    assert "退货完成，已退还 100 积分" in html
    assert "小票已打印" in html

    assert balance(world, "张建华") == 340
    assert stock(world, "食用油") == 9 and stock(world, "食盐") == 47
    refund = Refund.get()
    assert refund.receipt_no in html
    assert (refund.total, refund.balance_before, refund.balance_after) == (100, 240, 340)
    assert (refund.staff_id, refund.approved_by_id) == (world.staff[MANAGER].id, world.staff[MANAGER].id)
    credit = LedgerEntry.get(LedgerEntry.reference == f"refund:{refund.id}")
    assert (credit.delta, credit.kind) == (100, "refund")
    movement = StockMovement.get(StockMovement.reference == f"refund:{refund.id}")
    assert (movement.delta, movement.kind) == (1, "return")
    assert SaleLine.get_by_id(oil.id).refunded_quantity == 1

    assert len(printer.jobs) == 1
    receipt, data = printer.jobs[0]
    assert receipt.kind == "refund" and receipt.original_receipt_no == sale.receipt_no
    assert "退货小票".encode("gb18030") in data
    assert "食用油".encode("gb18030") in data
    assert PrintJob.get(PrintJob.document_kind == "refund").document_id == refund.id
    assert verify() == []


def test_the_page_after_a_return_shows_what_can_still_be_returned(manager, world, sale, forms):
    oil = line(sale, "食用油")
    response = submit(manager, return_form(manager, sale, forms), {oil: 1})
    # The input for the line now allows at most the one bottle left.
    assert f'name="qty_{oil.id}" value="0" min="0" max="1"' in body(response)


def test_cashier_sees_the_manager_pin_pad(cashier, sale, forms):
    form = return_form(cashier, sale, forms)
    assert "manager_pin" in form.fields
    assert "退货须店长输入密码批准" in body(cashier.get(f"/returns/?receipt={sale.receipt_no}"))


@pytest.mark.parametrize("pin", [None, "", "9999", "3333", "111", "1111 ", "abcd"])
def test_cashier_return_with_a_wrong_manager_pin_is_refused(cashier, world, sale, forms, books, printer, pin):
    # "3333" is the cashier's own PIN: a cashier cannot approve their own return.
    form = return_form(cashier, sale, forms)
    extra = {} if pin is None else {"manager_pin": pin}
    if pin is None:
        form.fields.pop("manager_pin")
    before = books()
    response = submit(cashier, form, {line(sale, "食用油"): 1}, **extra)
    assert response.status_code == 422
    assert "店长密码错误" in body(response)
    assert books() == before
    assert len(printer.jobs) == 0
    assert verify() == []


def test_cashier_return_with_the_right_manager_pin_works(cashier, world, sale, forms, printer):
    form = return_form(cashier, sale, forms)
    response = submit(cashier, form, {line(sale, "食盐"): 2}, manager_pin="1111")
    assert response.status_code == 200
    assert "退货完成，已退还 40 积分" in body(response)
    refund = Refund.get()
    assert (refund.staff_id, refund.approved_by_id) == (world.staff[CASHIER].id, world.staff[MANAGER].id)
    assert balance(world, "张建华") == 280
    assert stock(world, "食盐") == 49
    assert len(printer.jobs) == 1
    assert verify() == []


def test_returning_more_than_sold_is_refused(manager, world, sale, forms, books):
    before = books()
    response = submit(manager, return_form(manager, sale, forms), {line(sale, "食用油"): 3})
    assert response.status_code == 422
    assert "退货数量超过可退数量：食用油 还可退 2" in body(response)
    assert books() == before
    assert verify() == []


def test_returning_more_than_is_left_after_an_earlier_return_is_refused(manager, world, sale, forms, books):
    oil = line(sale, "食用油")
    assert submit(manager, return_form(manager, sale, forms), {oil: 1}).status_code == 200
    before = books()
    response = submit(manager, return_form(manager, sale, forms), {oil: 2})
    assert response.status_code == 422
    assert "退货数量超过可退数量：食用油 还可退 1" in body(response)
    assert books() == before
    assert SaleLine.get_by_id(oil.id).refunded_quantity == 1
    # The last bottle can still come back.
    assert submit(manager, return_form(manager, sale, forms), {oil: 1}).status_code == 200
    assert balance(world, "张建华") == 440
    assert verify() == []


def test_a_refused_line_refunds_nothing_of_the_other_lines(manager, world, sale, forms, books):
    before = books()
    response = submit(manager, return_form(manager, sale, forms), {line(sale, "食盐"): 1, line(sale, "食用油"): 5})
    assert response.status_code == 422
    assert books() == before
    assert SaleLine.get_by_id(line(sale, "食盐").id).refunded_quantity == 0
    assert verify() == []


@pytest.mark.parametrize("quantity", ["-1", "abc", "1.5", "10000"])
def test_bad_return_quantity_is_refused(manager, world, sale, forms, books, quantity):
    form = return_form(manager, sale, forms)
    before = books()
    data = {k: v for k, v in form.fields.items() if k != "csrf_token"}
    data[f"qty_{line(sale, '食用油').id}"] = quantity
    response = manager.post(form.action, data)
    assert response.status_code == 422
    assert books() == before


def test_returning_nothing_is_refused(manager, world, sale, forms, books):
    before = books()
    response = submit(manager, return_form(manager, sale, forms), {})
    assert response.status_code == 422
    assert "请至少选择一件要退的商品" in body(response)
    assert books() == before


def test_a_line_of_another_sale_is_refused(manager, world, sale, forms, books):
    other = checkout.checkout(world.store, world.cards["李秀兰"].id, [(world.products["食盐"].id, 1)],
                              world.staff[CASHIER].id, "sale-key-0000000002").sale
    before = books()
    response = submit(manager, return_form(manager, sale, forms), {line(other, "食盐"): 1})
    assert response.status_code == 422
    assert books() == before
    assert balance(world, "李秀兰") == 10
    assert verify() == []


@pytest.mark.parametrize("qty_name", ["qty_²", "qty_-1", "qty_abc"])
def test_malformed_line_field_names_are_ignored_not_a_crash(manager, world, sale, forms, books, qty_name):
    form = return_form(manager, sale, forms)
    before = books()
    data = {k: v for k, v in form.fields.items() if k != "csrf_token"}
    data[qty_name] = "1"
    response = manager.post(form.action, data)
    assert response.status_code == 422
    assert "请至少选择一件要退的商品" in body(response)
    assert books() == before


@pytest.mark.parametrize("receipt", ["XYS9999999", "garbage", "XYT0000001", "'; --", "X" * 500])
def test_unknown_receipt_number_is_not_found(manager, sale, receipt):
    response = manager.get("/returns/", query_string={"receipt": receipt})
    assert response.status_code == 404
    assert "未找到此小票" in body(response)


def test_return_for_an_unknown_sale_id_is_not_found(manager, world, sale, books):
    before = books()
    response = manager.post("/returns/99999", {"key": "k" * 24, f"qty_{line(sale, '食用油').id}": "1"})
    assert response.status_code == 404
    assert "未找到此小票" in body(response)
    assert books() == before


def test_double_submit_of_the_same_return_form_is_one_refund(manager, world, sale, forms, printer):
    form = return_form(manager, sale, forms)
    oil = line(sale, "食用油")
    first = submit(manager, form, {oil: 1})
    second = submit(manager, form, {oil: 1})
    assert first.status_code == 200 and second.status_code == 200
    assert Refund.select().count() == 1
    assert LedgerEntry.select().where(LedgerEntry.kind == "refund").count() == 1
    assert balance(world, "张建华") == 340
    assert stock(world, "食用油") == 9
    assert SaleLine.get_by_id(oil.id).refunded_quantity == 1
    assert len(printer.jobs) == 1
    assert PrintJob.select().where(PrintJob.document_kind == "refund").count() == 1
    assert verify() == []


def test_return_with_a_missing_key_is_refused(manager, world, sale, forms, books):
    form = return_form(manager, sale, forms)
    form.fields["key"] = ""
    before = books()
    response = submit(manager, form, {line(sale, "食用油"): 1})
    assert response.status_code == 422
    assert "页面已过期" in body(response)
    assert books() == before


def test_refund_prints_even_if_the_sales_printer_failed_before(manager, world, sale, forms, printer):
    printer.fail_with = "offline"
    response = submit(manager, return_form(manager, sale, forms), {line(sale, "食用油"): 1})
    assert response.status_code == 200
    assert "小票尚未打印" in body(response)
    # The refund stands: printing never decides whether it happened.
    assert Refund.select().count() == 1 and balance(world, "张建华") == 340
    assert PrintJob.get(PrintJob.document_kind == "refund").status == "pending"
    assert verify() == []
