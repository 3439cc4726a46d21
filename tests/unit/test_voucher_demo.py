"""The demo store has partners (a fruit stall, the property company…) and terms on each of its
vouchers, so the cashier can redeem them at once (`make run`)."""
from werkzeug.security import check_password_hash

from kiosk import demo
from kiosk.cards.models import Card
from kiosk.checkout import service as checkout
from kiosk.inventory.models import Product
from kiosk.reports.verify import verify
from kiosk.staff.models import CASHIER, Staff
from kiosk.vouchers.models import HOUSEHOLD, Partner, Voucher, VoucherTerms


def test_the_demo_sells_fruit_and_property_vouchers(db):
    store, created = demo.load()
    assert created
    partners = {p.name: p for p in Partner.select().where(Partner.store == store)}
    assert {"老王水果摊", "幸福里物业"} <= set(partners)
    assert check_password_hash(partners["老王水果摊"].pin_hash, "5555")
    fruit = Product.get(Product.store == store, Product.name == "时令水果兑换券")
    prop = Product.get(Product.store == store, Product.name == "物业费抵扣券 20元")
    card = Card.select().where(Card.store == store).first()
    cashier = Staff.get(Staff.store == store, Staff.role == CASHIER)
    sale = checkout.checkout(store, card.id, [(fruit.id, 2), (prop.id, 1)], cashier.id, "d" * 24).sale
    vouchers = list(Voucher.select().where(Voucher.sale == sale).order_by(Voucher.serial))
    assert [(v.partner.name, v.face_value_fen, v.holder) for v in vouchers] == [
        ("老王水果摊", 0, HOUSEHOLD), ("老王水果摊", 0, HOUSEHOLD), ("幸福里物业", 2000, HOUSEHOLD)]
    assert verify(store.timezone) == []
    unsellable = Product.select().where(Product.store == store, Product.kind == "voucher",
                                        Product.id.not_in(VoucherTerms.select(VoucherTerms.product)))
    assert list(unsellable) == []
