"""Anchoring the ledger's hash chain outside the database.

Someone able to write the database could rewrite the whole ledger and recompute every hash,
and the chain would still look unbroken. What they cannot rewrite is a head that left the
database: `kiosk backup` (the nightly run) prints one line per store into its log,

    chain-head XY entry=1234 length=1234 head=<64 hex digits> at=2026-12-05T03:00:00Z

and `kiosk chain-head` prints the same lines on demand (to print, mail or write down on the
daily close). `kiosk verify --head FILE` reads such lines from FILE (a saved log will do: other
lines are skipped) and recomputes each store's chain from its first entry up to the anchored
entry: it must end at exactly that head after exactly that many entries.
"""
import re

from kiosk.ledger.chain import GENESIS, entry_hash, head, walk
from kiosk.stores.models import Store

LINE = re.compile(
    r"chain-head (?P<store>[A-Z0-9]{1,8}) entry=(?P<entry>[0-9]+|-) length=(?P<length>[0-9]+) "
    r"head=(?P<head>[0-9a-f]{64})"
)


def head_lines(now):
    """One ``chain-head`` line per store, in code order; ``now`` (aware UTC) is stamped on each."""
    stamp = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    lines = []
    for store in Store.select().order_by(Store.code):
        hash_, last_id, length = head(store.id)
        lines.append(f"chain-head {store.code} entry={last_id if last_id is not None else '-'} "
                     f"length={length} head={hash_} at={stamp}")
    return lines


def read_heads(text):
    """[(line number, store code, entry id or None, length, head)] of the chain-head lines in ``text``."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = LINE.search(line)
        if match:
            entry = match["entry"]
            found.append((number, match["store"], None if entry == "-" else int(entry), int(match["length"]),
                          match["head"]))
    return found


def check_heads(anchors, source="the head file"):
    """Yield one sentence per anchored head the ledger no longer leads to."""
    for number, code, entry_id, length, anchored in anchors:
        label = f"{source} line {number} ({code})"
        store = Store.get_or_none(Store.code == code)
        if store is None:
            yield f"{label}: no store {code} in the database"
            continue
        recomputed, count, last_id = GENESIS, 0, None
        if entry_id is not None:
            for _, this_id, *values, _stored in walk(store.id, upto_id=entry_id):
                recomputed = entry_hash(recomputed, this_id, *values)
                count, last_id = count + 1, this_id
        if (recomputed, count, last_id) != (anchored, length, entry_id):
            yield (f"{label}: the ledger no longer leads to the anchored chain head {anchored[:16]}… "
                   f"at entry {entry_id if entry_id is not None else '-'} as number {length} "
                   f"(recomputed: {recomputed[:16]}… at entry {last_id if last_id is not None else '-'} "
                   f"as number {count}); the ledger was rewritten")
