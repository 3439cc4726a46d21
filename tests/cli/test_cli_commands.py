"""The `kiosk` command as a store's technician runs it: a fresh instance, one database URL."""
import os
import sqlite3
import subprocess
import sys

import pytest


@pytest.fixture
def env(tmp_path):
    instance = tmp_path / "instance"
    return dict(os.environ, KIOSK_INSTANCE_PATH=str(instance),
                KIOSK_DATABASE_URL="sqlite:///" + str(tmp_path / "elsewhere" / "store.db"))


def kiosk(env, *args):
    return subprocess.run([sys.executable, "-m", "kiosk", *args], env=env, capture_output=True, text=True, timeout=120)


def test_init_db_demo_and_verify_from_nothing(env, tmp_path):
    first = kiosk(env, "init-db")
    assert first.returncode == 0, first.stderr
    assert (tmp_path / "instance" / "secret.key").exists()
    assert (tmp_path / "instance" / "card-signing.key").exists()
    # KIOSK_DATABASE_URL is honoured: the database is where it says, not in the instance folder.
    assert (tmp_path / "elsewhere" / "store.db").exists()
    assert not (tmp_path / "instance" / "kiosk.db").exists()
    assert "up to date" in kiosk(env, "init-db").stdout
    demo = kiosk(env, "demo")
    assert demo.returncode == 0, demo.stderr
    assert "PIN 3333" in demo.stdout
    again = kiosk(env, "demo")
    assert "already present" in again.stdout
    with sqlite3.connect(tmp_path / "elsewhere" / "store.db") as conn:
        assert conn.execute("SELECT COUNT(*) FROM product").fetchone()[0] >= 30
        assert conn.execute("SELECT COUNT(*) FROM household").fetchone()[0] >= 20
        assert conn.execute("SELECT COUNT(DISTINCT role) FROM staff").fetchone()[0] == 4
    verify = kiosk(env, "verify")
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert verify.stdout.startswith("ok")


def test_demo_activity_fills_the_review_queue_once(env, tmp_path):
    """`make run` loads the demo with --activity: the service desk finds records to review, two
    already approved and on the books, recorded by operations and reviewed by someone else."""
    kiosk(env, "init-db")
    demo = kiosk(env, "demo", "--activity")
    assert demo.returncode == 0, demo.stderr
    assert "Recorded 7 demo service records: 2 approved, 5 waiting for review" in demo.stdout
    again = kiosk(env, "demo", "--activity")
    assert "Recorded" not in again.stdout
    with sqlite3.connect(tmp_path / "elsewhere" / "store.db") as conn:
        # Besides the backdated months (楼道卫生清扫, all approved: kiosk.demo.load_history).
        recent = "content <> '楼道卫生清扫'"
        statuses = dict(conn.execute(f"SELECT status, COUNT(*) FROM service_record WHERE {recent} GROUP BY status").fetchall())
        assert statuses == {"approved": 2, "pending": 5}
        earned = conn.execute("SELECT COUNT(*), SUM(delta) FROM ledger_entry WHERE kind = 'earn' AND reference IN "
                              f"(SELECT 'service:' || id FROM service_record WHERE {recent})").fetchone()
        assert earned == (2, 15 + 15)  # 90 minutes at 5 a half hour; one visit to an elderly neighbour
        assert conn.execute("SELECT COUNT(*) FROM service_record WHERE points < 0 AND status = 'pending'").fetchone()[0] == 1
        assert conn.execute("SELECT COUNT(*) FROM service_record WHERE recorded_by_id = reviewed_by_id").fetchone()[0] == 0
    assert kiosk(env, "verify").stdout.startswith("ok")


def test_balance_accepts_a_scanned_payload_or_a_card_number(env):
    kiosk(env, "init-db")
    demo = kiosk(env, "demo")
    payload = [line.strip() for line in demo.stdout.splitlines() if line.strip().startswith("JF:")][0]
    by_payload = kiosk(env, "balance", payload)
    assert by_payload.returncode == 0, by_payload.stderr
    assert "张*华" in by_payload.stdout and "balance  860" in by_payload.stdout
    by_number = kiosk(env, "balance", "10000001")
    assert by_number.stdout == by_payload.stdout
    assert kiosk(env, "balance", payload.lower()).returncode == 0


