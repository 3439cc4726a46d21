"""Start-up files that boot a till straight into the full-screen kiosk (`kiosk boot`).

The templates beside this module (``linux/``, ``windows/``) are filled in with the absolute
paths of the running installation and its ``KIOSK_*`` settings, so the files generated work
with this virtualenv and instance folder only: generate them on the till itself.
"""
import datetime
import os
import re
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

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
WAIT_SECONDS = 120
LAUNCHER_PATH = "/usr/local/bin/kiosk-screen.sh"
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,31}$")
_USB = re.compile(r"^(?:0x)?([0-9a-f]{1,4}):(?:0x)?([0-9a-f]{1,4})$", re.IGNORECASE)


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


def current_installation(windows=False):
    """This installation, from sys.executable and the KIOSK_* environment (relative paths in it
    are taken from the working directory and written absolute).

    ``windows`` looks for the venv's kiosk.exe instead of bin/kiosk. Raises
    kiosk.config.SettingError for a bad KIOSK_* value and ValueError for a value that cannot be
    written to a start-up file (a line break).
    """
    from kiosk import ROOT, config

    settings = config.from_environment()
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
    )


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
    names = ("points-kiosk.service", "points-kiosk.env", "kiosk-screen.sh", "points-kiosk-screen.desktop",
             "99-points-kiosk-printer.rules", "INSTALL.txt")
    return {name: _render("linux/" + name, values) for name in names}


def windows_files(installation):
    """The Windows boot files as {file name: text}, with Windows (CRLF) line ends.

    Raises ValueError for a malformed usb:// printer URL.
    """
    usb = usb_ids(installation.printer)
    values = _values(installation, kiosk=installation.command[0], kiosk_args=installation.command[1:],
                     scripts=os.path.dirname(installation.python), usb_id=f"{usb[0]}:{usb[1]}".upper() if usb else "VID:PID")
    names = ("start-kiosk.bat", "start-kiosk.ps1", "INSTALL.txt")
    return {name: _render("windows/" + name, values).replace("\n", "\r\n") for name in names}


# Written with a byte order mark: Windows PowerShell reads a script without one in the ANSI code
# page, which would garble non-ASCII paths (C:\Users\张华\...).
_BOM = {"start-kiosk.ps1"}
_EXECUTABLE = {"kiosk-screen.sh", "start-kiosk.bat", "start-kiosk.ps1"}


def write(files, out):
    """Write ``files`` ({name: text}) into the folder ``out`` (made if missing, files replaced);
    returns the paths written. Raises OSError when the folder cannot be written."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in files.items():
        path = out / name
        path.write_bytes((b"\xef\xbb\xbf" if name in _BOM else b"") + text.encode("utf-8"))
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
        chromium_flags=CHROMIUM_FLAGS,
        **extra,
    )


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


_templates = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(HERE)),
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
    trim_blocks=True,
    lstrip_blocks=True,
    autoescape=False,
)
_templates.filters.update(sh=shlex.quote, unit=_unit, exec=_exec, envfile=_envfile, ps=_powershell)


def _render(name, values):
    return _templates.get_template(name).render(values)
