"""Start-up files that boot a till straight into the full-screen kiosk (`kiosk boot`).

The templates beside this module (``linux/``, ``windows/``) are filled in with the absolute
paths of the running installation and its ``KIOSK_*`` settings, so the files generated work
with this virtualenv and instance folder only: generate them on the till itself.

Besides the server and the screen, each set runs the nightly commands (``kiosk settle-deductions``
then ``kiosk expire`` and ``kiosk close-day``, then, whatever they did, ``kiosk backup`` on SQLite) shortly after midnight
in the store's time zone: a systemd timer on Linux, a Task Scheduler task on Windows.
"""
import datetime
import os
import re
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import jinja2

HERE = Path(__file__).resolve().parent
# Read by the screen launcher, not by the server: never written to the server's environment.
LAUNCHER_SETTINGS = ("KIOSK_URL", "KIOSK_WAIT_SECONDS", "KIOSK_BROWSER", "KIOSK_BROWSER_FLAGS")
# Chromium's kiosk flags besides --kiosk --app=URL: no error dialogs, no "restore pages?" bubble,
# no info bars, no swipe-back out of the app, no update checks (once a year).
CHROMIUM_FLAGS = (
    "--noerrdialogs",
    "--disable-session-crashed-bubble",
    "--disable-infobars",
    "--overscroll-history-navigation=0",
    "--check-for-update-interval=31536000",
)
# The browser's language (native widgets: file picker, date fields) follows the app's KIOSK_LOCALE.
BROWSER_LANGUAGES = {"zh_CN": "zh-CN", "en": "en-US"}
WAIT_SECONDS = 120
LAUNCHER_PATH = "/usr/local/bin/kiosk-screen.sh"
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,31}$")
_USB = re.compile(r"^(?:0x)?([0-9a-f]{1,4}):(?:0x)?([0-9a-f]{1,4})$", re.IGNORECASE)
_ZONE = re.compile(r"^[A-Za-z][A-Za-z0-9_+-]*(?:/[A-Za-z0-9_+-]+)*$")
# The nightly run: deductions whose objection period is over take effect, then the points due
# expire. In this order: a deduction takes the oldest points first, like spending, so it must be
# on the books before the expiry is worked out (the screens settle a deduction whenever its
# account is looked at, so the other order would make the result depend on who looked when).
# Last, every past day nobody closed is closed (kiosk.dayclose).
NIGHTLY_COMMANDS = ("settle-deductions", "expire", "close-day")
# Then, whether they succeeded or not, a verified backup (kiosk.backup) of a SQLite database;
# a PostgreSQL database is backed up on its server (pg_dump), so no backup is run there.
NIGHTLY_BACKUP = "backup"
NIGHTLY_TIME = "00:10"  # store time: the day just ended, ten minutes' grace for a slow clock
NIGHTLY_TASK = "PointsKioskNightly"


@dataclass(frozen=True)
class Installation:
    """Where this kiosk is installed and how it is set up, as the boot files need it."""

    command: tuple  # the argv that runs `kiosk`: (venv/bin/kiosk,) or (python, "-m", "kiosk")
    python: str
    workdir: str  # the server's working directory: the instance folder
    environment: dict  # the KIOSK_* settings the server keeps, KIOSK_INSTANCE_PATH made absolute
    url: str  # the page the screen shows
    browser: str
    browser_flags: str
    timezone: str = "Asia/Shanghai"  # the store's (KIOSK_TIMEZONE): the nightly run goes by it

    @property
    def instance(self):
        return self.environment["KIOSK_INSTANCE_PATH"]

    @property
    def printer(self):
        return self.environment.get("KIOSK_PRINTER", "")

    @property
    def health_url(self):
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.netloc}/healthz"


