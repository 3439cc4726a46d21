"""The store's partners: added, changed, given a PIN and deactivated by the manager, each audited;
a partner signs in with their PIN under the staff lock-out."""
import threading

import pytest

from kiosk.audit import AuditEvent
from kiosk.db import database
from kiosk.errors import KioskError
from kiosk.staff import service as staff_service
from kiosk.staff.models import MANAGER, PinThrottle
from kiosk.vouchers import partners
from kiosk.vouchers.models import Partner
from tests.helpers import second_store


def code_of(call):
    with pytest.raises(KioskError) as caught:
        call()
    return caught.value.code


def test_a_partner_is_added_with_what_they_honour_and_audited(world):
    manager = world.staff[MANAGER]
    made = partners.add_partner(world.store, "  鲜果  园 ", "刘老板 13900001111", "时令水果券", by=manager)
    assert (made.name, made.contact, made.honours, made.pin_hash, made.active) == ("鲜果 园", "刘老板 13900001111",
                                                                                  "时令水果券", "", True)
    event = AuditEvent.get(AuditEvent.action == "partner_added")
    assert event.staff_id == manager.id and event.store_id == world.store.id and "鲜果 园" in event.detail


def test_bad_partner_details_are_refused_and_nothing_is_added(world):
    manager = world.staff[MANAGER]
    partners.add_partner(world.store, "鲜果园", by=manager)
    assert code_of(lambda: partners.add_partner(world.store, "  ", by=manager)) == "missing_field"
    assert code_of(lambda: partners.add_partner(world.store, "长" * 51, by=manager)) == "too_long"
    assert code_of(lambda: partners.add_partner(world.store, "x", contact="1" * 101, by=manager)) == "too_long"
    assert code_of(lambda: partners.add_partner(world.store, "x", honours="1" * 201, by=manager)) == "too_long"
    assert code_of(lambda: partners.add_partner(world.store, "鲜果园", by=manager)) == "partner_name_taken"
    assert Partner.select().count() == 1


def test_the_same_name_may_serve_two_stores(world):
    other = second_store()[0]
    partners.add_partner(world.store, "鲜果园", by=None)
    partners.add_partner(other, "鲜果园", by=None)
    assert code_of(lambda: partners.get_partner(other, partners.partners_of(world.store)[0].id)) == "unknown_partner"


def test_editing_keeps_names_unique_and_records_before_and_after(world):
    manager = world.staff[MANAGER]
    fruit = partners.add_partner(world.store, "鲜果园", by=manager)
    partners.add_partner(world.store, "物业公司", by=manager)
    assert code_of(lambda: partners.edit_partner(world.store, fruit.id, "物业公司", by=manager)) == "partner_name_taken"
    changed = partners.edit_partner(world.store, fruit.id, "鲜果园二店", "王", "水果", by=manager)
    assert (changed.name, changed.contact, changed.honours) == ("鲜果园二店", "王", "水果")
    event = AuditEvent.get(AuditEvent.action == "partner_changed")
    assert '"before": {"name": "鲜果园"' in event.detail


def test_a_pin_must_be_strong_and_a_new_one_ends_sessions_and_lifts_the_lock(world):
    manager = world.staff[MANAGER]
    fruit = partners.add_partner(world.store, "鲜果园", by=manager)
    assert code_of(lambda: partners.set_partner_pin(world.store, fruit.id, "1234", "1234", by=manager)) == "weak_pin"
    assert code_of(lambda: partners.set_partner_pin(world.store, fruit.id, "4826", "4827", by=manager)) == "pins_differ"
    assert code_of(lambda: partners.set_partner_pin(world.store, fruit.id, "48a6", by=manager)) == "bad_pin_format"
    assert Partner.get_by_id(fruit.id).pin_hash == ""
    staff_service.claim_pin_try([(partners.throttle_key(fruit.id), 0)], lockout_seconds=60)
    assert partners.is_locked(fruit)
    changed = partners.set_partner_pin(world.store, fruit.id, "4826", "4826", by=manager)
    assert changed.pin_hash.startswith("scrypt") and changed.session_version == fruit.session_version + 1
    assert not partners.is_locked(changed)
    assert AuditEvent.select().where(AuditEvent.action == "partner_pin_set").count() == 1
    assert "4826" not in AuditEvent.get(AuditEvent.action == "partner_pin_set").detail


