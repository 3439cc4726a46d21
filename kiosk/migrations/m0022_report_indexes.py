"""Indexes for the period reports (kiosk/reports/service.py, exports.py, `kiosk report`).

- ledger_entry (store_id, created_at): a store's entries of a period, or since a moment, by a
  range of the index instead of a pass over the whole ledger (or, on a district server, over
  every store's ledger).
- stock_movement (product_id, created_at): movements carry no store, their product does; the
  reports read a store's movements of a period as "its products' movements between two times",
  which this index answers as one range per product (a store has a few hundred products), on a
  district server too. A plain index on created_at would read every store's movements of the
  period.

Indexes only: no row changes, so every chain and every published head stays as it was.
"""
from playhouse.migrate import migrate


def apply(migrator):
    migrate(migrator.add_index("ledger_entry", ("store_id", "created_at"), False),
            migrator.add_index("stock_movement", ("product_id", "created_at"), False))
