"""Printable cards: CR80 at 300 dpi, QR codes that an independent decoder (zxing-cpp) reads back
into a payload naming the same card, whole-pixel QR modules, A4 sheets of ten."""
import io

import pytest
import zxingcpp
from PIL import Image, ImageChops
from qrcode.util import MODE_ALPHA_NUM

from kiosk import a4
from kiosk.cards import render
from kiosk.cards.models import Card
from kiosk.cards.render import card_png, cards_pdf, make_qr, render_card
from kiosk.cards.service import card_payload, find_card
from kiosk.ledger.models import Account
from tests.helpers import decode_qr, pdf_page_images, pdf_page_sizes_mm


def item(world, name):
    card = world.cards[name]
    return card, world.store, world.payload(name)


def more_cards(world, count):
    """``count`` (card, store, payload) triples: the world's three cards, then new ones."""
    cards = list(world.cards.values())
    account = world.accounts["张建华"]
    for number in range(10000004, 10000001 + count):
        cards.append(Card.create(store=world.store, number=str(number), account=account, holder_name=f"测试{number % 100}号"))
    return [(card, world.store, card_payload(world.store.code, card.number, world.card_key)) for card in cards[:count]]



def test_a_card_png_is_cr80_at_300_dpi_and_its_qr_code_names_the_same_card(world):
    card, store, payload = item(world, "张建华")
    image = Image.open(io.BytesIO(card_png(card, store, payload)))
    assert image.format == "PNG" and image.size == (1011, 638)
    assert image.info["dpi"] == pytest.approx((300, 300), abs=0.01)
    assert decode_qr(image) == [payload]
    assert find_card(world.store, decode_qr(image)[0], world.card_key) == card


def test_the_payload_is_encoded_in_qr_alphanumeric_mode(world):
    qr = make_qr(world.payload("张建华"))
    assert qr.data_list and {chunk.mode for chunk in qr.data_list} == {MODE_ALPHA_NUM}
    assert qr.version <= 2


@pytest.mark.parametrize("dpi", [203, 300, 600])
def test_qr_modules_are_a_whole_number_of_pixels_at_any_dpi(world, dpi):
    card, store, payload = item(world, "张建华")
    drawn = render_card(card, store, payload, dpi=dpi)
    left, top, right, bottom = drawn.qr_box
    matrix = make_qr(payload).get_matrix()
    assert drawn.qr_modules == len(matrix)
    assert right - left == bottom - top == drawn.qr_modules * drawn.qr_scale
    # The largest whole factor that fits the reserved space.
    space = round(render.QR_SPACE_MM * dpi / 25.4)
    assert drawn.qr_modules * drawn.qr_scale <= space < drawn.qr_modules * (drawn.qr_scale + 1)
    # Every module is a solid square of scale × scale pixels matching qrcode's matrix.
    gray = drawn.image.convert("L")
    s = drawn.qr_scale
    for row, cells in enumerate(matrix):
        for column, dark in enumerate(cells):
            x, y = left + column * s, top + row * s
            assert gray.crop((x, y, x + s, y + s)).getextrema() == ((0, 0) if dark else (255, 255)), (row, column)
    assert decode_qr(drawn.image) == [payload]


def test_the_holder_name_is_masked_unless_asked_otherwise(world):
    card, store, payload = item(world, "张建华")
    masked = render_card(card, store, payload)
    full = render_card(card, store, payload, mask=False)
    changed = ImageChops.difference(masked.image, full.image).getbbox()
    assert changed is not None
    assert changed[2] <= masked.qr_box[0]  # only the text column changed
    assert decode_qr(full.image) == [payload]


def test_long_store_and_holder_names_shrink_and_leave_the_qr_code_clear(world):
    card, store, payload = item(world, "张建华")
    store.name = "某某市某某区某某街道某某社区新时代文明实践站信义积分超市" * 3
    card.holder_name = "阿卜杜热合曼·买买提艾力·阿不都热西提" * 2
    drawn = render_card(card, store, payload, mask=False)
    width = drawn.image.width
    margin = round(render.MARGIN_MM * 300 / 25.4)
    # Nothing is drawn in the right margin beside the store name …
    assert drawn.image.convert("L").crop((width - margin + 1, margin, width - 10, drawn.qr_box[1])).getextrema() == (255, 255)
    # … nor over the QR code's quiet zone.
    quiet = render.QR_BORDER * drawn.qr_scale
    qr = drawn.image.convert("L").crop(drawn.qr_box)
    assert qr.crop((0, 0, quiet, qr.height)).getextrema() == (255, 255)
    assert decode_qr(drawn.image) == [payload]


