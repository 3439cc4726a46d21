"""A voucher slip's exact ESC/POS bytes: GB18030 text, a native QR code, one cut; a reprint says
重印 and keeps the number and the QR code."""
import zxingcpp

from devices import PAPER_58, PAPER_80, VoucherSlip, preview_lines, render_escpos
from devices.paper import render_paper

PAYLOAD = "JQ:XY:0000000012:ABCDEFGHIJKLMNOP"


def zh(line: str) -> bytes:
    return b"\x1c\x26" + line.encode("gb18030") + b"\x1c\x2e\n"


INIT = b"\x1b\x40"
CENTER = b"\x1b\x61\x01"
LEFT = b"\x1b\x61\x00"
BIG = b"\x1d\x21\x11" + b"\x1c\x21\x0c"
NORMAL = b"\x1d\x21\x00" + b"\x1c\x21\x00"
BOLD, PLAIN = b"\x1b\x45\x01", b"\x1b\x45\x00"
FEED_3_AND_CUT = b"\x1b\x64\x03" + b"\x1d\x56\x42\x00"


def native_qr(data: str, size: bytes) -> bytes:
    stored = data.encode("ascii")
    length = len(stored) + 3
    return (b"\x1d(k\x04\x001A2\x00" + b"\x1d(k\x03\x001C" + size + b"\x1d(k\x03\x001E0"
            + b"\x1d(k" + bytes([length % 256, length // 256]) + b"1P0" + stored + b"\x1d(k\x03\x001Q0")


def slip(**changes):
    values = dict(store_name="阳光积分超市", serial="0000000012", name="时令水果兑换券", face="时令水果 1 份",
                  partner="老王水果摊", valid_until="2026-12-11", payload=PAYLOAD, household="张*华 3栋2单元301")
    values.update(changes)
    return VoucherSlip(**values)


def test_a_household_voucher_slip_at_80mm_renders_exact_bytes():
    expected = (
        INIT
        + CENTER + BIG + zh("阳光积分超市")
        + NORMAL + BOLD + zh("服务券")
        + zh("时令水果兑换券")
        + LEFT + PLAIN + b"-" * 48 + b"\n"
        + zh("券号：0000000012")
        + zh("面值：时令水果 1 份")
        + zh("兑付商家：老王水果摊")
        + zh("有效期至：2026-12-11")
        + zh("所属住户：张*华 3栋2单元301")
        + b"-" * 48 + b"\n"
        + CENTER + native_qr(PAYLOAD, b"\x06")
        + b"0000000012\n"
        + zh("凭此券到商家使用，每张券只能使用一次。")
        + FEED_3_AND_CUT
    )
    assert render_escpos(slip(), PAPER_80) == expected


def test_a_bearer_voucher_says_so_instead_of_a_household():
    lines = preview_lines(slip(household=""), PAPER_58)
    assert "不记名，凭券使用" in lines
    assert not any(line.startswith("所属住户") for line in lines)


def test_a_reprint_says_so_and_keeps_the_number_and_the_code():
    original, again = slip(), slip().as_reprint()
    data = render_escpos(again, PAPER_80)
    assert "服务券 【重印】".encode("gb18030") in data and "** 重印 **".encode("gb18030") in data
    assert native_qr(PAYLOAD, b"\x06") in data and b"0000000012\n" in data
    assert "重印".encode("gb18030") not in render_escpos(original, PAPER_80)
    assert VoucherSlip.from_dict(again.to_dict()) == again


def test_the_slip_is_cut_once_at_its_end():
    data = render_escpos(slip(), PAPER_58)
    assert data.count(b"\x1d\x56\x42\x00") == 1 and data.endswith(FEED_3_AND_CUT)


def test_the_printed_qr_code_reads_back_as_the_payload():
    image = render_paper(render_escpos(slip(), PAPER_58), PAPER_58)
    assert [code.text for code in zxingcpp.read_barcodes(image)] == [PAYLOAD]
