"""Each ledger entry names its store (ledger_entry.store_id, m0020): the ledger service fills
it, m0020 fills it for the entries written before, `kiosk verify` checks it against the
account's store, and one store's chain walk reads only that store's entries by the
(store_id, id) index (what keeps `kiosk verify --store` at the store's size on a district
server)."""
import pytest
from playhouse.migrate import migrate

from kiosk import schema
from kiosk.checkout import service as checkout
from kiosk.db import database, insert_rows, is_sqlite
from kiosk.ledger import chain
from kiosk.ledger import service as ledger
from kiosk.ledger.models import EARN, Account, LedgerEntry
from kiosk.reports.verify import verify
from kiosk.staff.models import CASHIER
from kiosk.stores.models import Store
from tests.helpers import run_sql, schema_migrator, second_store

M0020 = "m0020_ledger_entry_store"
INDEX = "ledger_entry_store_id_id"


def two_stores(world):
    """The world's store XY with a sale and an earning, and store AB with its own sale."""
    other = second_store()[0]
    checkout.checkout(world.store, world.cards["张建华"].id, [(world.products["大米"].id, 1)],
                      world.staff[CASHIER].id, "s" * 24)
    with database.atomic():
        ledger.post(world.accounts["李秀兰"].id, 10, EARN, note="环境卫生清扫")
    return other


def stores_of_entries():
    return dict(LedgerEntry.select(LedgerEntry.id, LedgerEntry.store).tuples())


def stores_of_accounts():
    """{entry id: its account's store id}"""
    return dict(LedgerEntry.select(LedgerEntry.id, Account.store)
                .join(Account, on=(LedgerEntry.account == Account.id)).tuples())


def columns():
    return {c.name: c.null for c in database.get_columns("ledger_entry")}


def back_to_m0018():
    """ledger_entry as m0018 left it: no store_id column, no (store_id, id) index."""
    migrator = schema_migrator()
    migrate(migrator.drop_index("ledger_entry", INDEX))
    with schema._foreign_keys_deferred():  # SQLite rebuilds the table that other rows refer to
        if is_sqlite():
            migrate(migrator.drop_column("ledger_entry", "store_id", legacy=True))
        else:
            migrate(migrator.drop_column("ledger_entry", "store_id"))
    schema.SchemaVersion.delete().where(schema.SchemaVersion.version > 18).execute()


@pytest.fixture
def only_m0020(monkeypatch):
    """The migrations up to m0018 (on main), then m0020 alone: m0017 and m0019 are written on
    other branches and are not this test's."""
    steps = [step for step in schema.available_migrations() if step[0] <= 18 or step[0] == 20]
    assert steps[-1][1] == M0020
    monkeypatch.setattr(schema, "available_migrations", lambda: steps)


def test_the_ledger_service_files_each_entry_under_its_accounts_store(world):
    other = two_stores(world)
    filed = stores_of_entries()
    assert set(filed.values()) == {world.store.id, other.id}
    assert filed == stores_of_accounts()


def test_m0020_fills_the_store_of_every_existing_entry_and_keeps_every_chain(world, only_m0020):
    other = two_stores(world)
    fresh = columns()
    hashes = dict(LedgerEntry.select(LedgerEntry.id, LedgerEntry.hash).tuples())
    heads = {store: chain.head(store) for store in (world.store.id, other.id)}
    back_to_m0018()
    assert "store_id" not in columns()

    assert schema.upgrade() == [M0020]

    assert columns() == fresh and fresh["store_id"] is False  # NOT NULL
    assert ("store_id", "store") in {(fk.column, fk.dest_table) for fk in database.get_foreign_keys("ledger_entry")}
    index = next(i for i in database.get_indexes("ledger_entry") if i.name == INDEX)
    assert index.columns == ["store_id", "id"]
    assert stores_of_entries() == stores_of_accounts()
    assert set(stores_of_entries().values()) == {world.store.id, other.id}
    assert dict(LedgerEntry.select(LedgerEntry.id, LedgerEntry.hash).tuples()) == hashes
    assert {store: chain.head(store) for store in heads} == heads
    assert verify() == [] and verify(store_id=world.store.id) == [] and verify(store_id=other.id) == []
    with database.atomic():
        entry = ledger.post(world.accounts["王德明"].id, 5, EARN, note="志愿服务")
    assert LedgerEntry.get_by_id(entry.id).store_id == world.store.id
    assert verify(store_id=world.store.id) == []
    assert schema.upgrade() == []


def test_m0020_on_an_empty_ledger_only_changes_the_schema(db, only_m0020):
    fresh = columns()
    back_to_m0018()
    assert schema.upgrade() == [M0020]
    assert columns() == fresh and LedgerEntry.select().count() == 0


