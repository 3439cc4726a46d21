"""A full rewrite of the ledger with a recomputed chain passes the chain check inside the
database, but not a head anchored outside it (the nightly backup's log, `kiosk chain-head`)."""
from datetime import datetime, timezone

from kiosk.db import database, q
from kiosk.ledger import anchor, chain
from kiosk.ledger.models import LedgerChain

NOW = datetime(2026, 12, 5, 3, 0, tzinfo=timezone.utc)


def rewrite_with_a_recomputed_chain(store_id):
    """What someone with write access to the database could do: change an entry, then
    recompute every hash and the head so that the chain looks unbroken."""
    first = database.execute_sql(f'SELECT MIN("id") FROM {q("ledger_entry")}').fetchone()[0]
    database.execute_sql(f'UPDATE {q("ledger_entry")} SET "note" = {database.param} WHERE "id" = {database.param}',
                         ("改过的记录", first))
    previous = chain.GENESIS
    for _, entry_id, *values, _stored in list(chain.walk(store_id)):
        previous = chain.entry_hash(previous, entry_id, *values)
        database.execute_sql(f'UPDATE {q("ledger_entry")} SET "hash" = {database.param} WHERE "id" = {database.param}',
                             (previous, entry_id))
    LedgerChain.update(head=previous).where(LedgerChain.store == store_id).execute()


def test_an_anchored_head_holds_while_the_ledger_is_untouched(world):
    lines = anchor.head_lines(NOW)
    assert len(lines) == 1 and lines[0].startswith("chain-head XY entry=") and lines[0].endswith("at=2026-12-05T03:00:00Z")
    anchors = anchor.read_heads("backup written: …\n" + lines[0] + "\nsomething else\n")
    assert [a[0] for a in anchors] == [2]
    assert list(anchor.check_heads(anchors)) == []


def test_a_rewrite_with_a_recomputed_chain_is_caught_only_by_the_anchor(world):
    anchors = anchor.read_heads("\n".join(anchor.head_lines(NOW)))
    rewrite_with_a_recomputed_chain(world.store.id)
    assert list(chain.verify_chains()) == []  # inside the database, nothing shows
    (problem,) = anchor.check_heads(anchors, source="nightly.log")
    assert problem.startswith("nightly.log line 1 (XY): the ledger no longer leads to the anchored chain head")


def test_entries_added_after_the_anchor_are_fine(world):
    from kiosk.ledger import service as ledger
    from kiosk.ledger.models import OPENING

    anchors = anchor.read_heads("\n".join(anchor.head_lines(NOW)))
    with database.atomic():
        ledger.post(world.accounts["王德明"].id, 10, OPENING, reference="later")
    assert list(anchor.check_heads(anchors)) == []


def test_an_unknown_store_is_said(world):
    anchors = anchor.read_heads("chain-head ZZ entry=- length=0 head=" + "0" * 64)
    assert anchors == [(1, "ZZ", None, 0, "0" * 64)]
    assert list(anchor.check_heads(anchors)) == ["the head file line 1 (ZZ): no store ZZ in the database"]
