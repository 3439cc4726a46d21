"""Vouchers for the test world: two partners and the terms of two voucher products (the world's
水果券 and a 物业费抵扣券 added here), as the manager would set them on the product form."""
from dataclasses import dataclass

from kiosk.checkout import service as checkout
from kiosk.db import database
from kiosk.inventory import service as inventory
from kiosk.inventory.models import STOCK_IN, VOUCHER, Product
from kiosk.staff.models import CASHIER
from kiosk.vouchers import slips
from kiosk.vouchers.models import BEARER, HOUSEHOLD, Partner, VoucherTerms


@dataclass
class Vouchers:
    fruit_stall: Partner
    property_company: Partner
    fruit: Product  # 水果券: 时令水果 1 份, 7 days, the household's
    property: Product  # 物业费抵扣券: 20 yuan, 30 days, the bearer's


def give_terms(world):
    with database.atomic():
        stall = Partner.create(store=world.store, name="老王水果摊", honours="时令水果")
        company = Partner.create(store=world.store, name="幸福里物业", honours="物业费抵扣")
        fruit = world.products["水果券"]
        VoucherTerms.create(product=fruit, partner=stall, face="时令水果 1 份", face_value_fen=0, valid_days=7,
                            holder=HOUSEHOLD)
        prop = Product.create(store=world.store, name="物业费抵扣券", category="服务券", points=100, kind=VOUCHER,
                              sort_order=9)
        inventory.move(prop.id, 10, STOCK_IN, reference="test")
        VoucherTerms.create(product=prop, partner=company, face="物业费抵扣 20 元", face_value_fen=2000,
                            valid_days=30, holder=BEARER)
    world.products["物业费抵扣券"] = Product.get_by_id(prop.id)
    return Vouchers(stall, company, Product.get_by_id(fruit.id), Product.get_by_id(prop.id))


def sell(world, items, *, card="张建华", key="v" * 24, slip=True, **kwargs):
    """Check out ``items`` ([(product name, quantity)]) with the card, slips queued (signed with
    the world's card key) unless ``slip`` is False."""
    product_items = [(world.products[name].id, qty) for name, qty in items]
    maker = slips.maker(world.store, key=world.card_key) if slip else None
    return checkout.checkout(world.store, world.cards[card].id, product_items, world.staff[CASHIER].id, key,
                             voucher_slip=maker, tz_name=world.store.timezone, **kwargs)


def mark_used(voucher, partner, when=None):
    """What the partner screen's 核销 leaves behind (built on another branch): status, time and
    partner, and the USED event."""
    from kiosk.db import utcnow
    from kiosk.vouchers.models import USED, Voucher, VoucherEvent

    when = when or utcnow()
    with database.atomic():
        Voucher.update(status=USED, used_at=when, used_by=partner).where(Voucher.id == voucher.id).execute()
        VoucherEvent.create(voucher=voucher, kind=USED, partner=partner, created_at=when)
    return Voucher.get_by_id(voucher.id)
