"""Partners and vouchers for the partner tests.

Issuing vouchers at checkout is another part of the kiosk (kiosk/vouchers issuing), so these
tests make Voucher rows directly: a sale of the world's 水果券 (Sale and SaleLine rows, as a
checkout leaves them), then one voucher per unit with its ISSUED event.
"""
import itertools
from datetime import timedelta

from kiosk.checkout.models import Sale, SaleLine
from kiosk.db import database, utcnow
from kiosk.stores.numbering import SALE, VOUCHER, next_number
from kiosk.vouchers.codes import voucher_payload
from kiosk.vouchers.models import BEARER, HOUSEHOLD, ISSUED, Partner, Voucher, VoucherEvent
from kiosk.vouchers.partners import add_partner
from tests.conftest import pin_hash

FRUIT_PIN, PROPERTY_PIN = "4826", "5937"
_keys = itertools.count(1)


def partner(store, name, pin=None, honours=""):
    """A partner of ``store``; with ``pin`` it can sign in (a cheap test hash, as staff get)."""
    made = add_partner(store, name, honours=honours, contact="13900001111", by=None)
    if pin:
        Partner.update(pin_hash=pin_hash(pin)).where(Partner.id == made.id).execute()
    return Partner.get_by_id(made.id)


def sale(store, product, account, card, staff, quantity=1):
    """A sale of ``quantity`` ``product`` as its rows (no points move: these tests look at vouchers only)."""
    with database.atomic():
        made = Sale.create(store=store, idempotency_key=f"partner-test-{next(_keys)}", serial=next_number(store.id, SALE),
                           account=account, card=card, staff=staff, total=product.points * quantity,
                           balance_before=1000, balance_after=1000 - product.points * quantity)
        line = SaleLine.create(sale=made, product=product, name=product.name, points=product.points,
                               quantity=quantity)
    return made, line


def voucher(store, partner_, product, account, card, staff, *, face="时令水果 1 份", fen=1500, valid_days=30,
            issued_at=None, holder=HOUSEHOLD):
    """One issued voucher (its own sale of one unit) and its ISSUED event."""
    issued_at = issued_at or utcnow()
    made_sale, line = sale(store, product, account, card, staff)
    with database.atomic():
        made = Voucher.create(store=store, serial=next_number(store.id, VOUCHER), product=product, partner=partner_,
                              sale=made_sale, sale_line=line, account=account if holder == HOUSEHOLD else None,
                              name=product.name, face=face, face_value_fen=fen, holder=holder, issued_at=issued_at,
                              valid_until=issued_at + timedelta(days=valid_days), status=ISSUED)
        VoucherEvent.create(voucher=made, kind=ISSUED, staff=staff, created_at=issued_at)
    return Voucher.get_by_id(made.id)


def world_voucher(world, partner_, **kwargs):
    """A voucher of the world's store: 水果券 redeemed by 张建华's household at the cashier."""
    from kiosk.staff.models import CASHIER

    return voucher(world.store, partner_, world.products["水果券"], world.accounts["张建华"], world.cards["张建华"],
                   world.staff[CASHIER], **kwargs)


def payload(world, made):
    return voucher_payload(world.store.code, made.serial, world.card_key)


__all__ = ["BEARER", "HOUSEHOLD", "FRUIT_PIN", "PROPERTY_PIN", "partner", "sale", "voucher", "world_voucher", "payload"]
