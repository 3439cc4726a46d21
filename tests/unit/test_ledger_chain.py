"""The ledger's hash chain: every entry's hash covers it and the one before it, so `verify`
finds any edit, deletion or insertion made around the ledger service (raw SQL on purpose)."""
import threading

from kiosk.checkout import service as checkout
from kiosk.db import database, is_sqlite
from kiosk.errors import KioskError
from kiosk.ledger import chain
from kiosk.ledger import service as ledger
from kiosk.ledger.models import ADJUST, EARN, LedgerEntry
from kiosk.reports.verify import verify
from kiosk.staff.models import CASHIER
from tests.helpers import run_sql


def some_history(world):
    """A sale, an earning and a correction after the opening balances: six entries."""
    checkout.checkout(world.store, world.cards["张建华"].id, [(world.products["大米"].id, 1)],
                      world.staff[CASHIER].id, "c" * 24)
    with database.atomic():
        ledger.post(world.accounts["李秀兰"].id, 10, EARN, note="环境卫生清扫")
        ledger.post(world.accounts["王德明"].id, 5, ADJUST, note="更正")
    return list(LedgerEntry.select().order_by(LedgerEntry.id))


def chain_problems():
    return [p for p in verify() if "hash" in p or "chain" in p or "ledger entry" in p]


def test_each_hash_covers_the_entry_and_the_one_before_it(world):
    entries = some_history(world)
    previous = chain.GENESIS
    for entry in entries:
        assert entry.hash == chain.entry_hash(previous, entry.id, entry.account_id, entry.delta, entry.kind,
                                              entry.reference, entry.staff_id, entry.note, entry.balance_after,
                                              entry.created_at)
        previous = entry.hash
    assert chain.head(world.store.id) == (entries[-1].hash, entries[-1].id, len(entries))


def test_the_serialization_does_not_depend_on_how_the_engine_returns_times(world):
    entry = some_history(world)[-1]
    text = run_sql("SELECT created_at FROM ledger_entry WHERE id = ?", (entry.id,)).fetchone()[0]
    # SQLite hands back the stored text, PostgreSQL a datetime: both read as the same time.
    assert isinstance(text, str) == is_sqlite()
    assert chain.canonical_time(text) == chain.canonical_time(entry.created_at)
    assert chain.canonical_time("2026-11-26 09:30:00") == "2026-11-26 09:30:00.000000"
    assert chain.canonical_time("2026-11-26T09:30:00.5") == "2026-11-26 09:30:00.500000"


def test_untouched_books_verify_clean(world):
    some_history(world)
    assert verify() == []


def test_an_edited_delta_is_named(world):
    entries = some_history(world)
    target = entries[3]
    run_sql("UPDATE ledger_entry SET delta = delta + 1, balance_after = balance_after + 1 WHERE id = ?",
                         (target.id,))
    run_sql("UPDATE account SET balance = balance + 1 WHERE id = ?", (target.account_id,))
    assert chain_problems() == [f"ledger entry {target.id}: its hash does not match its contents and the entry before "
                                "it (it was edited, or an entry before it was deleted, or it was added around the "
                                "ledger service)"]


def test_an_edited_note_is_named(world):
    entries = some_history(world)
    run_sql("UPDATE ledger_entry SET note = '志愿服务' WHERE id = ?", (entries[4].id,))
    problems = verify()
    assert len(problems) == 1 and problems[0].startswith(f"ledger entry {entries[4].id}: its hash does not match")


def test_an_edited_time_is_named(world):
    entries = some_history(world)
    run_sql("UPDATE ledger_entry SET created_at = '2026-10-01 02:00:00' WHERE id = ?", (entries[1].id,))
    problems = verify()
    assert len(problems) == 1 and problems[0].startswith(f"ledger entry {entries[1].id}: its hash does not match")


def test_a_deleted_entry_breaks_the_chain_at_the_next_one(world):
    entries = some_history(world)
    # The correction of 王德明 and its balance go together, so only the chain can tell.
    run_sql("DELETE FROM ledger_entry WHERE id = ?", (entries[2].id,))
    run_sql("UPDATE account SET balance = balance - ? WHERE id = ?", (entries[2].delta, entries[2].account_id))
    problems = chain_problems()
    assert problems[0].startswith(f"ledger entry {entries[3].id}: its hash does not match")
    assert any("the chain head names entry" in p for p in problems)


