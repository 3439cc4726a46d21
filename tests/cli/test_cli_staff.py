"""`kiosk staff`: the store's staff from the terminal, the way back in when the only manager
forgot the PIN; refusals exit 1 with the reason and change nothing."""
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest
from werkzeug.security import check_password_hash


def kiosk(env, *args, input=None):
    return subprocess.run([sys.executable, "-m", "kiosk", *args], env=env, capture_output=True, text=True,
                          timeout=120, input=input)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """A demo store (王秀英 manager, 李建国 operations, 张桂兰 cashier, 陈志强 service), set up once."""
    folder = tmp_path_factory.mktemp("staff")
    env = dict(os.environ, KIOSK_INSTANCE_PATH=str(folder / "instance"),
               KIOSK_DATABASE_URL="sqlite:///" + str(folder / "store.db"))
    for command in ("init-db", "demo"):
        assert kiosk(env, command).returncode == 0
    return folder


@pytest.fixture
def store(demo, tmp_path):
    """A copy of the demo store for one test: (env, database path)."""
    shutil.copytree(demo / "instance", tmp_path / "instance")
    shutil.copy(demo / "store.db", tmp_path / "store.db")
    env = dict(os.environ, KIOSK_INSTANCE_PATH=str(tmp_path / "instance"),
               KIOSK_DATABASE_URL="sqlite:///" + str(tmp_path / "store.db"))
    env.pop("KIOSK_STORE", None)
    return env, tmp_path / "store.db"


def soon():
    """Five minutes from now, as the staff table stores times (naive UTC)."""
    return (datetime.now(timezone.utc).replace(tzinfo=None) + timedelta(minutes=5)).isoformat(sep=" ")


def row(database, name):
    with sqlite3.connect(database) as conn:
        conn.row_factory = sqlite3.Row
        return conn.execute("SELECT * FROM staff WHERE name = ? ORDER BY id DESC", (name,)).fetchone()


def staff_count(database):
    with sqlite3.connect(database) as conn:
        return conn.execute("SELECT COUNT(*) FROM staff").fetchone()[0]


def audit(database, action):
    with sqlite3.connect(database) as conn:
        return conn.execute("SELECT staff_id, detail FROM audit_event WHERE action = ? ORDER BY id", (action,)).fetchall()


def test_list_shows_name_role_and_state(store):
    env, database = store
    with sqlite3.connect(database) as conn:
        conn.execute("UPDATE staff SET locked_until = ? WHERE name = '张桂兰'",
                     (soon(),))
    listed = kiosk(env, "staff", "list")
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert "王秀英\tmanager\tactive" in lines
    assert "张桂兰\tcashier\tactive, locked" in lines
    assert len(lines) == 4


def test_add_with_the_pin_on_standard_input(store):
    env, database = store
    added = kiosk(env, "staff", "add", "赵志愿", "--role", "cashier", "--pin-stdin", input="2468\n2468\n")
    assert added.returncode == 0, added.stderr
    assert "added 赵志愿 (cashier)" in added.stdout
    person = row(database, "赵志愿")
    assert person["role"] == "cashier" and person["active"] == 1
    assert check_password_hash(person["pin_hash"], "2468")
    [(by, detail)] = audit(database, "staff_added")
    assert by is None and json.loads(detail)["via"] == "cli" and "2468" not in detail
    assert "赵志愿\tcashier\tactive" in kiosk(env, "staff", "list").stdout


def test_add_accepts_a_chinese_role_and_a_pin_typed_twice(store):
    env, database = store
    added = kiosk(env, "staff", "add", "钱运营", "--role", "运营", input="8024\n8024\n")
    assert added.returncode == 0, added.stderr
    assert row(database, "钱运营")["role"] == "operations"
    assert check_password_hash(row(database, "钱运营")["pin_hash"], "8024")


@pytest.mark.parametrize("args, pins, text", [
    (("赵志愿", "--role", "cashier"), "1234\n", "太容易被猜到"),
    (("赵志愿", "--role", "cashier"), "2468\n2469\n", "两次输入的密码不一致"),
    (("赵志愿", "--role", "cashier"), "", "standard input holds no PIN"),
    (("张桂兰", "--role", "cashier"), "2468\n", "张桂兰 已在工作人员名单中"),
    (("赵志愿", "--role", "boss"), "2468\n", "请选择角色"),
    (("名" * 51, "--role", "cashier"), "2468\n", "最多 50"),
])
def test_add_refusals_exit_1_and_add_nobody(store, args, pins, text):
    env, database = store
    before = staff_count(database)
    refused = kiosk(env, "staff", "add", *args, "--pin-stdin", input=pins)
    assert refused.returncode == 1 and text in refused.stderr, refused.stderr
    assert staff_count(database) == before and not audit(database, "staff_added")


