import peewee

from kiosk.db import BaseModel, utcnow


class Store(BaseModel):
    """One points supermarket. ``code`` prefixes its card payloads and receipt numbers."""

    name = peewee.CharField(max_length=100)
    code = peewee.CharField(max_length=8, unique=True)
    # "household": one points account per household, its members' cards drawing on it;
    # "person": one account per resident.
    account_mode = peewee.CharField(max_length=10, default="household")
    # Printed cards show the holder's full name instead of the masked one (张*华).
    card_full_name = peewee.BooleanField(default=False)
    # The store's receipt printer as a URL (tcp://…, usb://…); empty means the KIOSK_PRINTER setting.
    printer_url = peewee.CharField(max_length=300, default="")
    created_at = peewee.DateTimeField(default=utcnow)
    # When redemption is open (kiosk.redemption.windows): "always", "month_days" (days in
    # redemption_days, e.g. "26-31"), "month_last" (the last N days) or "quarter_weeks" ("1,13,last").
    # The defaults are in the schema too, so a row written by plain SQL (bench/) is always open.
    redemption_window = peewee.CharField(max_length=20, default="always", constraints=[peewee.SQL("DEFAULT 'always'")])
    redemption_days = peewee.CharField(max_length=100, default="", constraints=[peewee.SQL("DEFAULT ''")])
