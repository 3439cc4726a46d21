"""`kiosk setup`, `kiosk store list|create` and KIOSK_STORE, as a store's technician runs them."""
import os
import subprocess
import sys

import pytest


@pytest.fixture
def env(tmp_path):
    return dict(os.environ, KIOSK_INSTANCE_PATH=str(tmp_path / "instance"),
                KIOSK_DATABASE_URL="sqlite:///" + str(tmp_path / "kiosk.db"))


def kiosk(env, *args, stdin=None):
    return subprocess.run([sys.executable, "-m", "kiosk", *args], env=env, capture_output=True, text=True,
                          timeout=120, input=stdin if stdin is not None else "")


SETUP = ("setup", "--code", "XY", "--name", "幸福里社区信义积分超市", "--timezone", "Asia/Shanghai", "--manager", "王秀英",
         "--pin-stdin")


def test_init_db_prints_a_setup_code_until_the_store_is_opened(env, tmp_path):
    first = kiosk(env, "init-db")
    assert first.returncode == 0, first.stderr
    code = (tmp_path / "instance" / "setup-code").read_text().strip()
    assert f"set-up code {code}" in first.stdout and "kiosk setup" in first.stdout
    assert code in kiosk(env, "init-db").stdout  # the same code until it is used
    opened = kiosk(env, *SETUP, stdin="2468\n2468\n")
    assert opened.returncode == 0, opened.stderr
    assert "opened store XY 幸福里社区信义积分超市 (Asia/Shanghai); store manager 王秀英" in opened.stdout
    assert not (tmp_path / "instance" / "setup-code").exists()
    assert "set-up code" not in kiosk(env, "init-db").stdout
    listed = kiosk(env, "store", "list")
    assert "* XY" in listed.stdout and "1 active staff" in listed.stdout
    assert kiosk(env, "verify").returncode == 0


def test_a_second_setup_is_refused_before_any_pin_is_asked(env):
    kiosk(env, "init-db")
    assert kiosk(env, *SETUP, stdin="2468\n").returncode == 0
    again = kiosk(env, *SETUP[:-1])  # no --pin-stdin: a prompt would wait for the terminal
    assert again.returncode == 1 and "本机已完成开店设置" in again.stderr


@pytest.mark.parametrize("changes, stdin, words", [
    ({"--timezone": "Asia/Beijing"}, "2468\n", "Asia/Beijing 不是有效的时区"),
    ({"--code": "X"}, "2468\n", "超市代码为 2 到 8 位"),
    ({}, "1111\n", "太容易被猜到"),
    ({}, "2468\n2469\n", "两次输入的密码不一致"),
    ({}, "", "standard input holds no PIN"),
])
def test_a_bad_setup_says_why_and_opens_nothing(env, changes, stdin, words):
    kiosk(env, "init-db")
    args = list(SETUP)
    for flag, value in changes.items():
        args[args.index(flag) + 1] = value
    refused = kiosk(env, *args, stdin=stdin)
    assert refused.returncode == 1 and words in refused.stderr
    assert "no store yet" in kiosk(env, "store", "list").stdout


def test_the_pin_is_asked_twice_on_the_terminal(env):
    kiosk(env, "init-db")
    # click reads hidden prompts from standard input when it is not a terminal.
    asked = kiosk(env, *SETUP[:-1], stdin="2468\n2468\n")
    assert asked.returncode == 0, asked.stderr
    assert "PIN for 王秀英:" in asked.stderr and "PIN for 王秀英 (again):" in asked.stderr


def test_several_stores_need_kiosk_store(env):
    kiosk(env, "init-db")
    kiosk(env, *SETUP, stdin="2468\n")
    created = kiosk(env, "store", "create", "ab", "第二社区积分超市", "--timezone", "Asia/Urumqi")
    assert created.returncode == 0 and "created store AB 第二社区积分超市 (Asia/Urumqi)" in created.stdout
    duplicate = kiosk(env, "store", "create", "AB", "重复")
    assert duplicate.returncode == 1 and "代码为 AB 的超市已存在" in duplicate.stderr
    listed = kiosk(env, "store", "list").stdout
    assert "  AB" in listed and "  XY" in listed and "*" not in listed
    ambiguous = kiosk(env, "notice", "list")
    assert ambiguous.returncode == 1 and "KIOSK_STORE" in ambiguous.stderr and "AB, XY" in ambiguous.stderr
    served = kiosk(dict(env, KIOSK_STORE="ab"), "notice", "list")
    assert served.returncode == 0 and "no notice published yet" in served.stdout
    unknown = kiosk(dict(env, KIOSK_STORE="ZZ"), "serve", "--port", "1")
    assert unknown.returncode == 1 and "没有代码为 ZZ 的超市" in unknown.stderr
    refused = kiosk(env, "serve", "--port", "1")
    assert refused.returncode == 1 and "AB, XY" in refused.stderr
    assert "* AB" in kiosk(dict(env, KIOSK_STORE="AB"), "store", "list").stdout


def test_a_bad_kiosk_timezone_stops_start_up_with_its_name(env):
    bad = kiosk(dict(env, KIOSK_TIMEZONE="Asia/Beijing"), "init-db")
    assert bad.returncode == 1 and "KIOSK_TIMEZONE" in bad.stderr


def test_the_nightly_run_goes_by_the_served_store_s_zone(env, tmp_path):
    kiosk(env, "init-db")
    kiosk(env, "setup", "--code", "AB", "--name", "测试", "--timezone", "Asia/Urumqi", "--manager", "王", "--pin-stdin",
          stdin="2468\n")
    written = kiosk(env, "boot", "linux", "--out", str(tmp_path / "boot"))
    assert written.returncode == 0, written.stderr
    assert "OnCalendar=*-*-* 00:10:00 Asia/Urumqi" in (tmp_path / "boot" / "points-kiosk-nightly.timer").read_text()
