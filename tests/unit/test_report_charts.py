"""The reports' charts: SVG with its words as text in Noto Sans CJK, well-formed, deterministic."""
import xml.etree.ElementTree as ET

from kiosk.reports import charts

SVG = "{http://www.w3.org/2000/svg}"


def texts(svg):
    return ["".join(node.itertext()) for node in ET.fromstring(svg.encode("utf-8")).iter(SVG + "text")]


def test_a_bar_chart_keeps_its_chinese_title_and_labels_as_text():
    svg = charts.bars("积分获得与兑换", ["11/1", "11/4"], [("获得", "earn", [10, 20]), ("兑换", "redeem", [5, 0])])
    words = texts(svg)
    assert "积分获得与兑换" in words and "获得" in words and "兑换" in words and "11/4" in words
    assert "Noto Sans CJK SC" in svg
    # Text, not outlines: no glyph paths were drawn for the title.
    assert "<text" in svg and "glyph" not in svg


def test_charts_are_the_same_bytes_for_the_same_figures():
    first = charts.line("库存价值", ["1月", "2月"], [100, 80])
    assert first == charts.line("库存价值", ["1月", "2月"], [100, 80])
    assert first != charts.line("库存价值", ["1月", "2月"], [100, 81])


def test_a_chart_with_nothing_to_show_says_so():
    assert "本期没有数据" in texts(charts.bars("商品", [], [], empty="本期没有数据"))
    assert "本期没有数据" in texts(charts.line("库存", [], [], empty="本期没有数据"))


def test_labels_that_look_like_markup_stay_text():
    svg = charts.bars("类别", ["<b>&油", "盐"], [("积分", "goods", [3, 4])], horizontal=True)
    assert "<b>&油" in texts(svg)


def test_inline_svg_has_no_prologue_and_a_data_url_is_base64():
    svg = charts.line("库存", ["1月"], [1])
    assert charts.inline(svg).startswith("<svg")
    assert charts.data_url(svg).startswith("data:image/svg+xml;base64,")
