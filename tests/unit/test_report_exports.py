"""Reports and raw rows as XLSX, CSV and A4 PDF: totals equal the written rows' sums, cells are
typed (numbers as numbers, dates as dates), text never runs as a formula, names are masked unless
asked for, and every file states its period, store, export time and ledger chain head."""
import io
from datetime import date, datetime

import openpyxl
import pytest

from kiosk.ledger.models import EARN, REDEEM
from kiosk.reports import exports, periods, present
from kiosk.reports import service as reports
from kiosk.staff.models import MANAGER
from tests import report_data

NOVEMBER = periods.parse("2024-11")


@pytest.fixture
def data(app, world):
    written = report_data.build(world)
    with app.test_request_context("/"):
        yield world, written


def book(data):
    return openpyxl.load_workbook(io.BytesIO(data))


def rows(sheet):
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_points_workbook_has_typed_cells_frozen_header_and_an_about_sheet(data):
    world, w = data
    doc = present.document(present.POINTS, world.store, NOVEMBER)
    workbook = book(exports.document_xlsx(doc))
    summary = workbook.worksheets[0]
    assert summary.freeze_panes == "A2"
    values = {row[0]: row[1] for row in rows(summary)[1:]}
    assert values["获得"] == w.ledger_sum(world.store.id, EARN, report_data.START, report_data.END)
    assert values["兑换"] == -w.ledger_sum(world.store.id, REDEEM, report_data.START, report_data.END)
    assert values["期末积分余额"] == w.ledger_sum(world.store.id, end=report_data.END)
    by_rule = workbook["按规则获得积分"]
    assert rows(by_rule)[-1][-1] == values["获得"]  # the totals row
    assert isinstance(rows(by_rule)[1][-1], int)
    about = {row[0]: row[1] for row in rows(workbook["说明"])[1:]}
    assert about["期间"] == "2024年11月 (2024-11)"
    assert about["第一天"] == datetime(2024, 11, 1)  # a date cell (openpyxl reads it back as a datetime)
    assert about["账本链头"] == reports.chain_head(world.store)[0] != ""
    assert "测试信义积分超市" in about["超市"]


def test_the_value_in_yuan_is_a_number_where_a_point_has_one(data):
    world, w = data
    from kiosk.stores.models import Store

    doc = present.document(present.POINTS, world.store, NOVEMBER)
    assert "期末积分价值" not in {row[0] for row in rows(book(exports.document_xlsx(doc)).worksheets[0])}
    Store.update(point_value_fen=50).where(Store.id == world.store.id).execute()
    store = Store.get_by_id(world.store.id)
    summary = {row[0]: row[1:] for row in rows(book(exports.document_xlsx(
        present.document(present.POINTS, store, NOVEMBER))).worksheets[0])}
    assert summary["期末积分价值"] == [w.ledger_sum(store.id, end=report_data.END) * 0.5, "元"]


def test_shares_are_numbers_formatted_as_percentages(data):
    world, _ = data
    doc = present.document(present.PARTICIPATION, world.store, NOVEMBER)
    sheet = book(exports.document_xlsx(doc))["按楼栋单元"]
    cell = sheet.cell(row=2, column=5)
    assert cell.value == 1.0 and cell.number_format == "0.0%"
    assert sheet.cell(row=2, column=3).data_type == "n"


def test_participation_csv_has_a_bom_and_masked_names_unless_full_names(data):
    world, _ = data
    doc = present.document(present.PARTICIPATION, world.store, NOVEMBER)
    text = exports.document_csv(doc)
    assert text.startswith("\ufeff".encode("utf-8"))
    decoded = text.decode("utf-8-sig")
    assert "张*华" in decoded and "张建华" not in decoded
    full = present.document(present.PARTICIPATION, world.store, NOVEMBER, full_names=True)
    assert "张建华" in exports.document_csv(full, full_names=True).decode("utf-8-sig")


def test_text_that_looks_like_a_formula_is_never_a_formula(data):
    world, _ = data
    from kiosk.inventory.models import Product

    Product.update(name="=HYPERLINK(\"x\")").where(Product.id == world.products["食盐"].id).execute()
    doc = present.document(present.GOODS, world.store, NOVEMBER, today=date(2024, 11, 30))
    workbook = book(exports.document_xlsx(doc))
    sheet = workbook["畅销商品"]
    cell = sheet.cell(row=2, column=1)
    assert cell.value == "=HYPERLINK(\"x\")" and cell.data_type == "s"
    assert "'=HYPERLINK" in exports.document_csv(doc).decode("utf-8-sig")


def test_raw_ledger_export_lists_the_periods_entries_with_local_times(data):
    world, w = data
    workbook = book(exports.raw_file(exports.LEDGER, world.store, NOVEMBER, "xlsx"))
    sheet = workbook.worksheets[0]
    body = rows(sheet)[1:]
    expected = [r for r in w.ledger if r[0] == world.store.id and report_data.START <= r[4] < report_data.END]
    assert len(body) == len(expected)
    assert sum(row[5] for row in body) == sum(r[2] for r in expected)
    times = [row[1] for row in body]
    assert min(times) == datetime(2024, 11, 1, 0, 0) and max(times) == datetime(2024, 11, 30, 23, 59, 59)
    assert sheet.freeze_panes == "A2"


@pytest.mark.parametrize("kind", exports.RAW)
def test_every_raw_export_writes_xlsx_and_csv(data, kind):
    world, _ = data
    workbook = book(exports.raw_file(kind, world.store, NOVEMBER, "xlsx"))
    assert len(workbook.worksheets) == 2
    assert rows(workbook.worksheets[0])[1:]  # every kind has rows in November
    assert exports.raw_file(kind, world.store, NOVEMBER, "csv").startswith(b"\xef\xbb\xbf")


def test_raw_service_records_mask_names(data):
    world, _ = data
    text = exports.raw_file(exports.SERVICE, world.store, NOVEMBER, "csv").decode("utf-8-sig")
    assert "赵*" in text and "赵一" not in text
    full = exports.raw_file(exports.SERVICE, world.store, NOVEMBER, "csv", full_names=True).decode("utf-8-sig")
    assert "赵一" in full


def test_a4_report_and_street_page_render_with_their_charts(data):
    world, _ = data
    from pypdf import PdfReader

    for kind in present.REPORTS:
        doc = present.document(kind, world.store, NOVEMBER, today=date(2024, 11, 30))
        pdf = exports.document_pdf(doc, printed_at=datetime(2024, 12, 1, 9, 0))
        reader = PdfReader(io.BytesIO(pdf))
        text = "".join(page.extract_text() for page in reader.pages)
        assert doc.title in text
        if kind == present.STREET:
            assert len(reader.pages) == 1
            assert "开展志愿活动 3 次，参与 5 人次，发放积分 124 分" in text
        if kind == present.POINTS:
            assert "积分获得与兑换" in text  # the chart's title, as text


def test_full_names_are_recorded_in_the_audit_log(data):
    world, _ = data
    from kiosk.audit import AuditEvent

    exports.record_full_names(world.store, world.staff[MANAGER], "participation", NOVEMBER, "xlsx")
    event = AuditEvent.select().where(AuditEvent.action == "report_full_names").get()
    assert event.staff_id == world.staff[MANAGER].id and "2024-11" in event.detail
