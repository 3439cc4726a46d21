"""The hash chain of ledger entries: tamper evidence for the points ledger (账本哈希链).

Each store's entries form one chain, in id order. An entry's ``hash`` is the SHA-256 (hex) of

    json.dumps(["kiosk-ledger-v1", previous hash, id, account_id, delta, kind, reference,
                staff_id, note, balance_after, created_at], separators=(",", ":"))

(Python's json, ASCII output; ``staff_id`` may be null; ``created_at`` as naive UTC
"YYYY-MM-DD HH:MM:SS.ffffff"), where the previous hash is the hash of the store's entry before
it, or 64 zeros for its first. Editing any field of an entry, deleting one or slipping one in
changes the hashes from there on; the store's head (``ledger_chain``) and every public notice
(公示) record the head at a moment, so `kiosk verify` can tell that the ledger is still the one
that was published. The serialization depends on no database engine.

Someone able to write to the database could recompute every hash after an edit; the heads
printed on published notices are what such a rewrite cannot change.
"""
import hashlib
import json
from datetime import datetime

import peewee

from kiosk.db import database, is_sqlite, q
from kiosk.ledger.models import LedgerChain, LedgerEntry

GENESIS = "0" * 64
VERSION = "kiosk-ledger-v1"
_JSON = json.JSONEncoder(separators=(",", ":"))  # one encoder: json.dumps with options builds one per call
# The hashed fields, in order. ``store_id`` (m0020) is deliberately not one of them: chains
# written before the column existed must stay valid, and the store an entry belongs to is
# checked against its account's store by `kiosk verify` instead (misfiled_entries).
FIELDS = ("id", "account_id", "delta", "kind", "reference", "staff_id", "note", "balance_after", "created_at")


def canonical_time(value):
    """A timestamp as the chain hashes it: naive UTC, always with microseconds.

    Accepts a datetime or the text SQLite keeps ("2026-11-26 09:30:00" or with ".123456").
    """
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    text = str(value).replace("T", " ")
    head, dot, fraction = text.partition(".")
    return f"{head[:19]}.{(fraction if dot else '')[:6]:0<6}"


def entry_hash(previous, id, account_id, delta, kind, reference, staff_id, note, balance_after, created_at):
    """The hash of one entry given the hash of the entry before it in its store's chain."""
    payload = [VERSION, previous, id, account_id, delta, kind, reference or "", staff_id, note or "",
               balance_after, canonical_time(created_at)]
    return hashlib.sha256(_JSON.encode(payload).encode("ascii")).hexdigest()


def lock(account_id):
    """Lock the chain row of the account's store until the transaction ends (PostgreSQL; on
    SQLite the write transaction already holds the whole database). kiosk.ledger.service takes
    it before it touches any account, which makes the lock order the same in every transaction
    (see move_balance)."""
    if is_sqlite():
        return
    p = database.param
    database.execute_sql(f'SELECT 1 FROM {q("ledger_chain")} WHERE "store_id" = '
                         f'(SELECT "store_id" FROM {q("account")} WHERE "id" = {p}) FOR UPDATE', [account_id])


def _claim(account_id):
    """Lock the chain of the account's store; returns (store_id, head).

    A guarded UPDATE … RETURNING: writers of one store queue here until the first commits
    (a row lock on PostgreSQL; SQLite's write lock already serializes them).
    """
    p = database.param
    sql = (f'UPDATE {q("ledger_chain")} SET "length" = "length" + 1 '
           f'WHERE "store_id" = (SELECT "store_id" FROM {q("account")} WHERE "id" = {p}) RETURNING "store_id", "head"')
    row = database.execute_sql(sql, [account_id]).fetchone()
    if row is None:
        # The store's first entry: start its chain (another writer may be doing the same).
        store_id = database.execute_sql(f'SELECT "store_id" FROM {q("account")} WHERE "id" = {p}', [account_id]).fetchone()
        if store_id is None:
            from kiosk.errors import KioskError
            raise KioskError("unknown_account")
        LedgerChain.insert(store=store_id[0], head=GENESIS, length=0).on_conflict_ignore().execute()
        row = database.execute_sql(sql, [account_id]).fetchone()
    return row[0], row[1]


def _next_entry_id():
    """The id the next ledger entry gets, taken while the store's chain is locked, so that a
    store's entries are numbered in chain order."""
    if is_sqlite():
        # SQLite transactions here are BEGIN IMMEDIATE: nobody else writes until we commit.
        return database.execute_sql(f'SELECT COALESCE(MAX("id"), 0) + 1 FROM {q("ledger_entry")}').fetchone()[0]
    return database.execute_sql("SELECT nextval(pg_get_serial_sequence('ledger_entry', 'id'))").fetchone()[0]


