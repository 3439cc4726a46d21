"""Soak: many tills on one database, kills and printer faults; then count what went wrong.

    .venv/bin/python bench/soak.py                       # 8 tills, 50 cards, 10,000 operations, 20 kills
    .venv/bin/python bench/soak.py --operations 400 --kills 5    # a short run

Each till is a process of its own (this file with --till): it checks out one cart after
another on a random card (each sale and its receipt job in one transaction), taps twice now
and then (the same key again), returns part of a sale now and then, and sends the print
queue to one fake network printer on 127.0.0.1 (tests/fakeprinter.py). Meanwhile the printer
refuses, stalls after a job, cuts a job at 300 bytes, resets after reading a job, or trickles,
a second at a time, and tills are killed with SIGKILL and started again. At the end the
printer works again, the queue drains, and the run prints, for every figure, how many:

- lost: sales a till reported committed that are not in the database;
- duplicated: keys that made more than one sale (a till reported two sale ids for one key);
- two originals: sales with more than one unmarked receipt on the printer's paper;
- without an original: sales whose only copies say 重印 (a till killed between recording
  "sending" and the first byte: the kiosk cannot know nothing reached the paper);
- unconfirmed: receipts the printer did not confirm; unprinted: jobs still waiting;
- verify problems: what `kiosk verify` finds.

Every figure but "without an original" must be 0; the exit status is 1 otherwise.
"""
import argparse
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FAULTS = ("refuse", "stall", "close", "reset", "trickle")


def till(settings):
    """One till: check out, sometimes tap twice or return, print; says each step on stdout."""
    from devices import printer_from_url
    from kiosk import db
    from kiosk.checkout import service as checkout
    from kiosk.checkout.models import Sale
    from kiosk.errors import KioskError
    from kiosk.printing import service as printing
    from kiosk.stores.models import Store

    db.connect(settings["url"], busy_timeout_ms=2000)
    db.database.connect()
    store = Store.get_by_id(settings["store"])
    printer = printer_from_url(settings["printer"])
    rng = random.Random(settings["seed"])
    for number in range(settings["start"], settings["stop"]):
        key = f"soak-{settings['till']:02d}-{number:09d}"
        card = rng.choice(settings["cards"])

        def sell():
            return checkout.checkout(store, card, [(settings["product"], 1)], settings["staff"], key).sale

        try:
            sale = checkout.when_busy_retry(sell, 10)
            print("committed", key, sale.id, flush=True)
            if rng.random() < 0.05:  # a double tap
                print("committed", key, checkout.when_busy_retry(sell, 10).id, flush=True)
            if rng.random() < 0.05:  # a return of an earlier sale of this till
                earlier = Sale.select().where(Sale.idempotency_key.startswith(f"soak-{settings['till']:02d}-")) \
                    .order_by(Sale.id.desc()).first()
                line = earlier.lines.first()
                if line.refunded_quantity < line.quantity:
                    checkout.when_busy_retry(lambda: checkout.refund(
                        store, earlier.id, {line.id: 1}, settings["staff"], settings["manager"], f"r{key}"), 10)
        except KioskError as exc:
            print("refused", key, exc.code, flush=True)
        printing.send_due(lambda store_id: printer)
        print("done", number, flush=True)


def build(folder, cards):
    """A database with the demo store and ``cards`` cards with plenty of points; returns settings."""
    from kiosk import db, demo, keys, schema
    from kiosk.cards.models import Card
    from kiosk.db import database
    from kiosk.inventory import service as inventory
    from kiosk.inventory.models import GOODS, STOCK_IN, Product
    from kiosk.ledger import service as ledger
    from kiosk.ledger.models import OPENING, Account
    from kiosk.staff.models import CASHIER, MANAGER, Staff

    keys.ensure(str(folder))
    url = "sqlite:///" + str(folder / "kiosk.db")
    db.connect(url)
    database.connect()
    schema.upgrade()
    store, _ = demo.load()
    manager = Staff.get(Staff.store == store, Staff.role == MANAGER)
    cashier = Staff.get(Staff.store == store, Staff.role == CASHIER)
    product = Product.select().where(Product.store == store, Product.kind == GOODS).order_by(Product.points).first()
    card_ids = []
    with database.atomic():
        inventory.move(product.id, 10_000_000, STOCK_IN, reference="soak", staff_id=manager.id)
        for n in range(cards):
            account = Account.create(store=store, holder_name=f"浸泡{n:02d}")
            ledger.post(account.id, 100_000_000, OPENING, reference="soak", staff_id=manager.id)
            card_ids.append(Card.create(store=store, number=str(90000000 + n), account=account,
                                        holder_name=account.holder_name).id)
    database.close()
    return {"url": url, "store": store.id, "cards": card_ids, "product": product.id, "staff": cashier.id,
            "manager": manager.id}


