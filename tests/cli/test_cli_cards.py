"""`kiosk cards print`: a card's PNG scans into exactly what `kiosk balance` accepts; --all
prints every active card on A4 sheets of ten; bad requests exit non-zero and write nothing."""
import math
import os
import sqlite3
import subprocess
import sys

import pytest
from PIL import Image

from tests.helpers import decode_qr, pdf_page_images, pdf_page_sizes_mm

LOST, REVOKED = "10000026", "10000027"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """A demo store with card 10000026 reported lost and 10000027 revoked; (env, database, folder)."""
    folder = tmp_path_factory.mktemp("cards")
    database = folder / "store.db"
    env = dict(os.environ, KIOSK_INSTANCE_PATH=str(folder / "instance"), KIOSK_DATABASE_URL="sqlite:///" + str(database))
    for command in ("init-db", "demo"):
        assert kiosk(env, command).returncode == 0
    with sqlite3.connect(database) as conn:
        conn.execute("UPDATE card SET status = 'lost' WHERE number = ?", (LOST,))
        conn.execute("UPDATE card SET status = 'revoked' WHERE number = ?", (REVOKED,))
    return env, database, folder


def kiosk(env, *args):
    return subprocess.run([sys.executable, "-m", "kiosk", *args], env=env, capture_output=True, text=True, timeout=120)




def test_a_printed_card_scans_into_kiosk_balance(demo):
    env, database, folder = demo
    out = folder / "one.png"
    result = kiosk(env, "cards", "print", "--card", "10000001", "--out", str(out))
    assert result.returncode == 0, result.stderr
    image = Image.open(out)
    assert image.size == (1011, 638)
    [scanned] = decode_qr(image)
    balance = kiosk(env, "balance", scanned)
    assert balance.returncode == 0, balance.stderr
    with sqlite3.connect(database) as conn:
        expected = conn.execute("SELECT a.balance FROM card c JOIN account a ON a.id = c.account_id"
                                " WHERE c.number = '10000001'").fetchone()[0]
    assert "card     10000001" in balance.stdout
    assert f"balance  {expected}" in balance.stdout


def test_the_full_name_is_printed_only_when_asked(demo):
    env, _, folder = demo
    for name, extra in (("masked.png", ()), ("full.png", ("--full-name",))):
        assert kiosk(env, "cards", "print", "--card", "10000001", "--out", str(folder / name), *extra).returncode == 0
    assert (folder / "masked.png").read_bytes() != (folder / "full.png").read_bytes()


def test_all_active_cards_print_on_a4_sheets_of_ten(demo):
    env, database, folder = demo
    out = folder / "cards.pdf"
    result = kiosk(env, "cards", "print", "--all", "--out", str(out))
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(database) as conn:
        active = [number for (number,) in conn.execute("SELECT number FROM card WHERE status = 'active' ORDER BY number")]
    assert len(active) == 25  # the demo's 27 cards, less one lost and one revoked
    data = out.read_bytes()
    assert pdf_page_sizes_mm(data) == [(210.0, 297.0)] * math.ceil(len(active) / 10) == [(210.0, 297.0)] * 3
    scanned = [text for page in pdf_page_images(data) for text in decode_qr(page)]
    assert sorted(text.split(":")[2] for text in scanned) == active


def test_one_card_may_also_be_a_pdf_sheet(demo):
    env, _, folder = demo
    out = folder / "single.pdf"
    assert kiosk(env, "cards", "print", "--card", "10000002", "--out", str(out)).returncode == 0
    [page] = pdf_page_images(out.read_bytes())
    assert [text.split(":")[2] for text in decode_qr(page)] == ["10000002"]


@pytest.mark.parametrize("args, message", [
    (["--card", "19999999", "--out", "x.png"], "未找到此卡"),
    (["--card", LOST, "--out", "x.png"], "此卡已挂失"),
    (["--card", REVOKED, "--out", "x.png"], "此卡已停用"),
    (["--card", "10000001", "--out", "x.jpg"], "--out must end in .png or .pdf"),
    (["--all", "--out", "x.png"], "--out must end in .pdf"),
    (["--card", "10000001", "--all", "--out", "x.pdf"], "exactly one of --card NUMBER or --all"),
    (["--out", "x.pdf"], "exactly one of --card NUMBER or --all"),
])
def test_bad_requests_exit_non_zero_and_write_nothing(demo, args, message):
    env, _, folder = demo
    out = folder / "refused"
    out.mkdir(exist_ok=True)
    args = [str(out / arg) if arg.startswith("x.") else arg for arg in args]
    result = kiosk(env, "cards", "print", *args)
    assert result.returncode != 0
    assert message in result.stderr
    assert list(out.iterdir()) == []
