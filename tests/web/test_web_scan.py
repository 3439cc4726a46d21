"""Scanning: a card starts a redemption, a product barcode adds goods, anything else is refused."""
import re

import pytest

from kiosk.cards.models import Card
from kiosk.stores.models import Store
from kiosk.cards.service import card_payload
from tests.helpers import body


def scan(cashier, code):
    return cashier.post("/cashier/scan", {"code": code})


def shown_balance(html):
    match = re.search(r'data-testid="balance">\s*(\d+)\s*<', html)
    return int(match.group(1)) if match else None


def forged(payload):
    """The payload with its last signature character changed."""
    return payload[:-1] + ("A" if payload[-1] != "A" else "B")


def test_scanning_a_card_shows_the_masked_holder_household_and_balance(cashier, world):
    response = scan(cashier, world.payload("张建华"))
    assert response.status_code == 200
    html = body(response)
    assert "张*华" in html
    assert "张建华" not in html  # the queue behind the resident can see the screen
    assert "3栋2单元301" in html
    assert shown_balance(html) == 500
    assert "已读卡：张*华" in html
    assert cashier.register()["card_id"] == world.cards["张建华"].id


def test_card_number_typed_by_hand_works_when_the_store_allows_it(cashier, world):
    Store.update(typed_card_numbers=True).execute()
    response = scan(cashier, "10000001")
    assert response.status_code == 200
    assert shown_balance(body(response)) == 500
    assert cashier.register()["card_id"] == world.cards["张建华"].id


def test_lower_case_scan_works(cashier, world):
    # A scanner with Caps Lock on types the upper-case payload in lower case.
    response = scan(cashier, world.payload("李秀兰").lower())
    assert response.status_code == 200
    assert "李*兰" in body(response)
    assert shown_balance(body(response)) == 30


def test_scan_with_the_scanners_trailing_enter_and_spaces_works(cashier, world):
    response = scan(cashier, "  " + world.payload("张建华") + "\r\n")
    assert response.status_code == 200
    assert cashier.register()["card_id"] == world.cards["张建华"].id


BAD_SCANS = {
    "control characters": (lambda w: "\x00\x07\x1b[2J\x08\x7f", "无法识别扫描内容"),
    "binary garbage": (lambda w: bytes(range(0, 256, 7)).decode("latin-1"), "无法识别扫描内容"),
    "mojibake": (lambda w: "\ufffd\u202e锟斤拷ÿþ", "无法识别扫描内容"),
    "5000 characters": (lambda w: "A" * 5000, "无法识别扫描内容"),
    "5000 digits": (lambda w: "9" * 5000, "无法识别扫描内容"),
    "5000-character card payload": (lambda w: "JF:XY:" + "1" * 5000, "无法识别扫描内容"),
    "empty": (lambda w: "", "无法识别扫描内容"),
    "only spaces": (lambda w: "   \r\n", "无法识别扫描内容"),
    "truncated payload": (lambda w: w.payload("张建华")[:-6], "无效卡"),
    "payload with a missing part": (lambda w: "JF:XY:10000001", "无法识别扫描内容"),
    "forged signature": (lambda w: forged(w.payload("张建华")), "无效卡。"),
    "signed with another key": (lambda w: card_payload("XY", "10000001", b"not-our-key"), "无效卡。"),
    "signed for another store": (
        lambda w: card_payload("ZZ", w.cards["张建华"].number, w.card_key), "无效卡：此卡不属于本店"),
    "card number (typed numbers off)": (lambda w: w.cards["张建华"].number, "请扫描积分卡：本店不接受手动输入卡号。"),
    "unknown card payload": (lambda w: card_payload("XY", "99999999", w.card_key), "未找到此卡"),
}


@pytest.fixture(params=["idle", "card scanned"])
def start(request, cashier, world):
    """A bad scan must change nothing whether or not a card is already on screen."""
    if request.param == "card scanned":
        assert scan(cashier, world.payload("李秀兰")).status_code == 200
    return request.param


@pytest.mark.parametrize("case", list(BAD_SCANS))
def test_bad_scan_is_refused_in_chinese_and_changes_nothing(cashier, world, books, start, case):
    make, expected = BAD_SCANS[case]
    register, before = cashier.register(), books()
    response = scan(cashier, make(world))
    assert response.status_code == 422
    assert expected in body(response)
    assert 'role="alert"' in body(response)
    assert cashier.register() == register
    assert books() == before


def test_product_barcode_without_a_card_asks_for_the_card_first(cashier, world, books):
    before = books()
    response = scan(cashier, world.products["食用油"].barcode)
    assert response.status_code == 422
    assert "这是商品条码，请先扫描积分卡" in body(response)
    assert cashier.register() == {}
    assert books() == before


def test_unknown_product_barcode_is_refused(cashier, world, books):
    scan(cashier, world.payload("张建华"))
    register, before = cashier.register(), books()
    response = scan(cashier, "6909999999999")
    assert response.status_code == 422
    assert "本店没有此条码的商品" in body(response)
    assert cashier.register() == register
    assert books() == before


@pytest.mark.parametrize("status, expected", [("lost", "此卡已挂失"), ("revoked", "此卡已停用")])
@pytest.mark.parametrize("how", ["payload", "number"])
def test_lost_or_revoked_card_is_refused(cashier, world, books, status, expected, how):
    Store.update(typed_card_numbers=True).execute()
    Card.update(status=status).where(Card.id == world.cards["张建华"].id).execute()
    before = books()
    code = world.payload("张建华") if how == "payload" else world.cards["张建华"].number
    response = scan(cashier, code)
    assert response.status_code == 422
    assert expected in body(response)
    assert cashier.register() == {}
    assert books() == before


@pytest.mark.parametrize("how", ["payload", "number"])
def test_another_card_while_the_cart_has_goods_is_refused(cashier, world, books, how):
    Store.update(typed_card_numbers=True).execute()
    scan(cashier, world.payload("张建华"))
    scan(cashier, world.products["大米"].barcode)
    register, before = cashier.register(), books()
    code = world.payload("李秀兰") if how == "payload" else world.cards["李秀兰"].number
    response = scan(cashier, code)
    assert response.status_code == 422
    assert "请先完成或取消当前兑换" in body(response)
    assert cashier.register() == register
    assert register["card_id"] == world.cards["张建华"].id
    assert books() == before


def test_another_card_with_an_empty_cart_replaces_the_first(cashier, world):
    scan(cashier, world.payload("张建华"))
    response = scan(cashier, world.payload("李秀兰"))
    assert response.status_code == 200
    assert cashier.register()["card_id"] == world.cards["李秀兰"].id
    assert shown_balance(body(response)) == 30


def test_product_barcode_after_a_card_adds_it_to_the_cart(cashier, world, books):
    scan(cashier, world.payload("张建华"))
    before = books()
    oil = world.products["食用油"]
    response = scan(cashier, oil.barcode)
    assert response.status_code == 200
    assert 'data-line="食用油"' in body(response)
    assert cashier.register()["items"] == [[oil.id, 1]]
    scan(cashier, oil.barcode)
    assert cashier.register()["items"] == [[oil.id, 2]]
    # The cart is a draft: nothing is reserved or debited until checkout.
    assert books() == before


def test_product_barcode_of_a_sold_out_product_is_refused(cashier, world):
    scan(cashier, world.payload("张建华"))
    register = cashier.register()
    response = scan(cashier, world.products["洗洁精"].barcode)
    assert response.status_code == 422
    assert "库存不足" in body(response)
    assert cashier.register() == register
