"""Opening a store on an empty database, and choosing the store a kiosk serves."""
import pytest
from werkzeug.security import check_password_hash

from kiosk.audit import AuditEvent
from kiosk.errors import KioskError
from kiosk.setup import service
from kiosk.staff.models import MANAGER, Staff
from kiosk.stores.models import Store
from kiosk.stores.service import create_store, served_store

GOOD = dict(code="xy", name=" 幸福里社区信义积分超市 ", timezone="Asia/Shanghai", manager="王秀英", pin="2468", pin_again="2468")


def test_the_first_store_opens_with_its_manager(db):
    store, manager = service.open_store(**GOOD)
    assert (store.code, store.name, store.timezone) == ("XY", "幸福里社区信义积分超市", "Asia/Shanghai")
    assert (manager.name, manager.role, manager.store_id, manager.active) == ("王秀英", MANAGER, store.id, True)
    assert check_password_hash(manager.pin_hash, "2468") and manager.pin_hash.count("$") == 2  # salted hash
    assert {e.action for e in AuditEvent.select().where(AuditEvent.store == store)} == {"store_opened", "staff_added", "store_created"}


def test_a_second_setup_changes_nothing(db):
    service.open_store(**GOOD)
    with pytest.raises(KioskError) as refused:
        service.open_store(**dict(GOOD, code="AB", manager="李四"))
    assert refused.value.code == "store_exists"
    assert Store.select().count() == 1 and Staff.select().count() == 1


@pytest.mark.parametrize("changes, code", [
    ({"code": "X"}, "bad_store_code"),
    ({"code": "1X"}, "bad_store_code"),
    ({"code": "XY:1"}, "bad_store_code"),
    ({"code": "ABCDEFGHI"}, "bad_store_code"),
    ({"timezone": "Asia/Beijing"}, "bad_timezone"),
    ({"timezone": "../../etc/passwd"}, "bad_timezone"),
    ({"timezone": ""}, "bad_timezone"),
    ({"name": "  "}, "missing_field"),
    ({"manager": ""}, "missing_field"),
    ({"manager": "王" * 51}, "too_long"),
    ({"pin": "1111", "pin_again": "1111"}, "weak_pin"),
    ({"pin": "123456", "pin_again": "123456"}, "weak_pin"),
    ({"pin": "2468", "pin_again": "2469"}, "pins_differ"),
    ({"pin": "24a8", "pin_again": "24a8"}, "bad_pin_format"),
])
def test_a_bad_setup_is_refused_whole(db, changes, code):
    with pytest.raises(KioskError) as refused:
        service.open_store(**dict(GOOD, **changes))
    assert refused.value.code == code
    assert not Store.select().exists() and not Staff.select().exists()


def test_a_second_store_needs_a_new_code_and_a_real_zone(db):
    service.open_store(**GOOD)
    other = create_store("ab2", "第二社区积分超市", "Asia/Urumqi")
    assert (other.code, other.timezone) == ("AB2", "Asia/Urumqi")
    for args, code in ((("XY", "重名", "Asia/Shanghai"), "duplicate_store"), (("CD", "别的", "Mars/Olympus"), "bad_timezone")):
        with pytest.raises(KioskError) as refused:
            create_store(*args)
        assert refused.value.code == code
    assert Store.select().count() == 2


def test_the_served_store_is_the_only_one_or_the_one_named(db):
    assert served_store("") is None
    first = create_store("XY", "一店", "Asia/Shanghai")
    assert served_store("") == first and served_store("xy") == first
    second = create_store("AB", "二店", "Asia/Shanghai")
    assert served_store("AB") == second
    with pytest.raises(KioskError) as ambiguous:
        served_store("")
    assert ambiguous.value.code == "store_not_chosen" and ambiguous.value.params["codes"] == "AB, XY"
    with pytest.raises(KioskError) as unknown:
        served_store("ZZ")
    assert unknown.value.code == "unknown_store" and unknown.value.params["codes"] == "AB, XY"


def test_the_setup_code_is_made_once_checked_loosely_and_forgotten(tmp_path):
    assert service.setup_code(str(tmp_path)) is None
    code = service.setup_code(str(tmp_path), create=True)
    assert len(code) == 11 and code[5] == "-" and service.setup_code(str(tmp_path), create=True) == code
    assert (tmp_path / service.CODE_FILE).stat().st_mode & 0o777 == 0o600
    assert service.check_setup_code(str(tmp_path), " " + code.lower().replace("-", " ") + " ")
    assert not service.check_setup_code(str(tmp_path), code[:-1] + ("2" if code[-1] != "2" else "3"))
    assert not service.check_setup_code(str(tmp_path), "")
    service.forget_setup_code(str(tmp_path))
    assert not service.check_setup_code(str(tmp_path), code)
