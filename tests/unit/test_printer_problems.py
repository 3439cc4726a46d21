"""Printer errors in Chinese: each device code worded through gettext, stored on the job with
its params, old English job errors still worded, long texts shortened at a boundary."""
import json

import pytest

from devices import ERROR_CODES, PrinterError, PrinterStatus
from kiosk.printing.faults import ERROR_LIMIT, detail, shorten, stored_error
from kiosk.printing.problems import CODES, describe_printer, printer_problem

NETWORK = {"kind": "network", "address": "127.0.0.1:9"}
PARAMS = {**NETWORK, "seconds": "5", "host": "printer.local", "package": "pyusb", "reason": "Input/output error"}


@pytest.fixture
def chinese(app):
    with app.test_request_context("/"):
        yield


def test_every_device_code_but_the_vague_ones_has_a_sentence():
    assert set(ERROR_CODES) - set(CODES) == {"error", "other"}


@pytest.mark.parametrize("code", sorted(CODES))
def test_every_code_reads_in_chinese_without_english_words(chinese, code):
    sentence = printer_problem(PrinterError("english text", code=code, params=PARAMS))
    assert sentence and "%(" not in sentence
    words = set(sentence.replace("127.0.0.1:9", "").replace("printer.local", "").split())
    english = {word for word in words if word.isascii() and word.isalpha()} - {"USB", "CUPS", "Windows", "IP", "kiosk", "doctor"}
    assert english == set(), sentence
    assert any("\u4e00" <= ch <= "\u9fff" for ch in sentence)


def test_a_refused_connection_names_the_printer_in_words(chinese):
    assert printer_problem(PrinterError("receipt printer at 127.0.0.1:9 refused the connection",
                                        code="refused", params=NETWORK)) == \
        "网络打印机 127.0.0.1:9 拒绝连接。请检查打印机是否已开机，地址和端口是否正确。"


def test_printers_are_described_by_kind(chinese):
    assert describe_printer("network", "192.168.1.50:9100") == "网络打印机 192.168.1.50:9100"
    assert describe_printer("usb", "0416:5011") == "USB 打印机 0416:5011"
    assert describe_printer("serial", "/dev/ttyUSB0") == "串口打印机 /dev/ttyUSB0"
    assert describe_printer("network", "") == "打印机"


def test_a_stored_error_keeps_code_params_and_text_and_fits_the_column(chinese):
    error = PrinterError("receipt printer at 127.0.0.1:9 refused the connection", code="refused", params=NETWORK)
    stored = stored_error(error)
    assert json.loads(stored)["code"] == "refused"
    assert printer_problem(stored) == printer_problem(error)
    assert detail(stored) == "receipt printer at 127.0.0.1:9 refused the connection"
    long = PrinterError("word " * 200, code="write_failed", params={**NETWORK, "reason": "x" * 500})
    stored = stored_error(long)
    assert len(stored) <= ERROR_LIMIT
    text = detail(stored)
    assert text.endswith("…") and text[:-1].split()[-1] == "word"
    crowded = PrinterError("word " * 200, code="write_failed", params={f"p{i}": "y" * 60 for i in range(10)} | NETWORK)
    stored = stored_error(crowded)
    assert len(stored) <= ERROR_LIMIT and json.loads(stored)["params"] == NETWORK


def test_job_errors_stored_before_the_codes_still_read_in_chinese(chinese):
    assert printer_problem("receipt printer at 127.0.0.1:9 refused the connection") == "打印机没有响应，请检查电源和网线。"
    assert printer_problem("receipt printer at 127.0.0.1:9 refu") == "打印机报告故障。"  # cut mid-word by the old [:300]
    assert detail("receipt printer at 127.0.0.1:9 refused the connection").startswith("receipt printer")
    assert printer_problem("") == ""


def test_a_bad_printer_url_and_a_printer_status_are_worded(chinese):
    assert printer_problem(ValueError("unknown printer URL scheme")) == "打印机设置无法使用。请在设置中检查打印机。"
    status = PrinterError("x", code="not_found", params={"kind": "usb", "address": "0416:5011"}).status
    assert isinstance(status, PrinterStatus)
    assert printer_problem(status) == "找不到 USB 打印机 0416:5011。请检查打印机的连接线和电源。"


def test_shorten_cuts_at_a_word_or_character_boundary():
    assert shorten("receipt printer at 127.0.0.1:9 refused the connection", 30) == "receipt printer at…"
    assert shorten("网络打印机拒绝连接请检查", 6) == "网络打印机…"
    assert shorten("short", 30) == "short"
