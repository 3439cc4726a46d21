"""`kiosk report`: a store's report of a period written to .xlsx, .csv or .pdf from the command line."""
import io
import os
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import openpyxl
import pytest


@pytest.fixture
def env(tmp_path):
    instance = tmp_path / "instance"
    env = dict(os.environ, KIOSK_INSTANCE_PATH=str(instance), KIOSK_DATABASE_URL="sqlite:///" + str(tmp_path / "store.db"))
    for args in (("init-db",), ("demo", "--activity")):
        done = subprocess.run([sys.executable, "-m", "kiosk", *args], env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
    return env


def kiosk(env, *args):
    return subprocess.run([sys.executable, "-m", "kiosk", *args], env=env, capture_output=True, text=True, timeout=180)


def period_days():
    """(first day, the day after the last) of around_today()'s period."""
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    return today - timedelta(days=3), today + timedelta(days=2)


def around_today():
    # Days around the store's today, so the demo's entries (posted just now) fall inside
    # whatever the clock says.
    first, after = period_days()
    return f"{first}..{after - timedelta(days=1)}"


def test_points_report_as_xlsx_matches_the_ledger(env, tmp_path):
    out = tmp_path / "points.xlsx"
    done = kiosk(env, "report", "points", "--period", around_today(), "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "wrote the points report of" in done.stdout
    book = openpyxl.load_workbook(io.BytesIO(out.read_bytes()))
    summary = {row[0]: row[1] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)}
    with sqlite3.connect(tmp_path / "store.db") as conn:
        # The demo backdates its history three months: only the period's entries count.
        start, end = (datetime.combine(day, datetime.min.time(), ZoneInfo("Asia/Shanghai")).astimezone(timezone.utc)
                      .strftime("%Y-%m-%d %H:%M:%S") for day in period_days())
        earned = conn.execute("SELECT SUM(delta) FROM ledger_entry WHERE kind = 'earn' AND created_at >= ?"
                              " AND created_at < ?", (start, end)).fetchone()[0]
        total = conn.execute("SELECT SUM(delta) FROM ledger_entry").fetchone()[0]
    # The demo's two approved service records today earn 30; its history may fall inside too.
    assert summary["获得"] == earned >= 30
    assert summary["期末积分余额"] == total
    assert "说明" in book.sheetnames


def test_street_page_as_pdf_and_participation_as_csv(env, tmp_path):
    pdf, csv = tmp_path / "street.pdf", tmp_path / "participation.csv"
    assert kiosk(env, "report", "street", "--period", around_today(), "--out", str(pdf)).returncode == 0
    assert pdf.read_bytes().startswith(b"%PDF")
    assert kiosk(env, "report", "participation", "--period", around_today(), "--out", str(csv)).returncode == 0
    assert csv.read_bytes().startswith(b"\xef\xbb\xbf")


def test_raw_rows_and_bad_input(env, tmp_path):
    out = tmp_path / "ledger.csv"
    done = kiosk(env, "report", "rows", "ledger", "--period", around_today(), "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    bad = kiosk(env, "report", "points", "--period", "2026-13", "--out", str(tmp_path / "x.xlsx"))
    assert bad.returncode != 0 and "不是有效的时段" in bad.stderr
    bad = kiosk(env, "report", "points", "--period", "2026-11", "--out", str(tmp_path / "x.doc"))
    assert bad.returncode != 0 and ".xlsx" in bad.stderr
    bad = kiosk(env, "report", "points", "--period", "2026-11", "--out", str(tmp_path / "x.xlsx"), "--store", "ZZ")
    assert bad.returncode != 0 and "ZZ" in bad.stderr
    assert not (tmp_path / "x.xlsx").exists()
