"""The shared A4 renderer (kiosk.a4): nothing fetched while rendering, Noto Sans CJK SC embedded
as a subset, page numbers in any language, QR and bar paths of whole modules."""
import io
from datetime import date

import pytest
from pypdf import PdfReader

from kiosk import a4
from kiosk.notice.models import Notice
from kiosk.notice.pdf import NoticeLabels, notice_pdf


def _notice():
    return Notice(period="2026-10", kind="month", day_from=date(2026, 10, 1), day_to=date(2026, 10, 31), households=0,
                  earned=0, spent=0, balance=0, chain_head="b" * 64, chain_entry_id=None, chain_length=0)


@pytest.mark.parametrize("reference", [
    '<img src="http://127.0.0.1:9/x.png">',
    '<img src="file:///etc/hostname">',
    '<link rel="stylesheet" href="https://example.invalid/a.css">',
])
def test_a_stray_reference_fails_the_render_instead_of_fetching(monkeypatch, reference):
    page = a4.html("a4/notice.html", store_name="幸福里", notice=_notice(), labels=NoticeLabels(), chunks=[[]],
                   star_chunks=[], published_at="")
    monkeypatch.setattr(a4, "html", lambda template, **context: page.replace("<body", reference + "<body"))
    with pytest.raises(a4.FetchRefused, match="Error fetching"):
        a4.pdf("a4/notice.html")


def test_the_chinese_font_is_embedded_as_a_subset():
    data = notice_pdf("幸福里社区积分超市", _notice(), [], NoticeLabels(title="积分公示"))
    reader = PdfReader(io.BytesIO(data))
    fonts = []
    for obj in reader.pages[0]["/Resources"]["/Font"].values():
        font = obj.get_object()
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        fonts.append((str(font["/BaseFont"]), any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))))
    assert fonts and all(embedded for _, embedded in fonts)
    # A subset's name starts with six capital letters and a plus sign.
    assert all(name[7:8] == "+" and name[1:7].isupper() and "Noto" in name for name, _ in fonts)
    assert "幸福里社区积分超市" in reader.pages[0].extract_text()


@pytest.mark.parametrize("label, css", [
    ("Page {page} of {pages}", '"Page " counter(page) " of " counter(pages)'),
    ("第 {number} / {pages} 页", '"第 " counter(page) " / " counter(pages) " 页"'),
    ('{page}"</style>', 'counter(page) "\\"\\3c /style\\3e "'),
])
def test_page_labels_become_css_counters(label, css):
    assert a4.page_counter(label) == css


def test_qr_and_bar_paths_are_whole_modules():
    assert a4.qr_path([[True, False], [False, True]]) == "M0,0h1v1h-1zM1,1h1v1h-1z"
    assert a4.bars_path("1101", 10) == "M10,0h2v1h-2zM13,0h1v1h-1z"


def test_fit_shrinks_then_cuts_with_an_ellipsis():
    assert a4.fit("积分", 50, 5) == (5, "积分")
    size, text = a4.fit("积分超市" * 10, 20, 5)
    assert size == pytest.approx(3) and text.endswith("…") and a4.text_width(text, size) <= 20
