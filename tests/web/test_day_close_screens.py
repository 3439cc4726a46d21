"""The close screen (/close/): a cashier closes their shift, the manager a day; preview, confirm,
refusals, roles, the list of closes, the slip on the receipt printer and the A4 page."""
from datetime import datetime

import pytest

from devices import Slip
from kiosk.checkout import service as checkout
from kiosk.dayclose import service
from kiosk.dayclose.models import DAY, SHIFT, DayClose
from kiosk.printing.models import PrintJob
from kiosk.staff.models import CASHIER, MANAGER
from tests.helpers import body, pdf_text

NOW = datetime(2026, 11, 10, 4, 0)  # 12:00 in Shanghai: the screens' "now", whatever the clock says


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    monkeypatch.setattr(service, "utcnow", lambda: NOW)


def sell(world, role, items, at, key):
    card = world.cards["张建华"]
    cart = [(world.products[name].id, quantity) for name, quantity in items.items()]
    return checkout.checkout(world.store, card.id, cart, world.staff[role].id, key, now=at).sale


@pytest.fixture
def sales(world):
    return [
        sell(world, CASHIER, {"食用油": 1, "食盐": 2}, datetime(2026, 11, 10, 1, 0), "web-dayclose-sale-0001"),
        sell(world, MANAGER, {"大米": 1}, datetime(2026, 11, 10, 2, 0), "web-dayclose-sale-0002"),
    ]


def test_a_cashier_previews_and_closes_their_own_shift(cashier, world, sales):
    page = body(cashier.get("/close/"))
    assert "交班单" in page and "预览——尚未结账" in page
    assert "张收银" in page and "王店长" not in page  # only the cashier's own records
    assert 'data-testid="close-sales">1 · 140分' in page
    assert 'name="csrf_token"' in page

    response = cashier.post("/close/", {"day": "2026-11-10"}, htmx=False)
    assert response.status_code == 302
    record = DayClose.get()
    assert (record.kind, record.cashier_id, record.closed_by_id) == (SHIFT, world.staff[CASHIER].id,
                                                                    world.staff[CASHIER].id)
    assert response.headers["Location"].endswith(f"/close/{record.id}")
    shown = body(cashier.get(f"/close/{record.id}"))
    assert "已结账" in shown and "结账人" in shown and "2026-11-10 12:00" in shown
    assert "以往的交班和日结" in body(cashier.get("/close/"))


def test_the_manager_closes_the_day_and_a_second_close_is_refused(manager, world, sales):
    page = body(manager.get("/close/"))
    assert "日结单" in page and "张收银" in page and "王店长" in page
    assert 'data-testid="close-sales">2 · 190分' in page
    assert "相符" in page

    assert manager.post("/close/", {"day": "2026-11-10"}, htmx=False).status_code == 302
    record = DayClose.get()
    assert (record.kind, record.day.isoformat(), record.closed_by_id) == (DAY, "2026-11-10", world.staff[MANAGER].id)

    again = manager.post("/close/", {"day": "2026-11-10"}, htmx=False)
    assert again.status_code == 409
    assert "2026-11-10 已经日结过（2026-11-10 12:00）" in body(again)
    assert DayClose.select().count() == 1
    # The preview of a closed day says so instead of offering to close it again.
    page = body(manager.get("/close/?date=2026-11-10"))
    assert "已经日结过" in page and 'data-testid="close-confirm"' not in page


def test_bad_and_future_days_get_a_sentence_and_change_nothing(manager, world):
    assert "不是日期" in body(manager.get("/close/?date=2026-02-30"))
    refused = manager.post("/close/", {"day": "2026-11-11"}, htmx=False)
    assert refused.status_code == 409 and "还没有到" in body(refused)
    assert "不是日期" in body(manager.post("/close/", {"day": "<b>x</b>"}, htmx=False))
    assert DayClose.select().count() == 0


