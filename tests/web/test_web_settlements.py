"""Settlement statements on screen: the manager makes one for a partner and a period, checks it,
prints it (A4, XLSX) and settles it; the partner reads their own, read-only."""
import io
from datetime import datetime

import openpyxl
import pytest

from kiosk.vouchers import redeem
from kiosk.vouchers.models import OPEN, SETTLED, Settlement, Voucher
from tests import partner_data
from tests.conftest import Session
from tests.helpers import body, pdf_text


@pytest.fixture
def fruit(world):
    return partner_data.partner(world.store, "鲜果园", partner_data.FRUIT_PIN)


@pytest.fixture
def used(world, fruit):
    out = []
    for when, fen in ((datetime(2026, 11, 10, 2, 0), 1500), (datetime(2026, 11, 20, 2, 0), 2000)):
        made = partner_data.world_voucher(world, fruit, fen=fen, issued_at=datetime(2026, 11, 1, 1, 0), valid_days=60)
        out.append(redeem.use_voucher(made.id, fruit, now=when))
    partner_data.world_voucher(world, fruit, issued_at=datetime(2026, 11, 1, 1, 0), valid_days=60)  # not used
    return out


def test_the_period_shows_the_vouchers_a_statement_would_take(manager, fruit, used):
    page = manager.get(f"/partners/settle?partner={fruit.id}&period=2026-11")
    text = body(page)
    assert page.status_code == 200 and text.count("<tr data-serial=") == 2 and "35.00" in text
    assert 'data-testid="make-statement"' in text
    fragment = body(manager.get(f"/partners/settle?partner={fruit.id}&period=2026-10", htmx=True))
    assert fragment.lstrip().startswith('<div id="settle"') and 'data-testid="make-statement"' not in fragment


def test_a_bad_period_or_partner_is_said(manager, fruit, used):
    bad = manager.get(f"/partners/settle?partner={fruit.id}&period=2026-13")
    assert bad.status_code == 422 and "2026-13" in body(bad)
    refused = manager.post("/partners/settle", {"partner": str(fruit.id), "period": "soon"}, htmx=False)
    assert refused.status_code == 422 and Settlement.select().count() == 0
    assert manager.get("/partners/settle?partner=abc").headers["Location"].endswith("/partners/")


def test_make_check_print_and_settle_a_statement(manager, world, fruit, used):
    made = manager.post("/partners/settle", {"partner": str(fruit.id), "period": "2026-11"}, htmx=False)
    statement = Settlement.get()
    assert made.status_code == 302 and made.headers["Location"].endswith(f"/partners/statements/{statement.id}")
    assert (statement.status, statement.count, statement.total_fen) == (OPEN, 2, 3500)
    page = body(manager.get(made.headers["Location"]))
    assert "XY-JS000001" in page and "未结算" in page and 'data-testid="settle-statement"' in page
    pdf = manager.get(f"/partners/statements/{statement.id}.pdf")
    assert pdf.mimetype == "application/pdf"
    text = pdf_text(pdf.data)
    assert "结算单" in text and "鲜果园" in text and "35.00" in text and f"{used[0].serial:010d}" in text
    sheet = manager.get(f"/partners/statements/{statement.id}.xlsx")
    rows = list(openpyxl.load_workbook(io.BytesIO(sheet.data)).active.iter_rows(values_only=True))
    assert rows[0][0] == "券号" and rows[-1][-1] == 35.0 and len(rows) == 4
    confirm = manager.get(f"/partners/statements/{statement.id}/settle")
    assert "确认结算" in body(confirm) and Settlement.get_by_id(statement.id).status == OPEN
    settled = manager.post(f"/partners/statements/{statement.id}/settle", htmx=False)
    assert settled.status_code == 302 and Settlement.get_by_id(statement.id).status == SETTLED
    assert "已结算" in body(manager.get(settled.headers["Location"]))
    again = manager.post(f"/partners/statements/{statement.id}/settle", htmx=False)
    assert again.status_code == 422 and "已结算，永久关闭" in body(again)
    manager.post(f"/partners/statements/{statement.id}/void", htmx=False)
    assert Settlement.get_by_id(statement.id).status == SETTLED
    assert Voucher.select().where(Voucher.settlement == statement.id).count() == 2


def test_nothing_to_settle_is_said(manager, fruit):
    response = manager.post("/partners/settle", {"partner": str(fruit.id), "period": "2026-11"}, htmx=False)
    assert response.status_code == 422 and "没有尚未列入结算单的已核销服务券" in body(response)


def test_a_voided_statement_frees_its_vouchers(manager, fruit, used):
    manager.post("/partners/settle", {"partner": str(fruit.id), "period": "2026-11"}, htmx=False)
    statement = Settlement.get()
    assert manager.post(f"/partners/statements/{statement.id}/void", htmx=False).status_code == 302
    assert Settlement.get_by_id(statement.id).status == "void"
    assert body(manager.get(f"/partners/settle?partner={fruit.id}&period=2026-11")).count("<tr data-serial=") == 2


def test_the_partner_reads_only_their_own_statements(client, manager, world, fruit, used):
    manager.post("/partners/settle", {"partner": str(fruit.id), "period": "2026-11"}, htmx=False)
    estate = partner_data.partner(world.store, "物业公司", partner_data.PROPERTY_PIN)
    theirs = partner_data.world_voucher(world, estate, issued_at=datetime(2026, 11, 1, 1, 0), valid_days=60)
    redeem.use_voucher(theirs.id, estate, now=datetime(2026, 11, 5, 2, 0))
    manager.post("/partners/settle", {"partner": str(estate.id), "period": "2026-11"}, htmx=False)
    mine, other = Settlement.get(Settlement.partner == fruit.id), Settlement.get(Settlement.partner == estate.id)
    manager.post("/signout", htmx=False)
    stall = Session(client)
    stall.client.get("/partner/")
    stall.client.post(f"/partner/signin/{fruit.id}", data={"pin": partner_data.FRUIT_PIN, "csrf_token": stall.token()})
    listing = body(stall.get("/partner/statements"))
    assert "XY-JS000001" in listing and "XY-JS000002" not in listing
    page = body(stall.get(f"/partner/statements/{mine.id}"))
    assert "35.00" in page and 'data-testid="settle-statement"' not in page and "void-statement" not in page
    assert stall.get(f"/partner/statements/{mine.id}.pdf").mimetype == "application/pdf"
    assert stall.get(f"/partner/statements/{other.id}").headers["Location"].endswith("/partner/")
    assert stall.get(f"/partners/statements/{mine.id}").headers["Location"].endswith("/partner/")
    assert stall.post(f"/partners/statements/{mine.id}/settle", htmx=False).headers["Location"].endswith("/partner/")
    assert Settlement.get_by_id(mine.id).status == OPEN


def test_an_unknown_statement_number_goes_back_to_the_partners_with_the_reason(manager, world):
    for url in ("/partners/statements/999999", "/partners/statements/999999.pdf", "/partners/statements/999999.xlsx"):
        response = manager.get(url, follow_redirects=True)
        assert response.status_code == 200 and "没有这张结算单。" in body(response), url
    before = Settlement.select().count()
    response = manager.post("/partners/statements/999999/void", {}, htmx=False)
    assert response.status_code == 302 and Settlement.select().count() == before
