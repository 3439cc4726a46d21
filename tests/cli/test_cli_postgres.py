"""The `kiosk` command on a district server: KIOSK_DATABASE_URL=postgresql://… on a throwaway
cluster (tests/pg.py), from an empty database, as a technician sets one up. Runs on either
KIOSK_TEST_ENGINE (the other CLI tests use SQLite files of their own); `make test` runs it in
its PostgreSQL part."""
import os
import subprocess
import sys

import psycopg2
import pytest


@pytest.fixture
def district(pg_cluster):
    """(url, psycopg2 connection) of a new, empty database (no schema)."""
    name = pg_cluster.create_database()
    conn = psycopg2.connect(host="127.0.0.1", port=pg_cluster.port, user="postgres", dbname=name)
    conn.autocommit = True
    yield pg_cluster.url(name), conn
    conn.close()
    pg_cluster.drop_database(name)


@pytest.fixture
def env(tmp_path, district):
    return dict(os.environ, KIOSK_INSTANCE_PATH=str(tmp_path / "instance"), KIOSK_DATABASE_URL=district[0],
                KIOSK_DATABASE_POOL_SIZE="2")


def kiosk(env, *args):
    return subprocess.run([sys.executable, "-m", "kiosk", *args], env=env, capture_output=True, text=True, timeout=120)


def one(conn, sql, *params):
    with conn.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def test_init_db_demo_verify_and_balance_on_postgresql(env, district):
    _, conn = district
    first = kiosk(env, "init-db")
    assert first.returncode == 0, first.stderr
    from kiosk.schema import available_migrations

    assert f"created {available_migrations()[-1][1]}" in first.stdout and "postgresql://" in first.stdout
    assert "up to date" in kiosk(env, "init-db").stdout
    assert one(conn, "SELECT MAX(version) FROM schema_version")[0] == available_migrations()[-1][0]
    demo = kiosk(env, "demo", "--activity")
    assert demo.returncode == 0, demo.stderr
    assert "Recorded 7 demo service records: 2 approved, 5 waiting for review" in demo.stdout
    assert one(conn, "SELECT COUNT(*) FROM product")[0] >= 30
    assert one(conn, "SELECT COUNT(DISTINCT role) FROM staff")[0] == 4
    verify = kiosk(env, "verify")
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert verify.stdout.startswith("ok")
    balance = kiosk(env, "balance", "10000001")
    assert balance.returncode == 0, balance.stderr
    held = one(conn, "SELECT a.balance FROM card c JOIN account a ON a.id = c.account_id WHERE c.number = %s", "10000001")[0]
    # The demo's opening balance, its backdated history and one approved service record:
    # whatever they come to, the balance is the sum of the account's ledger.
    ledger = one(conn, "SELECT SUM(e.delta) FROM ledger_entry e JOIN card c ON c.account_id = e.account_id"
                       " WHERE c.number = %s", "10000001")[0]
    assert held == ledger and held > 0
    assert f"balance  {held}" in balance.stdout


def test_verify_on_postgresql_names_a_tampered_balance(env, district):
    _, conn = district
    kiosk(env, "init-db")
    kiosk(env, "demo")
    with conn.cursor() as cursor:
        cursor.execute("UPDATE account SET balance = balance + 1 WHERE id = 1")
    result = kiosk(env, "verify")
    assert result.returncode == 1
    assert "account 1: balance 861 but its ledger sums to 860" in result.stdout
    one_store = kiosk(env, "verify", "--store", "xy")
    assert one_store.returncode == 1 and "account 1: balance 861" in one_store.stdout


def test_verify_one_store_of_a_district(env):
    kiosk(env, "init-db")
    kiosk(env, "demo")
    made = kiosk(env, "store", "create", "AB", "二店积分超市")
    assert made.returncode == 0, made.stderr
    for code in ("XY", "AB"):
        result = kiosk(env, "verify", "--store", code)
        assert result.returncode == 0, result.stdout + result.stderr
        assert result.stdout.startswith(f"ok: store {code}: ")
    unknown = kiosk(env, "verify", "--store", "QQ")
    assert unknown.returncode != 0 and "QQ" in unknown.stderr


def test_a_database_url_the_server_refuses_is_reported(env, pg_cluster):
    env["KIOSK_DATABASE_URL"] = pg_cluster.url("no_such_district")
    result = kiosk(env, "init-db")
    assert result.returncode != 0
    assert "no_such_district" in result.stderr
