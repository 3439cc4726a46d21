"""`kiosk partner`: the served store's partners from the terminal. Refusals exit 1 with the
reason and change nothing."""
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
def store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("partner")
    env = dict(os.environ, KIOSK_INSTANCE_PATH=str(folder / "instance"),
               KIOSK_DATABASE_URL="sqlite:///" + str(folder / "store.db"))
    env.pop("KIOSK_STORE", None)
    for command in ("init-db", "demo"):
        assert kiosk(env, command).returncode == 0
    return env, folder / "store.db"


def rows(path, sql):
    with sqlite3.connect(path) as conn:
        return conn.execute(sql).fetchall()


def test_add_set_pin_deactivate_and_list(store):
    env, path = store
    before = rows(path, "SELECT COUNT(*) FROM partner")[0][0]
    added = kiosk(env, "partner", "add", "测试果园", "--honours", "时令水果券", "--pin-stdin", input="4826\n4826\n")
    assert added.returncode == 0, added.stderr
    (pin_hash, active, honours), = rows(path, "SELECT pin_hash, active, honours FROM partner WHERE name = '测试果园'")
    assert check_password_hash(pin_hash, "4826") and active and honours == "时令水果券"
    again = kiosk(env, "partner", "add", "测试果园", "--no-pin")
    assert again.returncode == 1 and "测试果园" in again.stderr
    weak = kiosk(env, "partner", "add", "测试物业", "--pin-stdin", input="1234\n")
    assert weak.returncode == 1
    assert rows(path, "SELECT COUNT(*) FROM partner")[0][0] == before + 1

    assert kiosk(env, "partner", "set-pin", "测试果园", "--pin-stdin", input="5937\n").returncode == 0
    (pin_hash, version), = rows(path, "SELECT pin_hash, session_version FROM partner WHERE name = '测试果园'")
    assert check_password_hash(pin_hash, "5937") and version == 2
    assert kiosk(env, "partner", "set-pin", "nobody", "--pin-stdin", input="5937\n").returncode == 1

    assert kiosk(env, "partner", "deactivate", "测试果园").returncode == 0
    listing = kiosk(env, "partner", "list").stdout
    assert "测试果园\tdeactivated\tPIN set\t时令水果券" in listing
    actions = [a for (a,) in rows(path, "SELECT action FROM audit_event WHERE action LIKE 'partner_%' ORDER BY id")]
    assert actions[-4:] == ["partner_added", "partner_pin_set", "partner_pin_set", "partner_deactivated"]
