import peewee

from kiosk.db import BaseModel, utcnow
from kiosk.inventory.models import Product
from kiosk.redemption.windows import PERIODS
from kiosk.staff.models import Staff


class ProductLimit(BaseModel):
    """How much of a product one account may redeem per calendar period (限购), e.g. one
    bottle of oil per household per month; with ``per_member`` the limit is for each member
    of the account's household (limit × members).

    A setting, not a record: changing or removing it is kept in the audit log.
    """

    product = peewee.ForeignKeyField(Product, unique=True, backref="limits", on_delete="RESTRICT")
    quantity = peewee.IntegerField(constraints=[peewee.Check("quantity > 0")])
    period = peewee.CharField(max_length=10, choices=[(p, p) for p in PERIODS])
    per_member = peewee.BooleanField(default=False)
    updated_by = peewee.ForeignKeyField(Staff, null=True, on_delete="RESTRICT")
    updated_at = peewee.DateTimeField(default=utcnow)
