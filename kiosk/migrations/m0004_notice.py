"""The ledger hash chain (ledger_entry.hash, ledger_chain) and public notices (notice,
notice_line, the store's cut-off day and star-candidate count).

Existing entries get their hashes here, store by store in id order, as kiosk.ledger.chain
would have given them.
"""
import peewee
from peewee import SQL
from playhouse.migrate import migrate

BATCH = 5000


def apply(migrator):
    from kiosk.db import database, q
    from kiosk.ledger import chain
    from kiosk.ledger.models import LedgerChain
    from kiosk.notice.models import Notice, NoticeLine

    # NOT NULL with a DEFAULT in the one ALTER TABLE … ADD COLUMN: SQLite then needs no table
    # rebuild, which its foreign keys would refuse for tables that other rows refer to.
    migrate(
        migrator.add_column("ledger_entry", "hash", peewee.CharField(max_length=64, constraints=[SQL("DEFAULT ''")]),
                            allow_not_null=True),
        migrator.add_column("store", "notice_cutoff_day", peewee.IntegerField(constraints=[SQL("DEFAULT 26")]),
                            allow_not_null=True),
        migrator.add_column("store", "star_candidates", peewee.IntegerField(constraints=[SQL("DEFAULT 10")]),
                            allow_not_null=True),
    )
    database.create_tables([LedgerChain, Notice, NoticeLine])
    heads = {}  # store_id -> (hash, id, length)
    updates = []
    p = database.param
    sql = f'UPDATE {q("ledger_entry")} SET "hash" = {p} WHERE "id" = {p}'
    for store_id, entry_id, *values in _entries():
        previous, _, length = heads.get(store_id, (chain.GENESIS, None, 0))
        digest = chain.entry_hash(previous, entry_id, *values)
        heads[store_id] = (digest, entry_id, length + 1)
        updates.append((digest, entry_id))
        if len(updates) >= BATCH:
            database.cursor().executemany(sql, updates)
            updates.clear()
    if updates:
        database.cursor().executemany(sql, updates)
    for store_id, (head, last_id, length) in heads.items():
        LedgerChain.insert(store=store_id, head=head, last_entry_id=last_id, length=length).execute()


def _entries():
    """(store id, the hashed fields) of every entry in id order, the store taken from the
    account: ledger_entry has no store_id column before m0020, so kiosk.ledger.chain.walk
    (which reads that column) cannot serve here."""
    from kiosk.db import database, q
    from kiosk.ledger import chain

    columns = ", ".join(f'e.{q(name)}' for name in chain.FIELDS)
    sql = (f'SELECT a."store_id", {columns} FROM {q("ledger_entry")} e '
           f'JOIN {q("account")} a ON a."id" = e."account_id" WHERE e."id" > {database.param} '
           f'ORDER BY e."id" LIMIT {BATCH}')
    last = 0
    while True:
        rows = database.execute_sql(sql, [last]).fetchall()
        yield from rows
        if len(rows) < BATCH:
            return
        last = rows[-1][1]
