"""The 高级 settings: the receipt printer described as a way of connecting (the KIOSK_PRINTER
setting, a network printer's address and port, or another connection address) and the store's
time zone. Each refusal changes nothing."""
import json

import pytest

from kiosk.audit import AuditEvent
from kiosk.errors import KioskError
from kiosk.stores.models import Store
from kiosk.stores.service import network_printer, printer_url_from, update_advanced


@pytest.mark.parametrize("url, expected", [
    ("tcp://192.168.1.50:9100", ("192.168.1.50", 9100)),
    ("tcp://printer.local:9101", ("printer.local", 9101)),
    ("TCP://192.168.1.50", ("192.168.1.50", 9100)),
    ("tcp://192.168.1.50:9100?encoding=gb18030", (None, None)),  # options: only the full address says them
    ("tcp://192.168.1.50:99999", (None, None)),
    ("usb://0x0416:0x5011", (None, None)),
    ("", (None, None)),
    (None, (None, None)),
])
def test_a_plain_network_address_is_read_back_as_host_and_port(url, expected):
    assert network_printer(url) == expected


def test_each_way_of_connecting_gives_its_address():
    assert printer_url_from("default", host="10.0.0.9", url="usb://0x0416:0x5011") == ""
    assert printer_url_from("network", host=" 192.168.1.50 ", port="") == "tcp://192.168.1.50:9100"
    assert printer_url_from("network", host="192.168.1.50", port="09101") == "tcp://192.168.1.50:9101"
    assert printer_url_from("other", url=" serial:///dev/ttyUSB0?baudrate=9600 ") == "serial:///dev/ttyUSB0?baudrate=9600"


@pytest.mark.parametrize("kind, fields, code", [
    ("network", {"host": ""}, "missing_field"),
    ("network", {"host": "192.168.1.50", "port": "0"}, "printer_port_range"),
    ("network", {"host": "192.168.1.50", "port": "65536"}, "printer_port_range"),
    ("network", {"host": "192.168.1.50", "port": "１２"}, "printer_port_range"),
    ("network", {"host": "192.168.1.50/x"}, "printer_url_example"),
    ("network", {"host": "bad_host!"}, "printer_url_example"),
    ("other", {"url": ""}, "missing_field"),
    ("other", {"url": "lp0"}, "printer_url_example"),
    ("other", {"url": "x" * 301}, "too_long"),
    ("", {}, "bad_printer_kind"),
])
def test_an_address_that_cannot_work_is_refused(kind, fields, code):
    with pytest.raises(KioskError) as refused:
        printer_url_from(kind, **fields)
    assert refused.value.code == code


def test_the_printer_and_the_time_zone_are_saved_together_and_audited(world):
    store = update_advanced(world.store, printer_kind="network", printer_host="192.168.1.50", printer_port="9100",
                            timezone="Asia/Urumqi", staff=world.staff["manager"])
    assert (store.printer_url, store.timezone) == ("tcp://192.168.1.50:9100", "Asia/Urumqi")
    event = AuditEvent.select().where(AuditEvent.action == "store_settings").get()
    assert json.loads(event.detail) == {"printer_url": "tcp://192.168.1.50:9100", "timezone": "Asia/Urumqi"}


@pytest.mark.parametrize("fields", [
    {"printer_kind": "network", "printer_host": "", "timezone": "Asia/Urumqi"},
    {"printer_kind": "network", "printer_host": "192.168.1.50", "timezone": "Asia/Nowhere"},
    {"printer_kind": "network", "printer_host": "192.168.1.50", "timezone": "../etc/passwd"},
])
def test_a_refusal_changes_neither(world, fields):
    with pytest.raises(KioskError):
        update_advanced(world.store, **fields)
    store = Store.get_by_id(world.store.id)
    assert (store.printer_url, store.timezone) == ("", "Asia/Shanghai")
    assert AuditEvent.select().where(AuditEvent.action == "store_settings").count() == 0