def test_a_deleted_last_entry_shows_at_the_head(world):
    entries = some_history(world)
    last = entries[-1]
    run_sql("DELETE FROM ledger_entry WHERE id = ?", (last.id,))
    run_sql("UPDATE account SET balance = balance - ? WHERE id = ?", (last.delta, last.account_id))
    assert chain_problems() == [
        f"store {world.store.id}: the chain head names entry {last.id} as number {len(entries)}, but the ledger ends "
        f"at entry {entries[-2].id} as number {len(entries) - 1} (entries were deleted or added around the ledger service)"]


def test_an_entry_inserted_around_the_service_is_named(world):
    entries = some_history(world)
    account = world.accounts["王德明"]
    balance = LedgerEntry.select().where(LedgerEntry.account == account.id).order_by(LedgerEntry.id.desc()).first()
    run_sql(
        "INSERT INTO ledger_entry (account_id, delta, kind, reference, note, balance_after, created_at, hash, store_id) "
        "VALUES (?, 100, 'earn', '', '补录', ?, '2026-11-01 01:00:00', ?, ?)",
        (account.id, balance.balance_after + 100, entries[-1].hash, world.store.id))
    run_sql("UPDATE account SET balance = balance + 100 WHERE id = ?", (account.id,))
    problems = chain_problems()
    assert problems[0].startswith(f"ledger entry {entries[-1].id + 1}: its hash does not match")
    assert any("the ledger ends at entry" in p for p in problems)


def test_an_entry_posted_after_tampering_does_not_hide_it(world):
    entries = some_history(world)
    run_sql("UPDATE ledger_entry SET note = '改' WHERE id = ?", (entries[0].id,))
    with database.atomic():
        ledger.post(world.accounts["李秀兰"].id, 5, EARN, note="志愿服务")
    problems = verify()
    assert len(problems) == 1 and problems[0].startswith(f"ledger entry {entries[0].id}:")


def test_a_first_entry_of_a_new_store_starts_its_own_chain(world):
    from kiosk.ledger.models import Account
    from kiosk.stores.models import Store

    other = Store.create(name="第二超市", code="ZZ")
    account = Account.create(store=other, holder_name="赵六")
    with database.atomic():
        entry = ledger.post(account.id, 20, EARN, note="志愿服务")
    assert chain.head(other.id) == (entry.hash, entry.id, 1)
    assert entry.hash == chain.entry_hash(chain.GENESIS, entry.id, account.id, 20, EARN, "", None, "志愿服务", 20,
                                          entry.created_at)
    assert verify() == []


def test_posting_to_an_unknown_account_changes_nothing(world):
    try:
        with database.atomic():
            chain.link({"account_id": 999999, "delta": 1, "kind": EARN, "reference": "", "staff_id": None,
                        "note": "", "balance_after": 1, "created_at": None}, now=ledger.utcnow)
    except KioskError as exc:
        assert exc.code == "unknown_account"
    else:
        raise AssertionError("no error for an unknown account")
    assert verify() == []


def test_concurrent_postings_to_one_store_keep_one_unbroken_chain(world):
    """Sixteen desks post at once (checkouts and earnings on three accounts): every entry
    lands in the chain once, in id order, and the books verify clean."""
    barrier = threading.Barrier(16)
    errors = []
    before = LedgerEntry.select().count()

    def worker(i):
        database.connect(reuse_if_open=True)
        try:
            barrier.wait()
            if i % 2:
                checkout.checkout(world.store, world.cards["张建华"].id, [(world.products["食盐"].id, 1)],
                                  world.staff[CASHIER].id, f"chain-key-{i:06d}")
            else:
                name = ("李秀兰", "王德明")[i % 4 // 2]
                with database.atomic():
                    ledger.post(world.accounts[name].id, 5, EARN, note="志愿服务")
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            database.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert LedgerEntry.select().count() == before + 16
    assert chain.head(world.store.id)[2] == before + 16
    assert verify() == []
