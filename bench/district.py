"""District benchmark: many stores in one database (a district server on PostgreSQL).

Run through ``bench/checkout.py`` with ``--database-url``, ``--engine postgres`` or ``--stores``
(see bench/README.md). It builds a district of N stores in one database (households, cards,
products and a ledger history per store, each store's hash chain valid), and in the same run
one store of the same per-store size in a SQLite file, then measures against baselines of the
same run:

* card lookup in the district (p50/p95; target p95 under 20 ms), alternating with the
  same lookup on the SQLite store;
* checkout rate with 1, 4 and 8 concurrent clients (threads, each with its own connection),
  in different stores and in the same store, against a hand-written SQL transaction writing
  the same rows with the same concurrency; the SQLite store's rates the same way;
* ``verify(store_id=…)`` (what ``kiosk verify --store CODE`` runs) for one store of the
  district, against the same on the SQLite store (both must find 0 problems).
"""
import contextlib
import io
import math
import os
import random
import sqlite3
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlparse

import checkout as base  # bench/checkout.py (it registers itself under this name)
from kiosk import db as kiosk_db
from kiosk import schema
from kiosk.cards.service import card_payload, find_card
from kiosk.ledger import chain
from kiosk.stores.models import Store

DISTRICT_LOOKUP_P95_TARGET_MS = 20.0
CLIENTS = (1, 4, 8)
CLIENT_WARMUP = 3  # untimed checkouts of each client first (1 for tiny runs)
# The tables a checkout adds rows to; kiosk's and the raw transaction must add the same.
ADDED_TABLES = ("sale", "sale_line", "ledger_entry", "stock_movement", "print_job")
# The history tables the bulk load fills: their secondary indexes are built once afterwards.
HISTORY_TABLES = ("sale", "sale_line", "ledger_entry", "stock_movement", "print_job")

log, percentile, ms = base.log, base.percentile, base.ms


def store_code(index):
    return f"S{index + 1:03d}"


def engine_of(url):
    return "postgres" if urlparse(url).scheme.startswith("postgres") else "sqlite"


# ----------------------------------------------------------------------------- bulk writers

def _copy_text(value):
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, str):
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return str(value)


class PostgresSink:
    """Bulk rows into PostgreSQL with COPY, on a connection of its own, in one transaction.

    Foreign-key triggers are off for this connection when it may (session_replication_role,
    superuser only): rows are written parents first anyway, and verify() checks the result.
    """

    engine = "postgres"

    def __init__(self, url):
        import psycopg2

        self.conn = psycopg2.connect(url)
        self.cursor = self.conn.cursor()
        try:
            self.cursor.execute("SET session_replication_role = replica")
            self.triggers_off = True
        except psycopg2.Error:
            self.conn.rollback()
            self.triggers_off = False
        self.cursor.execute("SET maintenance_work_mem = '256MB'")

    def insert(self, table, columns, rows):
        if not rows:
            return
        buffer = io.StringIO()
        buffer.write("".join("\t".join(_copy_text(v) for v in row) + "\n" for row in rows))
        buffer.seek(0)
        self.cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer)

    def update_column(self, table, column, pairs):
        """SET column = value WHERE id = id for (id, value) pairs, through a temporary table."""
        self.cursor.execute(f"CREATE TEMPORARY TABLE bench_update (id integer PRIMARY KEY, value integer) ON COMMIT DROP")
        self.insert("bench_update", ("id", "value"), pairs)
        self.cursor.execute(f"UPDATE {table} t SET {column} = u.value FROM bench_update u WHERE t.id = u.id")
        self.cursor.execute("DROP TABLE bench_update")

    def execute(self, sql, params=()):
        self.cursor.execute(sql.replace("?", "%s"), params)

    def commit(self):
        self.conn.commit()

    @contextlib.contextmanager
    def indexes_rebuilt(self, tables, rebuild):
        """Drop the secondary indexes of ``tables`` (not those behind a primary key or a
        constraint) and create them again from their own definitions afterwards."""
        indexes = []
        if rebuild:
            self.cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = ANY(%s)"
                " AND indexname NOT IN (SELECT conname FROM pg_constraint)", (list(tables),))
            indexes = self.cursor.fetchall()
            for name, _ in indexes:
                self.cursor.execute(f'DROP INDEX "{name}"')
        yield
        for _, sql in indexes:
            self.cursor.execute(sql)

    def finish(self):
        """Move every id sequence past the ids written here, then VACUUM ANALYZE."""
        self.cursor.execute(
            "SELECT table_name FROM information_schema.columns WHERE table_schema = current_schema()"
            " AND column_name = 'id' AND column_default LIKE 'nextval%%'")
        for (table,) in self.cursor.fetchall():
            self.cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT MAX(id) FROM {table}), 0) + 1,"
                " false)")
        self.conn.commit()
        self.conn.autocommit = True
        started = time.perf_counter()
        self.cursor.execute("VACUUM ANALYZE")
        self.vacuum_seconds = time.perf_counter() - started
        self.conn.close()


class SqliteSink:
    """Bulk rows into a SQLite file with executemany (synchronous=OFF on this connection only)."""

    engine = "sqlite"

    def __init__(self, path):
        self.conn = sqlite3.connect(str(path), isolation_level=None)
        self.conn.execute("PRAGMA journal_mode = wal")
        self.conn.execute("PRAGMA synchronous = OFF")
        self.conn.execute("PRAGMA cache_size = -512000")
        self.conn.execute("PRAGMA temp_store = MEMORY")
        self.conn.execute("PRAGMA foreign_keys = OFF")
        self.conn.execute("BEGIN IMMEDIATE")
        self.vacuum_seconds = 0.0

    def insert(self, table, columns, rows):
        if rows:
            self.conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                                  rows)

    def update_column(self, table, column, pairs):
        self.conn.executemany(f"UPDATE {table} SET {column} = ? WHERE id = ?", [(v, i) for i, v in pairs])

    def execute(self, sql, params=()):
        self.conn.execute(sql, params)

    def commit(self):
        self.conn.execute("COMMIT")
        self.conn.execute("BEGIN IMMEDIATE")

    @contextlib.contextmanager
    def indexes_rebuilt(self, tables, rebuild):
        indexes = self.conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (%s)"
            % ", ".join("?" * len(tables)), tables).fetchall() if rebuild else []
        for name, _ in indexes:
            self.conn.execute(f'DROP INDEX "{name}"')
        yield
        for _, sql in indexes:
            self.conn.execute(sql)

    def finish(self):
        self.conn.execute("COMMIT")
        broken = self.conn.execute("PRAGMA foreign_key_check").fetchmany(5)
        self.conn.execute("ANALYZE")
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.conn.close()
        if broken:
            raise RuntimeError(f"bulk load broke foreign keys: {broken}")


