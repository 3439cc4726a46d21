"""`kiosk close-day` as a technician (or the nightly run) runs it."""
import os
import subprocess
import sys

import pytest


@pytest.fixture
def env(tmp_path):
    env = dict(os.environ, KIOSK_INSTANCE_PATH=str(tmp_path / "instance"),
               KIOSK_DATABASE_URL="sqlite:///" + str(tmp_path / "store.db"))
    for step in ("init-db", "demo"):
        result = kiosk(env, step)
        assert result.returncode == 0, result.stdout + result.stderr
    return env


def kiosk(env, *args):
    return subprocess.run([sys.executable, "-m", "kiosk", *args], env=env, capture_output=True, text=True, timeout=120)


def test_close_day_closes_the_day_once_and_says_why_it_refuses_again(env):
    first = kiosk(env, "close-day", "--date", "2026-11-10", "--store", "xy")
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("XY 2026-11-10: closed; 0 sale(s) 0 points, 0 return(s) 0 points")
    assert "reconciled; chain head " in first.stdout
    again = kiosk(env, "close-day", "--date", "2026-11-10")
    assert again.returncode == 1
    assert "2026-11-10 已经日结过" in again.stderr
    # The days since, nobody closed: the nightly form closes them all, up to yesterday.
    nightly = kiosk(env, "close-day")
    assert nightly.returncode == 0, nightly.stderr
    lines = nightly.stdout.splitlines()
    assert lines[0].startswith("XY 2026-11-11: closed;")
    assert kiosk(env, "close-day").stdout == "XY: every past day is closed\n"


def test_close_day_refuses_a_bad_date_and_an_unknown_store(env):
    bad = kiosk(env, "close-day", "--date", "11/10/2026")
    assert bad.returncode == 1 and "不是日期" in bad.stderr
    unknown = kiosk(env, "close-day", "--store", "ZZ")
    assert unknown.returncode == 1 and "no store with the code ZZ" in unknown.stderr
