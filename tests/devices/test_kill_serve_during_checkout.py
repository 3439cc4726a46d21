"""kill -9 the real server (`kiosk serve`, waitress in its own process) 20 times while a cashier
checks out over HTTP and receipts go to a fake network printer, restarting it each time; then
let the print queue drain. `kiosk verify` is clean, every sale is one the cashier saw succeed
(no sale from a request answered nowhere, none missing), a checkout posted again after a kill
made one sale, and every sale's receipt is on the paper: exactly one original when printing was
never interrupted, otherwise at most one original plus copies marked 重印.

The client speaks plain HTTP (http.client, cookies kept by hand) as htmx would: the cashier
signs in with the PIN, and for each cart cancels what was there, scans a card, taps goods and
posts the checkout with its key, cart version, total and CSRF token. A kill lands one of three
ways, in turn: at a random moment (a timer), right after a checkout request went out and before
its answer was read, or while the server's print worker is sending a receipt.
"""
import contextlib
import http.client
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from http.cookies import SimpleCookie
from pathlib import Path

from kiosk.checkout.models import SALE_PREFIX, receipt_number
from tests.fakeprinter import FakePrinter

ROOT = Path(__file__).resolve().parents[2]
KILLS = 20
REPRINT = "重印".encode("gb18030")
CUT = b"\x1dVB\x00"  # GS V 66 0: the last command of a whole receipt (devices/escpos_render.py)
CASHIER, PIN = "张桂兰", "3333"
# Demo cards of twelve accounts with 520 points or more each, taken in turn: enough for the
# 150-odd carts of 20 or 40 points a run makes (each timer life makes at most 8).
CARDS = ["张建华", "刘志强", "何文涛", "吴海燕", "郑国华", "朱红霞", "林志明", "孙立新", "欧阳娜娜", "杨玉梅",
         "梁晓东", "赵国庆"]
# Twenty-point goods with 30 to 80 in stock each, taken in turn.
GOODS = ["加碘食盐 400g", "龙须挂面 1kg", "老年食堂午餐券", "海天生抽酱油 500ml", "加厚垃圾袋 5卷", "立白洗洁精 1kg",
         "山西老陈醋 500ml", "绵白糖 500g", "软毛牙刷 2支装", "舒肤佳香皂", "百洁布 5片", "笔记本 2本"]
SUCCESS = ("兑换成功", "这笔兑换已经完成")


class ServerGone(Exception):
    """The request or its answer was cut off: the server died."""


class Cashier:
    """A cashier's browser, reduced to what the checkout needs: cookies and the CSRF token."""

    def __init__(self, port):
        self.port = port
        self.cookies = {}
        self.csrf = ""

    def send(self, method, path, form=None, htmx=True):
        """Send a request; returns the connection to read the answer from."""
        body = None
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if form is not None:
            body = "&".join(f"{k}={_quote(v)}" for k, v in form.items())
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if htmx:
            headers.update({"HX-Request": "true", "X-CSRF-Token": self.csrf})
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
        try:
            conn.request(method, path, body=body, headers=headers)
        except (ConnectionError, http.client.HTTPException) as exc:
            conn.close()
            raise ServerGone() from exc
        return conn

    def answer(self, conn):
        """(status, text) of the answer; keeps the cookies it sets."""
        try:
            response = conn.getresponse()
            text = response.read().decode("utf-8")
        except (ConnectionError, http.client.HTTPException) as exc:
            raise ServerGone() from exc
        finally:
            conn.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or morsel["expires"].startswith("Thu, 01 Jan 1970"):
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        token = re.search(r'name="csrf_token" value="([^"]+)"', text) or re.search(r'"X-CSRF-Token": "([^"]+)"', text)
        if token:
            self.csrf = token.group(1)
        return response.status, text

    def call(self, method, path, form=None, htmx=True):
        return self.answer(self.send(method, path, form, htmx))

    def sign_in(self, staff_id):
        self.call("GET", f"/signin/{staff_id}", htmx=False)
        status, _ = self.call("POST", f"/signin/{staff_id}", {"pin": PIN, "csrf_token": self.csrf}, htmx=False)
        assert status == 302, "the cashier could not sign in"
        status, _ = self.call("GET", "/cashier/", htmx=False)
        assert status == 200 and self.csrf

    def fill_cart(self, payload, product_ids):
        """Cancel what is on the register, scan the card, tap the goods; the checkout form."""
        self.expect(self.call("POST", "/cashier/cancel", {}))
        self.expect(self.call("POST", "/cashier/scan", {"code": payload}))
        for product_id in product_ids:
            text = self.expect(self.call("POST", "/cashier/cart/add", {"product_id": str(product_id)}))
        return {name: re.search(rf'name="{name}" value="([^"]*)"', text).group(1) for name in ("key", "version", "total")}

    @staticmethod
    def expect(answer):
        status, text = answer
        assert status == 200, f"HTTP {status}: {text[:2000]}"
        return text


