"""`kiosk report close --period DAY --out FILE` (a day's close as a report) and the nightly
`kiosk close-day --write-dir DIR` (each closed day's A4 page left in a folder)."""
import io
import json
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
    env = dict(os.environ, KIOSK_INSTANCE_PATH=str(tmp_path / "instance"),
               KIOSK_DATABASE_URL="sqlite:///" + str(tmp_path / "store.db"))
    env.pop("KIOSK_CLOSE_PDF_DIR", None)
    for step in (("init-db",), ("demo", "--activity")):  # --activity: sales on earlier days
        result = kiosk(env, *step)
        assert result.returncode == 0, result.stdout + result.stderr
    return env


def kiosk(env, *args):
    return subprocess.run([sys.executable, "-m", "kiosk", *args], env=env, capture_output=True, text=True, timeout=180)


def db(tmp_path):
    return sqlite3.connect(str(tmp_path / "store.db"))


def a_day_with_sales(tmp_path):
    """The local day of the demo's first sale."""
    with db(tmp_path) as conn:
        first = conn.execute("SELECT MIN(created_at) FROM sale").fetchone()[0]
        day = datetime.fromisoformat(first).replace(tzinfo=timezone.utc).astimezone(ZoneInfo("Asia/Shanghai")).date()
        return day


def stored(tmp_path, day):
    with db(tmp_path) as conn:
        row = conn.execute("SELECT figures FROM day_close WHERE kind = 'day' AND day = ?", (day.isoformat(),)).fetchone()
    return json.loads(row[0])


def test_a_closed_day_exports_its_stored_figures_to_xlsx_csv_and_pdf(env, tmp_path):
    day = a_day_with_sales(tmp_path)
    assert kiosk(env, "close-day", "--date", day.isoformat()).returncode == 0
    figures = stored(tmp_path, day)
    assert figures["totals"]["sales"] > 0

    out = tmp_path / "close.xlsx"
    done = kiosk(env, "report", "close", "--period", day.isoformat(), "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert f"wrote the close report of XY for {day.isoformat()}" in done.stdout
    book = openpyxl.load_workbook(io.BytesIO(out.read_bytes()))
    summary = [row for row in book.worksheets[0].iter_rows(values_only=True)]
    values = [row[1] for row in summary]
    assert figures["totals"]["sales"] in values and figures["totals"]["sale_points"] in values
    assert figures["chain"]["head"] in values
    staff = list(book.worksheets[1].iter_rows(values_only=True))
    total = staff[-1]
    assert total[1:3] == (figures["totals"]["sales"], figures["totals"]["sale_points"])
    assert sum(row[2] for row in staff[1:-1]) == figures["totals"]["sale_points"]  # per cashier adds up

    csv_out = tmp_path / "close.csv"
    assert kiosk(env, "report", "close", "--period", day.isoformat(), "--out", str(csv_out)).returncode == 0
    text = csv_out.read_bytes().decode("utf-8-sig")
    assert figures["chain"]["head"] in text and "预览" not in text

    pdf = tmp_path / "close.pdf"
    assert kiosk(env, "report", "close", "--period", day.isoformat(), "--out", str(pdf)).returncode == 0
    assert pdf.read_bytes().startswith(b"%PDF")


def test_a_day_nobody_closed_exports_as_a_preview_and_a_month_is_refused(env, tmp_path):
    day = a_day_with_sales(tmp_path)
    out = tmp_path / "preview.csv"
    done = kiosk(env, "report", "close", "--period", day.isoformat(), "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "预览" in out.read_bytes().decode("utf-8-sig")
    with db(tmp_path) as conn:  # a preview stores nothing
        assert conn.execute("SELECT COUNT(*) FROM day_close").fetchone()[0] == 0
    month = kiosk(env, "report", "close", "--period", f"{day:%Y-%m}", "--out", str(out))
    assert month.returncode == 1 and "不是日期" in month.stderr


def test_close_day_writes_each_closed_days_a4_page_into_the_folder(env, tmp_path):
    # The day before yesterday, so that the nightly form below has one day (yesterday) to close.
    day = datetime.now(ZoneInfo("Asia/Shanghai")).date() - timedelta(days=2)
    folder = tmp_path / "closes"
    done = kiosk(env, "close-day", "--date", day.isoformat(), "--write-dir", str(folder))
    assert done.returncode == 0, done.stderr
    written = folder / f"XY-close-{day.isoformat()}.pdf"
    assert f"wrote {written}" in done.stdout
    assert written.read_bytes().startswith(b"%PDF")
    # The nightly run takes the folder from the setting.
    nightly = kiosk(dict(env, KIOSK_CLOSE_PDF_DIR=str(folder)), "close-day")
    assert nightly.returncode == 0, nightly.stderr
    closed = [line.split(":")[0].split()[1] for line in nightly.stdout.splitlines() if ": closed;" in line]
    assert closed and all((folder / f"XY-close-{d}.pdf").read_bytes().startswith(b"%PDF") for d in closed)
    assert len(list(folder.iterdir())) == 1 + len(closed)
