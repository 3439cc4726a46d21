"""`kiosk boot linux|windows`: the start-up files a technician installs on a till.

The files are generated as on a till (the `kiosk` command in a subprocess) and checked the way
their consumers read them: systemd, udev, bash, cmd.exe, Task Scheduler. Nothing is installed;
the nightly run's commands are run as systemd would run them, against a real database.
"""
import configparser
import os
import re
import shlex
import shutil
import sqlite3
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from kiosk import ROOT, boot
from tests.helpers import rechain

LINUX_FILES = {"points-kiosk.service", "points-kiosk.env", "points-kiosk-nightly.service", "points-kiosk-nightly.timer",
               "kiosk-screen.sh", "points-kiosk-screen.desktop", "99-points-kiosk-printer.rules", "INSTALL.txt"}
WINDOWS_FILES = {"start-kiosk.bat", "start-kiosk.ps1", "nightly.bat", "points-kiosk-nightly.xml", "INSTALL.txt"}
TASK = "{http://schemas.microsoft.com/windows/2004/02/mit/task}"


def generate(tmp_path, kind, *args, **settings):
    """Run `kiosk boot KIND --out DIR` with only ``settings`` as KIOSK_* environment; returns DIR."""
    out = tmp_path / kind
    env = {name: value for name, value in os.environ.items() if not name.startswith("KIOSK_")}
    env.update({"KIOSK_INSTANCE_PATH": str(tmp_path / "instance"), **settings})
    result = subprocess.run([sys.executable, "-m", "kiosk", "boot", kind, "--out", str(out), *args],
                            env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    return out


def refused(tmp_path, kind, *args, **settings):
    """Run `kiosk boot` expecting it to fail; returns its error output."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("KIOSK_")}
    env.update(settings)
    result = subprocess.run([sys.executable, "-m", "kiosk", "boot", kind, "--out", str(tmp_path / "out"), *args],
                            env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0, result.stdout
    assert not (tmp_path / "out").exists()
    return result.stderr


def unit_file(path):
    # systemd unit files are INI-like: case-sensitive keys, no interpolation ('%' is a specifier).
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str
    parser.read(path, encoding="utf-8")
    return parser


def unit_settings(path):
    """[(section, key, value)] of a systemd unit in file order: unlike configparser, keeps keys
    that may repeat (ExecStart= in a oneshot service)."""
    settings, section = [], None
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        key, value = line.split("=", 1)
        settings.append((section, key, value))
    return settings


def exec_argv(value):
    """The argv systemd runs for an Exec*= value: words unquoted, then %% and $$ made single."""
    return [word.replace("%%", "%").replace("$$", "$") for word in shlex.split(value)]


def udev_pairs(line):
    """The KEY=="value" / KEY="value" pairs of one udev rule line; fails on anything else."""
    pairs, position = [], 0
    pattern = re.compile(r'\s*([A-Z_]+(?:\{[A-Za-z_]+\})?)(==|!=|\+=|-=|:=|=)"([^"]*)"\s*(,|$)')
    while position < len(line):
        match = pattern.match(line, position)
        assert match, f"not a udev KEY==\"value\" list at {line[position:]!r}"
        pairs.append(match.group(1, 2, 3))
        position = match.end()
    return pairs


def env_file(path):
    """The settings of a systemd EnvironmentFile, unquoted as systemd does: '...' is literal; in
    "..." a backslash escapes only a backslash, a double quote, a dollar sign or a backtick."""
    settings = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith(("#", ";")):
            continue
        name, value = line.split("=", 1)
        if value[:1] == "'" and value[-1:] == "'":
            value = value[1:-1]
        elif value[:1] == '"' and value[-1:] == '"':
            value = re.sub(r'\\([\\"$`])', r"\1", value[1:-1])
        else:
            assert not re.search(r"[\s'\"\\$`]", value), f"unquoted special characters in {line!r}"
        settings[name] = value
    return settings


def rules(path):
    lines = path.read_text(encoding="utf-8").splitlines()
    return [udev_pairs(line) for line in lines if line.strip() and not line.lstrip().startswith("#")]


@pytest.fixture
def linux(tmp_path):
    return generate(tmp_path, "linux", "--user", "till", KIOSK_PORT="8123", KIOSK_PRINTER="usb://0x0416:0x5011",
                    KIOSK_BROWSER_FLAGS="--force-device-scale-factor=1.25")


def test_linux_writes_every_file(linux):
    assert {path.name for path in linux.iterdir()} == LINUX_FILES
    assert os.access(linux / "kiosk-screen.sh", os.X_OK)
    # The environment file may hold a database password.
    assert (linux / "points-kiosk.env").stat().st_mode & 0o077 == 0


def test_systemd_unit_runs_this_installation_as_the_user(linux, tmp_path):
    unit = unit_file(linux / "points-kiosk.service")
    assert unit.sections() == ["Unit", "Service", "Install"]
    service = unit["Service"]
    assert service["User"] == "till"
    assert service["Restart"] == "always"
    assert "network.target" in unit["Unit"]["After"].split()
    assert unit["Install"]["WantedBy"] == "multi-user.target"
    assert service["EnvironmentFile"] == "/etc/points-kiosk.env"
    assert service["WorkingDirectory"] == str(tmp_path / "instance")
    start = shlex.split(service["ExecStart"])
    assert os.path.isabs(start[0]) and os.path.isfile(start[0]) and os.access(start[0], os.X_OK), start
    assert start[-1] == "serve"
    assert shlex.split(service["ExecStartPre"]) == start[:-1] + ["init-db"]
    # The venv's own kiosk script, not whatever `kiosk` is first on PATH.
    assert os.path.dirname(start[0]) == os.path.dirname(os.path.abspath(sys.executable))


@pytest.mark.skipif(shutil.which("systemd-analyze") is None,
                    reason="systemd-analyze is not installed: the unit is only checked by test_systemd_unit_runs_*")
def test_systemd_analyze_verifies_the_units(linux):
    # verify loads the units as systemd would, checks that ExecStart*= name executables and
    # that the timer's OnCalendar= (with its time zone) parses and names an existing service.
    units = ["points-kiosk.service", "points-kiosk-nightly.service", "points-kiosk-nightly.timer"]
    result = subprocess.run(["systemd-analyze", "verify", *(str(linux / unit) for unit in units)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    for unit in units:
        assert unit not in result.stderr, result.stderr


def test_environment_file_keeps_the_server_settings_with_absolute_paths(tmp_path):
    out = generate(tmp_path, "linux", KIOSK_PORT="8124", KIOSK_DATABASE_URL="sqlite:///data/store.db",
                   KIOSK_TIMEZONE="Asia/Shanghai", KIOSK_BROWSER="/usr/bin/chromium")
    assert env_file(out / "points-kiosk.env") == {
        "KIOSK_DATABASE_URL": "sqlite:///" + os.path.join(os.getcwd(), "data", "store.db"),
        "KIOSK_INSTANCE_PATH": str(tmp_path / "instance"),
        "KIOSK_PORT": "8124",
        "KIOSK_TIMEZONE": "Asia/Shanghai",
    }  # KIOSK_BROWSER is the screen's, not the server's


def test_environment_file_quotes_a_password(tmp_path):
    url = "postgresql://kiosk:it's $ecret@db/kiosk"
    out = generate(tmp_path, "linux", KIOSK_DATABASE_URL=url)
    assert env_file(out / "points-kiosk.env")["KIOSK_DATABASE_URL"] == url
    assert "postgresql.service" in unit_file(out / "points-kiosk.service")["Unit"]["After"]


@pytest.mark.parametrize("url", ["usb://0x0416:0x5011", "usb://0416:5011?interface=0", "usb://0x416:0X5011"])
def test_udev_rule_names_the_ids_of_a_usb_printer(tmp_path, url):
    out = generate(tmp_path, "linux", KIOSK_PRINTER=url)
    usb, lp = rules(out / "99-points-kiosk-printer.rules")
    assert usb == [("SUBSYSTEM", "==", "usb"), ("ATTR{idVendor}", "==", "0416"), ("ATTR{idProduct}", "==", "5011"),
                   ("MODE", "=", "0660"), ("GROUP", "=", "lp")]
    assert ("GROUP", "=", "lp") in lp


def test_udev_rule_without_usb_ids_opens_printer_class_devices(tmp_path):
    out = generate(tmp_path, "linux", "--group", "kioskprint", KIOSK_PRINTER="tcp://192.168.1.50:9100")
    usb, lp = rules(out / "99-points-kiosk-printer.rules")
    assert ("ENV{ID_USB_INTERFACES}", "==", "*:0701??:*") in usb
    assert not any(key.startswith("ATTR{id") for key, _, _ in usb)
    assert ("GROUP", "=", "kioskprint") in usb and ("GROUP", "=", "kioskprint") in lp
    assert ("KERNEL", "==", "lp[0-9]*") in lp


def test_usb_ids_from_printer_urls():
    assert boot.usb_ids("usb://0x0416:0x5011") == ("0416", "5011")
    assert boot.usb_ids("usb://4b8:e03") == ("04b8", "0e03")
    assert boot.usb_ids("tcp://printer:9100") is None
    assert boot.usb_ids("") is None
    with pytest.raises(ValueError, match="usb://VENDOR:PRODUCT"):
        boot.usb_ids("usb://printer")
    with pytest.raises(ValueError):
        boot.usb_ids("usb://0x0000:0x5011")


def test_malformed_usb_printer_url_is_refused(tmp_path):
    assert "usb://VENDOR:PRODUCT" in refused(tmp_path, "linux", KIOSK_PRINTER="usb://epson")


def test_user_that_is_not_a_plain_name_is_refused(tmp_path):
    # The name goes into shell commands in INSTALL.txt.
    assert "not a plain name" in refused(tmp_path, "linux", "--user", "kiosk; reboot")


def test_bad_setting_is_refused_with_its_name(tmp_path):
    assert "KIOSK_PORT" in refused(tmp_path, "linux", KIOSK_PORT="eighty")


def test_launcher_is_bash_with_the_kiosk_flags(linux):
    script = linux / "kiosk-screen.sh"
    result = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    text = script.read_text()
    assert text.startswith("#!/usr/bin/env bash\n")
    assert "DEFAULT_URL=http://127.0.0.1:8123/\n" in text
    assert "DEFAULT_FLAGS=--force-device-scale-factor=1.25\n" in text
    (launch,) = [line for line in text.splitlines() if line.startswith("exec ")]
    for flag in ("--kiosk", '--app="$URL"', "--lang=zh-CN", "--noerrdialogs", "--disable-session-crashed-bubble", "--disable-infobars",
                 "--overscroll-history-navigation=0", "--check-for-update-interval=31536000"):
        assert flag in launch.split()


def test_autostart_entry_starts_the_installed_launcher(linux):
    entry = unit_file(linux / "points-kiosk-screen.desktop")["Desktop Entry"]
    assert entry["Type"] == "Application"
    assert entry["Exec"] == "/usr/local/bin/kiosk-screen.sh"
    assert "install -m 0755 kiosk-screen.sh /usr/local/bin/kiosk-screen.sh" in (linux / "INSTALL.txt").read_text()


def test_linux_install_lists_the_commands(linux):
    text = (linux / "INSTALL.txt").read_text()
    for command in ("install -m 0644 points-kiosk.service /etc/systemd/system/points-kiosk.service",
                    "install -m 0600 points-kiosk.env /etc/points-kiosk.env",
                    "systemctl enable --now points-kiosk",
                    "install -m 0644 points-kiosk-nightly.service points-kiosk-nightly.timer /etc/systemd/system/",
                    "systemctl enable --now points-kiosk-nightly.timer",
                    "systemctl list-timers points-kiosk-nightly.timer",
                    "journalctl -u points-kiosk-nightly",
                    "timedatectl set-timezone Asia/Shanghai",
                    "udevadm control --reload-rules && udevadm trigger",
                    "usermod -aG lp,dialout till",
                    "autologin-user=till",
                    "AutomaticLogin=till",
                    "http://127.0.0.1:8123/healthz"):
        assert command in text, command


def test_nightly_unit_runs_settle_then_expire_as_the_server_does(linux, tmp_path):
    server = unit_file(linux / "points-kiosk.service")["Service"]
    nightly = unit_settings(linux / "points-kiosk-nightly.service")
    service = {key: value for section, key, value in nightly if section == "Service" and key != "ExecStart"}
    assert service["Type"] == "oneshot"
    for key in ("User", "WorkingDirectory", "EnvironmentFile"):
        assert service[key] == server[key], key
    assert service["WorkingDirectory"] == str(tmp_path / "instance")
    # ExecStart= lines: a oneshot runs them in order and stops at the first that fails, so
    # expire never runs without the deductions that were due; the day close comes last.
    commands = [exec_argv(value) for section, key, value in nightly if key == "ExecStart"]
    kiosk = shlex.split(server["ExecStart"])[:-1]
    assert commands == [kiosk + ["settle-deductions"], kiosk + ["expire"], kiosk + ["close-day"]]
    assert os.path.isabs(kiosk[0])
    # Then the backup, as ExecStopPost=: systemd runs it after the ExecStart= commands whether
    # they succeeded or failed, so a failed expiry does not cost the night's copy.
    after = [exec_argv(value) for section, key, value in nightly if key == "ExecStopPost"]
    assert after == [kiosk + ["backup"]]
    assert service["TimeoutStopSec"] == "1h"  # ExecStopPost= runs under the stop timeout (90 s by default)
    unit = {key: value for section, key, value in nightly if section == "Unit"}
    assert "points-kiosk.service" in unit["After"].split()  # after init-db has upgraded the database
    # Started by the timer only.
    assert not [key for section, key, value in nightly if section == "Install"]


def test_no_nightly_backup_on_postgresql(tmp_path):
    """`kiosk backup` refuses PostgreSQL (its server has pg_dump): the nightly run leaves it out
    rather than fail every night."""
    out = generate(tmp_path, "linux", KIOSK_DATABASE_URL="postgresql://kiosk@localhost/kiosk")
    nightly = unit_settings(out / "points-kiosk-nightly.service")
    assert not [value for _, key, value in nightly if key == "ExecStopPost"]
    assert [exec_argv(value)[-1] for _, key, value in nightly if key == "ExecStart"] == ["settle-deductions", "expire", "close-day"]
    windows = generate(tmp_path, "windows", KIOSK_DATABASE_URL="postgresql://kiosk@localhost/kiosk")
    assert not [line for line in batch_lines(windows / "nightly.bat") if line.endswith("2>&1") and " backup " in line]


def test_nightly_timer_fires_after_midnight_in_the_store_time_zone(tmp_path):
    out = generate(tmp_path, "linux", KIOSK_TIMEZONE="Asia/Urumqi")
    timer = unit_file(out / "points-kiosk-nightly.timer")
    assert timer["Timer"]["OnCalendar"] == "*-*-* 00:10:00 Asia/Urumqi"
    assert timer["Timer"]["Persistent"] == "true"  # a till that was off catches up at boot
    assert timer["Timer"]["Unit"] == "points-kiosk-nightly.service"
    assert timer["Install"]["WantedBy"] == "timers.target"
    if shutil.which("systemd-analyze"):
        # systemd's own reading of the spec: the next run is 00:10 in Urumqi (UTC+6), 18:10 UTC.
        result = subprocess.run(["systemd-analyze", "calendar", timer["Timer"]["OnCalendar"]],
                                capture_output=True, text=True, timeout=60, env=dict(os.environ, TZ="UTC"))
        assert result.returncode == 0, result.stderr
        assert re.search(r"Next elapse: \w+ \d{4}-\d\d-\d\d 18:10:00 UTC", result.stdout), result.stdout


def test_a_time_zone_that_does_not_exist_is_refused(tmp_path):
    # It goes into the timer's OnCalendar=, which systemd would reject only at install time.
    assert "KIOSK_TIMEZONE" in refused(tmp_path, "linux", KIOSK_TIMEZONE="Asia/Atlantis")
    assert "KIOSK_TIMEZONE" in refused(tmp_path, "windows", KIOSK_TIMEZONE="../etc/passwd")


def test_nightly_run_settles_the_due_deduction_before_expiring_the_rest(tmp_path):
    """The nightly unit's commands, run as systemd runs them (its working directory, only the
    environment file's settings, a bare PATH, no terminal), against a real store: a deduction
    whose objection period ended today takes its 5 points from the oldest points, then every
    point older than 12 months expires. Run the other way round, the expiry would take all the
    points and the deduction would find none left."""
    database = tmp_path / "store.db"
    out = generate(tmp_path, "linux", "--user", "till", KIOSK_DATABASE_URL=f"sqlite:///{database}",
                   KIOSK_TIMEZONE="Asia/Shanghai")
    settings = env_file(out / "points-kiosk.env")
    # PYTHONPATH: the kiosk of this checkout, not whichever one the shared virtualenv installs.
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "PYTHONPATH": ROOT, **settings}
    nightly = unit_settings(out / "points-kiosk-nightly.service")
    workdir = next(value for _, key, value in nightly if key == "WorkingDirectory")
    commands = [exec_argv(value) for _, key, value in nightly if key == "ExecStart"]
    server = exec_argv(unit_file(out / "points-kiosk.service")["Service"]["ExecStart"])
    for step in ("init-db", "demo"):  # what the server's ExecStartPre and a technician do first
        result = subprocess.run([*server[:-1], step], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stdout + result.stderr
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    with sqlite3.connect(database) as db:
        db.execute("UPDATE ledger_entry SET created_at = '2024-06-01 02:00:00'")
    rechain(database)  # backdated on purpose: the hash chain is made to match again
    with sqlite3.connect(database) as db:
        db.execute("UPDATE store SET expiry_mode = 'months', expiry_months = 12, expiry_start = NULL")
        account_id, balance = db.execute(
            "SELECT id, balance FROM account WHERE balance > 5 ORDER BY id LIMIT 1").fetchone()
        resident_id = db.execute("SELECT r.id FROM resident r JOIN account a ON a.household_id = r.household_id "
                                 "WHERE a.id = ? LIMIT 1", (account_id,)).fetchone()[0]
        store_id, rule_id = db.execute("SELECT store_id, id FROM rule WHERE code = 'LITTER'").fetchone()
        staff_id = db.execute("SELECT id FROM staff ORDER BY id LIMIT 1").fetchone()[0]
        record_id = db.execute(
            "INSERT INTO service_record (store_id, resident_id, account_id, rule_id, content, service_date, units,"
            " points, status, group_key, recorded_by_id, reviewed_by_id, reason, effective_on, created_at)"
            " VALUES (?, ?, ?, ?, '乱扔垃圾', ?, 1, -5, 'waiting', '', ?, ?, '', ?, ?)",
            (store_id, resident_id, account_id, rule_id, today - timedelta(days=7), staff_id, staff_id, today,
             f"{today - timedelta(days=7)} 01:00:00")).lastrowid
        total, accounts = db.execute("SELECT SUM(balance), COUNT(*) FROM account WHERE balance > 0").fetchone()

    outputs = []
    for argv in commands:
        result = subprocess.run(argv, env=env, cwd=workdir, stdin=subprocess.DEVNULL, capture_output=True,
                                text=True, timeout=120)
        assert result.returncode == 0, f"{argv}: {result.stdout}{result.stderr}"
        outputs.append(result.stdout)
    settled, expired, closed = outputs
    assert "1 deduction(s) took effect" in settled
    # The day close of yesterday, which nobody closed (the store's first close).
    assert closed.startswith(f"XY {today - timedelta(days=1)}: closed;"), closed
    assert f"{total - 5} points expired on {accounts} account(s)" in expired
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT status FROM service_record WHERE id = ?", (record_id,)).fetchone() == ("approved",)
        entries = db.execute("SELECT kind, delta FROM ledger_entry WHERE account_id = ? AND kind IN ('deduct', 'expire')"
                             " ORDER BY id", (account_id,)).fetchall()
        assert entries == [("deduct", -5), ("expire", -(balance - 5))]
        assert db.execute("SELECT SUM(balance) FROM account").fetchone() == (0,)
    # A second night (or a technician trying it) changes nothing.
    again = [subprocess.run(argv, env=env, cwd=workdir, capture_output=True, text=True, timeout=120) for argv in commands]
    assert [result.returncode for result in again] == [0, 0, 0]
    assert "0 deduction(s) took effect" in again[0].stdout and "0 points expired on 0 account(s)" in again[1].stdout
    assert again[2].stdout == "XY: every past day is closed\n"
    verify = subprocess.run([*server[:-1], "verify"], env=env, cwd=workdir, capture_output=True, text=True, timeout=120)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    # The ExecStopPost= backup: a verified copy in backups/ of the instance folder.
    backup = [exec_argv(value) for _, key, value in nightly if key == "ExecStopPost"]
    result = subprocess.run(backup[0], env=env, cwd=workdir, stdin=subprocess.DEVNULL, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert [path.name.split("-")[2] for path in (tmp_path / "instance" / "backups").glob("kiosk-backup-*.zip")] == ["XY"]


@pytest.fixture
def windows(tmp_path):
    return generate(tmp_path, "windows", KIOSK_PORT="8125", KIOSK_PRINTER="usb://0x0416:0x5011")


def test_windows_files_have_crlf_line_ends(windows):
    assert {path.name for path in windows.iterdir()} == WINDOWS_FILES
    for name in WINDOWS_FILES:
        data = (windows / name).read_bytes()
        text = data.decode("utf-16") if name.endswith(".xml") else data.decode("utf-8-sig")
        assert text.endswith("\r\n"), name
        assert text.count("\n") == text.count("\r\n"), f"{name} has a bare LF"
    # Windows PowerShell reads a BOM-less script in the ANSI code page.
    assert (windows / "start-kiosk.ps1").read_bytes().startswith(b"\xef\xbb\xbf")
    # cmd.exe would take a BOM for part of the first command ("@echo off" not found).
    assert (windows / "nightly.bat").read_bytes().startswith(b"@echo off\r\n")


def test_bat_runs_the_powershell_script_beside_it(windows):
    bat = (windows / "start-kiosk.bat").read_bytes().decode("ascii")
    assert bat.startswith("@echo off\r\n")
    assert 'powershell.exe -NoProfile -ExecutionPolicy Bypass -File "%~dp0start-kiosk.ps1"' in bat


def test_powershell_script_starts_server_waits_and_opens_the_browser(windows, tmp_path):
    script = (windows / "start-kiosk.ps1").read_bytes().decode("utf-8-sig")
    assert f"$env:KIOSK_INSTANCE_PATH = '{tmp_path / 'instance'}'" in script
    assert "$env:KIOSK_PORT = '8125'" in script
    assert "'http://127.0.0.1:8125/'" in script
    assert "'/healthz'" in script and "Invoke-WebRequest" in script
    assert "'serve'" in script and "'init-db'" in script
    assert "@('--kiosk', $Url, '--edge-kiosk-type=fullscreen', '--no-first-run', '--lang=zh-CN')" in script
    assert "@('--kiosk', \"--app=$Url\", '--lang=zh-CN', '--noerrdialogs'" in script
    assert "msedge.exe" in script and "chrome.exe" in script
    # Single-quoted PowerShell strings: a quote inside is doubled.
    assert boot._powershell("C:\\Users\\O'Brien") == "'C:\\Users\\O''Brien'"


def batch_lines(path):
    return path.read_bytes().decode("utf-8").split("\r\n")


def test_nightly_bat_runs_settle_then_expire_with_the_server_settings(windows, tmp_path):
    lines = batch_lines(windows / "nightly.bat")
    script = (windows / "start-kiosk.ps1").read_bytes().decode("utf-8-sig").replace("\r\n", "\n")
    # The same KIOSK_* settings as start-kiosk.ps1 (which starts the server), each set once.
    server = dict(re.findall(r"^\$env:(KIOSK_\w+) = '(.*)'$", script, re.M))
    assert server["KIOSK_PORT"] == "8125" and server["KIOSK_PRINTER"] == "usb://0x0416:0x5011"
    nightly = dict(re.findall(r'^set "(KIOSK_\w+)=(.*)"$', "\n".join(lines), re.M))
    assert nightly == server
    # UTF-8 and no delayed expansion before any setting or path is read.
    first_set = next(i for i, line in enumerate(lines) if line.startswith("set "))
    assert lines.index("chcp 65001 >nul") < first_set
    assert lines.index("setlocal DisableDelayedExpansion") < first_set
    assert 'set "PYTHONIOENCODING=utf-8"' in lines  # the log is UTF-8 whatever the Windows language
    log = os.path.join(str(tmp_path / "instance"), "nightly.log")
    kiosk = re.search(r"^\$Kiosk = '(.*)'$", script, re.M).group(1)
    args = re.search(r"^\$KioskArgs = @\((.*)'serve'\)$", script, re.M).group(1)
    prefix = f'"{kiosk}"' + "".join(f' "{arg}"' for arg in re.findall(r"'([^']*)', ", args))
    runs = [line for line in lines if line.startswith(f'"{kiosk}"')]
    assert runs == [f'{prefix} settle-deductions >> "{log}" 2>&1', f'{prefix} expire >> "{log}" 2>&1',
                    f'{prefix} close-day >> "{log}" 2>&1', f'{prefix} backup >> "{log}" 2>&1']
    for run in runs[:3]:  # each stops the run when it fails...
        assert lines[lines.index(run) + 1] == "if %ERRORLEVEL% neq 0 goto failed"
    assert lines.index(runs[0]) < lines.index(runs[1]) < lines.index(runs[2]) < lines.index(runs[3])
    assert f'cd /d "{tmp_path / "instance"}" || exit /b 1' in lines
    # ...but not the backup: after the day close, and after ":failed" (which notes the failure and
    # falls through), the run goes on to ":backup"; it ends with 1 if anything failed.
    code = [line for line in lines if line and not line.startswith(("rem ", "echo "))]
    assert code[code.index(runs[2]) + 1:code.index(runs[3])] == [
        "if %ERRORLEVEL% neq 0 goto failed", "goto backup", ":failed", 'set "NIGHTLY_FAILED=1"', ":backup"]
    assert code[code.index(runs[3]) + 1:] == [
        "if %ERRORLEVEL% neq 0 goto backup_failed", "if defined NIGHTLY_FAILED exit /b 1", "exit /b 0",
        ":backup_failed", "exit /b 1"]
    assert lines.index('set "NIGHTLY_FAILED="') < lines.index(runs[0])  # not inherited from the environment


def test_batch_set_lines_keep_every_character():
    # cmd expands %NAME% even inside quotes; outside them (after a quote in the value) & | < >
    # ( ) and ^ are special; SET keeps what lies between the first and the last quote.
    assert boot._batch_set("KIOSK_PORT", "8125") == 'set "KIOSK_PORT=8125"'
    assert boot._batch_set("X", "100% & <ok> ^") == 'set "X=100%% & <ok> ^"'
    assert boot._batch_set("X", 'pa"ss&w|d"(x)') == 'set "X=pa"ss^&w^|d"(x)"'
    assert boot._batch_path("C:\\店\\50%") == "C:\\店\\50%%"
    with pytest.raises(ValueError):
        boot._batch_path('C:\\a"b')


def test_nightly_task_xml_is_what_schtasks_imports(windows, tmp_path):
    data = (windows / "points-kiosk-nightly.xml").read_bytes()
    # UTF-16 with a byte order mark, as Task Scheduler exports it and its declaration says.
    assert data.startswith(b"\xff\xfe")
    assert data.decode("utf-16").startswith('<?xml version="1.0" encoding="UTF-16"?>\r\n')
    task = ET.fromstring(data)
    assert task.tag == TASK + "Task"
    trigger = task.find(f"{TASK}Triggers/{TASK}CalendarTrigger")
    assert trigger.findtext(TASK + "StartBoundary") == "2024-01-01T00:10:00+08:00"  # 00:10 in Asia/Shanghai
    assert trigger.findtext(f"{TASK}ScheduleByDay/{TASK}DaysInterval") == "1"
    settings = task.find(TASK + "Settings")
    assert settings.findtext(TASK + "StartWhenAvailable") == "true"  # a PC that was off catches up
    assert settings.findtext(TASK + "DisallowStartIfOnBatteries") == "false"
    assert task.findtext(f"{TASK}Principals/{TASK}Principal/{TASK}UserId") == "S-1-5-18"  # SYSTEM
    action = task.find(f"{TASK}Actions/{TASK}Exec")
    assert action.findtext(TASK + "Command") == str(windows / "nightly.bat")
    assert action.findtext(TASK + "WorkingDirectory") == str(tmp_path / "instance")


def test_nightly_files_keep_unusual_paths_and_summer_time_zones(tmp_path):
    instance = tmp_path / "信义 & <店> 100%"
    out = generate(tmp_path, "windows", KIOSK_INSTANCE_PATH=str(instance), KIOSK_TIMEZONE="Europe/Berlin")
    task = ET.fromstring((out / "points-kiosk-nightly.xml").read_bytes())
    assert task.findtext(f"{TASK}Actions/{TASK}Exec/{TASK}WorkingDirectory") == str(instance)
    # The winter offset: in summer the task starts at 01:10, never before midnight.
    assert task.findtext(f"{TASK}Triggers/{TASK}CalendarTrigger/{TASK}StartBoundary") == "2024-01-01T00:10:00+01:00"
    lines = batch_lines(out / "nightly.bat")
    assert f'set "KIOSK_INSTANCE_PATH={str(instance).replace("%", "%%")}"' in lines
    assert f'cd /d "{str(instance).replace("%", "%%")}" || exit /b 1' in lines


def test_standard_offset_is_the_smaller_one_of_the_year():
    assert boot.standard_offset("Asia/Shanghai", 2026) == "+08:00"
    assert boot.standard_offset("Europe/Berlin", 2026) == "+01:00"
    assert boot.standard_offset("America/New_York", 2026) == "-05:00"
    assert boot.standard_offset("Asia/Kolkata", 2026) == "+05:30"
    assert boot.standard_offset("Australia/Sydney", 2026) == "+10:00"  # summer time in January


def test_windows_install_explains_startup_and_the_usb_driver(windows):
    text = (windows / "INSTALL.txt").read_text(encoding="utf-8")
    for words in ("shell:startup", "Zadig", "WinUSB", "libusb-win32", "replaces the vendor", "win32://Printer%20Name",
                  "pywin32", "pip install pyusb", "libusb-1.0.dll", "0416:5011"):
        assert words.lower() in text.lower(), words


def test_windows_install_gives_the_schtasks_commands(windows):
    text = (windows / "INSTALL.txt").read_text(encoding="utf-8")
    xml = windows / "points-kiosk-nightly.xml"
    bat = windows / "nightly.bat"
    for command in (f'schtasks /Create /TN "PointsKioskNightly" /XML "{xml}" /F',
                    f'schtasks /Create /TN "PointsKioskNightly" /TR "\\"{bat}\\"" /SC DAILY /ST 00:10 /RU SYSTEM /F',
                    'schtasks /Run /TN "PointsKioskNightly"',
                    'schtasks /Query /TN "PointsKioskNightly" /V /FO LIST',
                    'schtasks /Delete /TN "PointsKioskNightly" /F',
                    "StartWhenAvailable", "Run as administrator"):
        assert command in text, command


def test_the_browser_speaks_the_apps_language(tmp_path):
    # Chromium's own widgets (file picker, date fields) follow --lang, which follows KIOSK_LOCALE.
    english = generate(tmp_path, "linux", "--user", "till", KIOSK_PORT="8123", KIOSK_LOCALE="en")
    (launch,) = [line for line in (english / "kiosk-screen.sh").read_text().splitlines() if line.startswith("exec ")]
    assert "--lang=en-US" in launch.split() and "--lang=zh-CN" not in launch
