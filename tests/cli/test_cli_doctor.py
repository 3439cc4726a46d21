"""`kiosk doctor`: plain sentences, exit 0 only when the configured printer is usable."""

import os
import socket
import tempfile

import pytest
from click.testing import CliRunner

from kiosk.cli import main
from tests.fakeprinter import FakePrinter


@pytest.fixture
def tcp_printer():
    """A network printer on 127.0.0.1 that answers every status query "ready" and keeps the jobs."""
    printer = FakePrinter()
    yield printer
    printer.close()


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def doctor(*args, **env):
    settings = {"KIOSK_PRINTER": "virtual://", "KIOSK_SCANNER": "", "KIOSK_PAPER_WIDTH": "80",
                "KIOSK_PRINTER_ENCODING": "gb18030",
                # An empty instance folder: no database, so no store printers to check.
                "KIOSK_INSTANCE_PATH": tempfile.mkdtemp(prefix="doctor-"), "KIOSK_DATABASE_URL": ""}
    settings.update(env)
    result = CliRunner().invoke(main, ["doctor", *args], env=settings)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def test_virtual_printer_is_usable():
    result = doctor()
    assert result.exit_code == 0, result.output
    assert "Printers found on this machine:" in result.output
    assert "Configured printer (KIOSK_PRINTER): virtual://" in result.output
    assert "status: online" in result.output
    assert "keyboard-wedge scanner" in result.output
    assert "RESULT: the receipt printer is usable." in result.output


def test_refused_tcp_printer_fails_with_a_plain_hint():
    port = free_port()
    result = doctor(KIOSK_PRINTER=f"tcp://127.0.0.1:{port}")
    assert result.exit_code == 1
    assert f"status: offline - receipt printer at 127.0.0.1:{port} refused the connection" in result.output
    assert "IP address" in result.output
    assert "NOT usable" in result.output


def test_test_page_reaches_the_printer(tcp_printer):
    result = doctor("--test-page", KIOSK_PRINTER=tcp_printer.url)
    assert result.exit_code == 0, result.output
    assert "status: online" in result.output and "test page sent" in result.output
    assert tcp_printer.wait_for_jobs(1)
    assert "测试".encode("gb18030") in tcp_printer.jobs[0]
    assert "积分超市收银小票打印测试".encode("gb18030") in tcp_printer.jobs[0]


def test_test_page_is_not_sent_to_an_unusable_printer():
    result = doctor("--test-page", KIOSK_PRINTER=f"tcp://127.0.0.1:{free_port()}")
    assert result.exit_code == 1 and "test page not sent" in result.output


def test_bad_url_is_a_sentence():
    result = doctor(KIOSK_PRINTER="usb://nonsense")
    assert result.exit_code == 1
    assert "The printer URL cannot be used" in result.output and "usb://0x0416:0x5011" in result.output


def test_missing_package_names_what_to_install(monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "cups", None)
    result = doctor(KIOSK_PRINTER="cups://POS80")
    assert result.exit_code == 1
    assert "pip install pycups" in result.output


def test_bad_setting_is_a_sentence():
    result = doctor(KIOSK_PAPER_WIDTH="76")
    assert result.exit_code == 1 and "KIOSK_PAPER_WIDTH" in result.output


def test_missing_serial_scanner_is_reported_but_the_printer_decides(tmp_path):
    result = doctor(KIOSK_SCANNER=f"serial://{tmp_path}/ttyACM0?baudrate=9600")
    assert result.exit_code == 0
    assert "PROBLEM: scanner on" in result.output and "not found" in result.output


def test_a_stores_own_printer_from_the_settings_screen_is_checked_too(tmp_path, tcp_printer):
    """The manager can set a store's printer on the settings screen; doctor checks it as well."""
    import sqlite3

    from tests.helpers import cli

    env = {"KIOSK_INSTANCE_PATH": str(tmp_path), "KIOSK_DATABASE_URL": f"sqlite:///{tmp_path}/kiosk.db"}
    cli(dict(os.environ, **env), "init-db")
    cli(dict(os.environ, **env), "demo")
    with sqlite3.connect(tmp_path / "kiosk.db") as db:
        db.execute("UPDATE store SET printer_url = ?", (f"tcp://127.0.0.1:{free_port()}",))
    result = doctor(**env)
    assert "Printer of the store 幸福里社区信义积分超市 (settings screen): tcp://127.0.0.1:" in result.output
    assert "refused the connection" in result.output and result.exit_code == 1
