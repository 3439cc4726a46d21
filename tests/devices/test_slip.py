"""The text slip (devices.Slip, the day close's 日结单): exact ESC/POS bytes, Chinese as GB18030."""
from devices import PAPER_58, Slip, SlipRow, render_escpos
from devices.escpos_render import preview_lines
from devices.slip import HEADING, RULE


def zh(line: str) -> bytes:
    return b"\x1c\x26" + line.encode("gb18030") + b"\x1c\x2e\n"


def make():
    return Slip(store_name="阳光积分超市", title="日结单", rows=(
        SlipRow("营业日：2026-11-10"), SlipRow(kind=RULE), SlipRow("张收银", kind=HEADING),
        SlipRow("兑换", "2笔 190分"), SlipRow("Chain head"),
    ))


def test_the_slip_at_58mm_renders_exact_bytes():
    rule = b"-" * 32 + b"\n"
    expected = (
        b"\x1b@" + b"\x1ba\x01" + b"\x1d!\x11\x1c!\x0c" + zh("阳光积分超市")
        + b"\x1d!\x00\x1c!\x00" + b"\x1bE\x01" + zh("日结单")
        + b"\x1ba\x00" + b"\x1bE\x00" + rule
        + zh("营业日：2026-11-10")
        + rule
        + b"\x1ba\x01" + b"\x1bE\x01" + zh("张收银")
        + b"\x1ba\x00" + b"\x1bE\x00" + zh("兑换" + " " * 19 + "2笔 190分")
        + b"Chain head\n"
        + b"\x1bd\x03" + b"\x1dVB\x00"
    )
    assert render_escpos(make(), PAPER_58) == expected


def test_a_slip_survives_its_dict_as_the_print_queue_stores_it():
    slip = make()
    assert Slip.from_dict(slip.to_dict()) == slip
    assert preview_lines(slip, PAPER_58)[-1] == "Chain head"