def current_installation(windows=False, timezone=None):
    """This installation, from sys.executable and the KIOSK_* environment (relative paths in it
    are taken from the working directory and written absolute).

    ``windows`` looks for the venv's kiosk.exe instead of bin/kiosk; ``timezone`` is the served
    store's zone (default KIOSK_TIMEZONE), by which the nightly run goes. Raises
    kiosk.config.SettingError for a bad KIOSK_* value and ValueError for a value that cannot be
    written to a start-up file (a line break).
    """
    from kiosk import ROOT, config

    settings = config.from_environment()
    timezone = timezone or settings["BABEL_DEFAULT_TIMEZONE"]
    if not _is_zone(timezone):
        raise config.SettingError(f"KIOSK_TIMEZONE must be a time zone name such as Asia/Shanghai, got {timezone!r}")
    python = os.path.abspath(sys.executable)  # not resolved: a venv's python is a symlink
    script = os.path.join(os.path.dirname(python), "kiosk.exe" if windows else "kiosk")
    if os.path.isfile(script) and (windows or os.access(script, os.X_OK)):
        command = (script,)
    else:
        command = (python, "-m", "kiosk")  # always this installation, unlike a `kiosk` on PATH
    environment = {
        name: value for name, value in sorted(os.environ.items())
        if name.startswith("KIOSK_") and name not in LAUNCHER_SETTINGS
    }
    # Absolute paths: the server runs in the instance folder, not where this command ran.
    environment["KIOSK_INSTANCE_PATH"] = os.path.abspath(environment.get("KIOSK_INSTANCE_PATH") or os.path.join(ROOT, "instance"))
    if environment.get("KIOSK_DATABASE_URL"):
        environment["KIOSK_DATABASE_URL"] = _absolute_sqlite(environment["KIOSK_DATABASE_URL"])
    environment = dict(sorted(environment.items()))
    for name, value in environment.items():
        if "\n" in value or "\r" in value:
            raise ValueError(f"{name} holds a line break: it cannot be written to a start-up file")
    return Installation(
        command=command,
        python=python,
        workdir=environment["KIOSK_INSTANCE_PATH"],
        environment=environment,
        url=os.environ.get("KIOSK_URL") or browser_url(settings["HOST"], settings["PORT"]),
        browser=os.environ.get("KIOSK_BROWSER", ""),
        browser_flags=os.environ.get("KIOSK_BROWSER_FLAGS", ""),
        timezone=timezone,
    )


def nightly_backup(installation):
    """Whether the nightly run makes a backup: when the database is SQLite (`kiosk backup`
    refuses PostgreSQL, whose server has its own tools)."""
    database = installation.environment.get("KIOSK_DATABASE_URL", "")
    return not database or database.startswith("sqlite")


def _is_zone(name):
    """Whether ``name`` is an IANA time zone this machine knows (systemd reads the same database)."""
    if not _ZONE.match(name or ""):
        return False
    try:
        ZoneInfo(name)
    except (ValueError, KeyError):  # ZoneInfoNotFoundError is a KeyError
        return False
    return True


def standard_offset(timezone, year=None):
    """The smaller of the zone's two UTC offsets in ``year`` (winter and summer) as "+08:00".

    Task Scheduler takes a start time with a fixed offset only; at the smaller one the task
    never starts before local midnight (an hour later in summer, where summer time is kept).
    """
    year = year or datetime.date.today().year
    zone = ZoneInfo(timezone)
    offset = min(datetime.datetime(year, month, 1, 12, tzinfo=zone).utcoffset() for month in (1, 7))
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _absolute_sqlite(url):
    """``url`` with a relative SQLite path (sqlite:///kiosk.db) made absolute; other URLs as given."""
    scheme, _, rest = url.partition("://")
    path = rest[1:]
    if not scheme.startswith("sqlite") or not path or path == ":memory:" or os.path.isabs(path):
        return url
    return f"{scheme}:///" + os.path.abspath(path)


def browser_url(host, port):
    """The URL a browser on this machine opens for a server listening on ``host``:``port``."""
    if host in ("", "0.0.0.0", "::", "*"):
        host = "127.0.0.1"
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}/"


