"""`kiosk notice`: publishing from the command line, its refusals, the list and the PDF."""
import os
import subprocess
import sys
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest


@pytest.fixture
def env(tmp_path):
    env = dict(os.environ, KIOSK_INSTANCE_PATH=str(tmp_path / "instance"),
               KIOSK_DATABASE_URL="sqlite:///" + str(tmp_path / "kiosk.db"))
    for args in (("init-db",), ("demo",)):
        assert kiosk(env, *args).returncode == 0
    return env


def kiosk(env, *args):
    return subprocess.run([sys.executable, "-m", "kiosk", *args], env=env, capture_output=True, text=True, timeout=120)


def months():
    """(the newest month whose cut-off day, the 26th, has passed; the month still running)."""
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    year, month = (today.year, today.month) if today.day <= 26 else \
        ((today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1))
    before = (year - 1, 12) if month == 1 else (year, month - 1)
    return "%04d-%02d" % before, "%04d-%02d" % (year, month)


def test_publish_list_refuse_and_write_the_pdf(env, tmp_path):
    done, running = months()
    published = kiosk(env, "notice", "publish", "--month", done)
    assert published.returncode == 0, published.stderr
    assert f"published notice 1: {done} (month)" in published.stdout and "chain head " in published.stdout
    again = kiosk(env, "notice", "publish", "--month", done)
    assert again.returncode == 1 and f"{done} 的公示已经发布" in again.stderr
    early = kiosk(env, "notice", "publish", "--month", running)
    assert early.returncode == 1 and "本期尚未结束" in early.stderr
    assert kiosk(env, "notice", "publish", "--month", "2026-13").returncode == 1
    assert kiosk(env, "notice", "publish", "--month", done, "--year", "2025").returncode == 2
    listed = kiosk(env, "notice", "list").stdout
    assert done in listed and "month" in listed
    out = tmp_path / "notice.pdf"
    written = kiosk(env, "notice", "pdf", "1", "--out", str(out))
    assert written.returncode == 0, written.stderr
    assert out.read_bytes().startswith(b"%PDF-")
    assert kiosk(env, "notice", "pdf", "99", "--out", str(out)).returncode == 1
    verify = kiosk(env, "verify")
    assert verify.returncode == 0, verify.stdout
