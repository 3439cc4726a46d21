"""The one cell-safe writer's workbooks (kiosk.csvexport.xlsx_bytes): typed cells, a frozen bold
header, widths, and text that is never a formula."""
import io
from datetime import date, datetime

import openpyxl

from kiosk.csvexport import xlsx_bytes


def test_cells_keep_their_types_and_text_is_never_a_formula():
    data = xlsx_bytes([("报表: [11/2026]", ["名称", "积分", "日期", "时间", "占比"],
                        iter([["=HYPERLINK(\"http://x\")", 12, date(2026, 11, 5), datetime(2026, 11, 5, 8, 30), 0.25],
                              ["-3", -3, None, None, None]]),
                        [20, 8], [None, None, None, None, "0.0%"])])
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    assert sheet.title == "报表   11 2026"  # characters Excel refuses in a sheet name are gone
    assert sheet.freeze_panes == "A2"
    assert sheet.cell(1, 1).font.bold
    assert sheet.column_dimensions["A"].width == 20
    formula, points, day, moment, share = (sheet.cell(2, column) for column in range(1, 6))
    assert formula.value == "=HYPERLINK(\"http://x\")" and formula.data_type == "s"
    assert points.value == 12 and points.data_type == "n"
    assert day.value == datetime(2026, 11, 5) and day.number_format == "yyyy-mm-dd"
    assert moment.value == datetime(2026, 11, 5, 8, 30) and moment.number_format == "yyyy-mm-dd hh:mm:ss"
    assert share.value == 0.25 and share.number_format == "0.0%"
    assert sheet.cell(3, 1).value == "-3" and sheet.cell(3, 1).data_type == "s"
    assert sheet.cell(3, 2).value == -3 and sheet.cell(3, 3).value is None