def test_an_entry_filed_under_another_store_is_named_in_both_stores(world):
    other = two_stores(world)
    entry = (LedgerEntry.select().where(LedgerEntry.account == world.accounts["李秀兰"].id)
             .order_by(LedgerEntry.id.desc()).first())
    run_sql("UPDATE ledger_entry SET store_id = ? WHERE id = ?", (other.id, entry.id))
    sentence = (f"ledger entry {entry.id}: filed under store {other.id} but its account "
                f"{world.accounts['李秀兰'].id} belongs to store {world.store.id}")
    for problems in (verify(), verify(store_id=world.store.id), verify(store_id=other.id)):
        assert problems.count(sentence) == 1
        # it also left its own store's chain for the other store's: both chains break
        assert any("hash does not match" in p or "chain head" in p for p in problems)


def test_one_stores_chain_walk_reads_only_its_entries(world):
    other = two_stores(world)
    mine = [row[1] for row in chain.walk(world.store.id, batch=2)]
    assert mine == [i for i, store in sorted(stores_of_entries().items()) if store == world.store.id]
    assert {row[0] for row in chain.walk(other.id, batch=2)} == {other.id}
    assert len(list(chain.walk(batch=2))) == len(stores_of_entries())


def district(stores=20, per_store=500):
    """``stores`` stores of one account each and ``per_store`` entries each, the stores' entries
    interleaved in id order as on a district server; statistics gathered (ANALYZE)."""
    with database.atomic():
        accounts = []
        for n in range(stores):
            store = Store.create(name=f"店{n}", code=f"D{n:02d}")
            accounts.append((store.id, Account.create(store=store, holder_name="住户").id))
        rows = [{"account_id": account, "store_id": store, "delta": 1, "kind": EARN, "reference": "",
                 "note": "", "balance_after": i + 1, "created_at": "2026-11-01 01:00:00", "hash": ""}
                for i in range(per_store) for store, account in accounts]
        for start in range(0, len(rows), 1000):
            insert_rows(LedgerEntry, rows[start:start + 1000])
    database.execute_sql("ANALYZE")
    return accounts


def plan(sql, params):
    if is_sqlite():
        return "\n".join(row[-1] for row in database.execute_sql("EXPLAIN QUERY PLAN " + sql, params))
    return "\n".join(row[0] for row in database.execute_sql("EXPLAIN " + sql, params))


def test_one_stores_walk_is_an_index_range_not_a_scan_of_the_district(db):
    """The query plan itself, on each engine, with real statistics (no planner switches)."""
    store_id = district()[7][0]
    sql, params = chain.walk_sql(store_id)
    text = plan(sql, [0, *params])
    if is_sqlite():
        assert text.startswith(f"SEARCH e USING INDEX {INDEX} (store_id=? AND id>?)"), text
    else:
        # An index scan in id order, or (for a store this small) a bitmap scan of a store index
        # ((store_id, id), or m0022's (store_id, created_at)) and a sort of its 500 rows: either
        # way only the store's entries are read.
        assert ("Index Scan using ledger_entry_store_id_" in text
                or "Bitmap Index Scan on ledger_entry_store_id_" in text), text
        assert "Seq Scan" not in text and "ledger_entry_pkey" not in text, text
    first, *_ = database.execute_sql(sql, [0, *params]).fetchall()
    assert first[0] == store_id


def test_each_per_store_check_still_finds_its_fault_and_only_in_its_store(world):
    """The per-store checks read their rows another way with a store (sale lines from the
    store's sales, stock movements by the store's product ids, entries by their own store):
    a fault in store AB still shows in AB's verify and never in XY's."""
    from kiosk.checkout.models import SaleLine

    store, _, _, _, soap, sale = second_store(quantity=1, key="ab-sale-for-per-store-checks")
    line = SaleLine.get(SaleLine.sale == sale.id)
    run_sql("UPDATE sale_line SET refunded_quantity = 1 WHERE id = ?", (line.id,))
    run_sql("UPDATE stock_movement SET delta = -2 WHERE reference = ? AND product_id = ?", (f"sale:{sale.id}", soap.id))
    run_sql("DELETE FROM print_job WHERE document_kind = 'sale' AND document_id = ?", (sale.id,))
    found = verify(store_id=store.id)
    number = f"ABS{sale.id:07d}"
    for sentence in (f"sale line {line.id}: refunded_quantity 1, its returns sum to 0, 1 sold",
                     f"sale {number}: stock movements do not match its 1 items",
                     f"sale {number} has no receipt job"):
        assert sentence in found
        assert sentence in verify()
    assert verify(store_id=world.store.id) == []