# ----------------------------------------------------------------------------- the district

class DistrictBuilder:
    """N stores in one database, each as bench/checkout.py's StoreBuilder makes its one store:
    households (one account each, 2% personal accounts), ~1.2 cards per household, products in
    7 categories, and a three-year ledger history (opening, earn, adjust, redeem with its sale,
    lines, stock movements and printed receipt job). The stores' histories interleave in time
    and in ids, as on a real district server; each store's entries form its own hash chain.
    """

    BATCH = 50_000
    REBUILD_INDEXES_FROM = 100_000
    REDEEM_SHARE = base.StoreBuilder.REDEEM_SHARE
    ADJUST_SHARE = base.StoreBuilder.ADJUST_SHARE
    SPAN = base.StoreBuilder.SPAN

    def __init__(self, sink, stores, households, products, entries, seed):
        self.sink = sink
        self.rng = random.Random(seed)
        self.n_stores = stores
        self.households_per_store = households
        self.products_per_store = products
        self.total_entries = entries
        self.entries_written = 0
        today = datetime.now(timezone.utc).replace(tzinfo=None, hour=0, minute=0, second=0, microsecond=0)
        self.start = today - self.SPAN - timedelta(days=1)
        self._dates = {}
        self.step_us = max(1, int(self.SPAN.total_seconds() * 1_000_000 // max(1, entries)))

    _name = base.StoreBuilder._name
    _when = base.StoreBuilder._when

    def _id(self, table):
        value = self.next_id[table]
        self.next_id[table] = value + 1
        return value

    def build(self, pin_hash):
        self._base(pin_hash)
        self._grow(self.total_entries)
        self.sink.finish()

    def _base(self, pin_hash):
        rng, sink = self.rng, self.sink
        created = base.utc_text(self.start)
        stores, staff = [], []
        store_columns = ["id", "name", "code", "created_at"]
        defaults = [(f.column_name, f.default) for f in Store._meta.sorted_fields
                    if f.column_name not in store_columns and f.default is not None and not callable(f.default)]
        store_columns += [name for name, _ in defaults]
        self.cashier, self.manager, self.operations = [], [], []
        for s in range(self.n_stores):
            stores.append((s + 1, f"基准测试第{s + 1}社区积分超市", store_code(s), created, *(v for _, v in defaults)))
            for k, (name, role, ids) in enumerate((("王店长", "manager", self.manager), ("李运营", "operations", self.operations),
                                                   ("张收银", "cashier", self.cashier))):
                staff_id = 3 * s + k + 1
                staff.append((staff_id, s + 1, name, role, pin_hash, True, 0, None, created))
                ids.append(staff_id)
        sink.insert("store", store_columns, stores)
        sink.insert("staff", ("id", "store_id", "name", "role", "pin_hash", "active", "failed_attempts", "locked_until",
                              "created_at"), staff)

        households, accounts, cards, products = [], [], [], []
        self.store_of = [0]  # account id -> store index
        self.card_of = [0]
        self.hot = []  # per store: its account ids, busiest first
        self.points, self.product_names, self.products_of = [0], [""], []
        number = 10_000_001
        for s in range(self.n_stores):
            first_account = len(accounts) + 1
            for i in range(self.households_per_store):
                building, rest = divmod(i, 96)
                unit, rest = divmod(rest, 24)
                floor, door = divmod(rest, 4)
                household_id = len(households) + 1
                households.append((household_id, s + 1, "", str(building + 1), str(unit + 1), f"{floor + 1}0{door + 1}",
                                   rng.randint(1, 5), "" if rng.random() < 0.3 else f"13{rng.randrange(10**9):09d}",
                                   created))
                accounts.append((len(accounts) + 1, s + 1, household_id, self._name(), 0, created))
            for _ in range(self.households_per_store // 50):
                accounts.append((len(accounts) + 1, s + 1, None, self._name(), 0, created))
            store_accounts = list(range(first_account, len(accounts) + 1))
            for account_id in store_accounts:
                self.store_of.append(s)
                self.card_of.append(0)
                household_id, holder = accounts[account_id - 1][2], accounts[account_id - 1][3]
                count = 2 if household_id is not None and account_id % 5 == 0 else 1
                for k in range(count):
                    holder_name = holder if k == 0 else self._name()
                    lost = rng.random() < 0.01
                    for status in (("lost", "active") if lost else ("active",)):
                        card_id = len(cards) + 1
                        cards.append((card_id, s + 1, str(number), account_id, holder_name, status, created,
                                      created if status == "lost" else None))
                        if status == "active":
                            self.card_of[account_id] = self.card_of[account_id] or card_id
                        number += 1
            rng.shuffle(store_accounts)
            self.hot.append(store_accounts)
            ids, order = [], 0
            per_category = max(1, math.ceil(self.products_per_store / len(base.CATEGORIES)))
            for c, (category, names) in enumerate(base.CATEGORIES):
                for k in range(per_category):
                    if order >= self.products_per_store:
                        break
                    name = names[k % len(names)] + ("" if k < len(names) else f" {k // len(names) + 1}号")
                    points = rng.choice((10, 20, 20, 30, 50, 50, 100))
                    voucher = category == "服务券"
                    order += 1
                    product_id = len(products) + 1
                    products.append((product_id, s + 1, name, category, "张" if voucher else "件", points,
                                     "voucher" if voucher else "goods", None if voucher else base.ean13(f"69{c:02d}{order:08d}"),
                                     True, 0, order, "", 0, ""))
                    self.points.append(points)
                    self.product_names.append(name)
                    ids.append(product_id)
            self.products_of.append(ids)
        sink.insert("household", ("id", "store_id", "community", "building", "unit", "room", "members", "phone",
                                  "created_at"), households)
        sink.insert("account", ("id", "store_id", "household_id", "holder_name", "balance", "created_at"), accounts)
        sink.insert("card", ("id", "store_id", "number", "account_id", "holder_name", "status", "issued_at", "revoked_at"),
                    cards)
        sink.insert("product", ("id", "store_id", "name", "category", "unit", "points", "kind", "barcode", "active",
                                "quantity", "sort_order", "photo", "low_stock", "shelf"), products)
        # Each store's vouchers are honoured by its partner (kiosk.vouchers): without terms none is sold.
        sink.insert("partner", ("id", "store_id", "name", "contact", "honours", "pin_hash", "active", "created_at",
                                "session_version"),
                    [(s + 1, s + 1, "基准测试合作商家", "", "", "", True, created, 0) for s in range(self.n_stores)])
        sink.insert("voucher_terms", ("id", "product_id", "partner_id", "face", "face_value_fen", "valid_days", "holder"),
                    [(i + 1, row[0], row[1], row[2], 0, 30, "household")
                     for i, row in enumerate(r for r in products if r[6] == "voucher")])
        self.n_accounts, self.n_cards, self.n_products = len(accounts), len(cards), len(products)
        self.balance = [0] * (self.n_accounts + 1)
        self.opened = [False] * (self.n_accounts + 1)
        self.stock = [0] * (self.n_products + 1)
        self.store_of_product = [0] + [s for s in range(self.n_stores) for _ in self.products_of[s]]
        self.chain_head = [chain.GENESIS] * self.n_stores
        self.chain_last = [None] * self.n_stores
        self.chain_length = [0] * self.n_stores
        self.next_id = {t: 1 for t in ("ledger_entry", "sale", "sale_line", "stock_movement")}
        self.rows = {t: [] for t in (*self.next_id, "print_job")}
        self.sale_serial = [0] * self.n_stores  # each store numbers its own sales (kiosk.stores.numbering)
        for product_id in range(1, self.n_products + 1):
            s = self.store_of_product[product_id]
            self._move(product_id, 2000, "stock_in", "opening-stock", self.manager[s], "期初入库", created)
        self._flush()
        sink.commit()

    def _move(self, product_id, delta, kind, reference, staff_id, note, when):
        self.stock[product_id] += delta
        self.rows["stock_movement"].append(
            (self._id("stock_movement"), product_id, delta, kind, reference, staff_id, note, self.stock[product_id], when))

    def _entry(self, account_id, delta, kind, reference, staff_id, note, when):
        s = self.store_of[account_id]
        self.balance[account_id] += delta
        row = (self._id("ledger_entry"), account_id, delta, kind, reference, staff_id, note, self.balance[account_id], when)
        self.chain_head[s] = chain.entry_hash(self.chain_head[s], *row)
        self.chain_last[s] = row[0]
        self.chain_length[s] += 1
        self.rows["ledger_entry"].append(row + (self.chain_head[s], s + 1))  # store ids are 1..n

    def _sale(self, account_id, when):
        rng, s = self.rng, self.store_of[account_id]
        products = rng.sample(self.products_of[s], rng.choice((1, 1, 2, 2, 3)))
        total = sum(self.points[p] for p in products)
        if total > self.balance[account_id]:
            return False
        sale_id = self._id("sale")
        reference = f"sale:{sale_id}"
        before = self.balance[account_id]
        cashier = self.cashier[s]
        self.sale_serial[s] += 1
        self.rows["sale"].append((sale_id, self.sale_serial[s], s + 1, f"history-{sale_id:010d}", account_id, self.card_of[account_id], cashier,
                                  total, before, before - total, "", when))
        self.rows["print_job"].append((s + 1, "sale", sale_id, "receipt", "{}", False, "printed", 1, "", when, when, when,
                                       False, False))
        for product_id in products:
            self.rows["sale_line"].append((self._id("sale_line"), sale_id, product_id, self.product_names[product_id],
                                           self.points[product_id], 1, 0))
            if self.stock[product_id] < 1:
                self._move(product_id, 500, "stock_in", "restock", self.operations[s], "补货", when)
            self._move(product_id, -1, "sale", reference, cashier, "", when)
        self._entry(account_id, -total, "redeem", reference, cashier, "", when)
        return True

    def _grow(self, count):
        rng, sink = self.rng, self.sink
        with sink.indexes_rebuilt(HISTORY_TABLES, count >= self.REBUILD_INDEXES_FROM):
            for _ in range(count):
                when = self._when()
                self.entries_written += 1
                s = rng.randrange(self.n_stores)
                hot = self.hot[s]
                account_id = hot[int(len(hot) * rng.random() ** 1.6)]
                if not self.opened[account_id]:
                    self.opened[account_id] = True
                    self._entry(account_id, rng.randrange(100, 1001, 10), "opening", "import",
                                self.manager[s], "纸质存折期初积分", when)
                else:
                    r = rng.random()
                    if not (r < self.REDEEM_SHARE and self._sale(account_id, when)):
                        if r > 1 - self.ADJUST_SHARE and self.balance[account_id] >= 10:
                            self._entry(account_id, rng.choice((-10, 10)), "adjust", "correction", self.manager[s],
                                        "更正", when)
                        else:
                            activity = (self.entries_written // 500) % len(base.ACTIVITIES)
                            self._entry(account_id, rng.choice((5, 10, 10, 20, 20, 30, 50)), "earn",
                                        f"act:{self.entries_written // 500:05d}", self.operations[s],
                                        base.ACTIVITIES[activity], when)
                if len(self.rows["ledger_entry"]) >= self.BATCH:
                    self._flush()
            when = self._when()
            for product_id in range(1, self.n_products + 1):
                if self.stock[product_id] < 1000:
                    self._move(product_id, 2000 - self.stock[product_id], "stock_in", "restock",
                               self.operations[self.store_of_product[product_id]], "补货", when)
            self._flush()
            self.index_started = time.perf_counter()
        self.index_seconds = time.perf_counter() - self.index_started
        sink.update_column("account", "balance", [(a, self.balance[a]) for a in range(1, self.n_accounts + 1)])
        sink.update_column("product", "quantity", [(p, self.stock[p]) for p in range(1, self.n_products + 1)])
        sink.execute("DELETE FROM ledger_chain")
        sink.insert("ledger_chain", ("store_id", "head", "last_entry_id", "length"),
                    [(s + 1, self.chain_head[s], self.chain_last[s], self.chain_length[s]) for s in range(self.n_stores)])
        sink.execute("DELETE FROM document_counter WHERE kind = 'sale'")
        sink.insert("document_counter", ("store_id", "kind", "last"),
                    [(s + 1, "sale", self.sale_serial[s]) for s in range(self.n_stores)])
        sink.commit()

    def _flush(self):
        columns = {
            "sale": ("id", "serial", "store_id", "idempotency_key", "account_id", "card_id", "staff_id", "total", "balance_before",
                     "balance_after", "picked_up_by", "created_at"),
            "sale_line": ("id", "sale_id", "product_id", "name", "points", "quantity", "refunded_quantity"),
            "ledger_entry": ("id", "account_id", "delta", "kind", "reference", "staff_id", "note", "balance_after",
                             "created_at", "hash", "store_id"),
            "stock_movement": ("id", "product_id", "delta", "kind", "reference", "staff_id", "note", "quantity_after",
                               "created_at"),
            "print_job": ("store_id", "document_kind", "document_id", "kind", "receipt", "reprint", "status", "attempts", "error", "created_at",
                          "printed_at", "next_attempt_at", "uncertain", "unconfirmed"),
        }
        for table in ("sale", "sale_line", "ledger_entry", "stock_movement", "print_job"):
            self.sink.insert(table, columns[table], self.rows[table])
            self.rows[table].clear()


# ----------------------------------------------------------------------------- what the benchmark reads

def read_stores(indexes=None):
    """{store index: StoreState-like object} read through the app's connection (either engine)."""
    stores = {}
    for store in Store.select().order_by(Store.id):
        index = int(store.code[1:]) - 1
        if indexes is None or index in indexes:
            stores[index] = store_state(store)
    return stores


def store_state(store):
    """A StoreState-like object of ``store`` (its cashier, active cards, balances and goods on
    sale), read through the app's connection (either engine): what checkout plans are made from."""
    database, p = kiosk_db.database, kiosk_db.database.param
    state = base.StoreState.__new__(base.StoreState)
    state.store = store
    state.store_id = store.id
    state.cashier_id = database.execute_sql(
        f"SELECT id FROM staff WHERE store_id = {p} AND role = 'cashier' ORDER BY id", [store.id]).fetchone()[0]
    state.cards = [tuple(r) for r in database.execute_sql(
        f"SELECT id, number, account_id FROM card WHERE store_id = {p} AND status = 'active' ORDER BY id", [store.id])]
    state.balance = dict(database.execute_sql(f"SELECT id, balance FROM account WHERE store_id = {p}", [store.id]))
    state.products = {pid: (name, points, quantity) for pid, name, points, quantity in database.execute_sql(
        f"SELECT id, name, points, quantity FROM product WHERE store_id = {p} AND active = {p}", [store.id, True])}
    return state


def count_rows():
    return {t: kiosk_db.database.execute_sql(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ADDED_TABLES}


# ----------------------------------------------------------------------------- the raw transaction

class RawCheckout:
    """kiosk's checkout rows written by hand in one transaction, on either engine, taking the
    locks in kiosk's order (the store's chain row, the account, the products)."""

    def __init__(self, url, products):
        self.engine = engine_of(url)
        self.products = products  # product id -> (name, points)
        if self.engine == "postgres":
            import psycopg2

            self.conn = psycopg2.connect(url)
            self.mark = "%s"
        else:
            self.conn = base.raw_connect(url.split("://", 1)[1][1:])
            self.mark = "?"
        self.cursor = self.conn.cursor()

    def _one(self, sql, params):
        self.cursor.execute(sql.replace("?", self.mark), params)
        return self.cursor.fetchone()

    def __call__(self, plan, staff_id):
        total, account_id, store_id = plan["total"], plan["account_id"], plan["store_id"]
        now = base.utcnow_text()
        one = self._one
        if self.engine == "sqlite":
            self.cursor.execute("BEGIN IMMEDIATE")
        try:
            previous = one("UPDATE ledger_chain SET length = length + 1 WHERE store_id = ? RETURNING head", (store_id,))[0]
            row = one("UPDATE account SET balance = balance - ? WHERE id = ? AND balance >= ? RETURNING balance",
                      (total, account_id, total))
            if row is None:
                raise RuntimeError("raw checkout: insufficient points")
            balance_after = row[0]
            # The sale's number in its store, from the store's counter (kiosk.stores.numbering),
            # after the account as in kiosk's lock order.
            serial = one("UPDATE document_counter SET last = last + 1 WHERE store_id = ? AND kind = 'sale'"
                         " RETURNING last", (store_id,))[0]
            sale_id = one("INSERT INTO sale (serial, store_id, idempotency_key, account_id, card_id, staff_id, total,"
                          " balance_before, balance_after, picked_up_by, created_at)"
                          " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?)"
                          " RETURNING id", (serial, store_id, plan["key"], account_id, plan["card_id"], staff_id, total,
                                            balance_after + total, balance_after, now))[0]
            reference = f"sale:{sale_id}"
            if self.engine == "postgres":
                entry_id = one("SELECT nextval(pg_get_serial_sequence('ledger_entry', 'id'))", ())[0]
            else:
                entry_id = one("SELECT COALESCE(MAX(id), 0) + 1 FROM ledger_entry", ())[0]
            digest = chain.entry_hash(previous, entry_id, account_id, -total, "redeem", reference, staff_id, "",
                                      balance_after, now)
            self.cursor.execute(
                ("INSERT INTO ledger_entry (id, account_id, delta, kind, reference, staff_id, note, balance_after,"
                 " created_at, hash, store_id) VALUES (?, ?, ?, 'redeem', ?, ?, '', ?, ?, ?, ?)").replace("?", self.mark),
                (entry_id, account_id, -total, reference, staff_id, balance_after, now, digest, store_id))
            self.cursor.execute("UPDATE ledger_chain SET head = ?, last_entry_id = ? WHERE store_id = ?".replace("?", self.mark),
                                (digest, entry_id, store_id))
            for product_id, quantity in plan["items"]:
                name, points = self.products[product_id]
                self.cursor.execute(
                    ("INSERT INTO sale_line (sale_id, product_id, name, points, quantity, refunded_quantity)"
                     " VALUES (?, ?, ?, ?, ?, 0)").replace("?", self.mark), (sale_id, product_id, name, points, quantity))
                row = one("UPDATE product SET quantity = quantity - ? WHERE id = ? AND quantity >= ? RETURNING quantity",
                          (quantity, product_id, quantity))
                if row is None:
                    raise RuntimeError("raw checkout: out of stock")
                self.cursor.execute(
                    ("INSERT INTO stock_movement (product_id, delta, kind, reference, staff_id, note, quantity_after,"
                     " created_at) VALUES (?, ?, 'sale', ?, ?, '', ?, ?)").replace("?", self.mark),
                    (product_id, -quantity, reference, staff_id, row[0], now))
            self.cursor.execute(
                ("INSERT INTO print_job (store_id, document_kind, document_id, kind, receipt, reprint, status, attempts,"
                 " error, created_at, printed_at, next_attempt_at, uncertain, unconfirmed)"
                 " VALUES (?, 'sale', ?, 'receipt', '{}', ?, 'printed', 1, '', ?, ?, ?, ?, ?)").replace("?", self.mark),
                (store_id, sale_id, False, now, now, now, False, False))
            if self.engine == "sqlite":
                self.cursor.execute("COMMIT")
            else:
                self.conn.commit()
        except BaseException:
            if self.engine == "sqlite":
                self.cursor.execute("ROLLBACK")
            else:
                self.conn.rollback()
            raise

    def close(self):
        self.conn.close()


# ----------------------------------------------------------------------------- measurements

class RawLookup:
    """The scan's reads as one hand-written query (card by store and number, its account's
    balance, its household), on a raw connection of either engine: the engine's own cost."""

    def __init__(self, url):
        if engine_of(url) == "postgres":
            import psycopg2

            self.conn = psycopg2.connect(url)
            self.conn.autocommit = True
            mark = "%s"
        else:
            self.conn = base.raw_connect(url.split("://", 1)[1][1:])
            mark = "?"
        self.cursor = self.conn.cursor()
        self.sql = ("SELECT c.id, c.status, a.balance, h.building, h.unit, h.room FROM card c"
                    " JOIN account a ON a.id = c.account_id LEFT JOIN household h ON h.id = a.household_id"
                    f" WHERE c.store_id = {mark} AND c.number = {mark}")

    def __call__(self, store, number):
        self.cursor.execute(self.sql, (store.id, number))
        row = self.cursor.fetchone()
        if row is None:
            raise RuntimeError(f"raw lookup: no card {number}")
        return row

    def close(self):
        self.conn.close()


def measure_lookups(sides, key, block=20, warmup=100):
    """Seconds per card lookup for each side ({label: (database, [(store, card number)])}),
    alternating in blocks: find_card, then the account's balance and household, as the scan does.
    A side whose database is a RawLookup runs its one query instead."""

    def lookup(store, payload):
        card = find_card(store, payload, key)
        account = card.account
        household = account.household
        return account.balance, household.label if household else ""

    prepared = {}
    for label, (database, sample) in sides.items():
        if isinstance(database, RawLookup):
            prepared[label] = (database, sample)
        else:
            prepared[label] = (database, [(store, card_payload(store.code, number, key)) for store, number in sample])

    def activate(database):
        if isinstance(database, RawLookup):
            return database
        kiosk_db.database.initialize(database)
        database.connect(reuse_if_open=True)
        return lookup

    for database, sample in prepared.values():
        function = activate(database)
        for store, item in sample[:warmup]:
            function(store, item)
    times = {label: [] for label in sides}
    clock = time.perf_counter
    length = min(len(sample) for _, sample in prepared.values())
    for start in range(0, length, block):
        for label, (database, sample) in prepared.items():
            function = activate(database)
            for store, item in sample[start:start + block]:
                started = clock()
                function(store, item)
                times[label].append(clock() - started)
    return times


def run_clients(work, worker):
    """Run ``worker(plans)`` for each list of plans in ``work`` in its own thread, all starting
    together; returns (checkouts, wall seconds from the start to the last one's end)."""
    barrier = threading.Barrier(len(work) + 1)
    errors = []

    def body(plans):
        try:
            run = worker(plans, barrier)
        except BaseException as exc:  # reported below; the barrier is broken so nobody waits forever
            errors.append(exc)
            barrier.abort()
            return
        run()

    threads = [threading.Thread(target=body, args=(plans,)) for plans in work]
    for thread in threads:
        thread.start()
    try:
        barrier.wait(timeout=120)
    except threading.BrokenBarrierError:
        pass
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    if errors:
        raise errors[0]
    return sum(len(plans) - CLIENT_WARMUP for plans in work), seconds


def ours_worker():
    """A client of kiosk's checkout: its own connection (thread-local in peewee, from the pool)."""

    def worker(plans, barrier):
        database = kiosk_db.database
        database.connect(reuse_if_open=True)
        stores = {}
        for plan in plans:
            if plan["store_id"] not in stores:
                stores[plan["store_id"]] = Store.get_by_id(plan["store_id"])
        for plan in plans[:CLIENT_WARMUP]:
            base.ours_checkout(stores[plan["store_id"]], plan, plan["staff_id"])

        def run():
            try:
                for plan in plans[CLIENT_WARMUP:]:
                    base.ours_checkout(stores[plan["store_id"]], plan, plan["staff_id"])
            finally:
                database.close()

        barrier.wait(timeout=120)
        return run

    return worker


def raw_worker(url, products):
    def worker(plans, barrier):
        raw = RawCheckout(url, products)
        for plan in plans[:CLIENT_WARMUP]:
            raw(plan, plan["staff_id"])

        def run():
            try:
                for plan in plans[CLIENT_WARMUP:]:
                    raw(plan, plan["staff_id"])
            finally:
                raw.close()

        barrier.wait(timeout=120)
        return run

    return worker


def client_plans(rng, states, store_indexes, clients, per_client):
    """For each client a list of ``per_client`` carts in its store (``store_indexes[i]``), each
    affordable and in stock (planned together per store, so no client overdraws another's)."""
    by_store = {}
    for i in range(clients):
        by_store.setdefault(store_indexes[i], []).append(i)
    work = [None] * clients
    for index, members in by_store.items():
        state = states[index]
        plans = state.plan(rng, per_client * len(members))
        for plan in plans:
            plan["store_id"], plan["staff_id"] = state.store_id, state.cashier_id
        for k, i in enumerate(members):
            work[i] = plans[k::len(members)]
    return work


def measure_concurrency(url, rng, layout, clients, stores, per_side, count_added=False):
    """kiosk's checkout and the raw transaction, each with ``clients`` threads, in different
    stores (``stores`` = one per client) or all in one; ours, raw, raw, ours (so drift during
    the run affects both alike). Returns (ours rate, raw rate, rows added per checkout or None)."""
    per_client = max(2, math.ceil(per_side / clients / 2)) + CLIENT_WARMUP
    states = read_stores(set(stores))
    products = {pid: (name, points) for state in states.values() for pid, (name, points, _) in state.products.items()}
    totals = {"ours": [0, 0.0], "raw": [0, 0.0]}
    added = {"ours": None, "raw": None}
    for side in ("ours", "raw", "raw", "ours"):
        work = client_plans(rng, states, stores, clients, per_client)
        # plan() took the balances and stock these carts use: the next round plans on what is left
        worker = ours_worker() if side == "ours" else raw_worker(url, products)
        before = count_rows() if count_added and added[side] is None else None
        done, seconds = run_clients(work, worker)
        totals[side][0] += done
        totals[side][1] += seconds
        if before is not None:
            after = count_rows()
            checkouts = sum(len(plans) for plans in work)
            added[side] = {t: round((after[t] - before[t]) / checkouts, 2) for t in ADDED_TABLES}
    ours_rate = totals["ours"][0] / totals["ours"][1]
    raw_rate = totals["raw"][0] / totals["raw"][1]
    return ours_rate, raw_rate, (added if count_added else None)


# ----------------------------------------------------------------------------- the run

def verify_breakdown(url, code):
    """{check name: seconds} of one store's verify, check by check (kiosk.reports.verify's CHECKS
    and the daily redemptions, as verify() runs them); {} if that module is laid out otherwise."""
    from kiosk.reports import verify as module

    checks = getattr(module, "CHECKS", None)
    daily = getattr(module, "_daily_redemptions", None)
    if checks is None or daily is None:
        return {}
    kiosk_db.connect(url, pool_size=0)
    seconds = {}
    with kiosk_db.database.connection_context():
        store = Store.get(Store.code == code)
        for check in (*checks, daily):
            started = time.perf_counter()
            list(check(store.timezone, store.id) if check is daily else check(store.id))
            seconds[check.__name__.lstrip("_")] = time.perf_counter() - started
    return seconds


def start_cluster():
    """A throwaway PostgreSQL cluster (tests/pg.py: initdb in a temporary folder as a non-root
    user, a free port, fsync off); stopped when the benchmark ends."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("kiosk_bench_pg", base.ROOT / "tests" / "pg.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    cluster = module.Cluster().start()
    cluster.execute("CREATE DATABASE kiosk_bench")
    return cluster, cluster.url("kiosk_bench")


def server_version(url):
    if engine_of(url) != "postgres":
        return f"SQLite {sqlite3.sqlite_version}"
    row = kiosk_db.database.execute_sql("SHOW server_version").fetchone()
    return f"PostgreSQL {row[0].split()[0]}"


def build(url, stores, households, products, entries, seed, pin_hash):
    """Schema through the app's connection, then the bulk load; returns (builder, seconds)."""
    started = time.perf_counter()
    kiosk_db.connect(url, pool_size=0)
    with kiosk_db.database.connection_context():
        schema.upgrade()
        if Store.select().exists():
            sys.exit(f"{url}: the database already holds stores; the benchmark needs an empty database")
    sink = PostgresSink(url) if engine_of(url) == "postgres" else SqliteSink(url.split("://", 1)[1][1:])
    builder = DistrictBuilder(sink, stores, households, products, entries, seed)
    builder.build(pin_hash)
    builder.vacuum_seconds = sink.vacuum_seconds
    return builder, time.perf_counter() - started


def run(args, workdir):
    report = base.Report()
    rng = random.Random(args.seed + 1)
    instance = workdir / "instance"
    base.keys.ensure(str(instance))
    key = base.keys.load(str(instance))["CARD_SIGNING_KEY"]
    cluster = None
    url = args.database_url
    if url is None and args.engine == "postgres":
        cluster, url = start_cluster()
        log(f"started a throwaway PostgreSQL cluster (tests/pg.py, fsync off) in {cluster.folder}, port {cluster.port}")
    elif url is None:
        url = base.sqlite_url(workdir / "district.db")
    try:
        _run(args, workdir, report, rng, key, url)
    finally:
        base.close_app_db()
        if cluster is not None:
            cluster.stop()


def _run(args, workdir, report, rng, key, url):
    global CLIENT_WARMUP
    CLIENT_WARMUP = 3 if args.checkouts >= 100 else 1  # tiny runs (the test) keep the stores' points
    stores = args.stores
    households = max(1, args.households // stores)
    entries_per_store = max(1, args.entries // stores)
    load_before = os.getloadavg()[0]
    log(f"kiosk district benchmark: {stores} stores x {households:,} households, {args.entries:,} ledger entries "
        f"({entries_per_store:,} a store), {args.products} products a store; Python {sys.version.split()[0]}, "
        f"{os.cpu_count()} CPUs, load average {load_before:.2f}")
    if load_before > 0.5:
        log("note: other processes share the CPUs: absolute figures are noisy; each ratio is measured against its "
            "baseline in this run, alternating where it can")
    run_started = time.perf_counter()
    from werkzeug.security import generate_password_hash

    pin_hash = generate_password_hash(base.PIN)

    # 1. The district, and one store of the same size in a SQLite file.
    district, build_seconds = build(url, stores, households, args.products, args.entries, args.seed, pin_hash)
    kiosk_db.connect(url, pool_size=0)
    kiosk_db.database.connect()
    engine_name = server_version(url)
    built_rows = count_rows()
    log(f"built the district on {engine_name} in {build_seconds:.1f} s ({args.entries / build_seconds:,.0f} entries/s; "
        f"secondary indexes {district.index_seconds:.1f} s, VACUUM ANALYZE {district.vacuum_seconds:.1f} s): "
        f"{district.n_accounts:,} accounts, {district.n_cards:,} cards, {district.n_products:,} products; rows: "
        + ", ".join(f"{t} {n:,}" for t, n in built_rows.items()))
    size = None
    if engine_of(url) == "postgres":
        size = kiosk_db.database.execute_sql("SELECT pg_database_size(current_database())").fetchone()[0]
        log(f"database size {size / 2**20:,.0f} MiB")
    district_db = kiosk_db.database.obj
    sqlite_url = base.sqlite_url(workdir / "one-store.db")
    single, single_seconds = build(sqlite_url, 1, households, args.products, entries_per_store, args.seed + 7, pin_hash)
    log(f"built one store of the same size on SQLite {sqlite3.sqlite_version} in {single_seconds:.1f} s")
    single_db = kiosk_db.connect(sqlite_url)
    single_db.connect()

    # 2. Card lookup in the district, alternating with the SQLite store.
    kiosk_db.database.initialize(district_db)
    district_states = read_stores()
    district_sample = []
    for _ in range(args.lookups):
        state = district_states[rng.randrange(stores)]
        district_sample.append((state.store, rng.choice(state.cards)[1]))
    kiosk_db.database.initialize(single_db)
    single_state = read_stores()[0]
    single_sample = [(single_state.store, rng.choice(single_state.cards)[1]) for _ in range(args.lookups)]
    raw_lookup = RawLookup(url)
    times = measure_lookups({"district": (district_db, district_sample), "single": (single_db, single_sample),
                             "raw": (raw_lookup, district_sample)}, key)
    raw_lookup.close()
    for q, label in ((.5, "p50"), (.95, "p95")):
        ours, other = percentile(times["district"], q), percentile(times["single"], q)
        target = (f"< {DISTRICT_LOOKUP_P95_TARGET_MS:g} ms", ms(ours) < DISTRICT_LOOKUP_P95_TARGET_MS) \
            if label == "p95" else ("info", None)
        report.add(f"lookup {label}, district ({stores} stores)", f"{ms(ours):.3f} ms", f"{ms(other):.3f} ms SQLite store",
                   ours / other, *target)
        raw = percentile(times["raw"], q)
        report.add(f"lookup {label}, district, vs one raw query", f"{ms(ours):.3f} ms", f"{ms(raw):.3f} ms raw SQL",
                   ours / raw, "info")
    log(f"lookup in the district: p50 {ms(percentile(times['district'], .5)):.3f} ms, "
        f"p95 {ms(percentile(times['district'], .95)):.3f} ms; one store on SQLite: "
        f"p50 {ms(percentile(times['single'], .5)):.3f} ms, p95 {ms(percentile(times['single'], .95)):.3f} ms; "
        f"one raw query in the district: p50 {ms(percentile(times['raw'], .5)):.3f} ms, "
        f"p95 {ms(percentile(times['raw'], .95)):.3f} ms")
    district_db.close()
    single_db.close()

    # 3. Checkout with 1, 4 and 8 clients, in different stores and in one, against the raw transaction.
    kiosk_db.connect(url, pool_size=max(CLIENTS) + 4)
    kiosk_db.database.connect()
    cursor = 0
    rates = {}
    for layout in ("different stores", "same store"):
        for clients in CLIENTS:
            if layout == "different stores":
                chosen = [(cursor + i) % stores for i in range(clients)]
                cursor += clients
            else:
                chosen = [cursor % stores] * clients
                cursor += 1
            first = layout == "different stores" and clients == 1
            ours, raw, added = measure_concurrency(url, rng, layout, clients, chosen, args.checkouts, count_added=first)
            rates[(layout, clients)] = ours
            distinct = len(set(chosen))
            log(f"checkout, {clients} client(s), {layout} ({distinct} store{'s' if distinct > 1 else ''}): "
                f"ours {ours:,.0f}/s, raw SQL {raw:,.0f}/s")
            report.add(f"checkout {clients} client(s), {layout}", f"{ours:,.0f} /s", f"{raw:,.0f} /s raw SQL", ours / raw,
                       "info")
            if added is not None:
                same = added["ours"] == added["raw"]
                log(f"rows per checkout: ours {added['ours']}, raw {added['raw']}")
                report.add("same rows as raw SQL", "yes" if same else "NO", "", None, "yes", same)
    for layout in ("different stores", "same store"):
        one = rates[(layout, 1)]
        for clients in CLIENTS[1:]:
            report.add(f"scaling {clients} clients, {layout}", f"{rates[(layout, clients)]:,.0f} /s", f"{one:,.0f} /s 1 client",
                       rates[(layout, clients)] / one, "info")
    kiosk_db.database.close()
    kiosk_db.database.obj.close_all() if hasattr(kiosk_db.database.obj, "close_all") else None

    # The SQLite store, the same way (one file is one store: the same-store layout only).
    kiosk_db.connect(sqlite_url)
    kiosk_db.database.connect()
    sqlite_rates = {}
    for clients in CLIENTS:
        ours, raw, _ = measure_concurrency(sqlite_url, rng, "same store", clients, [0] * clients, args.checkouts)
        sqlite_rates[clients] = ours
        log(f"checkout on the SQLite store, {clients} client(s): ours {ours:,.0f}/s, raw sqlite3 {raw:,.0f}/s")
        report.add(f"SQLite store: checkout {clients} client(s)", f"{ours:,.0f} /s", f"{raw:,.0f} /s raw sqlite3",
                   ours / raw, "info")
    for clients in CLIENTS:
        report.add(f"district vs SQLite store, {clients} client(s) different stores",
                   f"{rates[('different stores', clients)]:,.0f} /s", f"{sqlite_rates[clients]:,.0f} /s SQLite",
                   rates[("different stores", clients)] / sqlite_rates[clients], "info")
    kiosk_db.database.close()

    # 4. Over HTTP: the real server (python -m kiosk serve, pooled connections on PostgreSQL) serving
    # one store of the district (KIOSK_STORE), full cashier flows against its /healthz; then the
    # same on the SQLite store.
    instance = workdir / "instance"
    for label, target_url, index in (("district", url, cursor % stores), ("SQLite store", sqlite_url, 0)):
        kiosk_db.connect(target_url, pool_size=0)
        with kiosk_db.database.connection_context():
            state = read_stores({index})[index]
        plans = state.plan(rng, args.flows + base.HTTP_WARMUP, quantities=(1,))
        http = base.measure_http(instance, target_url, workdir, state, key, plans, args.healthz,
                                 store_code=store_code(index))
        name = f"{label} {store_code(index)}" if label == "district" else label
        if http["flows"]:
            flow_seconds = sum(http["flows"])
            request_rate = http["requests"] / flow_seconds
            healthz_rate = len(http["healthz"]) / sum(http["healthz"])
            hz50, hz95 = percentile(http["healthz"], .5), percentile(http["healthz"], .95)
            log(f"over HTTP, {name}: {len(http['flows']) / flow_seconds:,.1f} flows/s ({request_rate:,.0f} req/s), "
                f"/healthz {healthz_rate:,.0f} req/s; scan p50 {ms(percentile(http['scan'], .5)):.2f} ms, p95 "
                f"{ms(percentile(http['scan'], .95)):.2f} ms; checkout POST p50 {ms(percentile(http['checkout'], .5)):.2f} ms")
            report.add(f"HTTP flows, {name}", f"{request_rate:,.0f} req/s", f"{healthz_rate:,.0f} req/s healthz",
                       request_rate / healthz_rate, "info")
            report.add(f"HTTP scan p95, {name}", f"{ms(percentile(http['scan'], .95)):.2f} ms",
                       f"{ms(hz95):.2f} ms healthz", percentile(http["scan"], .95) / hz95, "info")
            report.add(f"HTTP checkout POST p50, {name}", f"{ms(percentile(http['checkout'], .5)):.2f} ms",
                       f"{ms(hz50):.2f} ms healthz", percentile(http["checkout"], .5) / hz50, "info")
        if http["failures"]:
            log(f"{len(http['failures'])} failed flows, first: {http['failures'][0]}")
        report.add(f"HTTP flows failed, {label}", f"{len(http['failures'])} of {args.flows}", "", None, "0",
                   not http["failures"])

    # 5. verify --store: one store of the district against the SQLite store (after the checkouts,
    # so the raw transaction's rows are checked too).
    from kiosk.reports.verify import verify

    rounds = {"district": [], "single": []}
    problems_found = {}
    targets = {"district": (url, stores // 2), "single": (sqlite_url, 0)}
    for _ in range(args.verify_rounds):
        for label, (target_url, index) in targets.items():
            kiosk_db.connect(target_url, pool_size=0)
            with kiosk_db.database.connection_context():
                store = Store.get(Store.code == store_code(index))
                started = time.perf_counter()
                problems_found[label] = verify(store.timezone, store.id)
                rounds[label].append(time.perf_counter() - started)
    d_seconds, s_seconds = (percentile(rounds[label], .5) for label in ("district", "single"))
    d_problems, s_problems = problems_found["district"], problems_found["single"]
    d_code = store_code(stores // 2)
    log(f"verify --store {d_code} in the district: {len(d_problems)} problem(s), median {d_seconds:.2f} s of "
        f"{args.verify_rounds}; the SQLite store: {len(s_problems)} problem(s), median {s_seconds:.2f} s"
        + "".join(f"\n  {p}" for p in (d_problems + s_problems)[:10]))
    report.add(f"verify --store {d_code} time, district", f"{d_seconds:.2f} s", f"{s_seconds:.2f} s SQLite store",
               d_seconds / s_seconds, "info")
    breakdown = {label: verify_breakdown(target_url, store_code(index)) for label, (target_url, index) in targets.items()}
    if all(breakdown.values()):
        log("verify --store, seconds per check (district / SQLite store): " + ", ".join(
            f"{name} {seconds:.2f}/{breakdown['single'].get(name, float('nan')):.2f}"
            for name, seconds in breakdown["district"].items()))
    report.add("verify --store problems", f"{len(d_problems)} + {len(s_problems)} SQLite", "", None, "0",
               not d_problems and not s_problems)
    if args.verify_all or args.entries <= 200_000:
        # Every store of the district (by default only for small districts: its stores are built alike).
        kiosk_db.connect(url, pool_size=0)
        with kiosk_db.database.connection_context():
            started = time.perf_counter()
            problems = verify()
            seconds = time.perf_counter() - started
        log(f"verify of the whole district: {len(problems)} problem(s) in {seconds:.1f} s")
        report.add("verify (whole district) problems", str(len(problems)), "", None, "0", not problems)
        report.add("verify (whole district) time", f"{seconds:.1f} s", f"{d_seconds:.2f} s one store", seconds / d_seconds,
                   "info")
        for problem in problems[:10]:
            log(f"  {problem}")

    report.add("build time, district", f"{build_seconds:.0f} s", f"{single_seconds:.1f} s SQLite store",
               build_seconds / single_seconds, "info")
    report.print()
    load_after = os.getloadavg()[0]
    log(f"total {time.perf_counter() - run_started:.0f} s; load average {load_before:.2f} before, {load_after:.2f} after")
    if args.json:
        import json

        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps({
            "when": base.utcnow_text(), "engine": engine_name, "stores": stores, "households": households * stores,
            "entries": args.entries, "products": args.products, "build_seconds": build_seconds,
            "database_mib": None if size is None else round(size / 2**20), "rows_built": built_rows, "cpus": os.cpu_count(),
            "load_before": load_before, "load_after": load_after, "rows": report.as_json(),
        }, ensure_ascii=False, indent=2))
        log(f"wrote {args.json}")
