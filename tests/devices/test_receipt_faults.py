"""Fault injection: fake TCP printers on 127.0.0.1 that refuse, stall after the job, cut the
connection mid-job, trickle, or reset after reading everything. After the printer recovers,
every sale has exactly one original receipt on the fake printer's paper (counted by receipt
number in the bytes) and any other copy is marked 重印; no job is marked printed unless its
bytes all arrived."""
from datetime import timedelta

import pytest

import devices.printers
from devices import printer_from_url
from kiosk.checkout import service as checkout
from kiosk.db import utcnow
from kiosk.printing import service as printing
from kiosk.printing.models import PrintJob
from kiosk.reports.verify import verify
from kiosk.staff.models import CASHIER
from tests.fakeprinter import FakePrinter

REPRINT = "重印".encode("gb18030")


@pytest.fixture
def fake():
    printer = FakePrinter()
    yield printer
    printer.close()


def sell(world, count):
    items = [(world.products["食盐"].id, 1)]
    return [checkout.checkout(world.store, world.cards["张建华"].id, items, world.staff[CASHIER].id, f"fault-{i:020d}").sale
            for i in range(count)]


def run_queue(printer, clock, rounds):
    """``rounds`` rounds of the worker, a minute apart on the queue's clock."""
    for _ in range(rounds):
        printing.send_due(lambda store_id: printer, now=clock[0])
        clock[0] += timedelta(seconds=61)


def copies(fake, sale):
    """(originals, reprints) of ``sale``'s receipt on the paper."""
    mine = [page for page in fake.paper if sale.receipt_no.encode() in page]
    return sum(REPRINT not in page for page in mine), sum(REPRINT in page for page in mine)


def check_paper(fake, printer, sales, *, reprints_expected):
    jobs = list(PrintJob.select())
    assert {job.status for job in jobs} == {"printed"}
    for job in jobs:  # nothing marked printed whose bytes did not all arrive
        assert printer.render(printing.job_document(job)) in fake.paper
    counted = [copies(fake, sale) for sale in sales]
    assert [originals for originals, _ in counted] == [1] * len(sales)
    # The first receipt was the one tried while the printer was broken (one attempt a round).
    assert (counted[0][1] > 0) == reprints_expected
    assert all(reprints == 0 for _, reprints in counted[1:])
    assert verify() == []


def broken_then_back(world, fake, mode, *, sales=3, slowest=None, monkeypatch=None):
    if slowest:  # the stalled job times out in a second or two, not a quarter of a minute
        monkeypatch.setattr(devices.printers, "SLOWEST_BYTES_PER_SECOND", slowest)
    printer = printer_from_url(fake.url + "?timeout=1")
    assert printer.status().state == "online"  # the printer answered before it broke
    made = sell(world, sales)
    fake.set_mode(mode)
    clock = [utcnow()]
    run_queue(printer, clock, 4)
    assert PrintJob.select().where(PrintJob.status == "printed").count() < sales
    fake.set_mode("ok")
    run_queue(printer, clock, sales + 2)
    return printer, made


def test_a_printer_that_refuses_prints_each_receipt_once_when_it_is_back(world, fake):
    printer, sales = broken_then_back(world, fake, "refuse")
    check_paper(fake, printer, sales, reprints_expected=False)


def test_a_printer_that_stalls_after_the_job_gets_only_reprints_again(world, fake, monkeypatch):
    printer, sales = broken_then_back(world, fake, "stall", slowest=4000, monkeypatch=monkeypatch)
    check_paper(fake, printer, sales, reprints_expected=True)


def test_a_printer_that_cuts_the_job_gets_only_reprints_again(world, fake):
    fake.cut_at = 300  # past the receipt number: a torn original came out
    printer, sales = broken_then_back(world, fake, "close")
    assert [copies(fake, sale)[0] for sale in sales] == [1, 1, 1]
    assert copies(fake, sales[0])[1] >= 1
    for job in PrintJob.select():
        assert job.status == "printed" and printer.render(printing.job_document(job)) in fake.paper


def test_a_printer_that_resets_after_reading_everything_gets_only_reprints_again(world, fake):
    printer, sales = broken_then_back(world, fake, "reset")
    check_paper(fake, printer, sales, reprints_expected=True)


def test_a_printer_at_80_bytes_a_second_prints_once_without_a_resend(world, fake):
    # The receipt takes about 8 s at 80 B/s, far beyond the printer's 1 s time-out: the
    # write and confirmation time-outs grow with the job's size.
    printer = printer_from_url(fake.url + "?timeout=1")
    assert printer.status().state == "online"
    (sale,) = sell(world, 1)
    fake.rate, fake.mode = 80, "trickle"
    (job,) = printing.send_due(lambda store_id: printer)
    assert (job.status, job.unconfirmed, job.attempts) == ("printed", False, 1)
    assert copies(fake, sale) == (1, 0)


def test_a_store_that_wants_a_person_holds_the_receipt_that_may_have_printed(world, fake):
    world.store.receipt_uncertain = "wait"
    world.store.save()
    printer = printer_from_url(fake.url + "?timeout=1")
    assert printer.status().state == "online"
    (sale,) = sell(world, 1)
    fake.set_mode("reset")
    clock = [utcnow()]
    run_queue(printer, clock, 1)
    fake.set_mode("ok")
    run_queue(printer, clock, 3)
    (job,) = PrintJob.select()
    assert (job.status, job.uncertain) == ("held", True)
    assert copies(fake, sale) == (1, 0)
    summary = printing.queue_summary(world.store)
    assert summary.held == 1
    printing.retry(job.id, world.store)  # a person checked: nothing usable came out
    run_queue(printer, clock, 1)
    assert PrintJob.get_by_id(job.id).status == "printed"
    assert copies(fake, sale) == (1, 1)


def test_a_printer_that_never_reports_its_status_leaves_the_receipt_unconfirmed(world, fake):
    fake.set_mode("mute")
    printer = printer_from_url(fake.url + "?timeout=1")
    (sale,) = sell(world, 1)
    (job,) = printing.send_due(lambda store_id: printer)
    assert (job.status, job.unconfirmed) == ("printed", True)
    assert printing.queue_summary(world.store).unconfirmed == 1
