"""Store settings, changed by the store manager."""
from devices import PrinterError, printer_from_url
from kiosk import audit
from kiosk.db import database
from kiosk.errors import KioskError
from kiosk.stores.models import Store

ACCOUNT_MODES = ("household", "person")


def check_printer_url(url):
    """The printer URL as stored ("" = the KIOSK_PRINTER setting). Raises
    KioskError("bad_printer_url") for one no printer can be built from; it is not connected to."""
    url = (url or "").strip()
    if not url:
        return ""
    if len(url) > 300:
        raise KioskError("too_long", field="printer_url", max=300)
    try:
        printer_from_url(url)
    except (ValueError, PrinterError) as exc:
        raise KioskError("bad_printer_url", error=str(exc)) from None
    return url


def update_settings(store, *, name, account_mode, card_full_name, printer_url=None, staff=None):
    """Change the store's name, account mode, card-name setting and (when given) its printer
    URL; returns the store.

    The account mode applies to households and residents registered from now on; existing
    accounts stay as they are. Raises KioskError("missing_field", "too_long", "bad_account_mode",
    "bad_printer_url").
    """
    name = (name or "").strip()
    if not name:
        raise KioskError("missing_field", field="store_name")
    if len(name) > 100:
        raise KioskError("too_long", field="store_name", max=100)
    if account_mode not in ACCOUNT_MODES:
        raise KioskError("bad_account_mode")
    changes = {"name": name, "account_mode": account_mode, "card_full_name": bool(card_full_name)}
    if printer_url is not None:
        changes["printer_url"] = check_printer_url(printer_url)
    with database.atomic():
        Store.update(**changes).where(Store.id == store.id).execute()
        audit.record("store_settings", store=store, staff=staff, **changes)
    return Store.get_by_id(store.id)
