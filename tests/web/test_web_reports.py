"""The reports screen: period picker, tabs by role, fragments for htmx, PDFs and exports."""
import io

import openpyxl
import pytest

from kiosk.audit import AuditEvent
from kiosk.ledger.models import EARN
from kiosk.staff.models import SERVICE
from tests import report_data
from tests.conftest import signed_in
from tests.helpers import body


@pytest.fixture
def november(world):
    return report_data.build(world)


def sign_in_service(client, world):
    return signed_in(client, world, SERVICE)


def test_the_manager_sees_a_month_with_figures_charts_and_every_tab(manager, november):
    page = manager.get("/reports/?period=2024-11")
    text = body(page)
    assert page.status_code == 200
    assert "2024年11月" in text and "积分报表" in text
    assert 'data-testid="chart"' in text and "data:image/svg+xml;base64," in text
    for tab in ("points", "participation", "goods"):
        assert f'data-testid="tab-{tab}"' in text
    assert 'data-testid="street-pdf"' in text
    assert "<html" in text


def test_an_htmx_request_gets_the_report_fragment_only(manager, november):
    page = manager.get("/reports/?period=2024-11&tab=goods", htmx=True)
    text = body(page)
    assert text.lstrip().startswith('<div id="report"') and "<html" not in text
    assert "期末库存价值" in text


def test_two_days_from_the_calendar_make_a_period(manager, november):
    text = body(manager.get("/reports/?tab=participation&from=2024-11-01&to=2024-11-15", htmx=True))
    assert 'data-period="2024-11-01..2024-11-15"' in text


def test_a_bad_period_gets_a_sentence_and_this_month(manager, november):
    page = manager.get("/reports/?period=2024-13")
    assert page.status_code == 422
    assert "不是有效的时段" in body(page)


def test_customer_service_sees_points_and_participation_only(client, world, november):
    service = sign_in_service(client, world)
    text = body(service.get("/reports/?period=2024-11"))
    assert 'data-testid="tab-points"' in text and 'data-testid="tab-participation"' in text
    assert 'data-testid="tab-goods"' not in text and 'data-testid="street-pdf"' not in text
    # Asking for the goods tab shows points instead; the goods files are refused.
    assert 'data-tab="points"' in body(service.get("/reports/?period=2024-11&tab=goods", htmx=True))
    assert service.get("/reports/goods.xlsx?period=2024-11").status_code == 403
    assert service.get("/reports/street.pdf?period=2024-11").status_code == 403
    assert service.get("/reports/raw/sales.xlsx?period=2024-11").status_code == 403
    assert service.get("/reports/raw/ledger.csv?period=2024-11").status_code == 200
    # Full names are the manager's: customer service gets masked names, and nothing is audited.
    text = service.get("/reports/raw/service-records.csv?period=2024-11&names=full").get_data().decode("utf-8-sig")
    assert "赵一" not in text and "赵*" in text
    assert not AuditEvent.select().where(AuditEvent.action == "report_full_names").exists()


def test_a_cashier_cannot_open_reports(cashier, november):
    assert cashier.get("/reports/?period=2024-11").status_code == 403


def test_the_points_workbook_totals_equal_the_ledger(manager, world, november):
    answer = manager.get("/reports/points.xlsx?period=2024-11")
    assert answer.status_code == 200
    assert answer.headers["Content-Disposition"] == 'attachment; filename="XY-points-2024-11.xlsx"'
    book = openpyxl.load_workbook(io.BytesIO(answer.get_data()))
    summary = {row[0]: row[1] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)}
    assert summary["获得"] == november.ledger_sum(world.store.id, EARN, report_data.START, report_data.END)


def test_full_names_are_the_managers_and_are_audited(manager, world, november):
    answer = manager.get("/reports/raw/service-records.xlsx?period=2024-11&names=full")
    book = openpyxl.load_workbook(io.BytesIO(answer.get_data()))
    names = {row[2] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)}
    assert "赵一" in names
    event = AuditEvent.get(AuditEvent.action == "report_full_names")
    assert event.staff_id == world.staff["manager"].id and "service-records" in event.detail


def test_pdfs_open_inline(manager, november):
    for what in ("points", "street"):
        answer = manager.get(f"/reports/{what}.pdf?period=2024-11")
        assert answer.status_code == 200 and answer.mimetype == "application/pdf"
        assert answer.get_data().startswith(b"%PDF")


@pytest.mark.parametrize("url", ["/reports/nothing.xlsx?period=2024-11", "/reports/points.exe?period=2024-11",
                                 "/reports/raw/nothing.csv?period=2024-11", "/reports/points.xlsx?period=banana"])
def test_bad_requests_get_a_sentence(manager, november, url):
    answer = manager.get(url)
    assert answer.status_code == 422
    assert "message" in body(answer)


def test_the_settings_page_links_to_reports(manager):
    assert 'href="/reports/"' in body(manager.get("/settings/"))
