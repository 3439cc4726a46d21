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
    # Days a resident has to object to a deduction before it takes effect (异议期).
    objection_days = peewee.IntegerField(default=7, constraints=[peewee.Check("objection_days BETWEEN 0 AND 90")])
    # Goods out (报损) above either figure needs a store manager's PIN on the spot.
    writeoff_approval_units = peewee.IntegerField(
        default=10, constraints=[peewee.Check("writeoff_approval_units BETWEEN 0 AND 99999")])
    writeoff_approval_points = peewee.IntegerField(
        default=500, constraints=[peewee.Check("writeoff_approval_points BETWEEN 0 AND 9999999")])
    # Batches expiring within this many days are listed on the staff home screen.
    expiry_warning_days = peewee.IntegerField(
        default=30, constraints=[peewee.Check("expiry_warning_days BETWEEN 1 AND 365")])
