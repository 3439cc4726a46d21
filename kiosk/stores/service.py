"""Store settings, changed by the store manager."""
from kiosk import audit
from kiosk.db import database
from kiosk.errors import KioskError
from kiosk.stores.models import Store

ACCOUNT_MODES = ("household", "person")


def update_settings(store, *, name, account_mode, card_full_name, staff=None):
    """Change the store's name, account mode and card-name setting; returns the store.

    The account mode applies to households and residents registered from now on; existing
    accounts stay as they are. Raises KioskError("missing_field", "too_long", "bad_account_mode").
    """
    name = (name or "").strip()
    if not name:
        raise KioskError("missing_field", field="store_name")
    if len(name) > 100:
        raise KioskError("too_long", field="store_name", max=100)
    if account_mode not in ACCOUNT_MODES:
        raise KioskError("bad_account_mode")
    with database.atomic():
        Store.update(name=name, account_mode=account_mode, card_full_name=bool(card_full_name)).where(
            Store.id == store.id
        ).execute()
        audit.record("store_settings", store=store, staff=staff, name=name, account_mode=account_mode,
                     card_full_name=bool(card_full_name))
    return Store.get_by_id(store.id)