def test_set_pin_lets_the_only_manager_back_in(store):
    env, database = store
    with sqlite3.connect(database) as conn:
        conn.execute("UPDATE staff SET locked_until = ?, failed_attempts = 0 WHERE name = '王秀英'",
                     (soon(),))
    done = kiosk(env, "staff", "set-pin", "王秀英", "--pin-stdin", input="8024\n")
    assert done.returncode == 0, done.stderr
    manager = row(database, "王秀英")
    assert check_password_hash(manager["pin_hash"], "8024") and not check_password_hash(manager["pin_hash"], "1111")
    assert manager["locked_until"] is None
    [(by, detail)] = audit(database, "staff_pin_set")
    assert by is None and "8024" not in detail


@pytest.mark.parametrize("args, pins, text", [
    (("王秀英",), "9999\n", "太容易被猜到"),
    (("没有这个人",), "8024\n", "没有名叫 没有这个人 的人"),
])
def test_set_pin_refusals_keep_the_old_pin(store, args, pins, text):
    env, database = store
    refused = kiosk(env, "staff", "set-pin", *args, "--pin-stdin", input=pins)
    assert refused.returncode == 1 and text in refused.stderr, refused.stderr
    assert check_password_hash(row(database, "王秀英")["pin_hash"], "1111")


def test_deactivate_and_reactivate(store):
    env, database = store
    done = kiosk(env, "staff", "deactivate", "张桂兰")
    assert done.returncode == 0, done.stderr
    assert row(database, "张桂兰")["active"] == 0
    assert "张桂兰\tcashier\tdeactivated" in kiosk(env, "staff", "list").stdout
    again = kiosk(env, "staff", "deactivate", "张桂兰")
    assert again.returncode == 1 and "没有名叫 张桂兰 的人" in again.stderr
    back = kiosk(env, "staff", "reactivate", "张桂兰")
    assert back.returncode == 0, back.stderr
    assert row(database, "张桂兰")["active"] == 1


def test_the_last_manager_cannot_be_deactivated_or_demoted(store):
    env, database = store
    refused = kiosk(env, "staff", "deactivate", "王秀英")
    assert refused.returncode == 1 and "最后一位在职店长" in refused.stderr
    demoted = kiosk(env, "staff", "set-role", "王秀英", "收银")
    assert demoted.returncode == 1 and "最后一位在职店长" in demoted.stderr
    manager = row(database, "王秀英")
    assert (manager["active"], manager["role"]) == (1, "manager")
    # With a second manager, the first may go.
    assert kiosk(env, "staff", "set-role", "李建国", "店长").returncode == 0
    assert kiosk(env, "staff", "deactivate", "王秀英").returncode == 0


def test_unlock(store):
    env, database = store
    with sqlite3.connect(database) as conn:
        conn.execute("UPDATE staff SET locked_until = ? WHERE name = '张桂兰'",
                     (soon(),))
    done = kiosk(env, "staff", "unlock", "张桂兰")
    assert done.returncode == 0 and "张桂兰 was unlocked" in done.stdout, done.stderr
    assert row(database, "张桂兰")["locked_until"] is None
    assert len(audit(database, "staff_unlocked")) == 1
    missing = kiosk(env, "staff", "unlock", "没有这个人")
    assert missing.returncode == 1 and "没有名叫 没有这个人 的人" in missing.stderr


def test_a_database_of_several_stores_needs_kiosk_store(store):
    env, database = store
    made = subprocess.run([sys.executable, "-c", "import sys; from kiosk import db; db.connect(sys.argv[1]); "
                           "from kiosk.stores.models import Store; Store.create(name='另一个超市', code='QT')",
                           env["KIOSK_DATABASE_URL"]], capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stderr
    unnamed = kiosk(env, "staff", "list")
    assert unnamed.returncode == 1 and "KIOSK_STORE" in unnamed.stderr
    other = kiosk(dict(env, KIOSK_STORE="QT"), "staff", "list")
    assert other.returncode == 0 and "王秀英" not in other.stdout
