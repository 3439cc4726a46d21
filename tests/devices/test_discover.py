"""Discovery over a fake /sys, /dev and /proc built in tmp_path (never this machine's hardware)."""

import os
import textwrap

import pytest

from devices import Found, check_scanner, find_printers, find_scanners
from devices.discover import cups_queues, usb_printers


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + "\n")


def usb_device(sys_root, name, vendor, product, *, maker, model, interface_class,
               endpoints=("81", "02"), interface_number="00"):
    """A USB device as sysfs lays it out: the device directory with its interface directory
    inside, both linked from bus/usb/devices."""
    device = sys_root / "devices" / "pci0000:00" / "usb1" / name
    write(device / "idVendor", vendor)
    write(device / "idProduct", product)
    write(device / "manufacturer", maker)
    write(device / "product", model)
    interface = device / f"{name}:1.0"
    write(interface / "bInterfaceClass", interface_class)
    write(interface / "bInterfaceNumber", interface_number)
    for address in endpoints:
        write(interface / f"ep_{address}" / "bEndpointAddress", address)
        write(interface / f"ep_{address}" / "type", "Bulk")
    links = sys_root / "bus" / "usb" / "devices"
    links.mkdir(parents=True, exist_ok=True)
    os.symlink(device, links / name)
    os.symlink(interface, links / interface.name)
    return interface


@pytest.fixture
def machine(tmp_path):
    """A kiosk with a USB receipt printer (also /dev/usb/lp0), a keyboard, a USB-serial
    adapter and a keyboard-wedge scanner."""
    sys_root, dev, proc = tmp_path / "sys", tmp_path / "dev", tmp_path / "proc"
    printer = usb_device(sys_root, "1-1", "0416", "5011", maker="Winbond", model="POS58 Printer",
                         interface_class="07")
    usb_device(sys_root, "1-2", "046d", "c31c", maker="Logitech", model="USB Keyboard",
               interface_class="03", endpoints=("81",))
    serial = usb_device(sys_root, "1-3", "1a86", "7523", maker="QinHeng", model="USB Serial",
                        interface_class="ff")
    write(dev / "usb" / "lp0", "")
    write(dev / "ttyUSB0", "")
    write(dev / "ttyS0", "")  # a legacy port: not listed
    (sys_root / "class" / "usbmisc" / "lp0").mkdir(parents=True)
    os.symlink(printer, sys_root / "class" / "usbmisc" / "lp0" / "device")
    (sys_root / "class" / "tty" / "ttyUSB0").mkdir(parents=True)
    os.symlink(serial / "ttyUSB0", sys_root / "class" / "tty" / "ttyUSB0" / "device")
    (serial / "ttyUSB0").mkdir()
    write(proc / "bus" / "input" / "devices", textwrap.dedent("""\
        I: Bus=0011 Vendor=0001 Product=0001 Version=ab41
        N: Name="AT Translated Set 2 keyboard"
        H: Handlers=sysrq kbd leds event0
        B: EV=120013

        I: Bus=0003 Vendor=0c2e Product=0b61 Version=0111
        N: Name="Honeywell Imaging & Mobility 1900"
        H: Handlers=sysrq kbd leds event5
        B: EV=120013

        I: Bus=0003 Vendor=046d Product=c077 Version=0111
        N: Name="Logitech USB Optical Mouse Scanner Edition"
        H: Handlers=mouse0 event6
        B: EV=17
        """))
    return {"sysfs_root": sys_root, "dev_root": dev, "proc_root": proc}


def test_finds_the_usb_printer_its_device_file_and_the_serial_port(machine):
    found = find_printers(sysfs_root=machine["sysfs_root"], dev_root=machine["dev_root"])
    lp0, tty = machine["dev_root"] / "usb" / "lp0", machine["dev_root"] / "ttyUSB0"
    assert found == [
        Found("usb", "usb://0x0416:0x5011?in_ep=0x81&out_ep=0x02", "Winbond POS58 Printer (USB 0416:5011)"),
        Found("lp", f"file://{lp0}", f"Winbond POS58 Printer (USB 0416:5011), device file {lp0}"),
        Found("serial", f"serial://{tty}?baudrate=9600", f"QinHeng USB Serial (USB 1a86:7523), port {tty}"),
    ]


def test_default_endpoints_and_interface_give_a_plain_url(tmp_path):
    usb_device(tmp_path, "2-1", "04b8", "0202", maker="EPSON", model="TM-T20", interface_class="07",
               endpoints=("82", "01"))
    assert [f.url for f in usb_printers(tmp_path)] == ["usb://0x04b8:0x0202"]


def test_finds_the_keyboard_wedge_scanner_by_name_and_the_serial_port(machine):
    found = find_scanners(**machine)
    assert [(f.kind, f.url) for f in found] == [
        ("keyboard", ""), ("serial", f"serial://{machine['dev_root'] / 'ttyUSB0'}?baudrate=9600"),
    ]
    assert "Honeywell Imaging & Mobility 1900" in found[0].description
    assert "0c2e:0b61" in found[0].description and "event5" in found[0].description


def test_an_empty_machine_has_nothing(tmp_path):
    assert find_printers(sysfs_root=tmp_path, dev_root=tmp_path) == []
    assert find_scanners(proc_root=tmp_path, sysfs_root=tmp_path, dev_root=tmp_path) == []


def test_cups_queues_from_lpstat(tmp_path):
    lpstat = tmp_path / "lpstat"
    lpstat.write_text("#!/bin/sh\n[ \"$1\" = -e ] && printf 'POS80\\nOffice_Laser\\n'\n")
    lpstat.chmod(0o755)
    assert cups_queues(str(lpstat)) == [
        Found("cups", "cups://POS80", "CUPS queue POS80"),
        Found("cups", "cups://Office_Laser", "CUPS queue Office_Laser"),
    ]


def test_cups_not_running_gives_no_queues(tmp_path):
    lpstat = tmp_path / "lpstat"
    lpstat.write_text("#!/bin/sh\necho 'lpstat: No destinations added.' >&2\nexit 1\n")
    lpstat.chmod(0o755)
    assert cups_queues(str(lpstat)) == []
    assert cups_queues(str(tmp_path / "missing-lpstat")) == []


def test_scanner_check_keyboard_wedge_needs_nothing():
    assert check_scanner("").ok is True


def test_scanner_check_opens_a_serial_port():
    master, slave = os.openpty()
    try:
        check = check_scanner(f"serial://{os.ttyname(slave)}?baudrate=9600")
    finally:
        os.close(master)
        os.close(slave)
    assert check.ok is True and "opens at 9600 baud" in check.message


def test_scanner_check_reports_a_missing_port(tmp_path):
    check = check_scanner(f"serial://{tmp_path}/ttyACM7")
    assert check.ok is False and "not found" in check.message and check.hint


def test_scanner_check_other_schemes_are_not_checked():
    assert check_scanner("hid://0c2e:0b61").ok is None