def link(fields, now):
    """Give a new entry (a dict of its columns, without id) its id, ``store_id`` (its account's
    store), ``created_at`` (``now()``) and hash, and move the store's head to it; the caller
    inserts the row in the same transaction. Returns ``fields``."""
    store_id, previous = _claim(fields["account_id"])
    fields["store_id"] = store_id  # not hashed: see FIELDS
    fields["id"] = _next_entry_id()
    fields["created_at"] = now()
    fields["hash"] = entry_hash(previous, *(fields[name] for name in FIELDS))
    p = database.param
    database.execute_sql(
        f'UPDATE {q("ledger_chain")} SET "head" = {p}, "last_entry_id" = {p} WHERE "store_id" = {p}',
        [fields["hash"], fields["id"], store_id],
    )
    return fields


def head(store_id):
    """(head hash, last entry id, length) of a store's chain; (GENESIS, None, 0) before its first entry."""
    row = LedgerChain.get_or_none(LedgerChain.store == store_id)
    return (row.head, row.last_entry_id, row.length) if row else (GENESIS, None, 0)


# Entries read per query by walk(): the whole ledger in batches of BATCH; one store's in
# batches of STORE_BATCH. The larger batch is for PostgreSQL's planner: asked for the next
# 5,000 entries of a store that holds 2% of a district's ledger, it expects to find them
# within the next 250,000 ids and reads the primary key in id order, filtering on the store
# (the whole district's ledger once per walk); asked for 50,000, it reads the store's entries
# by the (store_id, id) index (about 3x faster for a 40,000-entry store among 2,000,000
# entries, measured; bench/README.md). A batch of 50,000 entries is about 30 MB in Python.
BATCH = 5000
STORE_BATCH = 50_000


def walk_sql(store_id=None, upto_id=None, batch=None):
    """(SQL, parameters after the first) of one batch of :func:`walk`: the entries after the id
    given as the first parameter, in id order. With ``store_id`` it filters on the entry's own
    column, which the (store_id, id) index answers in id order: no join, no scan of the other
    stores' entries (tests/unit/test_ledger_entry_store.py checks the plan on both engines)."""
    if batch is None:
        batch = BATCH if store_id is None else STORE_BATCH
    columns = ", ".join(f'e.{q(name)}' for name in FIELDS)
    p = database.param
    where = [f'e."id" > {p}']
    params = []
    if store_id is not None:
        where.append(f'e."store_id" = {p}')
        params.append(store_id)
    if upto_id is not None:
        where.append(f'e."id" <= {p}')
        params.append(upto_id)
    sql = (f'SELECT e."store_id", {columns}, e."hash" FROM {q("ledger_entry")} e '
           f'WHERE {" AND ".join(where)} ORDER BY e."id" LIMIT {batch}')
    return sql, params


def walk(store_id=None, after_id=0, upto_id=None, batch=None):
    """Yield (store_id, entry id, stored hash, recomputed hash, created_at text) for every
    entry in id order, recomputing each hash from the stored hash of the entry before it in its
    store's chain; ``after_id``/``upto_id`` limit the ids. Reads in batches (engine-neutral).

    An entry belongs to the chain of its own ``store_id``; one store's entries are read through
    the (store_id, id) index, so a store's walk costs its own entries, not the district's."""
    if batch is None:
        batch = BATCH if store_id is None else STORE_BATCH
    sql, params = walk_sql(store_id, upto_id, batch)
    last = after_id
    while True:
        rows = database.execute_sql(sql, [last, *params]).fetchall()
        for row in rows:
            yield row
        if len(rows) < batch:
            return
        last = rows[-1][1]


def misfiled_entries(store_id=None):
    """Yield one sentence per ledger entry whose ``store_id`` is not its account's store (the
    entry then sits in another store's chain). With ``store_id``: the entries filed under that
    store (by the (store_id, id) index), and the entries of that store's accounts filed
    elsewhere, looked for account by account through the (account_id, id) index (a join from
    the store's accounts would scan the whole district's ledger on PostgreSQL)."""
    p = database.param
    select = (f'SELECT e."id", e."store_id", e."account_id", a."store_id" FROM {q("ledger_entry")} e '
              f'JOIN {q("account")} a ON a."id" = e."account_id" WHERE e."store_id" <> a."store_id"')
    if store_id is None:
        queries = [(select + ' ORDER BY e."id"', [])]
    else:
        elsewhere = (f'SELECT a."id" FROM {q("account")} a WHERE a."store_id" = {p} AND EXISTS (SELECT 1 FROM '
                     f'{q("ledger_entry")} e WHERE e."account_id" = a."id" AND e."store_id" <> {p})')
        accounts = [row[0] for row in database.execute_sql(elsewhere, [store_id, store_id]).fetchall()]
        # The store's entries whose account is not among the store's accounts: an anti-join
        # of two index reads (a plain join to account would read every account).
        queries = [(f'SELECT e."id", e."store_id", e."account_id", (SELECT a."store_id" FROM {q("account")} a '
                    f'WHERE a."id" = e."account_id") FROM {q("ledger_entry")} e WHERE e."store_id" = {p} AND NOT '
                    f'EXISTS (SELECT 1 FROM {q("account")} a WHERE a."id" = e."account_id" AND a."store_id" = '
                    f'e."store_id") ORDER BY e."id"', [store_id])]
        for account_id in accounts:
            queries.append((select + f' AND e."account_id" = {p} ORDER BY e."id"', [account_id]))
    seen = set()
    for sql, params in queries:
        for entry_id, entry_store, account_id, account_store in database.execute_sql(sql, params).fetchall():
            if entry_id not in seen:
                seen.add(entry_id)
                yield (f"ledger entry {entry_id}: filed under store {entry_store} but its account {account_id} "
                       f"belongs to store {account_store}")


