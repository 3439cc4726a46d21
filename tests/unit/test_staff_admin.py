"""Staff administration: adding people, PINs, roles, deactivating, unlocking; the store always
keeps an active manager; every change is an audit event without the PIN."""
import json
from datetime import timedelta

import pytest

from kiosk.audit import AuditEvent
from kiosk.db import utcnow
from kiosk.errors import KioskError
from kiosk.staff import admin, service
from kiosk.staff.models import CASHIER, MANAGER, OPERATIONS, SERVICE, Staff
from kiosk.stores.models import Store
from tests.helpers import race


def events(action):
    return list(AuditEvent.select().where(AuditEvent.action == action).order_by(AuditEvent.id))


def test_a_new_staff_member_can_sign_in_with_the_pin_they_chose(world):
    boss = world.staff[MANAGER]
    person = admin.add_staff(world.store, "  赵 志愿 ", "收银", "2468", "2468", by=boss)
    assert (person.name, person.role, person.active) == ("赵 志愿", CASHIER, True)
    assert service.authenticate(person.id, "2468").id == person.id
    [event] = events("staff_added")
    assert event.staff_id == boss.id and event.store_id == world.store.id
    assert json.loads(event.detail) == {"person": person.id, "name": "赵 志愿", "role": CASHIER}
    assert "2468" not in event.detail and person.pin_hash not in event.detail


@pytest.mark.parametrize("pin, again, code", [
    ("1234", "1234", "weak_pin"),
    ("1111", "1111", "weak_pin"),
    ("2580", "2580", "weak_pin"),
    ("2468", "2469", "pins_differ"),
    ("12a4", "12a4", "bad_pin_format"),
    ("", "", "bad_pin_format"),
])
def test_a_weak_mistyped_or_malformed_pin_adds_nobody(world, pin, again, code):
    before = Staff.select().count()
    with pytest.raises(KioskError) as refused:
        admin.add_staff(world.store, "赵志愿", CASHIER, pin, again)
    assert refused.value.code == code
    assert Staff.select().count() == before and not events("staff_added")


@pytest.mark.parametrize("name, code", [("", "missing_field"), ("   ", "missing_field"), ("名" * 51, "too_long"),
                                        ("王\x00秀", "bad_staff_name"), ("王\u200b秀", "bad_staff_name")])
def test_a_name_is_1_to_50_characters(world, name, code):
    with pytest.raises(KioskError) as refused:
        admin.add_staff(world.store, name, CASHIER, "2468", "2468")
    assert refused.value.code == code
    assert Staff.select().where(Staff.store == world.store).count() == 4
    assert admin.add_staff(world.store, "名" * 50, CASHIER, "2468", "2468").name == "名" * 50


def test_a_role_must_be_one_of_the_four(world):
    with pytest.raises(KioskError, match="bad_role"):
        admin.add_staff(world.store, "赵志愿", "admin", "2468", "2468")
    assert [admin.parse_role(word) for word in ("店长", "运营", "收银", "客服", "Manager")] == \
        [MANAGER, OPERATIONS, CASHIER, SERVICE, MANAGER]


def test_a_name_already_on_the_active_staff_is_refused(world):
    with pytest.raises(KioskError) as refused:
        admin.add_staff(world.store, "张收银", OPERATIONS, "2468", "2468")
    assert refused.value.code == "duplicate_staff_name" and refused.value.params["name"] == "张收银"


def test_a_deactivated_persons_name_can_be_used_again_but_not_twice_active(world):
    old = world.staff[CASHIER]
    admin.deactivate(world.store, old.id)
    new = admin.add_staff(world.store, "张收银", CASHIER, "2468", "2468")
    with pytest.raises(KioskError, match="duplicate_staff_name"):
        admin.reactivate(world.store, old.id)
    assert not Staff.get_by_id(old.id).active and Staff.get_by_id(new.id).active


def test_the_same_name_in_another_store_is_fine(world):
    other = Store.create(name="另一个超市", code="QT")
    assert admin.add_staff(other, "张收银", CASHIER, "2468", "2468").store_id == other.id


def test_deactivated_staff_cannot_sign_in_and_reactivated_staff_can(world):
    cashier = world.staff[CASHIER]
    admin.deactivate(world.store, cashier.id, by=world.staff[MANAGER])
    assert cashier.id not in [s.id for s in Staff.active_in(world.store)]
    with pytest.raises(KioskError, match="unknown_staff"):
        service.authenticate(cashier.id, "3333")
    admin.reactivate(world.store, cashier.id, by=world.staff[MANAGER])
    assert service.authenticate(cashier.id, "3333").id == cashier.id
    assert [e.action for e in AuditEvent.select().where(AuditEvent.action.startswith("staff_")).order_by(AuditEvent.id)] \
        == ["staff_deactivated", "staff_reactivated"]


def test_deactivating_twice_records_one_event(world):
    admin.deactivate(world.store, world.staff[CASHIER].id)
    admin.deactivate(world.store, world.staff[CASHIER].id)
    assert len(events("staff_deactivated")) == 1


def test_a_new_pin_replaces_the_old_one_and_lifts_the_lock(world):
    cashier = world.staff[CASHIER]
    Staff.update(locked_until=utcnow() + timedelta(minutes=5), failed_attempts=0).where(Staff.id == cashier.id).execute()
    admin.set_pin(world.store, cashier.id, "8024", "8024", by=world.staff[MANAGER])
    with pytest.raises(KioskError, match="wrong_pin"):
        service.authenticate(cashier.id, "3333")
    assert service.authenticate(cashier.id, "8024").id == cashier.id
    [event] = events("staff_pin_set")
    assert "8024" not in event.detail and "pin_hash" not in event.detail