def _quote(value):
    from urllib.parse import quote_plus

    return quote_plus(str(value))


def _free_port():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _rows(path, sql, *params):
    with contextlib.closing(sqlite3.connect(path, timeout=10)) as db:
        return db.execute(sql, params).fetchall()


def _start(env, log):
    """`kiosk serve`, once it answers /healthz."""
    server = subprocess.Popen([sys.executable, "-m", "kiosk", "serve"], env=env, cwd=ROOT, stdout=log,
                              stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 20
    while True:
        conn = http.client.HTTPConnection("127.0.0.1", int(env["KIOSK_PORT"]), timeout=2)
        try:
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return server
        except (ConnectionError, http.client.HTTPException, TimeoutError):
            pass
        finally:
            conn.close()
        assert server.poll() is None and time.monotonic() < deadline, "kiosk serve did not start"
        time.sleep(0.05)


def _kill(server):
    os.kill(server.pid, signal.SIGKILL)
    server.wait(10)
    assert server.returncode == -signal.SIGKILL, "the server stopped by itself"


def test_twenty_kills_of_kiosk_serve_during_checkouts_and_printing(tmp_path):
    started = time.monotonic()
    fake = FakePrinter("trickle")
    fake.rate = 5_000  # about 130 ms a receipt: kills land while bytes are on the way too
    db_path = tmp_path / "kiosk.db"
    env = dict(os.environ, KIOSK_INSTANCE_PATH=str(tmp_path), KIOSK_DATABASE_URL=f"sqlite:///{db_path}",
               KIOSK_PORT=str(_free_port()), KIOSK_PRINTER=fake.url + "?timeout=2",
               KIOSK_RETURN_TO_IDLE_SECONDS="1", KIOSK_LOCALE="zh_CN")
    for command in ("init-db", "demo"):
        subprocess.run([sys.executable, "-m", "kiosk", command], env=env, cwd=ROOT, check=True, capture_output=True)

    from kiosk import keys
    from kiosk.cards.service import card_payload

    signing_key = keys.load(str(tmp_path))["CARD_SIGNING_KEY"]
    (staff_id,), = _rows(db_path, "SELECT id FROM staff WHERE name = ?", CASHIER)
    payloads = [card_payload("XY", number, signing_key) for (number,) in (
        _rows(db_path, "SELECT number FROM card WHERE holder_name = ?", name)[0] for name in CARDS)]
    products = [_rows(db_path, "SELECT id FROM product WHERE name = ?", name)[0][0] for name in GOODS]

    rng = random.Random(20261205)
    cashier = Cashier(int(env["KIOSK_PORT"]))
    sent, seen, retried = set(), {}, set()  # keys posted; key -> receipt no. the answer showed; keys posted again
    pending = None  # a checkout form whose answer never came
    carts = 0
    log = open(tmp_path / "server.log", "ab")

    def checkout(form, kill_after_sending=None, delay=0.0):
        """Post the checkout; records a success. Kills the server right after sending when told."""
        sent.add(form["key"])
        conn = cashier.send("POST", "/cashier/checkout", form)
        if kill_after_sending is not None:
            # At once (the request surely unanswered), or a little later: during or after its
            # transaction, or even after the answer went out.
            time.sleep(delay)
            _kill(kill_after_sending)
        text = cashier.expect(cashier.answer(conn))
        assert any(word in text for word in SUCCESS), text[:2000]
        receipt_no = re.search(r"XYS\d{7}", text).group(0)
        assert seen.setdefault(form["key"], receipt_no) == receipt_no, "one key, two sales"

    def next_form():
        nonlocal carts
        carts += 1
        goods = [products[(2 * carts + i) % len(products)] for i in range(rng.randint(1, 2))]
        return cashier.fill_cart(payloads[carts % len(payloads)], goods)

    def redo_pending():
        """After a restart: post the checkout that got no answer again, as the screen does."""
        nonlocal pending
        if pending is not None:
            retried.add(pending["key"])
            checkout(pending)
            pending = None

    kills, server, timer = 0, None, None
    try:
        for life in range(KILLS):
            server = _start(env, log)
            way = ("timer", "after sending", "while printing")[life % 3]
            timer, fired = None, threading.Event()

            def kill_now(pid=server.pid):
                fired.set()  # before the signal: a request it cuts off is never taken for a fault
                os.kill(pid, signal.SIGKILL)

            try:
                if life == 0:
                    cashier.sign_in(staff_id)
                if way == "timer":
                    timer = threading.Timer(rng.uniform(0.05, 1.2), kill_now)
                    timer.start()
                redo_pending()
                for _ in range(rng.randint(0, 3)):
                    pending = next_form()
                    checkout(pending)
                    pending = None
                if way == "after sending":
                    pending = next_form()
                    checkout(pending, kill_after_sending=server, delay=0 if life % 2 else rng.uniform(0, 0.03))
                    pending = None
                elif way == "while printing":
                    # Jobs a killed server left "sending" stay so until their lease runs out.
                    left = set(_rows(db_path, "SELECT id, attempts FROM print_job WHERE status = 'sending'"))
                    pending = next_form()
                    checkout(pending)
                    pending = None
                    # Wait on the worker: kill it while a receipt is on its way to the printer.
                    deadline = time.monotonic() + 5
                    while not set(_rows(db_path, "SELECT id, attempts FROM print_job WHERE status = 'sending'")) - left:
                        assert time.monotonic() < deadline, "the worker never sent a receipt"
                        time.sleep(0.005)
                    time.sleep(rng.uniform(0, 0.1))
                    _kill(server)
                else:
                    for _ in range(8):  # carts until the timer kills the server
                        pending = next_form()
                        checkout(pending)
                        pending = None
                    timer.join()  # killed while the worker prints, or after
            except ServerGone:
                assert way != "timer" or fired.is_set(), "a request failed while the server was running"
            if timer is not None:
                timer.join()
            if way != "timer" and server.poll() is None:
                _kill(server)
            server.wait(10)
            assert server.returncode == -signal.SIGKILL, "the server stopped by itself"
            kills += 1

        # Restarted after the last kill. A receipt claimed by a killed server is left alone for the
        # claim's lease (kiosk.printing.service.LEASE_SECONDS, 120 s): a server cannot tell a dead
        # claimant from another live process. Move those claims' (and back-offs') times to now, as
        # two minutes of waiting would, and let the printer go at full speed.
        now = datetime.now(timezone.utc).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
        with contextlib.closing(sqlite3.connect(db_path, timeout=10)) as db, db:
            claimed = db.execute("SELECT count(*) FROM print_job WHERE status IN ('pending', 'sending')"
                                 " AND next_attempt_at > ?", (now,)).fetchone()[0]
            db.execute("UPDATE print_job SET next_attempt_at = ? WHERE status IN ('pending', 'sending')", (now,))
        fake.set_mode("ok")
        server = _start(env, log)
        redo_pending()
        deadline = time.monotonic() + 30
        while _rows(db_path, "SELECT 1 FROM print_job WHERE status IN ('pending', 'sending', 'held')"):
            assert time.monotonic() < deadline, "the print queue did not drain"
            time.sleep(0.1)
        server.terminate()
        server.wait(10)
    finally:
        if timer is not None:
            timer.cancel()
        if server is not None and server.poll() is None:  # a failed assertion: leave nothing running
            server.kill()
            server.wait(10)
        log.close()
        fake.close()

    assert kills == KILLS
    verified = subprocess.run([sys.executable, "-m", "kiosk", "verify"], env=env, cwd=ROOT, capture_output=True,
                              text=True)
    assert verified.returncode == 0, verified.stdout + verified.stderr

    sales = {key: receipt_number("XY", SALE_PREFIX, sale_id)
             for sale_id, key in _rows(db_path, "SELECT id, idempotency_key FROM sale")}
    assert len(seen) >= 20 and retried, (len(seen), retried)
    # Every success the cashier saw is there, with the receipt number it showed; every sale is one
    # the cashier was told about (a checkout that got no answer was posted again and answered);
    # a key posted twice made one sale (the key is unique, and the retry showed that sale).
    assert seen == sales
    assert set(sales) == sent

    jobs = {}
    for sale_id, status, uncertain in _rows(db_path, "SELECT document_id, status, uncertain FROM print_job WHERE document_kind = 'sale'"):
        jobs.setdefault(receipt_number("XY", SALE_PREFIX, sale_id), []).append((status, bool(uncertain)))
    interrupted, no_original = 0, 0
    for receipt_no in sales.values():
        assert jobs[receipt_no] and all(status == "printed" for status, _ in jobs[receipt_no]), jobs[receipt_no]
        pages = [page for page in fake.paper if receipt_no.encode() in page]
        originals = [page for page in pages if REPRINT not in page]
        assert any(page.endswith(CUT) for page in pages), f"{receipt_no}: no whole copy on the paper"
        if any(uncertain for _, uncertain in jobs[receipt_no]):
            # The server died after recording "sending": the bytes may be on paper, whole, cut
            # short, or not there at all (killed before the first byte left). The next copy is
            # marked 重印, so there may be no unmarked original, but never two.
            interrupted += 1
            assert len(originals) <= 1, f"{receipt_no}: {len(originals)} unmarked copies"
            no_original += not originals
        else:
            assert len(originals) == 1 and len(pages) == 1, f"{receipt_no}: {len(pages)} copies"
    assert interrupted >= 1  # the test did kill the server while a receipt was on its way
    print(f"{kills} kills, {len(sales)} sales, {len(retried)} checkouts posted again, {claimed} receipts not due"
          f" after the last kill (killed servers' claims, back-offs), {interrupted} receipts interrupted ({no_original} with no unmarked"
          f" copy), {time.monotonic() - started:.1f} s")
