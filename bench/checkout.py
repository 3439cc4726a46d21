#!/usr/bin/env python
"""Checkout benchmark: card lookup and checkout, in process and over HTTP, against baselines.

Builds a store database (default 20,000 households and 1,000,000 ledger entries, with the
sales, sale lines, stock movements and audit events those entries imply), then measures:

* card lookup in process (what the cashier's scan does: ``find_card`` and the account's
  balance and household), p50/p95, at ~10,000 ledger entries and again at the full size;
* checkout in process (``kiosk.checkout.service.checkout``, 3 lines each) against a raw
  ``sqlite3`` transaction writing the same rows, with the same pragmas, on a copy of the file;
* over HTTP, against the real server (``python -m kiosk serve``): full cashier flows
  (scan → add ×3 → checkout) and the scan alone, against GET /healthz of the same server;
* ``kiosk.reports.verify.verify()`` on the result (must find 0 problems).

Every figure is printed with its baseline and the ratio. Targets (from the issue): lookup p95
under 10 ms in process; checkout in process at least a quarter of the raw transaction's rate;
lookup not slower at 1,000,000 entries than at 10,000. The exit status is 0 whatever the
figures: a benchmark reports, it does not gate.

    .venv/bin/python bench/checkout.py            # the spec's sizes (a few minutes)
    .venv/bin/python bench/checkout.py --quick    # a smoke run (~30 s)

With --database-url, --engine or --stores it runs the district benchmark instead (many stores in
one database, PostgreSQL or SQLite): see bench/district.py and bench/README.md.
"""
import argparse
import contextlib
import http.client
import json
import math
import os
import random
import re
import secrets
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
# bench/district.py imports this module's helpers as `checkout`: run as a script, it is that module.
sys.modules.setdefault("checkout", sys.modules[__name__])

from werkzeug.security import generate_password_hash  # noqa: E402

from kiosk import db as kiosk_db  # noqa: E402
from kiosk import keys, schema  # noqa: E402
from kiosk.cards.service import card_payload, find_card  # noqa: E402
from kiosk.checkout import service as checkout_service  # noqa: E402
from kiosk.ledger import chain  # noqa: E402
from kiosk.stores.models import Store  # noqa: E402

STORE_CODE = "BX"
PIN = "3333"
SMALL_ENTRIES = 10_000
LOOKUP_P95_TARGET_MS = 10.0
CHECKOUT_RATIO_TARGET = 0.25
GROWTH_RATIO_TARGET = 1.25
HTTP_WARMUP = 5
CHECKOUT_WARMUP = 10
LINES_PER_CHECKOUT = 3

# Tables whose row counts a checkout changes; ours and the raw baseline must add the same rows.
WRITTEN_TABLES = ("sale", "sale_line", "ledger_entry", "stock_movement")

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "建华秀兰德明志强桂芳玉梅国庆淑珍丽娟文斌海燕长青立新秀云红霞建军淑英文涛秀珍志明桂英晓东玉兰美玲娜娜德胜伟芳敏静磊洋勇艳杰娟涛超明霞平刚"
CATEGORIES = [
    ("粮油", ["东北大米", "食用油", "面粉", "挂面", "小米", "花生油", "绿豆", "红豆", "燕麦片", "玉米面"]),
    ("调味", ["食盐", "生抽酱油", "老陈醋", "白糖", "蚝油", "鸡精", "料酒", "花椒", "八角", "豆瓣酱"]),
    ("日用", ["卫生纸", "牙膏", "牙刷", "毛巾", "香皂", "洗发水", "抽纸", "沐浴露", "湿巾", "衣架"]),
    ("清洁", ["洗洁精", "洗衣粉", "洗衣液", "消毒液", "垃圾袋", "百洁布", "拖把", "扫帚", "洁厕灵", "钢丝球"]),
    ("文具", ["笔记本", "中性笔", "铅笔", "橡皮", "文具盒", "彩笔", "尺子", "书包", "作业本", "胶水"]),
    ("食品", ["饼干", "方便面", "牛奶", "鸡蛋", "酸奶", "蜂蜜", "红枣", "核桃", "木耳", "香菇"]),
    ("服务券", ["水果兑换券", "物业费抵扣券", "理发券", "家电清洗券", "午餐券", "修鞋券", "磨刀券", "体检券", "洗车券", "家政券"]),
]
ACTIVITIES = ["垃圾分类", "志愿服务", "社区清扫", "邻里互助", "文明劝导", "敬老助残", "环境整治", "疫苗宣传"]


# ----------------------------------------------------------------------------- helpers

def log(text=""):
    print(text, flush=True)


def percentile(values, q):
    """Nearest-rank percentile of ``values`` (q in 0..1)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


def ms(seconds):
    return seconds * 1000.0


def utc_text(moment):
    """A timestamp as peewee stores it in SQLite."""
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def utcnow_text():
    return utc_text(datetime.now(timezone.utc).replace(tzinfo=None))


def ean13(body12):
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body12))
    return body12 + str((10 - total % 10) % 10)


def sqlite_url(path):
    return "sqlite:///" + str(Path(path).resolve())


def raw_connect(path):
    """A raw sqlite3 connection with the app's pragmas (WAL, synchronous=FULL, foreign keys)."""
    conn = sqlite3.connect(str(path), isolation_level=None, timeout=10)
    for name, value in kiosk_db.SQLITE_PRAGMAS.items():
        conn.execute(f"PRAGMA {name} = {value}")
    return conn


