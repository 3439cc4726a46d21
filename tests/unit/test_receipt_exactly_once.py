"""At most one unmarked copy: "sending" is recorded before the bytes leave and "printed" after;
a job whose attempt may have reached the paper is sent again only marked 重印. Retries never
give up, and waiting receipts print in the order they were queued."""
from datetime import timedelta

import peewee
import pytest

from devices import VirtualPrinter
from kiosk.checkout import service as checkout
from kiosk.db import utcnow
from kiosk.printing import service as printing
from kiosk.printing.models import PrintJob
from kiosk.staff.models import CASHIER


def sell(world, count=1):
    items = [(world.products["食盐"].id, 1)]
    return [checkout.checkout(world.store, world.cards["张建华"].id, items, world.staff[CASHIER].id, f"once-{i:020d}").sale
            for i in range(count)]


def test_a_job_left_sending_by_a_killed_sender_prints_again_only_marked_reprint(world):
    (sale,) = sell(world)
    job = PrintJob.get()
    now = utcnow()
    # What a sender killed between sending and recording leaves behind.
    assert printing._claim(job, now)
    PrintJob.update(status="sending").where(PrintJob.id == job.id).execute()
    printer = VirtualPrinter()
    assert printing.send_due(lambda store_id: printer, now=now + timedelta(seconds=60)) == []  # still leased
    (job,) = printing.send_due(lambda store_id: printer, now=now + timedelta(seconds=printing.LEASE_SECONDS + 1))
    assert (job.status, job.uncertain) == ("printed", True)
    (receipt, data), = printer.jobs
    assert receipt.reprint and "重印".encode("gb18030") in data and sale.receipt_no.encode() in data


def test_printed_that_could_not_be_saved_prints_again_only_marked_reprint(world, monkeypatch):
    sell(world)
    printer = VirtualPrinter()
    real_save = printing._save

    def full_disk(job, *fields):
        if job.status == "printed":
            raise peewee.OperationalError("database or disk is full")
        return real_save(job, *fields)

    monkeypatch.setattr(printing, "_save", full_disk)
    with pytest.raises(peewee.OperationalError):
        printing.send_due(lambda store_id: printer)
    monkeypatch.setattr(printing, "_save", real_save)
    assert PrintJob.get().status == "sending"
    later = utcnow() + timedelta(seconds=printing.LEASE_SECONDS + 1)
    (job,) = printing.send_due(lambda store_id: printer, now=later)
    assert job.status == "printed"
    assert [receipt.reprint for receipt, _ in printer.jobs] == [False, True]


def test_a_store_that_wants_a_person_holds_a_job_left_sending(world):
    world.store.receipt_uncertain = "wait"
    world.store.save()
    sell(world)
    job = PrintJob.get()
    now = utcnow()
    printing._claim(job, now)
    PrintJob.update(status="sending").where(PrintJob.id == job.id).execute()
    printer = VirtualPrinter()
    printing.send_due(lambda store_id: printer, now=now + timedelta(seconds=printing.LEASE_SECONDS + 1))
    assert PrintJob.get().status == "held" and not printer.jobs


def test_waiting_receipts_print_in_order_when_the_printer_is_back(world):
    sales = sell(world, 3)
    printer = VirtualPrinter()
    printer.fail_with = "Connection refused"
    now = utcnow()
    # The first receipt has waited through many attempts (a minute between them); the others
    # were queued later and are due sooner.
    first = PrintJob.get(PrintJob.document_kind == "sale", PrintJob.document_id == sales[0].id)
    PrintJob.update(attempts=8, next_attempt_at=now + timedelta(seconds=50)).where(PrintJob.id == first.id).execute()
    printer.fail_with = None
    printing.send_due(lambda store_id: printer, now=now)
    assert [receipt.receipt_no for receipt, _ in printer.jobs] == [sale.receipt_no for sale in sales]


def test_a_receipt_waiting_longer_than_the_store_allows_is_a_problem(world):
    sell(world, 2)
    old = PrintJob.select().order_by(PrintJob.id).first()
    PrintJob.update(created_at=utcnow() - timedelta(minutes=31)).where(PrintJob.id == old.id).execute()
    summary = printing.queue_summary(world.store)
    assert (summary.pending, summary.stale, summary.minutes) == (2, 1, 30)
    world.store.receipt_problem_minutes = 60
    world.store.save()
    assert printing.queue_summary(world.store).stale == 0