def test_a_cashier_cannot_close_the_day_nor_see_the_manager_close(cashier, world, sales):
    day = service.close_day(world.store, datetime(2026, 11, 9).date(), staff=world.staff[MANAGER])
    # A cashier's post always closes their own shift, whatever day the form names.
    cashier.post("/close/", {"day": "2026-11-09"}, htmx=False)
    assert DayClose.select().where(DayClose.kind == DAY).count() == 1
    response = cashier.get(f"/close/{day.id}", follow_redirects=True)
    assert "不属于本店，或您无权查看" in body(response)
    assert cashier.get(f"/close/{day.id}.pdf").status_code == 302
    jobs = PrintJob.select().count()
    assert cashier.post(f"/close/{day.id}/print", {}, htmx=False).status_code == 302
    assert PrintJob.select().count() == jobs  # nothing printed of a close not the cashier's
    assert f"/close/{day.id}\"" not in body(cashier.get("/close/"))


def test_other_roles_are_turned_away_and_a_post_without_its_token_is_refused(client, world, operations):
    assert operations.get("/close/").status_code == 403
    assert operations.post("/close/", {"day": "2026-11-10"}, htmx=False).status_code == 403
    assert DayClose.select().count() == 0


def test_a_post_without_the_csrf_token_changes_nothing(manager, world):
    response = manager.client.post("/close/", data={"day": "2026-11-10"})
    assert response.status_code == 400
    assert DayClose.select().count() == 0


def test_a_close_prints_on_the_receipt_printer_as_gb18030_text(manager, world, sales, printer):
    record = service.close_day(world.store, datetime(2026, 11, 10).date(), staff=world.staff[MANAGER])
    response = manager.post(f"/close/{record.id}/print", htmx=False)
    assert response.status_code == 302
    job = PrintJob.get(PrintJob.kind == "slip")
    assert (job.status, job.document_kind, job.document_id) == ("printed", "", None)
    slips = [data for document, data in printer.jobs if isinstance(document, Slip)]
    assert len(slips) == 1
    data = slips[0]
    for text in ("日结单", "测试信义积分超市", "营业日：2026-11-10", "张收银", "王店长", "2笔 190分", "核对", "相符",
                 record.chain_head[:32]):
        assert text.encode("gb18030") in data, text
    assert "小票已打印" in body(manager.get(response.headers["Location"]))
    # The receipts screen lists it with the other jobs and draws its paper.
    assert "日结单" in body(manager.get("/receipts/"))
    assert manager.get(f"/receipts/{job.id}.png").mimetype == "image/png"
    # Printed again, it is the same stored close.
    manager.post(f"/close/{record.id}/print", htmx=False)
    assert printer.jobs[-1][1] == data


def test_a_close_opens_as_an_a4_page(manager, world, sales):
    record = service.close_day(world.store, datetime(2026, 11, 10).date(), staff=world.staff[MANAGER])
    response = manager.get(f"/close/{record.id}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    for words in ("日结单", "测试信义积分超市", "2026-11-10", "张收银", "王店长", "190", "核对", "相符", "粮油", "调味",
                  record.chain_head[:16]):
        assert words in text, words


def test_the_settings_page_and_the_register_link_to_the_close(manager):
    assert "/close/" in body(manager.get("/settings/"))
    assert 'data-testid="close-link"' in body(manager.get("/cashier/"))


def test_a_close_is_in_the_audit_log(manager, world):
    manager.post("/close/", {"day": "2026-11-10"}, htmx=False)
    assert "已日结" in body(manager.get("/settings/audit/"))


def test_the_preview_says_which_unclosed_days_the_close_closes_first(manager, world):
    service.close_day(world.store, datetime(2026, 11, 7).date(), now=datetime(2026, 11, 8, 1))
    page = body(manager.get("/close/"))
    assert "2026-11-08、2026-11-09 没有人日结：日结这一天时会先日结这些天。" in page
    manager.post("/close/", {"day": "2026-11-10"}, htmx=False)
    assert [c.day.isoformat() for c in DayClose.select().order_by(DayClose.day)] == [
        "2026-11-07", "2026-11-08", "2026-11-09", "2026-11-10"]
    assert "系统自动" in body(manager.get("/close/"))  # the days nobody closed: closed by the kiosk