def test_a_card_without_a_household_renders(world):
    account = Account.create(store=world.store, household=None, holder_name="赵个人")
    card = Card.create(store=world.store, number="10000099", account=account, holder_name="赵个人")
    payload = card_payload(world.store.code, card.number, world.card_key)
    image = Image.open(io.BytesIO(card_png(card, world.store, payload)))
    assert image.size == (1011, 638)
    assert find_card(world.store, decode_qr(image)[0], world.card_key) == card


def test_twelve_cards_make_two_a4_pages_whose_qr_codes_all_round_trip(world):
    items = more_cards(world, 12)
    data = cards_pdf(items)
    assert data.startswith(b"%PDF")
    assert pdf_page_sizes_mm(data) == [(210.0, 297.0)] * 2
    # The sheets are vector now (they were one picture a page): PDFium renders them as a
    # printer would, and an independent decoder reads every QR code off the rendered pages.
    found = [sorted(decode_qr(page)) for page in pdf_page_images(data, dpi=300)]
    assert found == [sorted(p for _, _, p in items[:10]), sorted(p for _, _, p in items[10:])]
    for text in found[0] + found[1]:
        assert find_card(world.store, text, world.card_key).number in {card.number for card, _, _ in items}


def _dark_runs(values):
    """Centres of the runs of True in ``values``."""
    runs, start = [], None
    for index, dark in enumerate(list(values) + [False]):
        if dark and start is None:
            start = index
        elif not dark and start is not None:
            runs.append((start + index - 1) / 2)
            start = None
    return runs


def test_cards_on_the_sheet_are_cr80_exactly_and_their_codes_sit_a_card_and_a_gap_apart(world):
    dpi = 600
    (page,) = pdf_page_images(cards_pdf(more_cards(world, 10)), dpi=dpi)
    gray = page.convert("L")
    mm = lambda px: px * 25.4 / dpi  # noqa: E731
    px = lambda mm_: round(mm_ * dpi / 25.4)  # noqa: E731
    # The cut marks above the first row (3.5 to 7.5 mm from the top) stand at every card edge.
    row = [gray.getpixel((x, px(5.5))) < 128 for x in range(page.width)]
    edges = [mm(x) for x in _dark_runs(row)]
    assert len(edges) == 4
    assert edges[1] - edges[0] == pytest.approx(render.CARD_MM[0], abs=0.1)  # 85.6 mm wide
    assert edges[3] - edges[2] == pytest.approx(render.CARD_MM[0], abs=0.1)
    assert edges[2] - edges[1] == pytest.approx(render.GAP_MM[0], abs=0.1)
    # The marks left of the first column stand at every card's top and bottom: five rows of 54 mm.
    column = [gray.getpixel((px(12.4), y)) < 128 for y in range(page.height)]
    tops = [mm(y) for y in _dark_runs(column)]
    assert len(tops) == 10
    for top, bottom in zip(tops[::2], tops[1::2]):
        assert bottom - top == pytest.approx(render.CARD_MM[1], abs=0.1)  # 54 mm tall
    # Each card's QR code sits at the same place on its card: a card and a gap from the next.
    corners = [(mm(r.position.top_left.x), mm(r.position.top_left.y))
               for r in zxingcpp.read_barcodes(page) if r.format == zxingcpp.BarcodeFormat.QRCode]
    assert len(corners) == 10
    xs, ys = sorted(x for x, _ in corners), sorted(y for _, y in corners)
    assert xs[-1] - xs[0] == pytest.approx(render.CARD_MM[0] + render.GAP_MM[0], abs=0.2)
    assert xs[4] - xs[0] < 0.2 and xs[-1] - xs[5] < 0.2  # two columns of five
    for upper, lower in zip(ys[::2], ys[2::2]):
        assert lower - upper == pytest.approx(render.CARD_MM[1] + render.GAP_MM[1], abs=0.2)


@pytest.mark.parametrize("count, pages", [(1, 1), (10, 1), (11, 2)])
def test_a_page_holds_ten_cards(world, count, pages):
    assert len(pdf_page_sizes_mm(cards_pdf(more_cards(world, count)))) == pages


def test_no_cards_is_an_error():
    with pytest.raises(ValueError):
        cards_pdf([])


def test_a_missing_cjk_font_says_which_package_to_install(world, monkeypatch, tmp_path):
    monkeypatch.setattr(a4, "FONT_DIR", str(tmp_path))  # kiosk.a4 loads the font for cards and documents
    render.cjk_font.cache_clear()
    try:
        with pytest.raises(RuntimeError, match="fonts-noto-cjk"):
            card_png(*item(world, "张建华"))
    finally:
        render.cjk_font.cache_clear()