def usb_ids(url):
    """(vendor, product) as udev writes them (4 lowercase hex digits) from a usb://VID:PID URL
    such as usb://0x0416:0x5011 or usb://0416:5011; None for another scheme or no URL.

    Raises ValueError for a usb:// URL without two hex ids.
    """
    parts = urlsplit((url or "").strip())
    if parts.scheme != "usb":
        return None
    match = _USB.match(parts.netloc)
    if not match or not all(int(part, 16) for part in match.groups()):
        raise ValueError(f"malformed printer URL {url!r}: use usb://VENDOR:PRODUCT in hex, e.g. usb://0x0416:0x5011")
    return tuple(f"{int(part, 16):04x}" for part in match.groups())


def check_name(kind, name):
    """Raises ValueError unless ``name`` is a plain user or group name (it goes into shell commands)."""
    if not _NAME.match(name or ""):
        raise ValueError(f"{kind} {name!r} is not a plain name: use letters, digits, '_', '-' or '.'")
    return name


def linux_files(installation, user, group="lp"):
    """The Linux boot files as {file name: text}; see linux/INSTALL.txt.

    Raises ValueError for a user or group that is not a plain name and for a malformed usb:// printer URL.
    """
    check_name("user", user)
    check_name("group", group)
    database = installation.environment.get("KIOSK_DATABASE_URL", "")
    after = "network.target"
    if database.startswith(("postgres://", "postgresql://")):
        after += " postgresql.service"
    values = _values(
        installation, user=user, group=group, after=after, usb=usb_ids(installation.printer),
        sqlite=not database or database.startswith("sqlite"), launcher=LAUNCHER_PATH,
        kiosk=shlex.join(installation.command),
    )
    names = ("points-kiosk.service", "points-kiosk.env", "points-kiosk-nightly.service", "points-kiosk-nightly.timer",
             "kiosk-screen.sh", "points-kiosk-screen.desktop", "99-points-kiosk-printer.rules", "INSTALL.txt")
    return {name: _render("linux/" + name, values) for name in names}


def windows_files(installation, folder):
    """The Windows boot files as {file name: text}, with Windows (CRLF) line ends. ``folder`` is
    where they are written and stay: the nightly task runs nightly.bat from there.

    Raises ValueError for a malformed usb:// printer URL and for a path or setting that cannot be
    written to nightly.bat (a double quote in a path).
    """
    usb = usb_ids(installation.printer)
    folder = os.path.abspath(folder)
    values = _values(installation, kiosk=installation.command[0], kiosk_args=installation.command[1:],
                     scripts=os.path.dirname(installation.python), usb_id=f"{usb[0]}:{usb[1]}".upper() if usb else "VID:PID",
                     nightly_bat=os.path.join(folder, "nightly.bat"),
                     nightly_xml=os.path.join(folder, "points-kiosk-nightly.xml"),
                     nightly_log=os.path.join(installation.instance, "nightly.log"),
                     offset=standard_offset(installation.timezone))
    names = ("start-kiosk.bat", "start-kiosk.ps1", "nightly.bat", "points-kiosk-nightly.xml", "INSTALL.txt")
    return {name: _render("windows/" + name, values).replace("\n", "\r\n") for name in names}


# Written with a byte order mark: Windows PowerShell reads a script without one in the ANSI code
# page, which would garble non-ASCII paths (C:\Users\张华\...).
_BOM = {"start-kiosk.ps1"}
# Task Scheduler's own XML (what it exports, and what `schtasks /Create /XML` reads): UTF-16 with
# a byte order mark, as its declaration says.
_UTF16 = {"points-kiosk-nightly.xml"}
_EXECUTABLE = {"kiosk-screen.sh", "start-kiosk.bat", "start-kiosk.ps1", "nightly.bat"}


