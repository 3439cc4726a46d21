"""Checking and using (核销) a voucher: once, by its own partner, while valid; a used, expired,
cancelled, foreign or forged one is refused with its reason and nothing changes."""
import threading
from datetime import timedelta

import pytest

from kiosk.audit import AuditEvent
from kiosk.cards.service import card_payload
from kiosk.db import database, utcnow
from kiosk.errors import KioskError
from kiosk.vouchers import redeem
from kiosk.vouchers.codes import serial_text, voucher_payload
from kiosk.vouchers.lookup import find_voucher
from kiosk.vouchers.models import CANCELLED, USED, Voucher, VoucherEvent
from tests import partner_data
from tests.helpers import second_store


@pytest.fixture
def fruit(world):
    return partner_data.partner(world.store, "鲜果园", partner_data.FRUIT_PIN)


@pytest.fixture
def estate(world):
    return partner_data.partner(world.store, "物业公司", partner_data.PROPERTY_PIN)


def code_of(call):
    with pytest.raises(KioskError) as caught:
        call()
    return caught.value.code


def events(voucher):
    return [kind for (kind,) in VoucherEvent.select(VoucherEvent.kind).where(VoucherEvent.voucher == voucher.id)
            .order_by(VoucherEvent.id).tuples()]


def test_a_scan_or_the_typed_number_finds_the_voucher(world, fruit):
    made = partner_data.world_voucher(world, fruit)
    assert find_voucher(world.store, partner_data.payload(world, made), world.card_key).id == made.id
    assert find_voucher(world.store, serial_text(made.serial), world.card_key).id == made.id


def test_bad_scans_say_what_they_are(world, fruit):
    made = partner_data.world_voucher(world, fruit)
    good = partner_data.payload(world, made)
    altered = good.replace(serial_text(made.serial), serial_text(made.serial + 1))
    other_store = voucher_payload("AB", made.serial, world.card_key)
    card = card_payload(world.store.code, world.cards["张建华"].number, world.card_key)
    assert code_of(lambda: find_voucher(world.store, altered, world.card_key)) == "forged_voucher"
    resigned = good[:-1] + ("B" if good.endswith("A") else "A")
    assert code_of(lambda: find_voucher(world.store, resigned, world.card_key)) == "forged_voucher"
    assert code_of(lambda: find_voucher(world.store, other_store, world.card_key)) == "foreign_voucher"
    assert code_of(lambda: find_voucher(world.store, card, world.card_key)) == "card_not_voucher"
    assert code_of(lambda: find_voucher(world.store, "hello!", world.card_key)) == "invalid_voucher_scan"
    assert code_of(lambda: find_voucher(world.store, "0000009999", world.card_key)) == "unknown_voucher"


def test_another_stores_voucher_with_the_same_number_is_not_found_here(world, fruit):
    store, cashier, account, card, soap, _ = second_store()
    other_partner = partner_data.partner(store, "鲜果园")
    theirs = partner_data.voucher(store, other_partner, soap, account, card, cashier)
    assert Voucher.select().where(Voucher.store == world.store.id).count() == 0
    assert code_of(lambda: find_voucher(world.store, serial_text(theirs.serial), world.card_key)) == "unknown_voucher"
    assert code_of(lambda: redeem.use_voucher(theirs.id, fruit)) == "unknown_voucher"
    assert Voucher.get_by_id(theirs.id).status == "issued"


def test_a_valid_voucher_shows_its_face_masked_household_and_last_day(world, fruit):
    made = partner_data.world_voucher(world, fruit, issued_at=utcnow().replace(hour=4))
    shown = redeem.view(made, fruit, "Asia/Shanghai")
    assert (shown.state, shown.holder, shown.serial) == ("valid", "张*华", serial_text(made.serial))
    assert shown.valid_until == (made.valid_until + timedelta(hours=8)).strftime("%Y-%m-%d")
    bearer = partner_data.world_voucher(world, fruit, holder=partner_data.BEARER)
    assert redeem.view(bearer, fruit, "Asia/Shanghai").holder == ""


