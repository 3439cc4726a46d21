"""Printing never decides whether a sale happened; a failed receipt waits and can be reprinted."""
import pytest

from devices import VirtualPrinter
from kiosk.checkout import service as checkout
from kiosk.db import database
from kiosk.printing import service as printing
from kiosk.printing.models import PrintJob
from kiosk.staff.models import CASHIER


@pytest.fixture
def sale(world):
    items = [(world.products["大米"].id, 1), (world.products["食盐"].id, 2)]
    return checkout.checkout(world.store, world.cards["张建华"].id, items, world.staff[CASHIER].id, "p" * 24).sale


def test_the_receipt_value_comes_from_the_committed_sale(sale):
    receipt = printing.receipt_for_sale(sale)
    assert receipt.receipt_no == sale.receipt_no
    assert receipt.holder == "张*华"
    assert [(line.name, line.quantity, line.points) for line in receipt.lines] == [("大米", 1, 50), ("食盐", 2, 20)]
    assert (receipt.total, receipt.balance_before, receipt.balance_after) == (90, 500, 410)


def test_a_receipt_is_never_queued_inside_the_sales_transaction(world, sale):
    with pytest.raises(RuntimeError):
        with database.atomic():
            printing.enqueue(printing.receipt_for_sale(sale), store=world.store, sale=sale)


def test_a_failed_print_keeps_the_job_and_a_reprint_is_marked(world, sale):
    printer = VirtualPrinter()
    printer.fail_with = "out of paper"
    job = printing.send(printing.enqueue(printing.receipt_for_sale(sale), store=world.store, sale=sale), printer)
    assert (job.status, job.error, job.attempts) == ("failed", "out of paper", 1)
    assert len(printer.jobs) == 0
    printer.fail_with = None
    again = printing.reprint(job.id, world.store, printer)
    assert again.status == "printed" and again.reprint
    receipt, data = printer.jobs[-1]
    assert receipt.reprint
    assert "重印".encode("gb18030") in data
    assert PrintJob.select().count() == 2
    assert [j.id for j in printing.unprinted(world.store)] == [job.id]