def test_a_weak_new_pin_keeps_the_old_one(world):
    cashier = world.staff[CASHIER]
    with pytest.raises(KioskError, match="weak_pin"):
        admin.set_pin(world.store, cashier.id, "9876", "9876")
    assert service.authenticate(cashier.id, "3333").id == cashier.id
    assert not events("staff_pin_set")


def test_unlock_lets_a_locked_person_sign_in_at_once(world):
    cashier = world.staff[CASHIER]
    for _ in range(5):
        with pytest.raises(KioskError):
            service.authenticate(cashier.id, "0000", max_attempts=5)
    with pytest.raises(KioskError, match="staff_locked"):
        service.authenticate(cashier.id, "3333")
    assert admin.is_locked(Staff.get_by_id(cashier.id))
    admin.unlock(world.store, cashier.id, by=world.staff[MANAGER])
    unlocked = Staff.get_by_id(cashier.id)
    assert (unlocked.failed_attempts, unlocked.locked_until) == (0, None)
    assert service.authenticate(cashier.id, "3333").id == cashier.id
    [event] = events("staff_unlocked")
    assert json.loads(event.detail)["was_locked"] is True


def test_changing_a_role_is_recorded_with_the_old_role(world):
    person = admin.change_role(world.store, world.staff[CASHIER].id, "运营", by=world.staff[MANAGER])
    assert person.role == OPERATIONS
    [event] = events("staff_role_changed")
    assert json.loads(event.detail)["old_role"] == CASHIER and json.loads(event.detail)["role"] == OPERATIONS


def test_the_last_manager_cannot_be_demoted_or_deactivated(world):
    boss = world.staff[MANAGER]
    with pytest.raises(KioskError, match="last_manager"):
        admin.change_role(world.store, boss.id, CASHIER, by=boss)
    with pytest.raises(KioskError, match="last_manager"):
        admin.deactivate(world.store, boss.id, by=boss)
    kept = Staff.get_by_id(boss.id)
    assert (kept.role, kept.active) == (MANAGER, True)
    assert not events("staff_role_changed") and not events("staff_deactivated")


def test_a_manager_can_step_down_once_there_is_another(world):
    boss = world.staff[MANAGER]
    admin.change_role(world.store, world.staff[OPERATIONS].id, MANAGER, by=boss)
    assert admin.change_role(world.store, boss.id, CASHIER, by=boss).role == CASHIER


def test_a_manager_of_another_store_does_not_count(world):
    other = Store.create(name="另一个超市", code="QT")
    admin.add_staff(other, "外店长", MANAGER, "2468", "2468")
    with pytest.raises(KioskError, match="last_manager"):
        admin.deactivate(world.store, world.staff[MANAGER].id)


def test_two_managers_demoting_each_other_at_once_leave_one_manager(world):
    boss = world.staff[MANAGER]
    second = admin.change_role(world.store, world.staff[OPERATIONS].id, MANAGER, by=boss)
    pair = [(boss, second), (second, boss)]

    def attempt(i):
        me, other = pair[i]
        return admin.change_role(world.store, other.id, CASHIER, by=me).role

    outcomes = race(2, attempt)
    assert sorted(outcomes) == [CASHIER, "last_manager"]
    assert Staff.select().where(Staff.store == world.store, Staff.role == MANAGER, Staff.active == True).count() == 1  # noqa: E712
    assert len(events("staff_role_changed")) == 2  # the promotion and one demotion


def test_two_managers_deactivating_each_other_at_once_leave_one_manager(world):
    boss = world.staff[MANAGER]
    second = admin.change_role(world.store, world.staff[OPERATIONS].id, MANAGER, by=boss)
    pair = [(boss, second), (second, boss)]

    def attempt(i):
        me, other = pair[i]
        return admin.deactivate(world.store, other.id, by=me).active

    outcomes = race(2, attempt)
    assert sorted(outcomes, key=str) == [False, "last_manager"]
    assert Staff.select().where(Staff.store == world.store, Staff.role == MANAGER, Staff.active == True).count() == 1  # noqa: E712


def test_staff_of_another_store_cannot_be_changed(world):
    other = Store.create(name="另一个超市", code="QT")
    stranger = admin.add_staff(other, "外人", CASHIER, "2468", "2468")
    for change in (lambda: admin.deactivate(world.store, stranger.id), lambda: admin.unlock(world.store, stranger.id),
                   lambda: admin.set_pin(world.store, stranger.id, "8024", "8024"),
                   lambda: admin.change_role(world.store, stranger.id, MANAGER)):
        with pytest.raises(KioskError, match="unknown_staff_member"):
            change()
    assert Staff.get_by_id(stranger.id).active and Staff.get_by_id(stranger.id).role == CASHIER


def test_find_by_name_finds_the_active_person(world):
    assert admin.find_by_name(world.store, " 张收银 ").id == world.staff[CASHIER].id
    with pytest.raises(KioskError, match="unknown_staff_name"):
        admin.find_by_name(world.store, "没有这个人")
    admin.deactivate(world.store, world.staff[CASHIER].id)
    with pytest.raises(KioskError, match="unknown_staff_name"):
        admin.find_by_name(world.store, "张收银")
    assert admin.find_by_name(world.store, "张收银", active=False).id == world.staff[CASHIER].id
