"""Posting to the points ledger. The only code that changes an account's balance."""
from kiosk.cards.models import Account
from kiosk.db import database
from kiosk.errors import KioskError
from kiosk.ledger.models import KINDS, LedgerEntry


def post(account_id, delta, kind, *, reference="", staff_id=None, note="", allow_negative=False):
    """Append a ledger entry and move the cached balance with it; returns the entry.

    Must run inside the caller's transaction. A debit is guarded by a conditional UPDATE, so
    two kiosks spending one account at once can never take it below zero.
    Raises KioskError("insufficient_points") when a debit exceeds the balance.
    """
    if not database.in_transaction():
        raise RuntimeError("ledger.post must run inside a transaction")
    if not isinstance(delta, int) or isinstance(delta, bool) or delta == 0:
        raise ValueError(f"a ledger delta is a non-zero whole number, got {delta!r}")
    if kind not in KINDS:
        raise ValueError(f"unknown ledger kind {kind!r}")
    query = Account.update(balance=Account.balance + delta).where(Account.id == account_id)
    if delta < 0 and not allow_negative:
        query = query.where(Account.balance >= -delta)
    if query.execute() != 1:
        balance = Account.select(Account.balance).where(Account.id == account_id).scalar()
        if balance is None:
            raise KioskError("unknown_account")
        raise KioskError("insufficient_points", balance=balance, needed=-delta)
    balance_after = Account.select(Account.balance).where(Account.id == account_id).scalar()
    return LedgerEntry.create(
        account=account_id, delta=delta, kind=kind, reference=reference,
        staff=staff_id, note=note, balance_after=balance_after,
    )


def history(account_id, limit=20):
    """The newest entries of an account, newest first."""
    return (
        LedgerEntry.select()
        .where(LedgerEntry.account == account_id)
        .order_by(LedgerEntry.id.desc())
        .limit(limit)
    )