def test_a_deactivated_partner_cannot_sign_in_or_be_given_a_pin(world):
    fruit = partners.add_partner(world.store, "鲜果园", by=None)
    partners.set_partner_pin(world.store, fruit.id, "4826", by=None)
    partners.deactivate_partner(world.store, fruit.id, by=world.staff[MANAGER])
    assert code_of(lambda: partners.authenticate(world.store, fruit.id, "4826")) == "unknown_partner"
    assert code_of(lambda: partners.set_partner_pin(world.store, fruit.id, "5937", by=None)) == "partner_inactive"
    assert partners.can_sign_in(world.store) == []
    partners.reactivate_partner(world.store, fruit.id, by=None)
    assert partners.authenticate(world.store, fruit.id, "4826").id == fruit.id
    assert [a for (a,) in AuditEvent.select(AuditEvent.action).where(AuditEvent.action.startswith("partner_"))
            .order_by(AuditEvent.id).tuples()][-3:] == ["partner_deactivated", "partner_reactivated", "partner_sign_in"]


def test_a_partner_without_a_pin_or_of_another_store_cannot_sign_in(world):
    fruit = partners.add_partner(world.store, "鲜果园", by=None)
    assert code_of(lambda: partners.authenticate(world.store, fruit.id, "")) == "unknown_partner"
    other = second_store()[0]
    partners.set_partner_pin(world.store, fruit.id, "4826", by=None)
    assert code_of(lambda: partners.authenticate(other, fruit.id, "4826")) == "unknown_partner"


def test_wrong_pins_count_down_then_lock_out_like_staff(world):
    fruit = partners.add_partner(world.store, "鲜果园", by=None)
    partners.set_partner_pin(world.store, fruit.id, "4826", by=None)
    with pytest.raises(KioskError) as caught:
        partners.authenticate(world.store, fruit.id, "0000", max_attempts=3)
    assert caught.value.code == "wrong_pin" and caught.value.params["remaining"] == 2
    for _ in range(2):
        with pytest.raises(KioskError):
            partners.authenticate(world.store, fruit.id, "0000", max_attempts=3)
    assert code_of(lambda: partners.authenticate(world.store, fruit.id, "4826", max_attempts=3)) == "staff_locked"
    assert PinThrottle.get(PinThrottle.key == f"partner:{fruit.id}").failed_attempts == 3


def test_a_right_pin_forgets_the_wrong_ones(world):
    fruit = partners.add_partner(world.store, "鲜果园", by=None)
    partners.set_partner_pin(world.store, fruit.id, "4826", by=None)
    with pytest.raises(KioskError):
        partners.authenticate(world.store, fruit.id, "0000", address="10.0.0.9")
    assert partners.authenticate(world.store, fruit.id, "4826", address="10.0.0.9").id == fruit.id
    assert PinThrottle.get(PinThrottle.key == f"partner:{fruit.id}").failed_attempts == 0
    assert PinThrottle.get(PinThrottle.key == "address:10.0.0.9").failed_attempts == 0


GUESSES = 24


def test_parallel_wrong_pins_check_at_most_the_free_tries_and_lock_the_right_one_out(world, monkeypatch):
    fruit = partners.add_partner(world.store, "鲜果园", by=None)
    partners.set_partner_pin(world.store, fruit.id, "4826", by=None)
    checked = []
    real_check = staff_service.check_password_hash  # partners check PINs through the staff lock-out
    monkeypatch.setattr(staff_service, "check_password_hash", lambda h, pin: checked.append(pin) or real_check(h, pin))
    gate = threading.Barrier(GUESSES)
    codes = []

    def guess(i):
        database.connect(reuse_if_open=True)
        try:
            gate.wait()
            partners.authenticate(world.store, fruit.id, f"{7000 + i}", max_attempts=5)
        except KioskError as exc:
            codes.append(exc.code)
        finally:
            database.close()

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(GUESSES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(codes) == GUESSES
    assert len(checked) <= 5
    assert AuditEvent.select().where(AuditEvent.action == "partner_wrong_pin").count() == len(checked)
    assert code_of(lambda: partners.authenticate(world.store, fruit.id, "4826", max_attempts=5)) == "staff_locked"
