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
    for store_id, entry_id, *values, _ in chain.walk():
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
