"""Posting to the points ledger. The only code that changes an account's balance."""
from contextlib import contextmanager

from kiosk.db import database, insert_rows, utcnow
from kiosk.errors import KioskError
from kiosk.ledger import chain
from kiosk.ledger.models import KINDS, Account, LedgerEntry


def _check(delta, kind):
    if not database.in_transaction():
        raise RuntimeError("the ledger changes only inside a transaction")
    if not isinstance(delta, int) or isinstance(delta, bool) or delta == 0:
        raise ValueError(f"a ledger delta is a non-zero whole number, got {delta!r}")
    if kind not in KINDS:
        raise ValueError(f"unknown ledger kind {kind!r}")


def move_balance(account_id, delta, *, allow_negative=False):
    """Move an account's cached balance by ``delta``; returns the new balance.

    Half of :func:`post`, for a caller that needs the new balance before it can name the
    entry's reference (a checkout): it must call :func:`record` in the same transaction.
    A debit is a conditional UPDATE, so two kiosks spending one account at once can never take
    it below zero. Raises KioskError("insufficient_points") or KioskError("unknown_account").

    The lock order, the same in every transaction that touches the books: the store's ledger
    chain row first (taken here, before any account), then accounts, then the store's document
    counter (kiosk.stores.numbering: a sale's, a return's, a goods-in or goods-out document's
    number), then products (stock moves come after the ledger and the number: checkout,
    returns, goods in and out). A transaction posting to several accounts (the
    expiry run, a volunteer import, an approval with a linked bonus) holds the chain before its
    first account, so a checkout on its second account waits for it instead of deadlocking.
    Anything that still breaks the order is retried whole (kiosk.db.retry_on_conflict).
    """
    chain.lock(account_id)
    p = database.param
    sql = f'UPDATE "account" SET "balance" = "balance" + {p} WHERE "id" = {p}'
    params = [delta, account_id]
    if delta < 0 and not allow_negative:
        sql += f' AND "balance" >= {p}'
        params.append(-delta)
    row = database.execute_sql(sql + ' RETURNING "balance"', params).fetchone()
    if row is None:
        balance = Account.select(Account.balance).where(Account.id == account_id).scalar()
        if balance is None:
            raise KioskError("unknown_account")
        raise KioskError("insufficient_points", balance=balance, needed=-delta)
    return row[0]


_clock = None  # see backdated()


@contextmanager
def backdated(clock):
    """Demo data only (kiosk.demo): entries appended inside take their time from ``clock()``
    (naive UTC) instead of the wall clock. The caller keeps them in time order: each time is
    after the store's last entry and before now, so the chain stays a history."""
    global _clock
    _clock = clock
    try:
        yield
    finally:
        _clock = None


def record(account_id, delta, kind, balance_after, *, reference="", staff_id=None, note=""):
    """Append the ledger entry for a balance :func:`move_balance` just moved; returns it.

    The entry is linked into its store's hash chain (kiosk.ledger.chain) before it is written:
    its time is taken once the chain is locked, so a store's entries are in time order too.
    """
    fields = chain.link({
        "account_id": account_id, "delta": delta, "kind": kind, "reference": reference,
        "staff_id": staff_id, "note": note, "balance_after": balance_after, "created_at": None,
    }, now=_clock or utcnow)
    insert_rows(LedgerEntry, [fields])
    return LedgerEntry(**fields)


def post(account_id, delta, kind, *, reference="", staff_id=None, note="", allow_negative=False):
    """Append a ledger entry and move the cached balance with it; returns the entry.

    Must run inside the caller's transaction. Raises KioskError("insufficient_points") when a
    debit exceeds the balance.
    """
    _check(delta, kind)
    balance_after = move_balance(account_id, delta, allow_negative=allow_negative)
    return record(account_id, delta, kind, balance_after, reference=reference, staff_id=staff_id, note=note)


def history(account_id, limit=20):
    """The newest entries of an account, newest first."""
    return (
        LedgerEntry.select()
        .where(LedgerEntry.account == account_id)
        .order_by(LedgerEntry.id.desc())
        .limit(limit)
    )


def describe(entry, *, names=None):
    """What an entry was for, in a resident's words: the document it belongs to, or its note.

    ``names`` ({reference: text}) names the documents entries refer to, such as a sale's receipt
    number; the feature that owns the documents gives it (kiosk.checkout.service.document_names),
    the ledger knows none of them.
    """
    if names and entry.reference in names:
        return names[entry.reference]
    kind, _, rest = entry.reference.partition(":")
    if kind == "expire" and not entry.note:
        return rest  # the day the points expired at the end of
    return entry.note


def entries_between(account_id, start, end):
    """(balance before ``start``, entries from ``start`` until ``end``), times naive UTC."""
    before = (
        LedgerEntry.select(LedgerEntry.balance_after)
        .where(LedgerEntry.account == account_id, LedgerEntry.created_at < start)
        .order_by(LedgerEntry.id.desc())
        .limit(1)
        .scalar()
    )
    entries = list(
        LedgerEntry.select()
        .where(LedgerEntry.account == account_id, LedgerEntry.created_at >= start, LedgerEntry.created_at < end)
        .order_by(LedgerEntry.id)
    )
    return before or 0, entries
