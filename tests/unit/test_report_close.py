"""kiosk.reports.closes: a day's close as a report Document — the stored close of a closed day,
the preview of a day nobody closed — with totals that add up to the cashiers' rows."""
import io
from datetime import date, datetime

import openpyxl
from flask_babel import force_locale

from kiosk.checkout import service as checkout
from kiosk.dayclose import paper
from kiosk.dayclose import service as dayclose
from kiosk.reports import closes, exports
from kiosk.staff.models import CASHIER, MANAGER

D = date(2026, 11, 10)


def sell(world, role, items, at):
    card = world.cards["张建华"]
    cart = [(world.products[name].id, quantity) for name, quantity in items.items()]
    return checkout.checkout(world.store, card.id, cart, world.staff[role].id, f"rc-{at:%Y%m%d%H%M%S}-{role}",
                             now=at).sale


def test_a_closed_days_document_is_its_stored_figures(app, world):
    with app.app_context(), force_locale("zh_Hans_CN"):
        sell(world, CASHIER, {"食盐": 2}, datetime(2026, 11, 10, 2, 0))
        sell(world, MANAGER, {"食盐": 1}, datetime(2026, 11, 10, 3, 0))
        record = dayclose.close_day(world.store, D, now=datetime(2026, 11, 10, 16, 0))
        sell(world, CASHIER, {"食盐": 1}, datetime(2026, 11, 10, 15, 0))  # late: not in the stored close
        data, about = closes.close_of(world.store, D)
        assert data == dayclose.stored_figures(record) and about["closed_at"] == record.closed_at.isoformat()
        doc = closes.close_document(world.store, data, paper.words(), **about)
        staff = doc.tables[0]
        assert sorted(row[1] for row in staff.rows) == [1, 1]  # one sale each, cashier and manager
        assert staff.total[1:3] == [2, data["totals"]["sale_points"]] == [2, sum(row[2] for row in staff.rows)]
        assert data["chain"]["head"] in [figure.value for figure in doc.figures]
        book = openpyxl.load_workbook(io.BytesIO(exports.document_file(doc, "xlsx")))
        assert list(book.worksheets[1].iter_rows(values_only=True))[-1][1:3] == (2, data["totals"]["sale_points"])


def test_a_day_nobody_closed_is_its_preview_and_stores_nothing(app, world):
    with app.app_context(), force_locale("zh_Hans_CN"):
        sell(world, CASHIER, {"食盐": 3}, datetime(2026, 11, 10, 2, 0))
        data, about = closes.close_of(world.store, D)
        assert about == {"kind": "day"} and data["totals"]["sales"] == 1
        assert dayclose.day_closed(world.store, D) is None
        doc = closes.close_document(world.store, data, paper.words(), **about)
        assert paper.words()["preview"] in [figure.label for figure in doc.figures]
