"""A small file must not hold the server: a sheet's declared size is ignored, rows, columns and
the unpacked size are capped, XML entity tricks are refused, each with a message that states the
limit. The readers are shared by the residents import, the rules catalog import and the
volunteer import."""
import io
import re
import time
import zipfile

import openpyxl
import pytest

from kiosk.errors import KioskError
from kiosk.messages import message
from kiosk.registry import importer
from kiosk.volunteer import importer as volunteer_importer


def workbook(rows):
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rewrite_sheet(data, change):
    """The same .xlsx with its first sheet's XML passed through ``change``."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = change(content)
            target.writestr(info.filename, content)
    return out.getvalue()


ROWS = [["姓名", "楼栋", "房号"], ["张建华", "3", "301"], ["李秀兰", "3", "302"]]


def refusal(data, read=importer.read_records):
    with pytest.raises(KioskError) as refused:
        read(data, "a.xlsx")
    return refused.value


def test_a_huge_declared_dimension_is_not_read(app):
    data = rewrite_sheet(workbook(ROWS), lambda xml: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:ZZ30000"', xml))
    assert len(data) < 10_000
    started = time.monotonic()
    records = importer.read_records(data, "a.xlsx")
    assert time.monotonic() - started < 2
    assert [cells for _, cells in records] == ROWS


def test_a_row_far_below_is_refused_at_the_row_limit(app):
    data = rewrite_sheet(workbook(ROWS), lambda xml: xml.replace(
        b"</sheetData>", b'<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'))
    for read in (importer.read_records, volunteer_importer.read):
        refused = refusal(data, read)
        assert refused.code == "import_too_many_rows"
    with app.test_request_context():
        assert message(refused) == "文件超过 100000 行，请拆分成几个较小的文件。"


def test_too_many_columns_are_refused(app):
    data = workbook([["姓名"] + [""] * 148 + ["x"], *ROWS])
    refused = refusal(data)
    assert refused.code == "import_too_many_columns"
    with app.test_request_context():
        assert message(refused) == "文件超过 100 列。请只保留要导入的列。"
    assert refusal_csv("姓名,楼栋,房号" + ",x" * 150).code == "import_too_many_columns"


def refusal_csv(line):
    with pytest.raises(KioskError) as refused:
        importer.read_table((line + "\r\n张建华,3,301\r\n").encode(), "a.csv")
    return refused.value


def test_a_zip_that_unpacks_past_the_limit_is_refused_before_it_is_read(app, monkeypatch):
    monkeypatch.setattr(importer, "MAX_UNPACKED_MB", 1)
    data = rewrite_sheet(workbook(ROWS), lambda xml: xml.replace(b"<sheetData>", b"<sheetData>" + b" " * 2_000_000))
    assert len(data) < 50_000
    refused = refusal(data)
    assert refused.code == "import_too_big_unpacked"
    with app.test_request_context():
        assert message(refused) == "该 Excel 文件解压后超过 1 MB。请只保存要导入的工作表，或另存为 CSV。"


def test_the_real_unpacked_limit_is_50_mb():
    assert importer.MAX_UNPACKED_MB == 50


def test_xml_entities_are_refused(app):
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML  # openpyxl parses with defusedxml, a dependency of the kiosk
    laughs = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
              b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>')
    data = rewrite_sheet(workbook(ROWS), lambda xml: laughs + xml[xml.index(b"<worksheet"):].replace(
        b"<v>", b"<v>&b;", 1))
    assert refusal(data).code == "import_bad_file"
