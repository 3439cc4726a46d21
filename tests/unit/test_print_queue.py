"""Printing never decides whether a sale happened; a failed receipt waits and can be reprinted."""
import time
import types
from datetime import timedelta

import pytest

from devices import VirtualPrinter
from kiosk.checkout import receipts
from kiosk.checkout import service as checkout
from kiosk.db import database
from kiosk.printing import service as printing
from kiosk.printing.faults import detail as printer_detail
from kiosk.printing.models import PrintJob
from kiosk.printing.worker import PrintWorker
from kiosk.staff.models import CASHIER


@pytest.fixture
def sale(world):
    items = [(world.products["大米"].id, 1), (world.products["食盐"].id, 2)]
    return checkout.checkout(world.store, world.cards["张建华"].id, items, world.staff[CASHIER].id, "p" * 24).sale


def test_the_receipt_value_comes_from_the_committed_sale(sale):
    receipt = receipts.receipt_for_sale(sale)
    assert receipt.receipt_no == sale.receipt_no
    assert receipt.holder == "张*华"
    assert [(line.name, line.quantity, line.points) for line in receipt.lines] == [("大米", 1, 50), ("食盐", 2, 20)]
    assert (receipt.total, receipt.balance_before, receipt.balance_after) == (90, 500, 410)


def test_the_sale_commits_with_its_receipt_job(world, sale):
    (job,) = PrintJob.select().where(PrintJob.document_kind == "sale", PrintJob.document_id == sale.id)
    assert (job.status, job.reprint) == ("pending", False)
    assert printing.job_document(job).receipt_no == sale.receipt_no


def test_a_sale_that_rolls_back_leaves_no_receipt_job(world):
    items = [(world.products["大米"].id, 1)]

    def broken_receipt(sale):
        raise RuntimeError("the receipt could not be made")

    with pytest.raises(RuntimeError):
        checkout.checkout(world.store, world.cards["张建华"].id, items, world.staff[CASHIER].id, "r" * 24,
                          receipt=broken_receipt)
    assert PrintJob.select().count() == 0 and checkout.Sale.select().count() == 0


def queued(world, sale):
    """Another job for the sale (the sale's own job is replaced, so tests see one job)."""
    PrintJob.update(status="failed").where(PrintJob.document_kind == "sale", PrintJob.document_id == sale.id).execute()
    return printing.enqueue(receipts.receipt_for_sale(sale), store=world.store, document_kind="sale", document_id=sale.id)


def test_a_failed_attempt_leaves_the_job_waiting_with_its_error_and_next_time(world, sale):
    printer = VirtualPrinter()
    printer.fail_with = "out of paper"
    job = queued(world, sale)
    now = job.next_attempt_at + timedelta(seconds=1)
    job = printing.send(job, printer, now=now)
    assert (job.status, printer_detail(job.error), job.attempts) == ("pending", "out of paper", 1)
    assert job.next_attempt_at == now + timedelta(seconds=printing.RETRY_DELAYS[0])
    assert len(printer.jobs) == 0
    assert printing.due(now + timedelta(seconds=1)) == []
    assert [j.id for j in printing.due(now + timedelta(seconds=2))] == [job.id]


def test_retries_back_off_and_never_give_up(world, sale):
    # Changed: the job used to be marked failed after six attempts (about two minutes) and
    # never printed when the printer came back; now it keeps trying every minute.
    printer = VirtualPrinter()
    printer.fail_with = "printer at 10.0.0.9:9100 is not reachable: Connection refused"
    job = queued(world, sale)
    now = job.next_attempt_at + timedelta(seconds=1)  # a moment later than the real clock
    waits = []
    for attempt in range(1, 10):
        (job,) = printing.send_due(lambda store_id: printer, now=now)
        assert (job.attempts, job.status) == (attempt, "pending")
        waits.append((job.next_attempt_at - now).total_seconds())
        assert printing.send_due(lambda store_id: printer, now=job.next_attempt_at - timedelta(seconds=1)) == []
        now = job.next_attempt_at
    assert waits == [*printing.RETRY_DELAYS, 60, 60, 60, 60]
    printer.fail_with = None
    (job,) = printing.send_due(lambda store_id: printer, now=now + timedelta(hours=1))
    assert job.status == "printed" and len(printer.jobs) == 1


