"""The day close shows the vouchers issued, used and outstanding per partner (not a shift's)."""
from datetime import date, datetime

from kiosk.dayclose import paper, service
from kiosk.vouchers.models import Voucher
from tests.voucher_world import give_terms, mark_used, sell

D = date(2026, 11, 10)  # Shanghai: the day runs from 2026-11-09 16:00 to 2026-11-10 16:00 UTC


def test_a_day_close_counts_vouchers_per_partner(world, app):
    terms = give_terms(world)
    sell(world, [("水果券", 2)], key="a" * 24, now=datetime(2026, 11, 9, 10, 0))  # the day before
    sell(world, [("水果券", 1), ("物业费抵扣券", 2)], key="b" * 24, now=datetime(2026, 11, 10, 2, 0))
    mark_used(Voucher.get(Voucher.serial == 1), terms.fruit_stall, when=datetime(2026, 11, 10, 3, 0))
    mark_used(Voucher.get(Voucher.serial == 4), terms.property_company, when=datetime(2026, 11, 10, 4, 0))
    data = service.preview_day(world.store, D, now=datetime(2026, 11, 11, 0, 0))
    assert data["vouchers"] == [
        {"partner": "幸福里物业", "issued": 2, "used": 1, "cancelled": 0, "expired": 0, "outstanding": 1,
         "used_value_fen": 2000},
        {"partner": "老王水果摊", "issued": 1, "used": 1, "cancelled": 0, "expired": 0, "outstanding": 2,
         "used_value_fen": 0},
    ]
    shift = service.preview_shift(world.store, world.staff["cashier"], now=datetime(2026, 11, 10, 5, 0))
    assert shift["vouchers"] == []
    with app.test_request_context():
        slip = paper.slip(data, paper.words(), kind="day")
    texts = [(row.left, row.right) for row in slip.rows]
    assert ("  老王水果摊", "兑换 1 张，已使用 1 张，未使用 2 张") in texts
