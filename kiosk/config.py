"""Settings: declarative defaults, each overridable by a ``KIOSK_*`` environment variable.

A bad value is rejected at start-up with a message naming the variable, never silently ignored.
"""
import os


class SettingError(ValueError):
    """A ``KIOSK_*`` environment variable holds a value the kiosk cannot use."""


def env_str(name, default):
    return os.environ.get(name, default)


def env_int(name, default, minimum=None, maximum=None):
    """Read an integer setting; raises SettingError when it is not a whole number in range."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise SettingError(f"{name} must be a whole number, got {raw!r}") from None
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise SettingError(f"{name} must be between {minimum} and {maximum}, got {value}")
    return value


def env_choice(name, default, choices):
    """Read a setting that must be one of ``choices``; raises SettingError otherwise."""
    value = os.environ.get(name, default)
    if value not in choices:
        raise SettingError(f"{name} must be one of {', '.join(map(str, choices))}, got {value!r}")
    return value


def env_timezone(name, default):
    """Read an IANA time zone name (Asia/Shanghai); raises SettingError for an unknown zone."""
    from zoneinfo import ZoneInfo

    value = os.environ.get(name, "").strip() or default
    try:
        ZoneInfo(value)
    except (ValueError, KeyError, OSError):
        raise SettingError(f"{name} must be a time zone such as Asia/Shanghai, got {value!r}") from None
    return value


def from_environment():
    """The settings as a dict for ``app.config``; raises SettingError on a bad value."""
    return {
        # Empty means a SQLite file in the instance folder (see kiosk.db.database_url).
        "DATABASE_URL": env_str("KIOSK_DATABASE_URL", ""),
        # Connections each server process keeps open to PostgreSQL (0: no pool, a new
        # connection per request). SQLite files are opened per request.
        "DATABASE_POOL_SIZE": env_int("KIOSK_DATABASE_POOL_SIZE", 10, 0, 1000),
        "HOST": env_str("KIOSK_HOST", "127.0.0.1"),
        "PORT": env_int("KIOSK_PORT", 8000, 1, 65535),
        # A printer URL: virtual:// keeps receipts in memory and in the instance folder;
        # tcp://host:9100 and file:///dev/usb/lp0 reach a real ESC/POS printer.
        "PRINTER_URL": env_str("KIOSK_PRINTER", "virtual://"),
        "PAPER_WIDTH": int(env_choice("KIOSK_PAPER_WIDTH", "80", ("58", "80"))),
        "PRINTER_ENCODING": env_choice("KIOSK_PRINTER_ENCODING", "gb18030", ("gb18030", "gbk", "big5")),
        # Staff are signed out after this many seconds without a tap.
        "IDLE_SIGNOUT_SECONDS": env_int("KIOSK_IDLE_SIGNOUT_SECONDS", 300, 30, 86400),
        # After a checkout the cashier screen returns to idle after this many seconds.
        "RETURN_TO_IDLE_SECONDS": env_int("KIOSK_RETURN_TO_IDLE_SECONDS", 8, 1, 600),
        # The resident's passbook screen goes back to idle after this many seconds.
        "PASSBOOK_SECONDS": env_int("KIOSK_PASSBOOK_SECONDS", 20, 3, 600),
        # The idle passbook screen shows the newest public notice (公示) after this many seconds
        # without a scan (0: never), each page of it for NOTICE_PAGE_SECONDS.
        "NOTICE_ROTATE_SECONDS": env_int("KIOSK_NOTICE_ROTATE_SECONDS", 60, 0, 86400),
        "NOTICE_PAGE_SECONDS": env_int("KIOSK_NOTICE_PAGE_SECONDS", 8, 2, 600),
        "BABEL_DEFAULT_LOCALE": env_choice("KIOSK_LOCALE", "zh_CN", ("zh_CN", "en")),
        # The zone of a store created without one, and of a database with no store yet; once the
        # served store exists, its own zone (Store.timezone) is used (kiosk.stores.service).
        "BABEL_DEFAULT_TIMEZONE": env_timezone("KIOSK_TIMEZONE", "Asia/Shanghai"),
        # The code of the store this server and every command serve; may be left empty while
        # the database holds one store (kiosk.stores.service.served_store).
        "STORE_CODE": env_str("KIOSK_STORE", "").strip().upper(),
        # Where `kiosk backup` keeps its copies (empty: backups/ in the instance folder).
        "BACKUP_DIR": env_str("KIOSK_BACKUP_DIR", "").strip(),
        # Wrong PINs in a row before the next try has to wait, the first wait, and the longest:
        # each further wrong PIN doubles the wait up to the longest (kiosk.staff.service).
        "PIN_MAX_ATTEMPTS": env_int("KIOSK_PIN_MAX_ATTEMPTS", 5, 1, 100),
        "PIN_LOCKOUT_SECONDS": env_int("KIOSK_PIN_LOCKOUT_SECONDS", 30, 0, 86400),
        "PIN_MAX_DELAY_SECONDS": env_int("KIOSK_PIN_MAX_DELAY_SECONDS", 3600, 1, 86400),
        # Behind HTTPS: 1 marks the cookies Secure (sent over HTTPS only). PROXY_HOPS is the
        # number of reverse proxies in front of the kiosk whose X-Forwarded-* headers are
        # trusted (0: none, the kiosk is reached directly). See kiosk.headers.
        "SECURE_COOKIES": bool(int(env_choice("KIOSK_SECURE_COOKIES", "0", ("0", "1")))),
        "PROXY_HOPS": env_int("KIOSK_PROXY_HOPS", 0, 0, 5),
        # A scanner in serial mode, e.g. serial:///dev/ttyACM0?baudrate=9600; empty for a
        # keyboard-wedge (USB HID) scanner, which types into the page.
        "SCANNER_URL": env_str("KIOSK_SCANNER", ""),
        # Characters a keyboard-wedge scanner is set up to type before and after each code
        # (empty: none); the page strips them from the code.
        "SCANNER_PREFIX": env_str("KIOSK_SCANNER_PREFIX", ""),
        # SQLite: how long a write waits for another's lock before it counts as busy, and how
        # many more times the server tries a checkout or return that found the database busy
        # before the screen says "try again in a moment" (the cart and its key are kept).
        "BUSY_TIMEOUT_MS": env_int("KIOSK_BUSY_TIMEOUT_MS", 3000, 100, 60000),
        "BUSY_RETRIES": env_int("KIOSK_BUSY_RETRIES", 3, 0, 20),
        "SCANNER_SUFFIX": env_str("KIOSK_SCANNER_SUFFIX", ""),
    }
