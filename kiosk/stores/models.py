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
    # Staff screens take a card number typed by hand instead of a scanned card (each use is an
    # audit event). Off: a card number alone, printed and in sequence, opens no account.
    typed_card_numbers = peewee.BooleanField(default=False, constraints=[peewee.SQL("DEFAULT FALSE")])
    # The store's receipt printer as a URL (tcp://…, usb://…); empty means the KIOSK_PRINTER setting.
    printer_url = peewee.CharField(max_length=300, default="")
    created_at = peewee.DateTimeField(default=utcnow)
    # The store's own clock (an IANA zone): its days, months and redemption windows, and the
    # times on its screens and papers. Set when the store is created (kiosk setup).
    timezone = peewee.CharField(max_length=64, default="Asia/Shanghai", constraints=[peewee.SQL("DEFAULT 'Asia/Shanghai'")])
    # Days a resident has to object to a deduction before it takes effect (异议期).
    objection_days = peewee.IntegerField(default=7, constraints=[peewee.Check("objection_days BETWEEN 0 AND 90")])
    # Points expiry (kiosk.expiry): "none", "yearly" (the balance left at the end of
    # expiry_month_day, "MM-DD", expires) or "months" (points expire expiry_months after the
    # day they were earned, oldest first). Nothing expires before expiry_start, the day the
    # setting was saved plus the announcement period, so no resident loses points unannounced.
    expiry_mode = peewee.CharField(max_length=10, default="none")
    expiry_month_day = peewee.CharField(max_length=5, default="12-31")
    expiry_months = peewee.IntegerField(default=12)
    expiry_notice_days = peewee.IntegerField(default=30)
    expiry_start = peewee.DateField(null=True)
    # What one point is worth, in fen (1 yuan = 100 fen), shown beside balances; NULL: not shown.
    point_value_fen = peewee.IntegerField(null=True)
    # Public notice (公示): the day of the month the monthly notice is cut off (1–28), and how
    # many star-household (星级文明户) candidates the yearly notice lists.
    notice_cutoff_day = peewee.IntegerField(default=26)
    star_candidates = peewee.IntegerField(default=10)
    # When redemption is open (kiosk.redemption.windows): "always", "month_days" (days in
    # redemption_days, e.g. "26-31"), "month_last" (the last N days) or "quarter_weeks" ("1,13,last").
    # The defaults are in the schema too, so a row written by plain SQL (bench/) is always open.
    redemption_window = peewee.CharField(max_length=20, default="always", constraints=[peewee.SQL("DEFAULT 'always'")])
    redemption_days = peewee.CharField(max_length=100, default="", constraints=[peewee.SQL("DEFAULT ''")])
    # Goods out (报损) above either figure needs a store manager's PIN on the spot.
    writeoff_approval_units = peewee.IntegerField(
        default=10, constraints=[peewee.Check("writeoff_approval_units BETWEEN 0 AND 99999")])
    writeoff_approval_points = peewee.IntegerField(
        default=500, constraints=[peewee.Check("writeoff_approval_points BETWEEN 0 AND 9999999")])
    # Batches expiring within this many days are listed on the staff home screen.
    expiry_warning_days = peewee.IntegerField(
        default=30, constraints=[peewee.Check("expiry_warning_days BETWEEN 1 AND 365")])
    # The print queue (kiosk.printing): a receipt whose last attempt may have reached the paper
    # is printed again marked 重印 ("reprint") or waits for a person ("wait"); a receipt still
    # not printed this many minutes after its sale is listed as a problem.
    receipt_uncertain = peewee.CharField(max_length=10, default="reprint", constraints=[peewee.SQL("DEFAULT 'reprint'")])
    receipt_problem_minutes = peewee.IntegerField(
        default=30, constraints=[peewee.Check("receipt_problem_minutes BETWEEN 1 AND 1440"), peewee.SQL("DEFAULT 30")])


class DocumentCounter(BaseModel):
    """The last number a store gave to one kind of document (kiosk.stores.numbering): its
    sales, returns, goods-in and goods-out documents and stock-takes are each counted 1, 2, 3…
    per store, without gaps. After a restore from an older copy the counters are raised to the
    numbers issued before it (kiosk.backup), so a printed number is never issued twice."""

    store = peewee.ForeignKeyField(Store, backref="+", on_delete="RESTRICT")
    kind = peewee.CharField(max_length=20)
    last = peewee.BigIntegerField(default=0)

    class Meta:
        table_name = "document_counter"
        indexes = ((("store", "kind"), True),)
