"""m0018 moves the print queue's foreign keys to the sale and the return (print_job.sale_id,
refund_id) to the plain document_kind / document_id columns, keeping every job's document."""
import peewee
import pytest
from playhouse.migrate import migrate

from devices import ShelfLabel, ShelfLabels, VirtualPrinter
from kiosk import schema
from kiosk.checkout import service as checkout
from kiosk.checkout.models import Refund, Sale, SaleLine
from kiosk.db import database
from kiosk.printing import service as printing
from kiosk.printing.models import PRINTED, PrintJob
from kiosk.reports.verify import verify
from kiosk.staff.models import CASHIER, MANAGER
from tests.helpers import schema_migrator

M0018 = "m0018_print_queue_knows_no_sale"


def columns():
    return {c.name: c.null for c in database.get_columns("print_job")}


def back_to_m0016(jobs):
    """The print_job table as m0016 left it (foreign keys to the sale and the return), holding
    ``jobs``: {job id: (sale id, refund id)}."""
    migrator = schema_migrator()
    migrate(migrator.drop_index("print_job", "print_job_document_kind_document_id"))
    migrate(migrator.drop_column("print_job", "document_kind"), migrator.drop_column("print_job", "document_id"))
    migrate(
        migrator.add_column("print_job", "sale_id", peewee.ForeignKeyField(
            Sale, field=Sale.id, null=True, on_delete="RESTRICT")),
        migrator.add_column("print_job", "refund_id", peewee.ForeignKeyField(
            Refund, field=Refund.id, null=True, on_delete="RESTRICT")),
    )
    for job_id, (sale_id, refund_id) in jobs.items():
        database.execute_sql(f"UPDATE print_job SET sale_id = {database.param}, refund_id = {database.param}"
                             f" WHERE id = {database.param}", (sale_id, refund_id, job_id))
    schema.SchemaVersion.delete().where(schema.SchemaVersion.version > 16).execute()


@pytest.fixture
def only_m0018(monkeypatch):
    """The migrations up to m0016, then m0018 alone: m0017 (written alongside) is not this test's."""
    every = schema.available_migrations()
    steps = [step for step in every if step[0] <= 16 or step[0] == 18]
    assert steps[-1][1] == M0018
    monkeypatch.setattr(schema, "available_migrations", lambda: steps)


@pytest.fixture
def queue(world):
    """A sale's receipt (printed), its reprint, a return's receipt (waiting) and shelf labels."""
    cashier, manager = world.staff[CASHIER], world.staff[MANAGER]
    sale = checkout.checkout(world.store, world.cards["张建华"].id, [(world.products["大米"].id, 2)], cashier.id,
                             "m" * 24).sale
    (sale_job,) = printing.jobs_for("sale", sale.id)
    PrintJob.update(status=PRINTED).where(PrintJob.id == sale_job.id).execute()
    reprint = printing.reprint(sale_job.id, world.store, staff=cashier)
    line = SaleLine.get(SaleLine.sale == sale)
    refund = checkout.refund(world.store, sale.id, {line.id: 1}, cashier.id, manager.id, "n" * 24)
    (refund_job,) = printing.jobs_for("refund", refund.id)
    labels = printing.enqueue(ShelfLabels(world.store.name, (ShelfLabel("大米", 50),)), store=world.store)
    return {"sale": sale, "refund": refund, "old": {
        sale_job.id: (sale.id, None), reprint.id: (sale.id, None), refund_job.id: (sale.id, refund.id),
        labels.id: (None, None)}}


def test_m0018_gives_every_job_its_document_and_drops_the_foreign_keys(queue, only_m0018):
    sale, refund = queue["sale"], queue["refund"]
    before = {job.id: (job.status, job.kind, job.receipt, job.reprint, job.attempts) for job in PrintJob.select()}
    fresh = columns()
    back_to_m0016(queue["old"])
    assert {"sale_id", "refund_id"} <= set(columns())

    assert schema.upgrade() == [M0018]

    assert columns() == fresh
    assert {fk.column for fk in database.get_foreign_keys("print_job")} == {"store_id", "staff_id"}
    assert "print_job_document_kind_document_id" in [i.name for i in database.get_indexes("print_job")]
    sale_job, reprint, refund_job, labels = sorted(queue["old"])
    assert {job.id: (job.document_kind, job.document_id) for job in PrintJob.select()} == {
        sale_job: ("sale", sale.id), reprint: ("sale", sale.id), refund_job: ("refund", refund.id), labels: ("", None)}
    assert {job.id: (job.status, job.kind, job.receipt, job.reprint, job.attempts) for job in PrintJob.select()} == before
    assert verify() == []
    assert schema.upgrade() == []


def test_after_m0018_the_queue_finds_reprints_and_sends_as_before(queue, only_m0018, world):
    sale = queue["sale"]
    back_to_m0016(queue["old"])
    assert schema.upgrade() == [M0018]
    latest = printing.latest_for("sale", sale.id)
    again = printing.reprint(latest.id, world.store, staff=world.staff[CASHIER])
    assert (again.document_kind, again.document_id, again.reprint) == ("sale", sale.id, True)
    printer = VirtualPrinter()
    printing.send_due(lambda store_id: printer, store=world.store)
    sent = [(type(document).__name__, getattr(document, "reprint", None)) for document, _ in printer.jobs]
    assert sent == [("Receipt", False), ("ShelfLabels", None), ("Receipt", True)]  # the return's, labels, the reprint
    assert printer.jobs[-1][0].receipt_no == sale.receipt_no
    assert printing.latest_for("sale", sale.id).status == PRINTED