def verify_chains(checkpoints=(), store_id=None):
    """Recompute every store's chain (or only ``store_id``'s); yields one sentence per problem.

    Names each entry whose stored hash does not match its fields and the entry before it (an
    edit, or the entry after a deletion, or an entry slipped in), then compares each store's
    end with its recorded head. ``checkpoints`` are heads published on notices, as
    (store_id, label, head, entry id, cut-off as naive UTC): the chain recomputed from its
    start must still reach each head at that entry, and no entry written after it may be dated
    before the cut-off.
    """
    marks = {}
    only = store_id
    for store_id, label, head_hash, entry_id, cutoff in checkpoints:
        if only is not None and store_id != only:
            continue
        marks.setdefault((store_id, entry_id), []).append((label, head_hash, canonical_time(cutoff)))
    pending = {}  # store_id -> [(label, cutoff)] of notices whose head has been passed
    for (store_id, entry_id), notices in list(marks.items()):
        if entry_id is None:  # published before the store's first entry
            for label, head_hash, cutoff in marks.pop((store_id, entry_id)):
                if head_hash != GENESIS:
                    yield f"notice {label}: its chain head {head_hash[:16]}… is not that of an empty ledger"
                pending.setdefault(store_id, []).append((label, cutoff))
    last = {}  # store_id -> (stored hash, id, count, recomputed hash)
    broken = {}
    for store_id, entry_id, *values, stored in walk(only):
        previous, _, count, recomputed = last.get(store_id, (GENESIS, None, 0, GENESIS))
        if entry_hash(previous, entry_id, *values) != stored:
            broken[store_id] = broken.get(store_id, 0) + 1
            if broken[store_id] <= 10:
                yield (f"ledger entry {entry_id}: its hash does not match its contents and the entry before it "
                       "(it was edited, or an entry before it was deleted, or it was added around the ledger service)")
        recomputed = entry_hash(recomputed, entry_id, *values)
        created = canonical_time(values[-1])
        for label, cutoff in pending.get(store_id, ()):
            if created < cutoff:
                yield f"ledger entry {entry_id} is dated before the cut-off of the notice {label} but was written after it"
        for label, head_hash, cutoff in marks.pop((store_id, entry_id), ()):
            if recomputed != head_hash:
                yield f"notice {label}: the ledger no longer leads to the chain head it published ({head_hash[:16]}…)"
            pending.setdefault(store_id, []).append((label, cutoff))
        last[store_id] = (stored, entry_id, count + 1, recomputed)
    for store_id, count in broken.items():
        if count > 10:
            yield f"store {store_id}: {count - 10} more ledger entries break the hash chain"
    for (store_id, entry_id), notices in marks.items():
        for label, _, _ in notices:
            yield f"notice {label}: ledger entry {entry_id}, the chain head it published, is missing"
    chains = LedgerChain.select() if only is None else LedgerChain.select().where(LedgerChain.store == only)
    heads = {row.store_id: row for row in chains}
    for store_id in set(heads) | set(last):
        row = heads.get(store_id)
        end_hash, end_id, count, _ = last.get(store_id, (GENESIS, None, 0, GENESIS))
        if row is None:
            yield f"store {store_id}: {count} ledger entries but no chain head"
        elif (row.head, row.last_entry_id, row.length) != (end_hash, end_id, count):
            yield (f"store {store_id}: the chain head names entry {row.last_entry_id} as number {row.length}, "
                   f"but the ledger ends at entry {end_id} as number {count} "
                   "(entries were deleted or added around the ledger service)")


def chain_at(store_id, before):
    """(head hash, entry id, length) of a store's chain over its entries created before
    ``before`` (naive UTC): the head a notice with that cut-off prints."""
    last_id = (
        LedgerEntry.select(peewee.fn.MAX(LedgerEntry.id))
        .where(LedgerEntry.store == store_id, LedgerEntry.created_at < before)
        .scalar()
    )
    if last_id is None:
        return GENESIS, None, 0
    entry = LedgerEntry.get_by_id(last_id)
    length = (
        LedgerEntry.select()
        .where(LedgerEntry.store == store_id, LedgerEntry.id <= last_id)
        .count()
    )
    return entry.hash, last_id, length
