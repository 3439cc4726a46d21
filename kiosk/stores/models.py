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
    # Public notice (公示): the day of the month the monthly notice is cut off (1–28), and how
    # many star-household (星级文明户) candidates the yearly notice lists.
    notice_cutoff_day = peewee.IntegerField(default=26)
    star_candidates = peewee.IntegerField(default=10)