class Till:
    def __init__(self, index, settings, per_till, reports):
        self.index, self.settings, self.per_till, self.reports = index, settings, per_till, reports
        self.next, self.process, self.starts = 0, None, 0

    def start(self):
        settings = dict(self.settings, till=self.index, start=self.next, stop=self.per_till,
                        seed=self.index * 1000 + self.starts)
        self.starts += 1
        self.process = subprocess.Popen([sys.executable, __file__, "--till", json.dumps(settings)],
                                        stdout=subprocess.PIPE, text=True, cwd=ROOT)
        threading.Thread(target=self._read, args=(self.process,), daemon=True).start()

    def _read(self, process):
        for line in process.stdout:
            words = line.split()
            if words[0] == "committed":
                self.reports.append((words[1], int(words[2])))
            elif words[0] == "done":
                self.next = int(words[1]) + 1
        process.stdout.close()

    @property
    def finished(self):
        return self.process.poll() is not None and self.next >= self.per_till

    def kill(self):
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()
        time.sleep(0.05)  # the reader thread takes in what was said before the kill


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--till", help=argparse.SUPPRESS)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--cards", type=int, default=50)
    parser.add_argument("--operations", type=int, default=10_000)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.till:
        return till(json.loads(args.till))

    from devices import printer_from_url
    from kiosk import db
    from kiosk.checkout.models import REFUND_PREFIX, SALE_PREFIX, Sale
    from kiosk.db import database, utcnow
    from kiosk.printing import service as printing
    from kiosk.printing.models import PrintJob
    from kiosk.reports.verify import verify
    from tests.fakeprinter import FakePrinter

    rng = random.Random(args.seed)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="kiosk-soak-") as tmp:
        folder = Path(tmp)
        settings = build(folder, args.cards)
        fake = FakePrinter()
        fake.cut_at, fake.rate = 300, 2000
        settings["printer"] = fake.url + "?timeout=1"
        reports = []
        per_till = args.operations // args.clients
        tills = [Till(i, settings, per_till, reports) for i in range(args.clients)]
        for t in tills:
            t.start()
        kills, faults, last_kill, last_fault = 0, 0, time.monotonic(), time.monotonic()
        while not all(t.finished for t in tills):
            time.sleep(0.1)
            for t in tills:
                if t.process.poll() is not None and t.next < per_till:
                    t.start()  # restarted after a kill (or a crash)
            now = time.monotonic()
            if now - last_fault > 1.0:
                fake.set_mode("ok" if fake.mode != "ok" else rng.choice(FAULTS))
                faults += fake.mode != "ok"
                last_fault = now
            done = sum(t.next for t in tills)
            if kills < args.kills and done >= (kills + 1) * args.operations / (args.kills + 1):
                victim = rng.choice([t for t in tills if t.process.poll() is None] or tills)
                if victim.process.poll() is None:
                    victim.kill()
                    kills += 1
        fake.set_mode("ok")
        db.connect(settings["url"])
        database.connect()
        printer = printer_from_url(settings["printer"])
        later = utcnow() + timedelta(seconds=printing.LEASE_SECONDS + 1)
        for _ in range(200):
            if not PrintJob.select().where(PrintJob.status.in_(printing.WAITING)).exists():
                break
            printing.send_due(lambda store_id: printer, now=later, limit=500)
            later += timedelta(seconds=61)
        fake.close()

        sales = {sale.idempotency_key: sale for sale in Sale.select()}
        reported = {}
        for key, sale_id in reports:
            reported.setdefault(key, set()).add(sale_id)
        pages = {}
        code = Sale.get().store.code if sales else "-"
        refund_mark, number = (code + REFUND_PREFIX).encode(), re.compile(re.escape(code + SALE_PREFIX).encode() + rb"[0-9]+")
        for page in fake.paper:
            if refund_mark in page:  # a return's receipt names the sale it returns: not a copy of it
                continue
            found = number.search(page)  # a page names its sale's receipt number
            if found:
                pages.setdefault(found.group().decode(), []).append(page)
        reprint = "重印".encode("gb18030")
        originals = {sale.id: sum(reprint not in p for p in pages.get(sale.receipt_no, [])) for sale in sales.values()}
        figures = {
            "lost": sum(key not in sales for key in reported),
            "duplicated": sum(len(ids) > 1 for ids in reported.values()),
            "two originals": sum(n > 1 for n in originals.values()),
            "without an original": sum(n == 0 for n in originals.values()),
            "unconfirmed": PrintJob.select().where(PrintJob.unconfirmed == True).count(),  # noqa: E712
            "unprinted": PrintJob.select().where(PrintJob.status.in_(printing.WAITING)).count(),
            "verify problems": len(verify()),
        }
        print(f"{len(sales)} sales, {sum(1 for _ in reports)} reported, {kills} kills, {faults} printer faults, "
              f"{len(fake.paper)} pages, {time.monotonic() - started:.0f} s")
        for name, value in figures.items():
            print(f"  {name:20} {value}")
        bad = {name: value for name, value in figures.items() if value and name != "without an original"}
        return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
