"""Two stores in one database (a district server): this kiosk serves XY, and its print worker
claims, sends and marks only XY's jobs; the receipts screen, the badge, retry and reprint know
nothing of the other store AB's print jobs."""
from datetime import timedelta

import pytest

from kiosk.checkout import service as checkout
from kiosk.db import utcnow
from kiosk.errors import KioskError
from kiosk.printing import service as printing
from kiosk.printing.models import PrintJob
from kiosk.staff.models import CASHIER
from kiosk.stores.models import Store
from tests.helpers import body, second_store

FIELDS = ("status", "attempts", "error", "next_attempt_at", "uncertain", "printed_at")


@pytest.fixture
def other(world):
    """Store AB with its own cashier, card and soap, and one sale whose receipt job waits."""
    return second_store()[-1]


@pytest.fixture
def xy_sale(world):
    items = [(world.products["食盐"].id, 1)]
    return checkout.checkout(world.store, world.cards["张建华"].id, items, world.staff[CASHIER].id, "x" * 24).sale


def job_of(sale):
    return PrintJob.get(PrintJob.document_kind == "sale", PrintJob.document_id == sale.id)


def state(job):
    job = PrintJob.get_by_id(job.id)
    return {field: getattr(job, field) for field in FIELDS}


def printed(printer):
    return [document.receipt_no for document, _ in printer.jobs]


def test_the_worker_sends_only_the_served_stores_jobs(app, printer, xy_sale, other):
    ab_job = job_of(other)
    before = state(ab_job)
    assert before["status"] == "pending" and before["attempts"] == 0
    app.extensions["print_worker"].run_once()
    assert printed(printer) == [xy_sale.receipt_no]
    assert job_of(xy_sale).status == "printed"
    assert state(ab_job) == before


def test_the_other_stores_server_sends_its_own_job_and_leaves_this_stores_alone(app, printer, xy_sale, other):
    xy_before = state(job_of(xy_sale))
    app.config["STORE_CODE"] = "AB"
    app.extensions["print_worker"].run_once()
    assert printed(printer) == [other.receipt_no]
    assert job_of(other).status == "printed"
    assert state(job_of(xy_sale)) == xy_before


@pytest.mark.parametrize("code", ["", "ZZ"])
def test_with_several_stores_and_none_served_the_worker_sends_nothing(app, printer, xy_sale, other, code):
    app.config["STORE_CODE"] = code  # several stores and none named, or a code no store has
    before = [state(job_of(xy_sale)), state(job_of(other))]
    wait = app.extensions["print_worker"].run_once()
    assert printed(printer) == []
    assert [state(job_of(xy_sale)), state(job_of(other))] == before
    assert wait == app.extensions["print_worker"].poll_seconds


def test_the_worker_does_not_recover_another_stores_job_left_sending(app, printer, other):
    """A job AB's server was sending when it stopped is AB's to recover, not XY's."""
    ab_job = job_of(other)
    PrintJob.update(status="sending", attempts=1, next_attempt_at=utcnow() - timedelta(minutes=5)).where(
        PrintJob.id == ab_job.id).execute()
    before = state(ab_job)
    app.extensions["print_worker"].run_once()
    assert state(ab_job) == before
    assert printed(printer) == []


def test_the_worker_does_not_wait_on_another_stores_due_job(app, other):
    assert printing.seconds_until_next(store=Store.get(Store.code == "AB")) == 0
    assert printing.seconds_until_next(store=Store.get(Store.code == "XY")) is None
    assert app.extensions["print_worker"].run_once() == app.extensions["print_worker"].poll_seconds


def test_a_checkout_here_prints_only_this_stores_receipt(cashier, world, printer, other, checkout_form):
    cashier.post("/cashier/scan", {"code": world.payload("张建华")})
    form = checkout_form(cashier.post("/cashier/cart/add", {"product_id": str(world.products["食盐"].id)}))
    before = state(job_of(other))
    response = cashier.post("/cashier/checkout", {k: v for k, v in form.fields.items() if k != "csrf_token"})
    assert response.status_code == 200
    (xy_sale,) = checkout.Sale.select().where(checkout.Sale.store == world.store)
    assert printed(printer) == [xy_sale.receipt_no]
    assert state(job_of(other)) == before


@pytest.fixture
def ab_problems(other):
    """AB's receipt waiting for an hour with the printer out of paper, and another held."""
    ab_job = job_of(other)
    hour_ago = utcnow() - timedelta(hours=1)
    PrintJob.update(attempts=3, error="out of paper", created_at=hour_ago).where(PrintJob.id == ab_job.id).execute()
    held = printing.enqueue(printing.job_document(ab_job), store=ab_job.store_id, document_kind="sale", document_id=other.id)
    PrintJob.update(status="held", uncertain=True, error="Connection reset", created_at=hour_ago).where(
        PrintJob.id == held.id).execute()
    return [PrintJob.get_by_id(ab_job.id), PrintJob.get_by_id(held.id)]


def test_the_receipts_screen_and_badge_show_none_of_another_stores_jobs(cashier, ab_problems, other):
    html = body(cashier.get("/receipts/"))
    for job in ab_problems:
        assert f"/receipts/{job.id}/" not in html and f'data-job="{job.id}"' not in html
    assert other.receipt_no not in html
    assert "打印机缺纸" not in html
    badge = body(cashier.get("/receipts/badge"))
    assert "打印机正常" in badge and "等待" not in badge and "缺纸" not in badge


def test_the_badge_counts_only_this_stores_waiting_receipts(cashier, printer, world, xy_sale, ab_problems):
    assert printing.queue_summary(world.store).pending == 1
    assert printing.queue_summary(world.store).held == 0 and printing.queue_summary(world.store).stale == 0
    assert "1张等待打印" in body(cashier.get("/receipts/badge"))


def test_reprint_and_retry_of_another_stores_job_are_refused(cashier, world, printer, ab_problems):
    jobs_before = PrintJob.select().count()
    before = [state(job) for job in ab_problems]
    for job in ab_problems:
        for action in ("reprint", "retry"):
            response = cashier.post(f"/receipts/{job.id}/{action}", htmx=False)
            assert response.status_code == 302
            assert "打印队列中没有这张小票" in body(cashier.get("/receipts/"))
        refused = cashier.post(f"/cashier/reprint/{job.id}")
        assert refused.status_code == 422 and "打印队列中没有这张小票" in body(refused)
        assert cashier.get(f"/receipts/{job.id}/status").status_code == 404
        assert cashier.get(f"/receipts/{job.id}.png").status_code == 404
        for call in (printing.reprint, printing.retry):
            with pytest.raises(KioskError) as refusal:
                call(job.id, world.store)
            assert refusal.value.code == "unknown_print_job"
    assert PrintJob.select().count() == jobs_before
    assert [state(job) for job in ab_problems] == before
    assert printed(printer) == []
