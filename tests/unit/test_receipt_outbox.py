"""A sale's or return's receipt job is queued in the sale's own transaction (an outbox): a
committed sale always has its job, and `kiosk verify` reports one that has none."""
import pytest

from kiosk.checkout import service as checkout
from kiosk.checkout.models import Refund, Sale, SaleLine
from kiosk.db import database
from kiosk.printing.models import PrintJob
from kiosk.reports.verify import verify
from kiosk.staff.models import CASHIER, MANAGER


def redeem(world, key="o" * 24):
    items = [(world.products["大米"].id, 1), (world.products["食盐"].id, 2)]
    return checkout.checkout(world.store, world.cards["张建华"].id, items, world.staff[CASHIER].id, key).sale


def test_every_sale_and_return_has_its_receipt_job_in_the_same_commit(world):
    sale = redeem(world)
    line = sale.lines.order_by(SaleLine.id).first()
    refund = checkout.refund(world.store, sale.id, {line.id: 1}, world.staff[CASHIER].id, world.staff[MANAGER].id,
                             "t" * 24)
    jobs = list(PrintJob.select().order_by(PrintJob.id))
    assert [(j.document_kind, j.document_id, j.status) for j in jobs] == [("sale", sale.id, "pending"), ("refund", refund.id, "pending")]
    assert verify() == []


def test_the_same_key_twice_queues_one_receipt(world):
    first, again = redeem(world), redeem(world)
    assert first.id == again.id
    assert PrintJob.select().where(PrintJob.document_kind == "sale", PrintJob.document_id == first.id).count() == 1


def test_a_checkout_that_fails_after_queueing_leaves_neither_sale_nor_job(world, monkeypatch):

    def full_disk(*args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(checkout, "_queue_receipt", full_disk)
    with pytest.raises(RuntimeError):
        redeem(world)
    assert Sale.select().count() == 0 and PrintJob.select().count() == 0


def test_verify_reports_a_sale_and_a_return_without_a_receipt_job(world):
    sale = redeem(world)
    line = sale.lines.order_by(SaleLine.id).first()
    refund = checkout.refund(world.store, sale.id, {line.id: 1}, world.staff[CASHIER].id, world.staff[MANAGER].id,
                             "t" * 24)
    with database.atomic():
        PrintJob.delete().execute()  # as a sale committed before its receipt was queued would be
    problems = verify()
    assert f"sale {sale.receipt_no} has no receipt job" in problems
    assert f"refund {Refund.get_by_id(refund.id).receipt_no} has no receipt job" in problems