def test_a_waiting_job_prints_once_the_printer_is_back(world, sale):
    printer = VirtualPrinter()
    printer.fail_with = "Connection refused"
    job = printing.send(queued(world, sale), printer)
    printer.fail_with = None
    (job,) = printing.send_due(lambda store_id: printer, now=job.next_attempt_at)
    assert (job.status, job.error, job.attempts) == ("printed", "", 2)
    assert job.printed_at is not None
    assert len(printer.jobs) == 1


def test_a_job_is_sent_by_one_sender_only(world, sale):
    printer = VirtualPrinter()
    job = queued(world, sale)
    stale_copy = PrintJob.get_by_id(job.id)
    assert printing.send(job, printer).status == "printed"
    again = printing.send(stale_copy, printer)
    assert again.status == "printed" and again.attempts == 1
    assert len(printer.jobs) == 1


def test_one_dead_printer_costs_one_attempt_per_round(world, sale):
    printer = VirtualPrinter()
    printer.fail_with = "timed out"
    first = queued(world, sale)
    second = printing.enqueue(receipts.receipt_for_sale(sale), store=world.store, document_kind="sale", document_id=sale.id)
    attempted = printing.send_due(lambda store_id: printer)
    assert [j.id for j in attempted] == [first.id]
    assert PrintJob.get_by_id(second.id).attempts == 0


class PaperOut(VirtualPrinter):
    def status(self):
        return types.SimpleNamespace(state="paper_out", detail="paper end sensor: no paper")


def test_a_printer_that_reports_paper_out_is_not_sent_the_job(world, sale):
    printer = PaperOut()
    job = printing.send(queued(world, sale), printer)
    assert (job.status, printer_detail(job.error)) == ("pending", "paper end sensor: no paper")
    assert len(printer.jobs) == 0


def test_a_store_printer_url_that_cannot_be_used_is_recorded_on_the_job(world, sale):
    def printer_for(store_id):
        raise ValueError("unknown printer URL scheme in 'lp0': use virtual://")

    queued(world, sale)
    (job,) = printing.send_due(printer_for)
    assert job.status == "pending" and "unknown printer URL scheme" in printer_detail(job.error)


def test_a_reprint_is_a_new_job_marked_reprint(world, sale):
    printer = VirtualPrinter()
    printer.fail_with = "out of paper"
    job = printing.send(queued(world, sale), printer)
    printer.fail_with = None
    again = printing.send(printing.reprint(job.id, world.store), printer)
    assert again.status == "printed" and again.reprint
    receipt, data = printer.jobs[-1]
    assert receipt.reprint
    assert "重印".encode("gb18030") in data
    assert PrintJob.select().count() == 3  # the sale's own (replaced in queued()), the failed one, the reprint
    assert list(printing.unprinted(world.store)) == []  # a job replaced by its reprint waits no more
    assert PrintJob.get_by_id(job.id).status == "failed"  # replaced: it will not print as well
    summary = printing.queue_summary(world.store)
    assert (summary.pending, summary.held, summary.stale) == (0, 0, 0)


def test_retry_makes_a_waiting_job_due_now(world, sale):
    printer = VirtualPrinter()
    printer.fail_with = "out of paper"
    job = printing.send(queued(world, sale), printer)
    assert printing.due() == []
    printing.retry(job.id, world.store)
    assert [j.id for j in printing.due()] == [job.id]


def test_the_worker_thread_sends_queued_jobs(world, sale):
    printer = VirtualPrinter()
    worker = PrintWorker(lambda store_id: printer, poll_seconds=0.2)
    database.close()  # the worker's thread opens its own connection; so does this one again
    try:
        with database.connection_context():
            job = queued(world, sale)
        worker.wake()
        deadline = time.monotonic() + 10
        while not printer.jobs and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        worker.stop()
    with database.connection_context():
        assert PrintJob.get_by_id(job.id).status == "printed"
    assert len(printer.jobs) == 1
