"""The goods report has a table of service vouchers per partner: handed out, used, cancelled,
expired in the period, outstanding at its end, and the face value used."""
from datetime import datetime

from kiosk.reports import periods, present
from kiosk.reports import service as reports
from kiosk.vouchers.models import Voucher
from tests.voucher_world import give_terms, mark_used, sell

NOVEMBER = periods.parse("2026-11")


def test_the_goods_report_counts_vouchers_per_partner(world, app):
    terms = give_terms(world)
    sell(world, [("水果券", 2), ("物业费抵扣券", 2)], key="a" * 24, now=datetime(2026, 11, 3, 2, 0))
    sell(world, [("物业费抵扣券", 1)], key="b" * 24, now=datetime(2026, 12, 1, 2, 0))  # December: not counted
    mark_used(Voucher.get(Voucher.serial == 3), terms.property_company, when=datetime(2026, 11, 20, 2, 0))
    mark_used(Voucher.get(Voucher.serial == 1), terms.fruit_stall, when=datetime(2026, 11, 4, 2, 0))
    report = reports.goods(world.store, NOVEMBER)
    rows = {r.partner: (r.issued, r.used, r.outstanding, r.used_value_fen) for r in report.vouchers}
    assert rows == {"老王水果摊": (2, 1, 1, 0), "幸福里物业": (2, 1, 1, 2000)}
    with app.test_request_context():
        document = present.goods_document(world.store, NOVEMBER, report)
    (table,) = [t for t in document.tables if t.title == "服务券（按合作商家）"]
    assert ["幸福里物业", 2, 1, 0, 0, 1, 20.0] in table.rows