@pytest.mark.parametrize("card, message", [
    ("19999999", "未找到此卡"),
    ("JF:XY:10000001:AAAAAAAAAAAAAAAA", "无效卡"),
    ("garbage!!", "无法识别"),
])
def test_balance_exits_non_zero_with_the_reason(env, card, message):
    kiosk(env, "init-db")
    kiosk(env, "demo")
    result = kiosk(env, "balance", card)
    assert result.returncode != 0
    assert message in result.stderr


def test_balance_of_a_revoked_card_exits_non_zero(env, tmp_path):
    kiosk(env, "init-db")
    kiosk(env, "demo")
    with sqlite3.connect(tmp_path / "elsewhere" / "store.db") as conn:
        conn.execute("UPDATE card SET status = 'lost' WHERE number = '10000001'")
    result = kiosk(env, "balance", "10000001")
    assert result.returncode != 0 and "此卡已挂失" in result.stderr


def test_verify_exits_non_zero_and_says_what_is_wrong(env, tmp_path):
    kiosk(env, "init-db")
    kiosk(env, "demo")
    with sqlite3.connect(tmp_path / "elsewhere" / "store.db") as conn:
        conn.execute("UPDATE account SET balance = balance + 1 WHERE id = 1")
    result = kiosk(env, "verify")
    assert result.returncode == 1
    assert "account 1: balance 861 but its ledger sums to 860" in result.stdout


def test_commands_before_init_db_say_what_to_do(env):
    result = kiosk(env, "verify")
    assert result.returncode != 0
    assert "kiosk init-db" in result.stderr


def test_a_bad_setting_is_rejected_with_its_name(env):
    env["KIOSK_PORT"] = "eighty"
    kiosk(env, "init-db")
    result = kiosk(env, "verify")
    assert result.returncode != 0 and "KIOSK_PORT" in result.stderr


def test_settle_deductions_lets_due_deductions_take_effect(env, tmp_path):
    """A deduction approved with a 7-day objection period takes effect when the command runs
    on or after its day, once."""
    for step in ("init-db", "demo"):
        assert kiosk(env, step).returncode == 0
    path = env["KIOSK_DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        account_id, balance = db.execute("SELECT id, balance FROM account WHERE balance > 10 ORDER BY id LIMIT 1").fetchone()
        resident_id = db.execute("SELECT r.id FROM resident r JOIN account a ON a.household_id = r.household_id "
                                 "WHERE a.id = ? LIMIT 1", (account_id,)).fetchone()[0]
        rule_id = db.execute("SELECT id FROM rule WHERE code = 'LITTER'").fetchone()[0]
        staff_id = db.execute("SELECT id FROM staff ORDER BY id LIMIT 1").fetchone()[0]
        db.execute("INSERT INTO service_record (store_id, resident_id, account_id, rule_id, content, service_date, units,"
                   " points, status, group_key, recorded_by_id, reviewed_by_id, reason, effective_on, created_at)"
                   " VALUES (1, ?, ?, ?, '乱扔垃圾', '2026-11-01', 1, -5, 'waiting', '', ?, ?, '', '2026-11-08',"
                   " '2026-11-01 08:00:00')", (resident_id, account_id, rule_id, staff_id, staff_id))
    early = kiosk(env, "settle-deductions", "--date", "2026-11-07")
    assert early.returncode == 0 and "0 deduction(s)" in early.stdout
    assert "1 deduction(s)" in kiosk(env, "settle-deductions", "--date", "2026-11-08").stdout
    assert "0 deduction(s)" in kiosk(env, "settle-deductions", "--date", "2026-11-09").stdout
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT balance FROM account WHERE id = ?", (account_id,)).fetchone()[0] == balance - 5
    assert kiosk(env, "verify").returncode == 0
    bad = kiosk(env, "settle-deductions", "--date", "11/08")
    assert bad.returncode != 0 and "not a date" in bad.stderr
