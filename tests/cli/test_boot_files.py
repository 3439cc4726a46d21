"""`kiosk boot linux|windows`: the start-up files a technician installs on a till.

The files are generated as on a till (the `kiosk` command in a subprocess) and checked the way
their consumers read them: systemd, udev, bash, cmd.exe. Nothing is installed.
"""
import configparser
import os
import re
import shlex
import shutil
import subprocess
import sys

import pytest

from kiosk import boot

LINUX_FILES = {"points-kiosk.service", "points-kiosk.env", "kiosk-screen.sh", "points-kiosk-screen.desktop",
               "99-points-kiosk-printer.rules", "INSTALL.txt"}
WINDOWS_FILES = {"start-kiosk.bat", "start-kiosk.ps1", "INSTALL.txt"}


def generate(tmp_path, kind, *args, **settings):
    """Run `kiosk boot KIND --out DIR` with only ``settings`` as KIOSK_* environment; returns DIR."""
    out = tmp_path / kind
    env = {name: value for name, value in os.environ.items() if not name.startswith("KIOSK_")}
    env.update(KIOSK_INSTANCE_PATH=str(tmp_path / "instance"), **settings)
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
def test_systemd_analyze_verifies_the_unit(linux):
    # verify loads the unit as systemd would and checks that ExecStart*= name executables.
    result = subprocess.run(["systemd-analyze", "verify", str(linux / "points-kiosk.service")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "points-kiosk.service" not in result.stderr, result.stderr


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
    for flag in ("--kiosk", '--app="$URL"', "--noerrdialogs", "--disable-session-crashed-bubble", "--disable-infobars",
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
                    "udevadm control --reload-rules && udevadm trigger",
                    "usermod -aG lp,dialout till",
                    "autologin-user=till",
                    "AutomaticLogin=till",
                    "http://127.0.0.1:8123/healthz"):
        assert command in text, command


@pytest.fixture
def windows(tmp_path):
    return generate(tmp_path, "windows", KIOSK_PORT="8125", KIOSK_PRINTER="usb://0x0416:0x5011")


def test_windows_files_have_crlf_line_ends(windows):
    assert {path.name for path in windows.iterdir()} == WINDOWS_FILES
    for name in WINDOWS_FILES:
        data = (windows / name).read_bytes()
        assert data.endswith(b"\r\n"), name
        assert data.count(b"\n") == data.count(b"\r\n"), f"{name} has a bare LF"
    # Windows PowerShell reads a BOM-less script in the ANSI code page.
    assert (windows / "start-kiosk.ps1").read_bytes().startswith(b"\xef\xbb\xbf")


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
    assert "@('--kiosk', $Url, '--edge-kiosk-type=fullscreen'" in script
    assert "@('--kiosk', \"--app=$Url\", '--noerrdialogs'" in script
    assert "msedge.exe" in script and "chrome.exe" in script
    # Single-quoted PowerShell strings: a quote inside is doubled.
    assert boot._powershell("C:\\Users\\O'Brien") == "'C:\\Users\\O''Brien'"


def test_windows_install_explains_startup_and_the_usb_driver(windows):
    text = (windows / "INSTALL.txt").read_text(encoding="utf-8")
    for words in ("shell:startup", "Zadig", "WinUSB", "libusb-win32", "replaces the vendor", "win32://Printer%20Name",
                  "pywin32", "pip install pyusb", "libusb-1.0.dll", "0416:5011"):
        assert words.lower() in text.lower(), words
