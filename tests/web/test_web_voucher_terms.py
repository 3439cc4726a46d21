"""The product form sets a voucher's terms: partner, face, face value, days valid, holder. Bad
input gets a Chinese sentence and saves nothing; without a partner the form says one is needed."""
import pytest

from kiosk.checkout import service as checkout
from kiosk.inventory import products
from kiosk.inventory.models import Product
from kiosk.staff.models import CASHIER
from kiosk.vouchers.models import BEARER, HOUSEHOLD, Partner, VoucherTerms
from tests.helpers import body, second_store

VOUCHER = {"name": "家电清洗券", "category": "服务券", "unit": "张", "points": "100", "barcode": "",
           "kind": "voucher", "active": "1", "low_stock": "0", "sort_order": "0"}


@pytest.fixture
def partner(world):
    return Partner.create(store=world.store, name="幸福里物业", honours="物业费抵扣")


def post(session, url, values):
    data = dict(values, csrf_token=session.token())
    product_id = url.rsplit("/", 1)[1]
    if product_id.isdigit():
        data.setdefault("version", products.version(Product.get_by_id(int(product_id))))
    return session.client.post(url, data=data, content_type="multipart/form-data")


def terms(partner, **changes):
    values = dict(VOUCHER, voucher_partner=str(partner.id), voucher_face="物业费抵扣 20 元", voucher_value="20",
                  voucher_days="30", voucher_holder=BEARER)
    values.update(changes)
    return values


def test_a_new_voucher_with_terms_is_saved_with_them_in_fen(manager, partner):
    response = post(manager, "/products/new", terms(partner, voucher_value="20.5"))
    assert response.status_code == 303
    product = Product.get(Product.name == "家电清洗券")
    row = VoucherTerms.get(VoucherTerms.product == product)
    assert (row.partner_id, row.face, row.face_value_fen, row.valid_days, row.holder) == (
        partner.id, "物业费抵扣 20 元", 2050, 30, BEARER)
    page = body(manager.get(f"/products/{product.id}"))
    assert 'value="20.50"' in page and "幸福里物业" in page


def test_editing_the_terms_changes_them(manager, world, partner):
    fruit = world.products["水果券"]
    values = dict(terms(partner), name="水果券", points="50", voucher_holder=HOUSEHOLD, voucher_days="7",
                  voucher_value="0", voucher_face="时令水果 1 份")
    assert post(manager, f"/products/{fruit.id}", values).status_code == 303
    row = VoucherTerms.get(VoucherTerms.product == fruit)
    assert (row.face, row.face_value_fen, row.valid_days, row.holder) == ("时令水果 1 份", 0, 7, HOUSEHOLD)


@pytest.mark.parametrize("changes, sentence", [
    ({"voucher_partner": ""}, "请选择兑付此券的合作商家。"),
    ({"voucher_partner": "999"}, "该商家不在本店的合作商家名单上"),
    ({"voucher_partner": "abc"}, "该商家不在本店的合作商家名单上"),
    ({"voucher_face": ""}, "请填写面值说明。"),
    ({"voucher_face": "很" * 61}, "面值说明太长"),
    ({"voucher_value": "-5"}, "面值须为 0 至 100000 元的金额"),
    ({"voucher_value": "20.555"}, "面值须为 0 至 100000 元的金额"),
    ({"voucher_value": "abc"}, "面值须为 0 至 100000 元的金额"),
    ({"voucher_value": "100001"}, "面值须为 0 至 100000 元的金额"),
    ({"voucher_days": "0"}, "有效天数须为 1 至 3660 的整数。"),
    ({"voucher_days": "3661"}, "有效天数须为 1 至 3660 的整数。"),
    ({"voucher_days": "七"}, "有效天数须为 1 至 3660 的整数。"),
    ({"voucher_holder": "neighbour"}, "请选择此券归住户所有，还是不记名"),
])
def test_bad_terms_are_refused_in_chinese_and_nothing_is_saved(manager, partner, changes, sentence):
    response = post(manager, "/products/new", terms(partner, **changes))
    assert response.status_code == 422
    assert sentence in body(response)
    assert not Product.select().where(Product.name == "家电清洗券").exists()
    assert VoucherTerms.select().count() == 0


def test_another_stores_partner_cannot_be_chosen(manager, partner):
    store, *_ = second_store()
    theirs = Partner.create(store=store, name="二店水果摊")
    response = post(manager, "/products/new", terms(partner, voucher_partner=str(theirs.id)))
    assert response.status_code == 422 and VoucherTerms.select().count() == 0


def test_without_partners_the_form_says_the_manager_must_add_one(manager):
    page = body(manager.get("/products/new"))
    assert "还没有合作商家" in page and 'name="voucher_partner"' not in page


def test_a_voucher_saved_without_terms_cannot_be_added_to_a_cart(cashier, world):
    session = cashier
    session.post("/cashier/scan", {"code": world.payload("张建华")})
    response = session.post("/cashier/cart/add", {"product_id": world.products["水果券"].id})
    assert response.status_code == 422
    assert "水果券 暂不能兑换：须由店长先在商品页面设置兑付商家" in body(response)
    assert session.register()["items"] == []


def test_goods_that_were_redeemed_cannot_become_a_voucher(manager, world, cashier_sale):
    salt = world.products["食盐"]
    values = dict(VOUCHER, name="食盐", category="调味", points="20", kind="voucher")
    response = post(manager, f"/products/{salt.id}", values)
    assert response.status_code == 422
    assert "食盐 已有兑换记录，不能再改变类型" in body(response)
    assert Product.get_by_id(salt.id).kind == "goods"


@pytest.fixture
def cashier_sale(world):
    return checkout.checkout(world.store, world.cards["张建华"].id, [(world.products["食盐"].id, 1)],
                             world.staff[CASHIER].id, "salt-sale-000000001").sale
