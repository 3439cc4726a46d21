"""The receipts screen and the printer badge say what is true about receipts that did not
simply print: waiting too long, held for a person, or sent without the printer's confirmation."""
from datetime import timedelta

import pytest

from kiosk.checkout import service as checkout
from kiosk.db import utcnow
from kiosk.printing.models import PrintJob
from kiosk.staff.models import CASHIER
from tests.helpers import body


@pytest.fixture
def job(world):
    items = [(world.products["食盐"].id, 1)]
    checkout.checkout(world.store, world.cards["张建华"].id, items, world.staff[CASHIER].id, "problem-key-00000001")
    return PrintJob.get()


def test_a_receipt_waiting_over_the_store_limit_is_listed_and_on_the_badge(cashier, job):
    PrintJob.update(created_at=utcnow() - timedelta(minutes=45), error="printer at 10.0.0.9:9100 refused the connection",
                    attempts=20).where(PrintJob.id == job.id).execute()
    badge = body(cashier.get("/receipts/badge"))
    assert "1张等待超过30分钟" in badge and "printer-badge bad" in badge
    page = body(cashier.get("/receipts/"))
    assert "需要处理的小票" in page and "超过30分钟仍未打印" in page


def test_a_held_receipt_asks_for_a_person(cashier, job, printer):
    PrintJob.update(status="held", uncertain=True, attempts=1).where(PrintJob.id == job.id).execute()
    assert "1张小票需要人工处理" in body(cashier.get("/receipts/badge"))
    page = body(cashier.get("/receipts/"))
    assert "可能已部分或全部打出，等待工作人员处理" in page
    status = body(cashier.get(f"/receipts/{job.id}/status"))
    assert "请查看打印机，没有打出再重印" in status
    assert "打印（标明重印）" in page
    cashier.post(f"/receipts/{job.id}/retry", htmx=False)  # a person checked: nothing came out
    job = PrintJob.get_by_id(job.id)
    assert job.status == "printed" and job.uncertain
    receipt, data = printer.jobs[-1]
    assert receipt.reprint and "重印".encode("gb18030") in data


def test_a_receipt_the_printer_could_not_confirm_says_so(cashier, job):
    PrintJob.update(status="printed", unconfirmed=True, attempts=1, printed_at=utcnow()).where(
        PrintJob.id == job.id).execute()
    assert "1张打印机未确认" in body(cashier.get("/receipts/badge"))
    assert "未确认打出：打印机不报告状态" in body(cashier.get("/receipts/"))
    assert "打印机无法确认是否打出" in body(cashier.get(f"/receipts/{job.id}/status"))


def test_a_printed_and_confirmed_receipt_leaves_the_badge_quiet(cashier, job):
    PrintJob.update(status="printed", attempts=1, printed_at=utcnow()).where(PrintJob.id == job.id).execute()
    assert "打印机正常" in body(cashier.get("/receipts/badge"))


def test_the_manager_chooses_what_happens_to_a_receipt_that_may_have_printed(manager, world):
    page = body(manager.get("/settings/receipts"))
    assert "可能已打出的小票" in page and 'name="receipt_problem_minutes"' in page
    response = manager.post("/receipts/settings", {"receipt_uncertain": "wait", "receipt_problem_minutes": "45"}, htmx=False)
    assert response.status_code == 302 and response.headers["Location"].endswith("/settings/receipts")
    assert "小票设置已保存" in body(manager.get("/settings/receipts"))
    world.store = type(world.store).get_by_id(world.store.id)
    assert (world.store.receipt_uncertain, world.store.receipt_problem_minutes) == ("wait", 45)


@pytest.mark.parametrize("choice, minutes", [("maybe", "30"), ("wait", "0"), ("wait", "十"), ("reprint", "99999")])
def test_bad_receipt_settings_are_refused_and_change_nothing(manager, world, choice, minutes):
    manager.post("/receipts/settings", {"receipt_uncertain": choice, "receipt_problem_minutes": minutes}, htmx=False)
    store = type(world.store).get_by_id(world.store.id)
    assert (store.receipt_uncertain, store.receipt_problem_minutes) == ("reprint", 30)
    assert "请选择可能已打出的小票如何处理" in body(manager.get("/settings/receipts"))