def write(files, out):
    """Write ``files`` ({name: text}) into the folder ``out`` (made if missing, files replaced);
    returns the paths written. Raises OSError when the folder cannot be written."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in files.items():
        path = out / name
        if name in _UTF16:
            data = b"\xff\xfe" + text.encode("utf-16-le")
        else:
            data = (b"\xef\xbb\xbf" if name in _BOM else b"") + text.encode("utf-8")
        path.write_bytes(data)
        path.chmod(0o755 if name in _EXECUTABLE else 0o600 if name.endswith(".env") else 0o644)
        written.append(path)
    return written


def _values(installation, **extra):
    return dict(
        generated=datetime.datetime.now().strftime("%Y-%m-%d %H:%M"),
        python=installation.python,
        workdir=installation.workdir,
        instance=installation.instance,
        environment=installation.environment,
        printer=installation.printer,
        url=installation.url,
        health_url=installation.health_url,
        browser=installation.browser,
        browser_flags=installation.browser_flags,
        wait_seconds=WAIT_SECONDS,
        chromium_flags=browser_flags(installation),
        timezone=installation.timezone,
        nightly_commands=NIGHTLY_COMMANDS,
        backup=NIGHTLY_BACKUP if nightly_backup(installation) else "",
        nightly_time=NIGHTLY_TIME,
        nightly_task=NIGHTLY_TASK,
        **extra,
    )


def browser_language(installation):
    """The browser's --lang for this installation's KIOSK_LOCALE (zh-CN by default)."""
    return BROWSER_LANGUAGES.get(installation.environment.get("KIOSK_LOCALE", ""), "zh-CN")


def browser_flags(installation):
    """CHROMIUM_FLAGS with the installation's language."""
    return (f"--lang={browser_language(installation)}", *CHROMIUM_FLAGS)


def _unit(value):
    """A value for a systemd unit setting: '%' starts a specifier there."""
    return str(value).replace("%", "%%")


def _exec(value):
    """One argument of a systemd Exec*= line (command lines are given already joined by shlex)."""
    return " ".join(_exec_word(word) for word in shlex.split(value))


def _exec_word(word):
    word = word.replace("%", "%%").replace("$", "$$")
    if re.search(r"[\s\"'\\;]", word):
        return '"' + word.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return word


def _envfile(value):
    """A value in a systemd EnvironmentFile: single-quoted (literal) unless it holds a quote."""
    if re.fullmatch(r"[A-Za-z0-9_@%+=:,./-]*", value):
        return value
    if "'" not in value:
        return f"'{value}'"
    return '"' + re.sub(r'([\\"$`])', r"\\\1", value) + '"'


def _powershell(value):
    return "'" + str(value).replace("'", "''") + "'"


def _batch_path(value):
    """A path for a .bat file, to be written inside double quotes: '%' doubled (cmd expands
    %NAME% even there). Raises ValueError for a double quote, which no Windows path holds."""
    value = str(value)
    if '"' in value:
        raise ValueError(f"{value!r} holds a double quote: it cannot be written to nightly.bat")
    return value.replace("%", "%%")


def _batch_set(name, value):
    """The line ``set "NAME=value"`` of a .bat file that gives NAME exactly ``value``.

    SET keeps what lies between the first and the last double quote. '%' is doubled everywhere;
    a double quote in the value ends cmd's quoting until the next one, so ^ & | < > ( ) there
    are escaped with a caret. (nightly.bat turns delayed expansion off, so '!' is plain.)
    """
    text, quoted = [], True  # inside the quote that opens "NAME=
    for char in str(value):
        if char == "%":
            text.append("%%")
        elif char == '"':
            quoted = not quoted
            text.append(char)
        elif not quoted and char in "^&|<>()":
            text.append("^" + char)
        else:
            text.append(char)
    return f'set "{name}={"".join(text)}"'


def _xml(value):
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


_templates = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(HERE)),
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
    trim_blocks=True,
    lstrip_blocks=True,
    autoescape=False,
)
_templates.filters.update(sh=shlex.quote, unit=_unit, exec=_exec, envfile=_envfile, ps=_powershell, bat=_batch_path,
                          xml=_xml)
_templates.globals.update(batch_set=_batch_set)


def _render(name, values):
    return _templates.get_template(name).render(values)