def count_rows(path, tables):
    conn = sqlite3.connect(str(path))
    try:
        return {t: conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        conn.close()


def checkpoint(path):
    conn = sqlite3.connect(str(path))
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


def remove_db(path):
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def open_app_db(path):
    """Point kiosk's database proxy at ``path`` (the app's own connect) and open it."""
    kiosk_db.connect(sqlite_url(path))
    kiosk_db.database.connect(reuse_if_open=True)
    return kiosk_db.database


def close_app_db():
    if kiosk_db.database.obj is not None and not kiosk_db.database.is_closed():
        kiosk_db.database.close()


# ----------------------------------------------------------------------------- data

class StoreBuilder:
    """Writes a consistent store with raw sqlite3 ``executemany`` in big batches.

    Invariants kept (so ``kiosk verify`` passes): each account's balance is the sum of its
    ledger entries and each entry's balance_after the running sum; each product's quantity
    is the sum of its stock movements; each redemption entry has its sale, sale lines and
    stock movements with matching totals.
    """

    BATCH = 50_000
    REBUILD_INDEXES_FROM = 100_000
    REDEEM_SHARE = 0.30
    ADJUST_SHARE = 0.01
    SPAN = timedelta(days=3 * 365)

    def __init__(self, path, households, products, total_entries, seed):
        self.path = Path(path)
        self.rng = random.Random(seed)
        self.n_households = households
        self.n_products = products
        self.total_entries = total_entries
        self.entries_written = 0
        today = datetime.now(timezone.utc).replace(tzinfo=None, hour=0, minute=0, second=0, microsecond=0)
        self.start = today - self.SPAN - timedelta(days=1)  # midnight: _when() counts from it
        self._dates = {}
        self.step_us = max(1, int(self.SPAN.total_seconds() * 1_000_000 // max(1, total_entries)))

    # -- schema and fixed data

    def create(self, pin_hash):
        open_app_db(self.path)
        applied = schema.upgrade()
        close_app_db()
        with self._bulk() as conn:
            self._base(conn, pin_hash)
        return applied

    @contextlib.contextmanager
    def _bulk(self):
        """A raw connection for bulk loading: synchronous=OFF and a big cache, one transaction.

        synchronous is per connection, so the app's connections (FULL) are unaffected; the
        WAL is checkpointed and truncated when the load commits.
        """
        conn = sqlite3.connect(str(self.path), isolation_level=None)
        conn.execute("PRAGMA journal_mode = wal")
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("PRAGMA cache_size = -512000")
        conn.execute("PRAGMA temp_store = MEMORY")
        conn.execute("PRAGMA foreign_keys = OFF")  # rows are written parents first; checked below
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            conn.close()
            raise
        conn.execute("COMMIT")
        broken = conn.execute("PRAGMA foreign_key_check").fetchmany(5)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
        if broken:
            raise RuntimeError(f"bulk load broke foreign keys: {broken}")

    def _name(self):
        return self.rng.choice(SURNAMES) + "".join(self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2))))

    def _base(self, conn, pin_hash):
        rng = self.rng
        created = utc_text(self.start)
        # Every other store setting takes its model default, so new settings need no change here.
        from kiosk.stores.models import Store

        values = {"id": 1, "name": "基准测试信义积分超市", "code": STORE_CODE, "created_at": created}
        for field in Store._meta.sorted_fields:
            if field.column_name not in values and field.default is not None and not callable(field.default):
                values[field.column_name] = field.default
        conn.execute(f"INSERT INTO store ({', '.join(values)}) VALUES ({', '.join('?' * len(values))})",
                     tuple(values.values()))
        self.store_id = 1
        staff = [(1, "王店长", "manager"), (2, "李运营", "operations"), (3, "张收银", "cashier")]
        conn.executemany(
            "INSERT INTO staff (id, store_id, name, role, pin_hash, active, failed_attempts, locked_until, created_at)"
            " VALUES (?, 1, ?, ?, ?, 1, 0, NULL, ?)",
            [(sid, name, role, pin_hash, created) for sid, name, role in staff],
        )
        self.manager_id, self.operations_id, self.cashier_id = 1, 2, 3

        households = []
        for i in range(self.n_households):
            building, rest = divmod(i, 96)
            unit, rest = divmod(rest, 24)
            floor, door = divmod(rest, 4)
            households.append((i + 1, str(building + 1), str(unit + 1), f"{floor + 1}0{door + 1}",
                               rng.randint(1, 5), "" if rng.random() < 0.3 else f"13{rng.randrange(10**9):09d}", created))
        conn.executemany(
            "INSERT INTO household (id, store_id, community, building, unit, room, members, phone, created_at)"
            " VALUES (?, 1, '', ?, ?, ?, ?, ?, ?)", households)

        # One account per household, plus ~2% personal accounts with no household.
        accounts = [(i + 1, i + 1, self._name(), created) for i in range(self.n_households)]
        accounts += [(len(accounts) + j + 1, None, self._name(), created) for j in range(self.n_households // 50)]
        conn.executemany(
            "INSERT INTO account (id, store_id, household_id, holder_name, balance, created_at)"
            " VALUES (?, 1, ?, ?, 0, ?)", accounts)
        self.n_accounts = len(accounts)
        self.balance = [0] * (self.n_accounts + 1)  # by account id
        self.opened = [False] * (self.n_accounts + 1)

        # ~1.2 cards per household; ~1% of cards lost, each with a replacement issued.
        cards, number = [], 10_000_001
        self.card_of = [0] * (self.n_accounts + 1)  # an active card per account (for sales)
        for account_id, household_id, holder, _ in accounts:
            count = 2 if household_id is not None and account_id % 5 == 0 else 1
            for k in range(count):
                holder_name = holder if k == 0 else self._name()  # a second card for another member
                lost = rng.random() < 0.01
                for status in (("lost", "active") if lost else ("active",)):
                    card_id = len(cards) + 1
                    cards.append((card_id, str(number), account_id, holder_name, status, created,
                                  created if status == "lost" else None))
                    if status == "active":
                        self.card_of[account_id] = self.card_of[account_id] or card_id
                    number += 1
        conn.executemany(
            "INSERT INTO card (id, store_id, number, account_id, holder_name, status, issued_at, revoked_at)"
            " VALUES (?, 1, ?, ?, ?, ?, ?, ?)", cards)
        self.n_cards = len(cards)

        products, order = [], 0
        self.points, self.product_names = [0], [""]
        per_category = max(1, math.ceil(self.n_products / len(CATEGORIES)))
        for c, (category, names) in enumerate(CATEGORIES):
            for k in range(per_category):
                if order >= self.n_products:
                    break
                name = names[k % len(names)] + ("" if k < len(names) else f" {k // len(names) + 1}号")
                points = rng.choice((10, 20, 20, 30, 50, 50, 100))
                voucher = category == "服务券"
                barcode = None if voucher else ean13(f"69{c:02d}{order:08d}")
                order += 1
                products.append((order, name, category, "张" if voucher else "件", points,
                                 "voucher" if voucher else "goods", barcode, order))
                self.points.append(points)
                self.product_names.append(name)
        conn.executemany(
            "INSERT INTO product (id, store_id, name, category, unit, points, kind, barcode, active, quantity, sort_order,"
            " photo, low_stock, shelf) VALUES (?, 1, ?, ?, ?, ?, ?, ?, 1, 0, ?, '', 0, '')", products)
        self.n_products = len(products)
        self.stock = [0] * (self.n_products + 1)
        # The vouchers are honoured by a partner (kiosk.vouchers): a voucher without terms is not sold.
        conn.execute("INSERT INTO partner (id, store_id, name, contact, honours, pin_hash, active, created_at,"
                     " session_version) VALUES (1, 1, '基准测试合作商家', '', '', '', 1, ?, 0)", (created,))
        conn.executemany(
            "INSERT INTO voucher_terms (product_id, partner_id, face, face_value_fen, valid_days, holder)"
            " VALUES (?, 1, ?, 0, 30, 'household')", [(row[0], row[1]) for row in products if row[5] == "voucher"])

        self.chain_head = chain.GENESIS  # the store's ledger hash chain, as kiosk.ledger.chain links it
        self.next_id = {t: 1 for t in ("ledger_entry", "sale", "sale_line", "stock_movement", "audit_event")}
        self.rows = {t: [] for t in self.next_id}
        for product_id in range(1, self.n_products + 1):
            self._move(product_id, 2000, "stock_in", "opening-stock", self.manager_id, "期初入库", created)
        self._flush(conn)
        self._write_caches(conn)
        # Hot and cold accounts: a few households earn and spend far more than most.
        self.hot = list(range(1, self.n_accounts + 1))
        rng.shuffle(self.hot)

    # -- history

    def _when(self):
        """The timestamp of the next entry: history spreads evenly over three years."""
        day, us = divmod(self.entries_written * self.step_us, 86_400_000_000)
        date = self._dates.get(day)
        if date is None:
            date = self._dates[day] = (self.start + timedelta(days=day)).strftime("%Y-%m-%d")
        seconds, us = divmod(us, 1_000_000)
        minutes, seconds = divmod(seconds, 60)
        hours, minutes = divmod(minutes, 60)
        return f"{date} {hours:02d}:{minutes:02d}:{seconds:02d}.{us:06d}"

    def _id(self, table):
        value = self.next_id[table]
        self.next_id[table] = value + 1
        return value

    def _move(self, product_id, delta, kind, reference, staff_id, note, when):
        self.stock[product_id] += delta
        self.rows["stock_movement"].append(
            (self._id("stock_movement"), product_id, delta, kind, reference, staff_id, note, self.stock[product_id], when))

    def _entry(self, account_id, delta, kind, reference, staff_id, note, when):
        self.balance[account_id] += delta
        row = (self._id("ledger_entry"), account_id, delta, kind, reference, staff_id, note, self.balance[account_id], when)
        self.chain_head = chain.entry_hash(self.chain_head, *row)
        self.rows["ledger_entry"].append(row + (self.chain_head,))

    def _sale(self, account_id, when):
        rng = self.rng
        products = rng.sample(range(1, self.n_products + 1), rng.choice((1, 1, 2, 2, 3)))
        total = sum(self.points[p] for p in products)
        if total > self.balance[account_id]:
            return False
        sale_id = self._id("sale")
        reference = f"sale:{sale_id}"
        before = self.balance[account_id]
        self.rows["sale"].append((sale_id, f"history-{sale_id:010d}", account_id,
                                  self.card_of[account_id], self.cashier_id, total, before, before - total, when))
        for product_id in products:
            self.rows["sale_line"].append((self._id("sale_line"), sale_id, product_id,
                                           self.product_names[product_id], self.points[product_id], 1))
            if self.stock[product_id] < 1:
                self._move(product_id, 500, "stock_in", "restock", self.operations_id, "补货", when)
            self._move(product_id, -1, "sale", reference, self.cashier_id, "", when)
        self._entry(account_id, -total, "redeem", reference, self.cashier_id, "", when)
        return True

    def grow(self, count):
        """Append ``count`` ledger entries (and what they imply) in one bulk transaction.

        For a big load the secondary indexes of the tables it fills are dropped first and
        created again afterwards from their own SQL (sorting once beats a million random
        index inserts); the schema ends up exactly as ``upgrade()`` made it.
        """
        rng, n = self.rng, self.n_accounts
        with self._bulk() as conn, self._indexes_rebuilt(conn, count >= self.REBUILD_INDEXES_FROM):
            for _ in range(count):
                when = self._when()
                self.entries_written += 1
                account_id = self.hot[int(n * rng.random() ** 1.6)]
                if not self.opened[account_id]:
                    self.opened[account_id] = True
                    self._entry(account_id, rng.randrange(100, 1001, 10), "opening", "import",
                                self.manager_id, "纸质存折期初积分", when)
                else:
                    r = rng.random()
                    if not (r < self.REDEEM_SHARE and self._sale(account_id, when)):
                        if r > 1 - self.ADJUST_SHARE and self.balance[account_id] >= 10:
                            delta = rng.choice((-10, 10))
                            self._entry(account_id, delta, "adjust", "correction", self.manager_id, "更正", when)
                        else:
                            activity = (self.entries_written // 500) % len(ACTIVITIES)
                            self._entry(account_id, rng.choice((5, 10, 10, 20, 20, 30, 50)), "earn",
                                        f"act:{self.entries_written // 500:05d}", self.operations_id,
                                        ACTIVITIES[activity], when)
                if len(self.rows["ledger_entry"]) >= self.BATCH:
                    self._flush(conn)
            # Keep enough stock on every shelf for the benchmark's own checkouts.
            when = self._when()
            for product_id in range(1, self.n_products + 1):
                if self.stock[product_id] < 1000:
                    self._move(product_id, 2000 - self.stock[product_id], "stock_in", "restock",
                               self.operations_id, "补货", when)
            self._flush(conn)
            self._write_caches(conn)

    @contextlib.contextmanager
    def _indexes_rebuilt(self, conn, rebuild):
        indexes = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (%s)"
            % ", ".join("?" * len(WRITTEN_TABLES)), WRITTEN_TABLES).fetchall() if rebuild else []
        for name, _ in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        yield
        for _, sql in indexes:
            conn.execute(sql)

    def _flush(self, conn):
        inserts = {
            # A history sale's number in its store (serial) is its id: the one store counts them.
            "sale": "INSERT INTO sale (id, serial, store_id, idempotency_key, account_id, card_id, staff_id, total,"
                    " balance_before, balance_after, picked_up_by, created_at)"
                    " VALUES (?1, ?1, 1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, '', ?9)",
            "sale_line": "INSERT INTO sale_line (id, sale_id, product_id, name, points, quantity, refunded_quantity)"
                         " VALUES (?, ?, ?, ?, ?, ?, 0)",
            "ledger_entry": "INSERT INTO ledger_entry (id, account_id, delta, kind, reference, staff_id, note,"
                            " balance_after, created_at, hash, store_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
            "stock_movement": "INSERT INTO stock_movement (id, product_id, delta, kind, reference, staff_id, note,"
                              " quantity_after, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            "audit_event": "INSERT INTO audit_event (id, store_id, staff_id, action, detail, created_at)"
                           " VALUES (?, 1, ?, ?, ?, ?)",
        }
        # Each sale's receipt job (kiosk queues it with the sale), printed long ago.
        jobs = [(row[0], row[-1], row[-1], row[-1]) for row in self.rows["sale"]]
        for table in ("sale", "sale_line", "ledger_entry", "stock_movement", "audit_event"):
            if self.rows[table]:
                conn.executemany(inserts[table], self.rows[table])
                self.rows[table].clear()
        conn.executemany(PRINTED_JOB, jobs)

    def _write_caches(self, conn):
        conn.executemany("UPDATE account SET balance = ? WHERE id = ?",
                         [(self.balance[a], a) for a in range(1, self.n_accounts + 1)])
        conn.executemany("UPDATE product SET quantity = ? WHERE id = ?",
                         [(self.stock[p], p) for p in range(1, self.n_products + 1)])
        entries = self.next_id["ledger_entry"] - 1
        conn.execute("INSERT OR REPLACE INTO ledger_chain (store_id, head, last_entry_id, length) VALUES (?, ?, ?, ?)",
                     (self.store_id, self.chain_head, entries or None, entries))
        # The store's sale counter (kiosk.stores.numbering) after the history's sales.
        conn.execute("INSERT OR REPLACE INTO document_counter (store_id, kind, last) VALUES (?, 'sale', ?)",
                     (self.store_id, self.next_id["sale"] - 1))


# ----------------------------------------------------------------------------- state and plans

class StoreState:
    """What the benchmark needs to know of the store: read fresh from the database."""

    def __init__(self, path):
        conn = sqlite3.connect(str(path))
        try:
            self.store_id = conn.execute("SELECT id FROM store WHERE code = ?", (STORE_CODE,)).fetchone()[0]
            self.cashier_id = conn.execute("SELECT id FROM staff WHERE role = 'cashier' ORDER BY id").fetchone()[0]
            self.cards = conn.execute(
                "SELECT id, number, account_id FROM card WHERE status = 'active' ORDER BY id").fetchall()
            self.balance = dict(conn.execute("SELECT id, balance FROM account"))
            self.products = {pid: (name, points, quantity) for pid, name, points, quantity in conn.execute(
                "SELECT id, name, points, quantity FROM product WHERE active = 1")}
            self.entries = conn.execute("SELECT COUNT(*) FROM ledger_entry").fetchone()[0]
        finally:
            conn.close()

    def plan(self, rng, count, quantities=(1, 1, 2)):
        """``count`` carts of 3 lines, each affordable for its card's account and in stock."""
        stock = {pid: q for pid, (_, _, q) in self.products.items()}
        plans = []
        for _ in range(count):
            choices = [pid for pid, q in stock.items() if q >= 2]
            items = [(pid, rng.choice(quantities)) for pid in rng.sample(choices, LINES_PER_CHECKOUT)]
            total = sum(self.products[pid][1] * qty for pid, qty in items)
            for _attempt in range(10_000):
                card_id, number, account_id = rng.choice(self.cards)
                if self.balance[account_id] >= total:
                    break
            else:
                raise RuntimeError("no account can afford a cart: the store data is too poor")
            self.balance[account_id] -= total
            for pid, qty in items:
                stock[pid] -= qty
            plans.append({"card_id": card_id, "number": number, "account_id": account_id,
                          "items": items, "total": total, "key": secrets.token_urlsafe(24)})
        return plans


# ----------------------------------------------------------------------------- in process

def measure_lookups(paths, key, sample, block=20, warmup=200, reconnect=False):
    """Seconds per lookup on each of ``paths`` ({label: path}): find_card, then the account's
    balance and household, as the cashier's scan does.

    With several files the lookups alternate between them in blocks of ``block``, so a busy
    neighbour slows them alike. With ``reconnect`` every lookup opens a new connection first, as every
    HTTP request does (kiosk.db.init_app).
    """
    payloads = [card_payload(STORE_CODE, number, key) for _, number, _ in sample]
    databases = {}
    for label, path in paths.items():
        databases[label] = kiosk_db.connect(sqlite_url(path))
        databases[label].connect()
    store = Store.get(Store.code == STORE_CODE)

    def lookup(payload):
        card = find_card(store, payload, key)
        account = card.account
        household = account.household
        return account.balance, household.label if household else ""

    clock = time.perf_counter
    times = {label: [] for label in paths}
    for label, database in databases.items():
        kiosk_db.database.initialize(database)
        for payload in payloads[:warmup]:
            lookup(payload)
    for start in range(0, len(payloads), block):
        for label, database in databases.items():
            kiosk_db.database.initialize(database)
            for payload in payloads[start:start + block]:
                if reconnect:
                    database.close()
                    started = clock()
                    database.connect()
                else:
                    started = clock()
                lookup(payload)
                times[label].append(clock() - started)
    for database in databases.values():
        database.close()
    return times


def ours_checkout(store, plan, staff_id):
    result = checkout_service.checkout(store, plan["card_id"], plan["items"], staff_id, plan["key"],
                                       expected_total=plan["total"])
    if not result.created:
        raise RuntimeError("checkout found an earlier sale for a fresh key")


PRINTED_JOB = ("INSERT INTO print_job (store_id, document_kind, document_id, kind, receipt, reprint, status, attempts, error, created_at,"
               " printed_at, next_attempt_at, uncertain, unconfirmed)"
               " VALUES (1, 'sale', ?, 'receipt', '{}', 0, 'printed', 1, '', ?, ?, ?, 0, 0)")


class RawCheckout:
    """The same rows as kiosk's checkout, written by hand with sqlite3 in one IMMEDIATE transaction."""

    def __init__(self, path, state):
        self.conn = raw_connect(path)
        self.products = state.products
        self.store_id = state.store_id

    def __call__(self, plan, staff_id):
        conn, total, account_id = self.conn, plan["total"], plan["account_id"]
        now = utcnow_text()
        conn.execute("BEGIN IMMEDIATE")
        try:
            row = conn.execute("UPDATE account SET balance = balance - ? WHERE id = ? AND balance >= ? RETURNING balance",
                               (total, account_id, total)).fetchall()
            if not row:
                raise RuntimeError("raw checkout: insufficient points")
            balance_after = row[0][0]
            sale_id = conn.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM sale").fetchone()[0]
            # The sale's number in its store, from the store's counter as kiosk.stores.numbering does.
            serial = conn.execute("UPDATE document_counter SET last = last + 1 WHERE store_id = ? AND kind = 'sale'"
                                  " RETURNING last", (self.store_id,)).fetchone()[0]
            conn.execute(
                "INSERT INTO sale (id, serial, store_id, idempotency_key, account_id, card_id, staff_id, total,"
                " balance_before, balance_after, picked_up_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?)",
                (sale_id, serial, self.store_id, plan["key"], account_id, plan["card_id"],
                 staff_id, total, balance_after + total, balance_after, now))
            reference = f"sale:{sale_id}"
            # The ledger hash chain, as kiosk.ledger.chain.link does it: lock the store's head,
            # number the entry, hash it over the head, move the head.
            store_id, previous = conn.execute(
                "UPDATE ledger_chain SET length = length + 1 WHERE store_id = (SELECT store_id FROM account WHERE id = ?)"
                " RETURNING store_id, head", (account_id,)).fetchone()
            entry_id = conn.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM ledger_entry").fetchone()[0]
            digest = chain.entry_hash(previous, entry_id, account_id, -total, "redeem", reference, staff_id, "",
                                      balance_after, now)
            conn.execute(
                "INSERT INTO ledger_entry (id, account_id, delta, kind, reference, staff_id, note, balance_after,"
                " created_at, hash, store_id) VALUES (?, ?, ?, 'redeem', ?, ?, '', ?, ?, ?, ?)",
                (entry_id, account_id, -total, reference, staff_id, balance_after, now, digest, store_id))
            conn.execute("UPDATE ledger_chain SET head = ?, last_entry_id = ? WHERE store_id = ?",
                         (digest, entry_id, store_id))
            for product_id, quantity in plan["items"]:
                name, points, _ = self.products[product_id]
                conn.execute("INSERT INTO sale_line (sale_id, product_id, name, points, quantity, refunded_quantity)"
                             " VALUES (?, ?, ?, ?, ?, 0)", (sale_id, product_id, name, points, quantity))
                row = conn.execute("UPDATE product SET quantity = quantity - ? WHERE id = ? AND quantity >= ?"
                                   " RETURNING quantity", (quantity, product_id, quantity)).fetchall()
                if not row:
                    raise RuntimeError("raw checkout: out of stock")
                conn.execute(
                    "INSERT INTO stock_movement (product_id, delta, kind, reference, staff_id, note, quantity_after,"
                    " created_at) VALUES (?, ?, 'sale', ?, ?, '', ?, ?)",
                    (product_id, -quantity, reference, staff_id, row[0][0], now))
            conn.execute(PRINTED_JOB, (sale_id, now, now, now))  # the receipt job, as kiosk queues it
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def close(self):
        self.conn.close()


def set_limits(path, period):
    """Limit every product to 999 per ``period`` and account (nothing is refused), or remove
    every limit when ``period`` is None."""
    conn = raw_connect(path)
    try:
        conn.execute("DELETE FROM product_limit")
        if period is not None:
            conn.execute("INSERT INTO product_limit (product_id, quantity, period, per_member, updated_by_id, updated_at)"
                         " SELECT id, 999, ?, 0, NULL, ? FROM product", (period, utcnow_text()))
    finally:
        conn.close()


def measure_checkouts(path, raw_path, state, plans, block=10, warmup=None):
    """Alternate kiosk's checkout (on ``path``) and the raw transaction (on ``raw_path``) in blocks.

    Both run the same carts in the same order on identical copies, so both write the same rows.
    Returns (ours seconds, raw seconds) per checkout.
    """
    warmup = CHECKOUT_WARMUP if warmup is None else warmup
    database = open_app_db(path)
    store = Store.get(Store.code == STORE_CODE)
    raw = RawCheckout(raw_path, state)
    staff_id = state.cashier_id
    clock = time.perf_counter
    ours_times, raw_times = [], []
    for plan in plans[:warmup]:
        ours_checkout(store, plan, staff_id)
        raw(plan, staff_id)
    rest = plans[warmup:]
    for start in range(0, len(rest), block):
        chunk = rest[start:start + block]
        for plan in chunk:
            started = clock()
            ours_checkout(store, plan, staff_id)
            ours_times.append(clock() - started)
        for plan in chunk:
            started = clock()
            raw(plan, staff_id)
            raw_times.append(clock() - started)
    raw.close()
    database.close()
    return ours_times, raw_times


# ----------------------------------------------------------------------------- over HTTP

def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """`python -m kiosk serve` (waitress) on a free port of 127.0.0.1, stopped on exit."""

    def __init__(self, instance, db_path, workdir, store_code=None):
        """``db_path``: a SQLite file, or a database URL; ``store_code``: the served store
        (KIOSK_STORE), for a database of several stores."""
        self.port = free_port()
        self.log_path = Path(workdir) / "server.log"
        url = db_path if isinstance(db_path, str) and "://" in db_path else sqlite_url(db_path)
        self.env = dict(os.environ, KIOSK_INSTANCE_PATH=str(instance), KIOSK_DATABASE_URL=url,
                        KIOSK_PORT=str(self.port), KIOSK_HOST="127.0.0.1", KIOSK_PRINTER="virtual://")
        if store_code:
            self.env["KIOSK_STORE"] = store_code
        self.process = None

    def __enter__(self):
        self.log_file = open(self.log_path, "w")
        self.process = subprocess.Popen([sys.executable, "-m", "kiosk", "serve"], env=self.env, cwd=str(ROOT),
                                        stdout=self.log_file, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    conn.close()
                    return self
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.__exit__(None, None, None)
                raise RuntimeError("kiosk serve did not start:\n" + self.log_path.read_text()[-3000:])
            time.sleep(0.2)

    def __exit__(self, *exc):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None
        self.log_file.close()
        return False


class Browser:
    """A keep-alive HTTP/1.1 client with a cookie jar of its own, like one kiosk screen."""

    CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')

    def __init__(self, port):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies = {}
        self.csrf = ""

    def request(self, method, path, form=None, htmx=False, cookies=True):
        headers = {}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if htmx:
            headers["HX-Request"] = "true"
        if cookies and self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body, headers)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionError):
                self.conn.close()
                if attempt == 2:
                    raise
        if cookies:
            for header in response.msg.get_all("Set-Cookie") or []:
                name, _, rest = header.partition("=")
                value = rest.split(";", 1)[0]
                if not value or "expires=thu, 01 jan 1970" in header.lower():
                    self.cookies.pop(name.strip(), None)
                else:
                    self.cookies[name.strip()] = value
        text = data.decode("utf-8", "replace")
        found = self.CSRF.search(text)
        if found:
            self.csrf = found.group(1)
        return response.status, text

    def post(self, path, form, htmx=True):
        return self.request("POST", path, dict(form, csrf_token=self.csrf), htmx=htmx)

    def sign_in(self, staff_id, pin):
        self.request("GET", f"/signin/{staff_id}")
        status, _ = self.post(f"/signin/{staff_id}", {"pin": pin}, htmx=False)
        if status != 302:
            raise RuntimeError(f"sign-in failed with HTTP {status}")
        status, page = self.request("GET", "/cashier/")
        if status != 200 or 'id="scan-form"' not in page:
            raise RuntimeError(f"the cashier screen did not open (HTTP {status})")

    def close(self):
        self.conn.close()


def hidden(name, text):
    found = re.search(rf'name="{name}" value="([^"]*)"', text)
    if not found:
        raise RuntimeError(f"no hidden input {name!r} in the page")
    return found.group(1)


def http_flow(browser, plan, payload):
    """scan → add ×3 → checkout, as the cashier screen's htmx does; returns per-step seconds."""
    clock = time.perf_counter
    steps = {}
    started = clock()
    status, page = browser.post("/cashier/scan", {"code": payload})
    steps["scan"] = clock() - started
    if status != 200 or 'data-testid="balance"' not in page:
        raise RuntimeError(f"scan refused (HTTP {status})")
    started = clock()
    for product_id, quantity in plan["items"]:
        for _ in range(quantity):
            status, page = browser.post("/cashier/cart/add", {"product_id": product_id})
            if status != 200:
                raise RuntimeError(f"add refused (HTTP {status})")
    steps["add"] = clock() - started
    form = {"key": hidden("key", page), "version": hidden("version", page), "total": hidden("total", page)}
    if int(form["total"]) != plan["total"]:
        raise RuntimeError(f"the page shows total {form['total']}, expected {plan['total']}")
    started = clock()
    status, page = browser.post("/cashier/checkout", form)
    steps["checkout"] = clock() - started
    if status != 200 or 'data-testid="new-balance"' not in page:
        raise RuntimeError(f"checkout refused (HTTP {status})")
    return steps


def measure_http(instance, db_path, workdir, state, key, plans, healthz_count, block=10, warmup=None, store_code=None):
    warmup = HTTP_WARMUP if warmup is None else warmup
    results = {"flows": [], "requests": 0, "scan": [], "checkout": [], "healthz": [], "failures": []}
    with Server(instance, db_path, workdir, store_code) as server:
        cashier = Browser(server.port)
        probe = Browser(server.port)  # the baseline: no cookie, a plain GET
        cashier.sign_in(state.cashier_id, PIN)
        clock = time.perf_counter

        def flow(plan):
            payload = card_payload(store_code or STORE_CODE, plan["number"], key)
            started = clock()
            steps = http_flow(cashier, plan, payload)
            return clock() - started, steps

        def healthz():
            started = clock()
            status, _ = probe.request("GET", "/healthz", cookies=False)
            if status != 200:
                raise RuntimeError(f"/healthz answered HTTP {status}")
            return clock() - started

        for plan in plans[:warmup]:
            flow(plan)
        for _ in range(min(50, healthz_count)):
            healthz()
        rest = plans[warmup:]
        rounds = max(1, math.ceil(len(rest) / block))
        per_round = max(1, math.ceil(healthz_count / rounds))
        for start in range(0, len(rest), block):
            for plan in rest[start:start + block]:
                try:
                    seconds, steps = flow(plan)
                except RuntimeError as exc:
                    results["failures"].append(str(exc))
                    cashier.post("/cashier/cancel", {})  # clear the half-done cart for the next flow
                    continue
                results["flows"].append(seconds)
                results["requests"] += 2 + sum(q for _, q in plan["items"])
                results["scan"].append(steps["scan"])
                results["checkout"].append(steps["checkout"])
            for _ in range(per_round):
                results["healthz"].append(healthz())
        cashier.close()
        probe.close()
    return results


# ----------------------------------------------------------------------------- report

class Report:
    def __init__(self):
        self.rows = []

    def add(self, metric, value, baseline="", ratio=None, target="", ok=None):
        self.rows.append((metric, value, baseline, "" if ratio is None else f"{ratio:.2f}", target,
                          "" if ok is None else ("PASS" if ok else "FAIL")))

    def print(self):
        header = ("metric", "value", "baseline", "ratio", "target", "result")
        widths = [max(_width(str(row[i])) for row in [header, *self.rows]) for i in range(len(header))]
        line = "  ".join("-" * w for w in widths)
        log()
        log(_fmt(header, widths))
        log(line)
        for row in self.rows:
            log(_fmt(row, widths))
        log(line)

    def as_json(self):
        keys = ("metric", "value", "baseline", "ratio", "target", "result")
        return [dict(zip(keys, row)) for row in self.rows]


def _width(text):
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _fmt(row, widths):
    return "  ".join(str(cell) + " " * (w - _width(str(cell))) for cell, w in zip(row, widths)).rstrip()


# ----------------------------------------------------------------------------- main

def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--households", type=int, help="households in the store (default 20,000; --quick 2,000); "
                        "with a district, in the whole district (default 125,000; --quick 2,000)")
    parser.add_argument("--entries", type=int, help="ledger entries at full size (default 1,000,000; --quick 50,000); "
                        "with a district, in the whole district (default 2,000,000; --quick 50,000)")
    parser.add_argument("--products", type=int, default=140, help="products on sale (default 140), in each store")
    parser.add_argument("--lookups", type=int, help="timed card lookups per measurement (default 2,000)")
    parser.add_argument("--checkouts", type=int, help="in-process checkouts, each way (default 500; --quick 200); "
                        "with a district, each way for each number of clients (default 400; --quick 60)")
    parser.add_argument("--flows", type=int, help="HTTP scan→add×3→checkout flows (default 200; --quick 50; "
                        "with a district, on each engine: 100; --quick 30)")
    parser.add_argument("--healthz", type=int, help="GET /healthz requests for the HTTP baseline (default 2,000; "
                        "with a district 1,000; --quick 300)")
    parser.add_argument("--quick", action="store_true", help="small sizes for a smoke run")
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--keep", metavar="DIR", help="build in DIR (must be new or empty) and keep it afterwards")
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON (e.g. bench/results/…)")
    district = parser.add_argument_group(
        "district (bench/district.py)",
        "Any of these runs the district benchmark instead: N stores in one database, measured against a raw-SQL "
        "baseline and against one store of the same size on SQLite, in the same run.")
    district.add_argument("--database-url", metavar="URL",
                          help="an EMPTY database to build the district in, e.g. postgresql://user@host:5432/name")
    district.add_argument("--engine", choices=("sqlite", "postgres"),
                          help="without --database-url: postgres starts a throwaway cluster (tests/pg.py: initdb in a "
                               "temporary folder, a free port, fsync off), sqlite a file in the working folder")
    district.add_argument("--stores", type=int, help="stores in the district (default 50; --quick 4)")
    district.add_argument("--verify-rounds", type=int, default=3,
                          help="times `verify --store` runs on each side, alternating (default 3; the median counts)")
    district.add_argument("--verify-all", action="store_true",
                          help="also verify the whole district (done anyway up to 200,000 entries)")
    args = parser.parse_args(argv)
    args.district = bool(args.database_url or args.engine or args.stores is not None)
    if args.district:
        defaults = dict(stores=4, households=2_000, entries=50_000, lookups=500, checkouts=60, flows=30, healthz=300) \
            if args.quick else dict(stores=50, households=125_000, entries=2_000_000, lookups=2_000, checkouts=400,
                                    flows=100, healthz=1_000)
    else:
        defaults = dict(households=2_000, entries=50_000, lookups=2_000, checkouts=200, flows=50, healthz=1_000) \
            if args.quick else dict(households=20_000, entries=1_000_000, lookups=2_000, checkouts=500, flows=200,
                                    healthz=2_000)
    for name, value in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    for name in ("households", "entries", "products", "lookups", "checkouts", "flows", "healthz"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    if args.products < LINES_PER_CHECKOUT:
        parser.error(f"--products must be at least {LINES_PER_CHECKOUT}")
    if args.district:
        if args.verify_rounds < 1:
            parser.error("--verify-rounds must be at least 1")
        if args.stores < 1 or args.stores > 999:
            parser.error("--stores must be between 1 and 999")
        if args.households < args.stores:
            parser.error("--households must be at least --stores (the district's households are shared out)")
        if args.database_url and args.engine:
            parser.error("give --database-url or --engine, not both")
    return args


def main(argv=None):
    args = parse_args(argv)
    if args.keep:
        workdir = Path(args.keep).resolve()
        if workdir.exists() and any(workdir.iterdir()):
            sys.exit(f"--keep {workdir}: the folder is not empty")
        workdir.mkdir(parents=True, exist_ok=True)
        cleanup = contextlib.nullcontext()
    else:
        cleanup = tempfile.TemporaryDirectory(prefix="kiosk-bench-")
        workdir = Path(cleanup.name)
    try:
        with cleanup:
            if args.district:
                import district

                district.run(args, workdir)
            else:
                run(args, workdir)
    finally:
        close_app_db()
        if args.keep:
            log(f"kept {workdir}")
    return 0


def run(args, workdir):
    rng = random.Random(args.seed + 1)
    report = Report()
    instance = workdir / "instance"
    keys.ensure(str(instance))
    key = keys.load(str(instance))["CARD_SIGNING_KEY"]
    db_path = workdir / "kiosk.db"
    raw_path = workdir / "raw.db"
    small_path = workdir / "small.db"
    small = min(SMALL_ENTRIES, args.entries)
    log(f"kiosk checkout benchmark: {args.households:,} households, {args.entries:,} ledger entries, "
        f"{args.products} products; SQLite {sqlite3.sqlite_version}, Python {sys.version.split()[0]}, "
        f"{os.cpu_count()} CPUs; working in {workdir}")
    load_before = os.getloadavg()[0]
    if load_before > 0.5:
        log(f"note: load average {load_before:.2f} before starting: other processes share the CPUs, so absolute "
            "figures are noisy (each ratio is measured alternating with its baseline to keep it fair)")
    run_started = time.perf_counter()

    # 1. The store, then the first ~10,000 entries.
    started = time.perf_counter()
    pin_hash = generate_password_hash(PIN)  # slow on purpose: once
    builder = StoreBuilder(db_path, args.households, args.products, args.entries, args.seed)
    builder.create(pin_hash)
    builder.grow(small)
    log(f"built the store: {builder.n_accounts:,} accounts, {builder.n_cards:,} cards, {builder.n_products} products, "
        f"{builder.entries_written:,} entries in {time.perf_counter() - started:.1f} s")

    # 2. Lookup at ~10,000 entries; a snapshot of this database is kept for step 3.
    state = StoreState(db_path)
    sample = [rng.choice(state.cards) for _ in range(args.lookups)]
    first = measure_lookups({"small": db_path}, key, sample)["small"]
    small_entries = state.entries
    log(f"lookup at {small_entries:,} entries: p50 {ms(percentile(first, .5)):.3f} ms, "
        f"p95 {ms(percentile(first, .95)):.3f} ms")
    checkpoint(db_path)
    shutil.copyfile(db_path, small_path)

    # 3. Grow to the full size; measure again with the same cards, alternating with the snapshot.
    started = time.perf_counter()
    builder.grow(args.entries - small)
    grow_seconds = time.perf_counter() - started
    counts = count_rows(db_path, WRITTEN_TABLES)
    log(f"grew to {builder.entries_written:,} entries in {grow_seconds:.1f} s "
        f"({(builder.entries_written - small) / max(grow_seconds, 1e-9):,.0f} entries/s); rows: "
        + ", ".join(f"{t} {n:,}" for t, n in counts.items())
        + f"; file {db_path.stat().st_size / 2**20:,.0f} MiB")
    state = StoreState(db_path)
    both = measure_lookups({"big": db_path, "small": small_path}, key, sample)
    big_times, small_times = both["big"], both["small"]
    fresh_times = measure_lookups({"big": db_path}, key, sample, reconnect=True)["big"]
    remove_db(small_path)
    log(f"lookup at {state.entries:,} entries: p50 {ms(percentile(big_times, .5)):.3f} ms, "
        f"p95 {ms(percentile(big_times, .95)):.3f} ms (alternating with the {small_entries:,}-entry snapshot: "
        f"p50 {ms(percentile(small_times, .5)):.3f} ms, p95 {ms(percentile(small_times, .95)):.3f} ms); "
        f"with a new connection each time: p50 {ms(percentile(fresh_times, .5)):.3f} ms")

    p95 = ms(percentile(big_times, .95))
    report.add(f"lookup p50 in process @{state.entries:,}", f"{ms(percentile(big_times, .5)):.3f} ms")
    report.add(f"lookup p95 in process @{state.entries:,}", f"{p95:.3f} ms", target=f"< {LOOKUP_P95_TARGET_MS:g} ms",
               ok=p95 < LOOKUP_P95_TARGET_MS)
    for q, label in ((.5, "p50"), (.95, "p95")):
        grown, base = percentile(big_times, q), percentile(small_times, q)
        report.add(f"lookup {label} @{state.entries:,} vs @{small_entries:,}", f"{ms(grown):.3f} ms",
                   f"{ms(base):.3f} ms", grown / base,
                   *((f"<= {GROWTH_RATIO_TARGET:g}", grown / base <= GROWTH_RATIO_TARGET)
                     if label == "p50" else ("~1", None)))
    report.add("lookup p50, new connection each", f"{ms(percentile(fresh_times, .5)):.3f} ms",
               f"{ms(percentile(big_times, .5)):.3f} ms", percentile(fresh_times, .5) / percentile(big_times, .5),
               "info")

    # 4. Checkout in process against the raw transaction on a copy of the same file.
    checkpoint(db_path)
    shutil.copyfile(db_path, raw_path)
    before = count_rows(db_path, WRITTEN_TABLES)
    plans = state.plan(rng, args.checkouts + CHECKOUT_WARMUP)
    ours, raw = measure_checkouts(db_path, raw_path, state, plans)
    ours_added = {t: n - before[t] for t, n in count_rows(db_path, WRITTEN_TABLES).items()}
    raw_added = {t: n - before[t] for t, n in count_rows(raw_path, WRITTEN_TABLES).items()}
    same_rows = ours_added == raw_added
    ours_rate, raw_rate = len(ours) / sum(ours), len(raw) / sum(raw)
    per_checkout = {t: round(n / len(plans), 2) for t, n in ours_added.items()}
    log(f"checkout in process: ours {ours_rate:,.0f}/s (p50 {ms(percentile(ours, .5)):.2f} ms), "
        f"raw sqlite3 {raw_rate:,.0f}/s (p50 {ms(percentile(raw, .5)):.2f} ms); rows per checkout {per_checkout}"
        + ("" if same_rows else f"; ROWS DIFFER: ours {ours_added} raw {raw_added}"))
    remove_db(raw_path)
    report.add("checkout in process", f"{ours_rate:,.0f} /s", f"{raw_rate:,.0f} /s raw", ours_rate / raw_rate,
               f">= {CHECKOUT_RATIO_TARGET:g}", ours_rate / raw_rate >= CHECKOUT_RATIO_TARGET)
    report.add("checkout p50 in process", f"{ms(percentile(ours, .5)):.2f} ms", f"{ms(percentile(raw, .5)):.2f} ms",
               percentile(ours, .5) / percentile(raw, .5), "info")
    report.add("same rows as raw", "yes" if same_rows else "NO", "", None, "yes", same_rows)

    # 4b. The same with a (generous) yearly limit on every product: what counting the account's
    # redemptions of the year inside the transaction costs. Removed again before step 5.
    checkpoint(db_path)
    shutil.copyfile(db_path, raw_path)
    set_limits(db_path, "year")
    state = StoreState(db_path)
    plans = state.plan(rng, max(1, args.checkouts // 2) + CHECKOUT_WARMUP)
    limited, limited_raw = measure_checkouts(db_path, raw_path, state, plans)
    set_limits(db_path, None)
    remove_db(raw_path)
    limited_rate, limited_raw_rate = len(limited) / sum(limited), len(limited_raw) / sum(limited_raw)
    log(f"checkout in process, every line limited: ours {limited_rate:,.0f}/s (p50 {ms(percentile(limited, .5)):.2f} ms), "
        f"raw sqlite3 {limited_raw_rate:,.0f}/s")
    report.add("checkout in process, every line limited", f"{limited_rate:,.0f} /s", f"{limited_raw_rate:,.0f} /s raw",
               limited_rate / limited_raw_rate, "info")

    # 5. Over HTTP: the real server, full flows against /healthz.
    state = StoreState(db_path)
    plans = state.plan(rng, args.flows + HTTP_WARMUP, quantities=(1,))  # one tap per line: add ×3
    http = measure_http(instance, db_path, workdir, state, key, plans, args.healthz)
    if http["flows"]:
        flow_seconds = sum(http["flows"])
        flows_rate = len(http["flows"]) / flow_seconds
        request_rate = http["requests"] / flow_seconds
        healthz_rate = len(http["healthz"]) / sum(http["healthz"])
        log(f"over HTTP: {flows_rate:,.1f} flows/s ({request_rate:,.0f} req/s), /healthz {healthz_rate:,.0f} req/s; "
            f"scan p50 {ms(percentile(http['scan'], .5)):.2f} ms, checkout POST p50 "
            f"{ms(percentile(http['checkout'], .5)):.2f} ms, /healthz p50 {ms(percentile(http['healthz'], .5)):.2f} ms"
            + (f"; {len(http['failures'])} failed flows, first: {http['failures'][0]}" if http["failures"] else ""))
        hz50, hz95 = percentile(http["healthz"], .5), percentile(http["healthz"], .95)
        report.add("checkout flows over HTTP", f"{flows_rate:,.1f} flows/s = {request_rate:,.0f} req/s",
                   f"{healthz_rate:,.0f} req/s healthz", request_rate / healthz_rate, "info")
        report.add("scan (lookup) p50 over HTTP", f"{ms(percentile(http['scan'], .5)):.2f} ms",
                   f"{ms(hz50):.2f} ms healthz", percentile(http["scan"], .5) / hz50, "info")
        report.add("scan (lookup) p95 over HTTP", f"{ms(percentile(http['scan'], .95)):.2f} ms",
                   f"{ms(hz95):.2f} ms healthz", percentile(http["scan"], .95) / hz95, "info")
        report.add("checkout POST p50 over HTTP", f"{ms(percentile(http['checkout'], .5)):.2f} ms",
                   f"{ms(hz50):.2f} ms healthz", percentile(http["checkout"], .5) / hz50, "info")
    report.add("HTTP flows failed", f"{len(http['failures'])} of {args.flows}", "", None, "0",
               not http["failures"])

    # 6. The books still balance.
    from kiosk.reports.verify import verify

    open_app_db(db_path)
    started = time.perf_counter()
    problems = verify()
    verify_seconds = time.perf_counter() - started
    close_app_db()
    log(f"verify: {len(problems)} problem(s) in {verify_seconds:.1f} s" + "".join(f"\n  {p}" for p in problems[:10]))
    report.add("verify() problems", str(len(problems)), "", None, "0", not problems)
    report.add("verify() time", f"{verify_seconds:.1f} s", "", None, "info")

    report.print()
    load_after = os.getloadavg()[0]
    log(f"total {time.perf_counter() - run_started:.0f} s; load average {load_before:.2f} before, "
        f"{load_after:.2f} after (this benchmark itself keeps about 1 CPU busy)")
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps({
            "when": utcnow_text(), "households": args.households, "entries": args.entries,
            "products": args.products, "sqlite": sqlite3.sqlite_version, "cpus": os.cpu_count(),
            "load_before": load_before, "load_after": load_after,
            "rows": report.as_json(),
        }, ensure_ascii=False, indent=2))
        log(f"wrote {args.json}")


if __name__ == "__main__":
    sys.exit(main())
