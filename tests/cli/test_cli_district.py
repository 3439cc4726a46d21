"""`kiosk district`: street-office users from the terminal; `kiosk verify` keeps its outcome per
store for the street office view. Refusals exit 1 with the reason and change nothing."""
import os
import sqlite3
import subprocess
import sys

import pytest
from werkzeug.security import check_password_hash


def kiosk(env, *args, input=None):
    return subprocess.run([sys.executable, "-m", "kiosk", *args], env=env, capture_output=True, text=True,
                          timeout=120, input=input)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("district")
    env = dict(os.environ, KIOSK_INSTANCE_PATH=str(folder / "instance"),
               KIOSK_DATABASE_URL="sqlite:///" + str(folder / "store.db"))
    env.pop("KIOSK_STORE", None)
    for command in ("init-db", "demo"):
        assert kiosk(env, command).returncode == 0
    return env, folder / "store.db"


def rows(path, sql):
    with sqlite3.connect(path) as conn:
        return conn.execute(sql).fetchall()


def test_add_set_pin_deactivate_and_list(demo):
    env, path = demo
    added = kiosk(env, "district", "add-user", "街道刘", "--pin-stdin", input="4826\n4826\n")
    assert added.returncode == 0, added.stderr
    (pin_hash, active), = rows(path, "SELECT pin_hash, active FROM district_user WHERE name = '街道刘'")
    assert check_password_hash(pin_hash, "4826") and active
    again = kiosk(env, "district", "add-user", "街道刘", "--pin-stdin", input="5937\n")
    assert again.returncode == 1 and "街道刘" in again.stderr
    weak = kiosk(env, "district", "add-user", "街道王", "--pin-stdin", input="1234\n")
    assert weak.returncode == 1
    assert rows(path, "SELECT COUNT(*) FROM district_user") == [(1,)]

    assert kiosk(env, "district", "set-pin", "街道刘", "--pin-stdin", input="5937\n").returncode == 0
    (pin_hash, version), = rows(path, "SELECT pin_hash, session_version FROM district_user")
    assert check_password_hash(pin_hash, "5937") and version == 1
    unknown = kiosk(env, "district", "set-pin", "nobody", "--pin-stdin", input="5937\n")
    assert unknown.returncode == 1

    assert kiosk(env, "district", "deactivate", "街道刘").returncode == 0
    listed = kiosk(env, "district", "list")
    assert listed.returncode == 0 and "街道刘\tdeactivated" in listed.stdout
    actions = [a for (a,) in rows(path, "SELECT action FROM audit_event WHERE action LIKE 'district%' ORDER BY id")]
    assert actions == ["district_user_added", "district_pin_set", "district_user_deactivated"]


def test_verify_records_its_outcome_per_store(demo):
    env, path = demo
    before = rows(path, "SELECT COUNT(*) FROM verify_run")[0][0]
    assert kiosk(env, "verify").returncode == 0
    code = rows(path, "SELECT code FROM store")[0][0]
    assert kiosk(env, "verify", "--store", code).returncode == 0
    runs = rows(path, "SELECT scope, problems, chain_head FROM verify_run ORDER BY id")[before:]
    head = rows(path, "SELECT head FROM ledger_chain")[0][0]
    assert runs == [("database", 0, head), ("store", 0, head)]


def test_verify_records_the_problems_it_found(demo, tmp_path):
    import shutil

    env, path = demo
    copy = tmp_path / "store.db"
    shutil.copy(path, copy)
    env = dict(env, KIOSK_DATABASE_URL="sqlite:///" + str(copy))
    with sqlite3.connect(copy) as conn:
        conn.execute("UPDATE account SET balance = balance + 5 WHERE id = (SELECT MIN(id) FROM account)")
    result = kiosk(env, "verify")
    assert result.returncode == 1
    (scope, problems), = rows(copy, "SELECT scope, problems FROM verify_run ORDER BY id DESC LIMIT 1")
    assert scope == "database" and problems == result.stdout.count("\n") >= 1
