"""`kiosk expire` as a timer or a technician runs it: once a night, safe to run again."""
import os
import sqlite3
import subprocess
import sys
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.helpers import rechain


@pytest.fixture
def env(tmp_path):
    instance = tmp_path / "instance"
    env = dict(os.environ, KIOSK_INSTANCE_PATH=str(instance), KIOSK_DATABASE_URL="sqlite:///" + str(tmp_path / "store.db"))
    assert kiosk(env, "init-db").returncode == 0
    assert kiosk(env, "demo").returncode == 0
    return env


def kiosk(env, *args):
    return subprocess.run([sys.executable, "-m", "kiosk", *args], env=env, capture_output=True, text=True, timeout=120)


def sql(tmp_path, statement, *params):
    with sqlite3.connect(tmp_path / "store.db") as conn:
        return conn.execute(statement, params).fetchall()


@pytest.fixture
def old_points(env, tmp_path):
    """The demo store expires points after 12 months, and every demo entry is two years old."""
    sql(tmp_path, "UPDATE ledger_entry SET created_at = '2024-06-01 02:00:00'")
    rechain(tmp_path / "store.db")  # backdated on purpose: the hash chain is made to match again
    sql(tmp_path, "UPDATE store SET expiry_mode = 'months', expiry_months = 12")
    return sql(tmp_path, "SELECT SUM(balance), COUNT(*) FROM account WHERE balance > 0")[0]


def test_expire_posts_one_entry_per_account_and_a_second_run_does_nothing(env, tmp_path, old_points):
    total, accounts = old_points
    first = kiosk(env, "expire")
    assert first.returncode == 0, first.stderr
    yesterday = datetime.now(ZoneInfo("Asia/Shanghai")).date() - timedelta(days=1)  # KIOSK_TIMEZONE
    assert f"{total} points expired on {accounts} account(s)" in first.stdout
    assert sql(tmp_path, "SELECT SUM(balance) FROM account")[0][0] == 0
    rows = sql(tmp_path, "SELECT COUNT(*), COUNT(DISTINCT account_id), -SUM(delta), MIN(reference), MIN(note) "
                         "FROM ledger_entry WHERE kind = 'expire'")
    count, distinct, points, reference, note = rows[0]
    assert (count, distinct, points) == (accounts, accounts, total)
    assert reference == f"expire:{yesterday}"
    assert note.endswith("到期未使用")
    again = kiosk(env, "expire")
    assert again.returncode == 0 and "0 points expired on 0 account(s)" in again.stdout
    verify = kiosk(env, "verify")
    assert verify.returncode == 0, verify.stdout


def test_dry_run_reports_the_same_and_writes_nothing(env, tmp_path, old_points):
    total, accounts = old_points
    dry = kiosk(env, "expire", "--dry-run", "--store", "XY")
    assert dry.returncode == 0, dry.stderr
    assert f"{total} points would expire on {accounts} account(s)" in dry.stdout and "dry run" in dry.stdout
    assert sql(tmp_path, "SELECT COUNT(*) FROM ledger_entry WHERE kind = 'expire'")[0][0] == 0
    assert sql(tmp_path, "SELECT SUM(balance) FROM account")[0][0] == total


def test_a_day_that_has_not_ended_is_refused_in_chinese(env, old_points):
    future = (date.today() + timedelta(days=2)).isoformat()
    refused = kiosk(env, "expire", "--date", future)
    assert refused.returncode == 1
    assert f"{future} 还没有结束" in refused.stderr


def test_bad_options_are_refused(env):
    assert "points do not expire" in kiosk(env, "expire").stdout
    unknown = kiosk(env, "expire", "--store", "NOPE")
    assert unknown.returncode == 1 and "no store with the code NOPE" in unknown.stderr
    bad_date = kiosk(env, "expire", "--date", "2026-02-30")
    assert bad_date.returncode == 2 and "2026-02-30" in bad_date.stderr


def test_yearly_reset_on_a_past_day(env, tmp_path, old_points):
    total, _ = old_points
    sql(tmp_path, "UPDATE store SET expiry_mode = 'yearly', expiry_month_day = '12-31'")
    result = kiosk(env, "expire", "--date", "2025-01-03")
    assert result.returncode == 0, result.stderr
    assert "points left at the end of 2024-12-31" in result.stdout
    assert sql(tmp_path, "SELECT DISTINCT reference, note FROM ledger_entry WHERE kind = 'expire'") == [
        ("expire:2024-12-31", "2024-12-31 到期未使用")]
    assert sql(tmp_path, "SELECT SUM(balance) FROM account")[0][0] == 0