def test_using_a_voucher_marks_it_used_once_with_its_event_and_audit(world, fruit):
    made = partner_data.world_voucher(world, fruit)
    used = redeem.use_voucher(made.id, fruit)
    assert (used.status, used.used_by_id) == (USED, fruit.id) and used.used_at is not None
    assert events(made) == ["issued", "used"]
    assert AuditEvent.select().where(AuditEvent.action == "voucher_used").count() == 1
    with pytest.raises(KioskError) as caught:
        redeem.use_voucher(made.id, fruit)
    assert caught.value.code == "voucher_used" and caught.value.params["partner"] == "鲜果园"
    assert events(made) == ["issued", "used"]
    assert redeem.view(Voucher.get_by_id(made.id), fruit, "Asia/Shanghai").used_by_you


def test_another_partners_voucher_is_not_theirs_and_shows_nothing(world, fruit, estate):
    made = partner_data.world_voucher(world, fruit)
    assert code_of(lambda: redeem.view(made, estate, "Asia/Shanghai")) == "not_your_voucher"
    assert code_of(lambda: redeem.use_voucher(made.id, estate)) == "not_your_voucher"
    assert Voucher.get_by_id(made.id).status == "issued" and events(made) == ["issued"]


def test_an_expired_voucher_cannot_be_used(world, fruit):
    made = partner_data.world_voucher(world, fruit, issued_at=utcnow() - timedelta(days=40), valid_days=30)
    assert redeem.view(made, fruit, "Asia/Shanghai").state == "expired"
    with pytest.raises(KioskError) as caught:
        redeem.use_voucher(made.id, fruit)
    assert caught.value.code == "voucher_expired" and caught.value.params["until"]
    assert Voucher.get_by_id(made.id).status == "issued" and events(made) == ["issued"]


def test_a_cancelled_voucher_cannot_be_used(world, fruit):
    made = partner_data.world_voucher(world, fruit)
    Voucher.update(status=CANCELLED).where(Voucher.id == made.id).execute()
    assert redeem.view(Voucher.get_by_id(made.id), fruit, "Asia/Shanghai").state == "cancelled"
    assert code_of(lambda: redeem.use_voucher(made.id, fruit)) == "voucher_cancelled"
    assert Voucher.get_by_id(made.id).used_at is None


def test_a_voucher_id_that_is_not_a_number_changes_nothing(world, fruit):
    assert code_of(lambda: redeem.use_voucher(None, fruit)) == "unknown_voucher"
    assert code_of(lambda: redeem.use_voucher(987654, fruit)) == "unknown_voucher"


THREADS = 8


def test_two_partners_and_many_taps_at_the_same_moment_make_one_use(world, fruit, estate):
    made = partner_data.world_voucher(world, fruit)
    gate = threading.Barrier(THREADS)
    outcomes = []

    def tap(i):
        database.connect(reuse_if_open=True)
        try:
            gate.wait()
            redeem.use_voucher(made.id, fruit if i % 2 == 0 else estate)
            outcomes.append("used")
        except KioskError as exc:
            outcomes.append(exc.code)
        finally:
            database.close()

    threads = [threading.Thread(target=tap, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("used") == 1
    assert sorted(set(outcomes) - {"used"}) <= ["not_your_voucher", "voucher_used"]
    assert outcomes.count("not_your_voucher") == THREADS // 2
    assert events(made) == ["issued", "used"]
    assert AuditEvent.select().where(AuditEvent.action == "voucher_used").count() == 1
    assert Voucher.get_by_id(made.id).used_by_id == fruit.id


def test_the_last_valid_day_is_shown_and_honoured_to_its_last_second(world, fruit):
    """valid_until is the midnight after the last valid day: the partner sees that last day, and
    a voucher is used up to the second before that midnight, refused from it (as verify checks)."""
    from datetime import datetime

    voucher = partner_data.world_voucher(world, fruit, issued_at=datetime(2026, 11, 30, 2, 0))
    midnight = datetime(2026, 12, 1, 16, 0)  # 2026-12-02 00:00 in Shanghai: valid through 12-01
    Voucher.update(valid_until=midnight).where(Voucher.id == voucher.id).execute()
    voucher = Voucher.get_by_id(voucher.id)
    assert redeem.view(voucher, fruit, "Asia/Shanghai", now=midnight - timedelta(hours=1)).valid_until == "2026-12-01"
    with pytest.raises(KioskError) as caught:
        redeem.use_voucher(voucher.id, fruit, now=midnight, tz_name="Asia/Shanghai")
    assert caught.value.code == "voucher_expired" and caught.value.params["until"] == "2026-12-01"
    assert redeem.use_voucher(voucher.id, fruit, now=midnight - timedelta(seconds=1)).status == USED
