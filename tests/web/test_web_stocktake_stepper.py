"""The stock-take stepper's server side: the page's save form of a line posts one settled
number once (stocktake.js sends it after a pause or when the person moves on), a second send of
it (a retry, the page being left) changes nothing, a save from a stale page is refused and
changes nothing, and a blind count never renders a variance to anyone on the counting screens."""
import re

import pytest

from kiosk.staff.models import CASHIER, MANAGER, OPERATIONS
from kiosk.stocktake import service
from kiosk.stocktake.models import StockTake, StockTakeCount, StockTakeLine
from tests.conftest import signed_in
from tests.helpers import body

VARIANCE_WORDS = ("盘亏", "盘盈", "相符", 'data-testid="variance"', 'data-testid="book"', "账面")


def line_of(stocktake, world, name):
    return next(line for line in service.lines(stocktake) if line.product_id == world.products[name].id)


def save_form(forms, html, line):
    """The line's save form (data-count-save), as the page shows it."""
    url = f"/stocktake/{line.stocktake_id}/lines/{line.id}"
    found = [form for form in forms(html) if "data-count-save" in form.attrs and form.action == url]
    assert len(found) == 1, html
    return found[0]


def post(session, form, quantity, htmx=True):
    return session.post(form.action, dict(form.fields, quantity=str(quantity)), htmx=htmx)


def records(line):
    return [(c.quantity, c.staff_id) for c in StockTakeCount.select().where(StockTakeCount.line == line.id)
            .order_by(StockTakeCount.id)]


def test_each_line_has_a_save_form_carrying_its_count_number_and_its_saved_count(client, world, forms):
    cashier = signed_in(client, world, CASHIER)
    stocktake = service.start(world.store, world.staff[OPERATIONS], category="粮油")
    rice = line_of(stocktake, world, "大米")
    service.record_count(stocktake, rice.id, 7, world.staff[OPERATIONS], seen=0)
    page = body(cashier.get(f"/stocktake/{stocktake.id}"))
    form = save_form(forms, page, rice)
    assert form.fields["counts"] == "1" and form.fields["quantity"] == ""
    assert f'id="line-{rice.id}"' in page and 'data-counted="7"' in page
    # A line not counted yet says so with an empty count: the script's first + gives 1.
    assert 'data-counted=""' in page and "未保存" in page
    # Without the script the steppers still post one step from the saved count.
    steps = re.findall(r'value="(\d+)" aria-label="(减一|加一)"\s*data-count-step="(-?1)"', page)
    assert ("6", "减一", "-1") in steps and ("8", "加一", "1") in steps and ("1", "加一", "1") in steps


def test_a_settled_number_is_saved_once_however_often_it_is_sent(client, world, forms):
    cashier = signed_in(client, world, CASHIER)
    stocktake = service.start(world.store, world.staff[OPERATIONS], category="粮油")
    rice = line_of(stocktake, world, "大米")
    form = save_form(forms, body(cashier.get(f"/stocktake/{stocktake.id}")), rice)
    revision = StockTake.get_by_id(stocktake.id).revision

    widget = body(post(cashier, form, 5))
    assert 'data-testid="counted">5<' in widget and "已盘 1 / 2" in widget
    assert records(rice) == [(5, world.staff[CASHIER].id)]
    line = StockTakeLine.get_by_id(rice.id)
    assert (line.counted, line.counts) == (5, 1) and "清点 2 次" not in widget
    # The same number sent again from the same page (保存 after no answer, or the page being
    # left while its save was on the way) is the same save: nothing more is recorded.
    assert post(cashier, form, 5).status_code == 200
    assert post(cashier, form, 5, htmx=False).status_code == 302
    assert records(rice) == [(5, world.staff[CASHIER].id)]
    assert StockTakeLine.get_by_id(rice.id).counts == 1
    assert StockTake.get_by_id(stocktake.id).revision == revision + 1
    # The redrawn line's form carries the new count number, so the next settled number is one more save.
    form = save_form(forms, widget, rice)
    assert form.fields["counts"] == "1"
    assert post(cashier, form, 9).status_code == 200
    assert records(rice) == [(5, world.staff[CASHIER].id), (9, world.staff[CASHIER].id)]


@pytest.mark.parametrize("quantity", ["5", "6"])
def test_a_save_from_a_stale_page_is_refused_and_changes_nothing(client, world, forms, quantity):
    cashier = signed_in(client, world, CASHIER)
    stocktake = service.start(world.store, world.staff[OPERATIONS], category="粮油")
    rice = line_of(stocktake, world, "大米")
    stale = save_form(forms, body(cashier.get(f"/stocktake/{stocktake.id}")), rice)
    service.record_count(stocktake, rice.id, 5, world.staff[OPERATIONS], seen=0)  # someone else, meanwhile
    before = (records(rice), StockTakeLine.get_by_id(rice.id).counts, StockTake.get_by_id(stocktake.id).revision)

    for _ in range(2):  # the stale page sends it twice: refused both times
        response = post(cashier, stale, quantity)
        assert response.status_code == 422
        assert "李运营 刚才已清点 大米：5。请核对，需要时再点一次。" in body(response)
    assert post(cashier, stale, quantity, htmx=False).status_code == 302
    after = (records(rice), StockTakeLine.get_by_id(rice.id).counts, StockTake.get_by_id(stocktake.id).revision)
    assert after == before
    assert StockTakeLine.get_by_id(rice.id).counted_by_id == world.staff[OPERATIONS].id
    # The refusal redraws the line with the other count and its new count number: the
    # person's number is saved only when sent again from there.
    fresh = save_form(forms, body(response), rice)
    assert fresh.fields["counts"] == "1"


@pytest.mark.parametrize("role", [CASHIER, OPERATIONS, MANAGER])
def test_a_blind_count_renders_no_variance_on_the_counting_screens(client, world, forms, role):
    session = signed_in(client, world, role)
    stocktake = service.start(world.store, world.staff[OPERATIONS], category="粮油", blind=True)
    rice, oil = line_of(stocktake, world, "大米"), line_of(stocktake, world, "食用油")
    service.record_count(stocktake, oil.id, 3, world.staff[OPERATIONS], seen=0)  # a shortage, counted by another
    base = f"/stocktake/{stocktake.id}"
    form = save_form(forms, body(session.get(base)), rice)
    answers = {
        "page": session.get(base),
        "page with keypad": session.get(f"{base}?line={rice.id}"),
        "saved": post(session, form, 18),
        "line": session.get(f"{base}/lines/{rice.id}", htmx=True),
        "keypad": session.get(f"{base}/lines/{rice.id}?keypad=1", htmx=True),
        "refused": post(session, form, 17),  # stale now: the line comes back with the message
        "other line": session.get(f"{base}/lines/{oil.id}", htmx=True),
    }
    assert answers["refused"].status_code == 422
    for name, response in answers.items():
        html = body(response)
        assert "data-count-save" in html, name
        for word in VARIANCE_WORDS:
            assert word not in html, (name, word)
    assert StockTakeLine.get_by_id(rice.id).counted == 18


def test_a_count_that_is_not_blind_shows_its_variance_once_saved(client, world, forms):
    cashier = signed_in(client, world, CASHIER)
    stocktake = service.start(world.store, world.staff[OPERATIONS], category="粮油")
    rice = line_of(stocktake, world, "大米")
    page = body(cashier.get(f"/stocktake/{stocktake.id}"))
    assert 'data-testid="variance"' not in page  # nothing saved, no variance
    widget = body(post(cashier, save_form(forms, page, rice), 17))
    assert re.search(r'data-testid="variance">\s*盘亏 3</span>', widget)
