"""Registering households and residents, and finding them again."""
import pytest

from kiosk.errors import KioskError
from kiosk.ledger.models import Account
from kiosk.registry import service as registry
from kiosk.registry.models import Household, Resident


def test_initials_are_upper_case_pinyin_first_letters():
    assert registry.initials("张建华") == "ZJH"
    assert registry.initials("欧阳娜娜") == "OYNN"
    assert registry.initials("Li 小明2") == "LIXM2"


def test_a_household_gets_one_account_in_household_mode(world):
    household = registry.register_household(world.store, building="7", unit="1", room="101", members=3, phone="13912345678")
    assert Account.select().where(Account.household == household).count() == 1
    resident = registry.register_resident(world.store, household, name="赵丽", phone="139 1234 0000")
    assert resident.phone == "13912340000" and resident.initials == "ZL"
    assert registry.account_of(resident).household_id == household.id


def test_a_resident_gets_an_own_account_in_person_mode(world):
    world.store.account_mode = "person"
    world.store.save()
    household = registry.register_household(world.store, building="7", room="102")
    assert Account.select().where(Account.household == household).count() == 0
    resident = registry.register_resident(world.store, household, name="钱多多")
    account = registry.account_of(resident)
    assert account.resident_id == resident.id and account.holder_name == "钱多多"


@pytest.mark.parametrize("changes, code", [
    ({"building": ""}, "missing_field"),
    ({"room": "  "}, "missing_field"),
    ({"members": 0}, "bad_members"),
    ({"members": "many"}, "bad_members"),
    ({"phone": "12345"}, "bad_phone"),
    ({"building": "楼" * 30}, "too_long"),
])
def test_bad_household_input_is_refused(world, changes, code):
    fields = {"building": "8", "room": "101", **changes}
    before = Household.select().count()
    with pytest.raises(KioskError, match=code):
        registry.register_household(world.store, **fields)
    assert Household.select().count() == before


def test_the_same_address_cannot_be_registered_twice(world):
    registry.register_household(world.store, building="8", unit="2", room="101")
    with pytest.raises(KioskError, match="duplicate_household"):
        registry.register_household(world.store, building="8", unit="2", room="101")


def test_a_phone_number_belongs_to_one_resident(world):
    household = registry.register_household(world.store, building="8", room="101")
    registry.register_resident(world.store, household, name="甲", phone="13700000001")
    with pytest.raises(KioskError, match="duplicate_phone") as refused:
        registry.register_resident(world.store, household, name="乙", phone="13700000001")
    assert refused.value.params == {"phone": "0001"}


def test_only_the_last_four_characters_of_an_id_number_are_kept(world):
    household = registry.register_household(world.store, building="8", room="101")
    resident = registry.register_resident(world.store, household, name="孙悟", id_number="11010519491231002x")
    assert resident.id_tail == "002X"
    assert "110105" not in str(Resident.select().where(Resident.id == resident.id).dicts().get())
    with pytest.raises(KioskError, match="bad_id_number"):
        registry.register_resident(world.store, household, name="孙悟", id_number="12345")


def test_renaming_a_resident_renames_their_cards(world):
    resident = world.cards["张建华"].resident
    registry.update_resident(resident, name="张建新", phone=resident.phone)
    assert world.cards["张建华"].__class__.get_by_id(world.cards["张建华"].id).holder_name == "张建新"


@pytest.mark.parametrize("text", ["建华", "ZJH", "zj", "0001", "10000001", "3-2-301", "3栋2单元301"])
def test_search_finds_a_resident_by_name_initials_phone_card_or_address(world, text):
    found = registry.search(world.store, text)
    assert "张建华" in [r.name for r in found]


@pytest.mark.parametrize("text", ["", "   ", "不存在", "99", "%", "' OR 1=1 --", "A" * 500])
def test_search_with_nothing_matching_returns_nothing(world, text):
    assert registry.search(world.store, text) == []
