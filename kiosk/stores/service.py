"""Stores: opening one, choosing the one a kiosk serves, and its settings (store manager)."""
import re
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from devices import PrinterError, printer_from_url
from kiosk import audit
from kiosk.db import database
from kiosk.errors import KioskError
from kiosk.stores.models import Store

ACCOUNT_MODES = ("household", "person")
# A store's code prefixes its card payloads and receipt numbers (XY, XYRK0000001), which
# scanners read in capitals: an upper-case letter, then 1 to 7 letters or digits.
CODE_FORMAT = re.compile(r"[A-Z][A-Z0-9]{1,7}")


def check_code(code):
    """The code in capitals; raises KioskError("bad_store_code")."""
    code = (code or "").strip().upper()
    if not CODE_FORMAT.fullmatch(code):
        raise KioskError("bad_store_code")
    return code


def check_timezone(zone):
    """The zone name when it is a real IANA zone (Asia/Shanghai); raises KioskError("bad_timezone")."""
    zone = (zone or "").strip()
    try:
        if not zone or zone != zone.strip("/") or ".." in zone:
            raise ValueError(zone)
        ZoneInfo(zone)
    except (ValueError, KeyError, OSError):
        raise KioskError("bad_timezone", zone=zone) from None
    return zone


def check_store_name(name):
    name = (name or "").strip()
    if not name:
        raise KioskError("missing_field", field="store_name")
    if len(name) > 100:
        raise KioskError("too_long", field="store_name", max=100)
    return name


def create_store(code, name, timezone, *, staff=None):
    """A new store. Raises KioskError("bad_store_code", "bad_timezone", "missing_field",
    "too_long", "duplicate_store")."""
    code, name, timezone = check_code(code), check_store_name(name), check_timezone(timezone)
    with database.atomic():
        if Store.select().where(Store.code == code).exists():
            raise KioskError("duplicate_store", store_code=code)
        store = Store.create(code=code, name=name, timezone=timezone)
        audit.record("store_created", store=store, staff=staff, code=code, name=name, timezone=timezone)
    return store


def store_codes():
    return [store.code for store in Store.select(Store.code).order_by(Store.code)]


def served_store(code):
    """The store a kiosk (or a command) serves: the one named by ``code`` (KIOSK_STORE), or
    the only store when ``code`` is empty; None while the database holds no store.

    Raises KioskError("unknown_store", code, codes) when no store has the code, and
    KioskError("store_not_chosen", codes) when there are several and none is named.
    """
    if code:
        store = Store.get_or_none(Store.code == code.strip().upper())
        if store is None:
            raise KioskError("unknown_store", store_code=code, codes=", ".join(store_codes()) or "-")
        return store
    stores = list(Store.select().order_by(Store.id).limit(2))
    if len(stores) > 1:
        raise KioskError("store_not_chosen", codes=", ".join(store_codes()))
    return stores[0] if stores else None


# What a printer address looks like, by its kind (shown when one typed cannot be used).
PRINTER_URL_EXAMPLES = {
    "tcp": "tcp://192.168.1.50:9100",
    "usb": "usb://0x0416:0x5011",
    "file": "file:///dev/usb/lp0",
    "serial": "serial:///dev/ttyUSB0?baudrate=9600",
    "cups": "cups://POS80",
    "win32": "win32://POS-80C",
    "virtual": "virtual://",
}


def check_printer_url(url):
    """The printer URL as stored ("" = the KIOSK_PRINTER setting). Raises
    KioskError("printer_url_example") for one no printer can be built from; it is not connected to."""
    url = (url or "").strip()
    if not url:
        return ""
    if len(url) > 300:
        raise KioskError("too_long", field="printer_url", max=300)
    try:
        printer_from_url(url)
    except (ValueError, PrinterError) as exc:
        # The device's reason is English; the screen shows an address of the right form instead.
        scheme = url.partition("://")[0].lower() if "://" in url else ""
        example = PRINTER_URL_EXAMPLES.get(scheme, " / ".join(PRINTER_URL_EXAMPLES[s] for s in ("tcp", "usb", "file")))
        raise KioskError("printer_url_example", example=example, error=str(exc)) from None
    return url


def update_settings(store, *, name, account_mode, card_full_name, printer_url=None, typed_card_numbers=None,
                    staff=None):
    """Change the store's name, account mode, card-name setting and (when given) its printer
    URL, and whether staff screens take typed card numbers; returns the store.

    The account mode applies to households and residents registered from now on; existing
    accounts stay as they are. Raises KioskError("missing_field", "too_long", "bad_account_mode",
    "printer_url_example").
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
    if typed_card_numbers is not None:
        changes["typed_card_numbers"] = bool(typed_card_numbers)
    with database.atomic():
        Store.update(**changes).where(Store.id == store.id).execute()
        audit.record("store_settings", store=store, staff=staff, **changes)
    return Store.get_by_id(store.id)


def network_printer(url):
    """(host, port) when ``url`` is a plain network printer address (tcp://192.168.1.50:9100,
    the port 9100 when left out), else (None, None)."""
    try:
        parts = urlsplit(url or "")
        port = parts.port
    except ValueError:
        return None, None
    if parts.scheme.lower() != "tcp" or not parts.hostname or parts.path or parts.query or parts.fragment:
        return None, None
    return parts.hostname, port or 9100


def printer_url_from(kind, *, host="", port="", url=""):
    """The printer URL a person described: "default" (the KIOSK_PRINTER setting, stored as ""),
    "network" (the printer's network address and port) or "other" (a connection address as
    typed). Raises KioskError("bad_printer_kind", "missing_field", "printer_url_example", "too_long")."""
    if kind == "default":
        return ""
    if kind == "network":
        host, port = (host or "").strip(), (port or "").strip() or "9100"
        if not host:
            raise KioskError("missing_field", field="printer_host")
        if not (port.isascii() and port.isdigit() and len(port) <= 5 and 1 <= int(port) <= 65535):
            raise KioskError("printer_port_range")
        if "/" in host or "@" in host or " " in host or "?" in host or "#" in host:
            raise KioskError("printer_url_example", example="192.168.1.50", error=host)
        try:
            return check_printer_url(f"tcp://{host}:{int(port)}")
        except KioskError as exc:
            if exc.code != "printer_url_example":
                raise
            raise KioskError("printer_url_example", example="192.168.1.50", error=host) from None
    if kind == "other":
        if not (url or "").strip():
            raise KioskError("missing_field", field="printer_url")
        return check_printer_url(url)
    raise KioskError("bad_printer_kind")


def update_advanced(store, *, printer_kind, printer_host="", printer_port="", printer_url="", timezone, staff=None):
    """Change how the store reaches its receipt printer (see ``printer_url_from``) and the
    store's time zone; returns the store. Raises KioskError("bad_printer_kind", "missing_field",
    "printer_url_example", "printer_port_range", "too_long", "bad_timezone")."""
    changes = {"printer_url": printer_url_from(printer_kind, host=printer_host, port=printer_port, url=printer_url),
               "timezone": check_timezone(timezone)}
    with database.atomic():
        Store.update(**changes).where(Store.id == store.id).execute()
        audit.record("store_settings", store=store, staff=staff, **changes)
    return Store.get_by_id(store.id)
