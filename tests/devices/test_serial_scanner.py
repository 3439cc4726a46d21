"""A serial scanner through a real pseudo-terminal: each CR/LF-terminated line is one scan."""
import os
import time

import pytest

from devices.scanners import ScannerError, SerialScanner, parse_scanner_url


def wait_for(predicate, seconds=5):
    deadline = time.monotonic() + seconds
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.02)
    return predicate()


@pytest.fixture
def pty():
    master, slave = os.openpty()
    path = os.ttyname(slave)
    yield master, path
    os.close(master)
    os.close(slave)


def test_lines_from_the_port_become_scans_in_order(pty):
    master, path = pty
    scans = []
    scanner = SerialScanner(f"serial://{path}?baudrate=9600", scans.append).start()
    try:
        assert wait_for(lambda: scanner.connected)
        os.write(master, b"JF:XY:10000001:abc\r\nJF:XY:10000002:def\n\r\n")
        assert wait_for(lambda: len(scans) == 2)
    finally:
        scanner.stop()
    assert scans == ["JF:XY:10000001:abc", "JF:XY:10000002:def"]


def test_a_code_without_a_suffix_is_taken_after_a_pause(pty):
    master, path = pty
    scans = []
    scanner = SerialScanner(f"serial://{path}", scans.append).start()
    try:
        assert wait_for(lambda: scanner.connected)
        os.write(master, b"6901234567892")
        assert wait_for(lambda: scans == ["6901234567892"])
    finally:
        scanner.stop()


def test_noise_longer_than_any_code_is_dropped(pty):
    master, path = pty
    scans = []
    scanner = SerialScanner(f"serial://{path}", scans.append).start()
    try:
        assert wait_for(lambda: scanner.connected)
        os.write(master, b"x" * 2000 + b"\r\nJF:XY:10000001:abc\r\n")
        assert wait_for(lambda: "JF:XY:10000001:abc" in scans)
    finally:
        scanner.stop()
    assert all(len(code) <= 512 for code in scans)


def test_a_missing_port_is_reported_once_and_retried(tmp_path):
    errors = []
    scanner = SerialScanner(f"serial://{tmp_path}/ttyACM9", lambda code: None, errors.append, retry_seconds=0.05).start()
    try:
        assert wait_for(lambda: errors)
        time.sleep(0.3)
    finally:
        scanner.stop()
    assert len(errors) == 1 and "ttyACM9" in errors[0]


@pytest.mark.parametrize("url", ["", "usb://1234:5678", "serial://", "serial:///dev/ttyACM0?baud=9600",
                                 "serial:///dev/ttyACM0?baudrate=fast"])
def test_bad_scanner_urls_are_refused_in_plain_words(url):
    with pytest.raises(ScannerError):
        parse_scanner_url(url)


def test_scanner_url_port_and_baudrate():
    assert parse_scanner_url("serial:///dev/ttyACM0?baudrate=115200") == {"port": "/dev/ttyACM0", "baudrate": 115200}
    assert parse_scanner_url("serial://COM3") == {"port": "COM3", "baudrate": 9600}


def test_without_pyserial_the_error_says_what_to_install(monkeypatch):
    import sys
    monkeypatch.setitem(sys.modules, "serial", None)
    with pytest.raises(ScannerError, match="pip install"):
        SerialScanner("serial:///dev/ttyACM0", lambda code: None)
