"""The stock-take screens: start, count by stepper and keypad, scan to jump, the manager's
variance list and finalizing with the PIN, the printable history, and every bad input."""
import re

import pytest

from kiosk.checkout import service as checkout
from kiosk.inventory.models import StockMovement
from kiosk.staff.models import CASHIER, MANAGER, OPERATIONS, SERVICE
from kiosk.stocktake import service
from kiosk.stocktake.models import StockTake, StockTakeCount
from tests.conftest import PINS, signed_in
from tests.helpers import body, pdf_page_sizes_mm, pdf_text, stock


def start(session, category="粮油", blind=False):
    data = {"category": category}
    if blind:
        data["blind"] = "1"
    response = session.post("/stocktake/start", data, htmx=False)
    assert response.status_code == 302, body(response)
    return StockTake.select().order_by(StockTake.id.desc()).first()


def line_id(stocktake, world, name):
    return next(line.id for line in service.lines(stocktake) if line.product_id == world.products[name].id)


def record(session, stocktake, world, name, quantity, counts=None, htmx=True):
    lid = line_id(stocktake, world, name)
    if counts is None:
        counts = service.get_line(stocktake, lid).counts
    return session.post(f"/stocktake/{stocktake.id}/lines/{lid}", {"quantity": quantity, "counts": str(counts)}, htmx=htmx)


def test_operations_starts_a_count_and_counts_with_the_stepper(client, world):
    operations = signed_in(client, world, OPERATIONS)
    page = body(operations.get("/stocktake/"))
    assert "开始盘点" in page and "粮油" in page and "盲盘" in page
    stocktake = start(operations)
    page = body(operations.get(f"/stocktake/{stocktake.id}"))
    assert "食用油" in page and "大米" in page and "食盐" not in page
    assert "已盘 0 / 2" in page and 'data-testid="book">20<' in page

    response = record(operations, stocktake, world, "大米", "1")
    assert response.status_code == 200
    widget = body(response)
    assert widget.lstrip().startswith(f'<div id="line-{line_id(stocktake, world, "大米")}"')
    assert 'data-testid="counted">1<' in widget and "盘亏 19" in widget
    assert 'id="count-progress" class="count-progress" hx-swap-oob="true"' in widget and "已盘 1 / 2" in widget
    # The + of the re-rendered line posts 2, with the line's new count number.
    plus = re.search(r'name="counts" value="(\d+)">.*?value="(\d+)" aria-label="加一"', widget, re.S)
    assert plus.groups() == ("1", "2")
    assert record(operations, stocktake, world, "大米", "2").status_code == 200
    assert service.get_line(stocktake, line_id(stocktake, world, "大米")).counted == 2


def test_a_blind_count_never_shows_the_books(client, world):
    manager = signed_in(client, world, MANAGER)
    stocktake = start(manager, blind=True)
    page = body(manager.get(f"/stocktake/{stocktake.id}"))
    assert "盲盘" in page and 'data-testid="book"' not in page and "账面" not in page
    widget = body(record(manager, stocktake, world, "大米", "18"))
    assert 'data-testid="counted">18<' in widget and "盘亏" not in widget and "账面" not in widget
    # The book quantity (20) appears nowhere in the text, not even bare. Tags are taken out
    # (their attributes hold a random CSRF token and row ids) and so is the counter's clock time
    # ("王店长 12:20"), so that the check depends on neither chance nor the hour.
    text = re.sub(r"\b\d{1,2}:\d{2}\b", "", re.sub(r"<[^>]*>", " ", widget))
    assert "20" not in text and "18" in text
    assert 'data-testid="book"' not in body(manager.get(f"/stocktake/{stocktake.id}/lines/{line_id(stocktake, world, '大米')}?keypad=1", htmx=True))
    # The manager's variance list shows what counters did not see.
    variances = body(manager.get(f"/stocktake/{stocktake.id}/variances"))
    assert 'data-variance="大米"' in variances and "-100" in variances


def test_the_keypad_opens_in_the_line_and_saves_a_typed_count(client, world):
    cashier = signed_in(client, world, CASHIER)
    stocktake = service.start(world.store, world.staff[OPERATIONS], category="调味")
    lid = line_id(stocktake, world, "食盐")
    widget = body(cashier.get(f"/stocktake/{stocktake.id}/lines/{lid}?keypad=1", htmx=True))
    assert "data-pinpad" in widget and 'name="quantity"' in widget and "保存" in widget
    widget = body(record(cashier, stocktake, world, "食盐", "47"))
    assert "data-pinpad" not in widget and 'data-testid="counted">47<' in widget and "盘亏 3" in widget
    # Without JavaScript the same form redirects back to the page.
    response = record(cashier, stocktake, world, "酱油", "1", htmx=False)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#line-{line_id(stocktake, world, '酱油')}")


@pytest.mark.parametrize("bad", ["-1", "1000000000000", "abc", "", "1.5", "１"])
def test_bad_counts_are_refused_in_chinese_and_change_nothing(client, world, bad):
    cashier = signed_in(client, world, CASHIER)
    stocktake = service.start(world.store, world.staff[OPERATIONS], category="调味")
    response = record(cashier, stocktake, world, "食盐", bad)
    assert response.status_code == 422
    assert "盘点数量须为 0 到 999999 之间的整数。" in body(response)
    assert "data-pinpad" in body(response)  # the keypad stays open to type it again
    assert not StockTakeCount.select().exists()


def test_a_count_sent_from_a_stale_page_is_refused_naming_the_other_count(client, world):
    cashier = signed_in(client, world, CASHIER)
    stocktake = service.start(world.store, world.staff[OPERATIONS], category="粮油")
    lid = line_id(stocktake, world, "大米")
    service.record_count(stocktake, lid, 18, world.staff[OPERATIONS], seen=0)
    response = record(cashier, stocktake, world, "大米", "17", counts=0)
    assert response.status_code == 422
    assert "李运营 刚才已清点 大米：18。请核对，需要时再点一次。" in body(response)
    assert 'data-testid="counted">18<' in body(response)
    assert service.get_line(stocktake, lid).counted == 18
    # Having seen it, the second count wins; both are kept.
    assert record(cashier, stocktake, world, "大米", "17").status_code == 200
    assert [c.quantity for c in StockTakeCount.select().order_by(StockTakeCount.id)] == [18, 17]
    manager = signed_in(client, world, MANAGER)
    service.finalize(service.get(world.store, stocktake.id), world.staff[MANAGER],
                     revision=StockTake.get_by_id(stocktake.id).revision)
    report = body(manager.get(f"/stocktake/{stocktake.id}/report"))
    assert re.findall(r'data-count-entry="大米">.*?"num">(\d+)</td>.*?<td>(\S+)</td></tr>', report, re.S) == [
        ("18", "李运营"), ("17", "张收银")]


def test_scanning_a_barcode_jumps_to_its_line_with_the_keypad(client, world):
    cashier = signed_in(client, world, CASHIER)
    stocktake = service.start(world.store, world.staff[OPERATIONS])
    response = cashier.post(f"/stocktake/{stocktake.id}/scan", {"code": "6901234000031"})
    assert response.status_code == 200
    lid = line_id(stocktake, world, "食盐")
    assert response.headers["HX-Retarget"] == f"#line-{lid}"
    assert "data-jump" in body(response) and "data-pinpad" in body(response)
    response = cashier.post(f"/stocktake/{stocktake.id}/scan", {"code": "6901234000031"}, htmx=False)
    assert response.headers["Location"].endswith(f"/stocktake/{stocktake.id}?line={lid}#line-{lid}")
    assert "data-jump" in body(cashier.get(f"/stocktake/{stocktake.id}?line={lid}"))


@pytest.mark.parametrize("code", ["0000000000000", "", "\x1b[garbage" * 5, "6901234000031"])
def test_a_barcode_of_no_product_or_of_another_category_is_refused(client, world, code):
    cashier = signed_in(client, world, CASHIER)
    stocktake = service.start(world.store, world.staff[OPERATIONS], category="粮油")
    response = cashier.post(f"/stocktake/{stocktake.id}/scan", {"code": code})
    assert response.status_code == 422
    expected = "食盐 不在本次盘点范围内（粮油）。" if code == "6901234000031" else "本店没有此条码的商品。"
    assert expected in body(response) and 'id="scan-feedback"' in body(response)


def test_the_manager_finalizes_with_the_pin_and_sees_the_adjustments(client, world):
    manager = signed_in(client, world, MANAGER)
    stocktake = start(manager, category="")
    record(manager, stocktake, world, "食用油", "12")
    record(manager, stocktake, world, "大米", "20")
    checkout.checkout(world.store, world.cards["张建华"].id, [(world.products["大米"].id, 2)], world.staff[CASHIER].id, "w" * 24)
    record(manager, stocktake, world, "食盐", "45")
    page = body(manager.get(f"/stocktake/{stocktake.id}/variances"))
    assert 'data-testid="surplus">+200<' in page and 'data-testid="shortage">-100<' in page
    assert 'data-testid="uncounted">3<' in page and "3 种商品未盘点" in page
    assert "-2" in page  # 大米: two sold since it was counted, shown, not a shortage
    revision = StockTake.get_by_id(stocktake.id).revision

    wrong = manager.post(f"/stocktake/{stocktake.id}/finalize", {"pin": "9999", "revision": str(revision)}, htmx=False)
    assert wrong.status_code == 422 and "店长密码错误。" in body(wrong)
    assert StockTake.get_by_id(stocktake.id).status == "open"

    done = manager.post(f"/stocktake/{stocktake.id}/finalize", {"pin": PINS[MANAGER], "revision": str(revision)}, htmx=False)
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/stocktake/{stocktake.id}/report")
    report = body(manager.get(f"/stocktake/{stocktake.id}/report"))
    assert f"盘点单 {stocktake.number} 已完成：调整了 2 种商品。" in report and "已完成" in report
    assert (stock(world, "食用油"), stock(world, "大米"), stock(world, "食盐")) == (12, 18, 45)

    # Twice: refused, nothing more posted.
    again = manager.post(f"/stocktake/{stocktake.id}/finalize", {"pin": PINS[MANAGER], "revision": str(revision)}, htmx=False)
    assert again.status_code == 302
    assert "此盘点单已完成，不能再更改。" in body(manager.get(again.headers["Location"]))
    assert StockMovement.select().where(StockMovement.kind == "stocktake").count() == 2
    # Counting on a finished count is refused too; the page now opens the report.
    refused = record(manager, stocktake, world, "酱油", "3")
    assert refused.status_code == 422 and "此盘点单已完成，不能再更改。" in body(refused)
    assert manager.get(f"/stocktake/{stocktake.id}").headers["Location"].endswith("/report")


def test_finalizing_a_list_older_than_the_counts_is_refused(client, world):
    manager = signed_in(client, world, MANAGER)
    stocktake = start(manager)
    revision = StockTake.get_by_id(stocktake.id).revision
    record(manager, stocktake, world, "大米", "3")
    response = manager.post(f"/stocktake/{stocktake.id}/finalize", {"pin": PINS[MANAGER], "revision": str(revision)}, htmx=False)
    assert response.status_code == 422 and "显示此清单后又有新的清点，请重新核对。" in body(response)
    assert stock(world, "大米") == 20
    garbled = manager.post(f"/stocktake/{stocktake.id}/finalize", {"pin": PINS[MANAGER], "revision": "x"}, htmx=False)
    assert garbled.status_code == 422 and stock(world, "大米") == 20


def test_only_the_manager_sees_differences_and_finalizes(client, world):
    stocktake = service.start(world.store, world.staff[OPERATIONS], category="粮油")
    for role in (CASHIER, OPERATIONS):
        session = signed_in(client, world, role)
        assert session.get(f"/stocktake/{stocktake.id}/variances").status_code == 403
        assert session.post(f"/stocktake/{stocktake.id}/finalize", {"pin": PINS[MANAGER], "revision": "0"},
                            htmx=False).status_code == 403
    cashier = signed_in(client, world, CASHIER)
    assert "开始盘点" not in body(cashier.get("/stocktake/"))
    assert cashier.post("/stocktake/start", {"category": ""}, htmx=False).status_code == 403
    service_staff = signed_in(client, world, SERVICE)
    assert service_staff.get("/stocktake/").status_code == 403
    assert StockTake.get_by_id(stocktake.id).status == "open"


def test_the_manager_cancels_a_count_with_the_pin(client, world):
    manager = signed_in(client, world, MANAGER)
    stocktake = start(manager)
    record(manager, stocktake, world, "大米", "3")
    response = manager.post(f"/stocktake/{stocktake.id}/cancel", {"pin": PINS[MANAGER]}, htmx=False)
    assert response.status_code == 302
    assert f"盘点单 {stocktake.number} 已作废，没有调整任何库存。" in body(manager.get("/stocktake/"))
    assert stock(world, "大米") == 20


def test_starting_an_overlapping_count_or_an_unknown_category_is_refused(client, world):
    manager = signed_in(client, world, MANAGER)
    stocktake = start(manager)
    response = manager.post("/stocktake/start", {"category": ""}, htmx=False)
    assert response.status_code == 422 and f"盘点单 {stocktake.number} 还没有完成" in body(response)
    response = manager.post("/stocktake/start", {"category": "不存在"}, htmx=False)
    assert response.status_code == 422 and "请选择要盘点的分类。" in body(response)


def test_the_history_is_kept_and_printable_as_a4_pdf(client, world):
    manager = signed_in(client, world, MANAGER)
    stocktake = start(manager)
    record(manager, stocktake, world, "大米", "19")
    assert manager.get(f"/stocktake/{stocktake.id}/report.pdf").status_code == 302  # not while counting
    service.finalize(service.get(world.store, stocktake.id), world.staff[MANAGER],
                     revision=StockTake.get_by_id(stocktake.id).revision)
    history = body(manager.get("/stocktake/"))
    assert f'data-stocktake="{stocktake.number}"' in history and "已完成" in history
    response = manager.get(f"/stocktake/{stocktake.id}/report.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert pdf_page_sizes_mm(response.data) == [(210.0, 297.0)]  # one A4 page
    text = pdf_text(response.data)
    assert f"盘点表 {stocktake.number}" in text and "大米（件）" in text and "-50 分" in text and "店长签字" in text


def test_unknown_counts_and_lines_are_refused(client, world):
    manager = signed_in(client, world, MANAGER)
    assert manager.get("/stocktake/999").status_code == 302
    assert "未找到此盘点单。" in body(manager.get("/stocktake/"))
    stocktake = start(manager)
    assert manager.post(f"/stocktake/{stocktake.id}/lines/99999", {"quantity": "1", "counts": "0"}).status_code == 302
    assert not StockTakeCount.select().exists()


def test_a_garbled_form_is_refused_and_changes_nothing(client, world):
    cashier = signed_in(client, world, CASHIER)
    stocktake = service.start(world.store, world.staff[OPERATIONS], category="粮油")
    for counts in ("abc", "", "-1"):
        response = record(cashier, stocktake, world, "大米", "5", counts=counts)
        assert response.status_code == 422
    assert "页面已过期，请核对后重试。" in body(record(cashier, stocktake, world, "大米", "5", counts="x"))
    assert not StockTakeCount.select().exists()


def test_a_wrong_pin_does_not_cancel(client, world):
    manager = signed_in(client, world, MANAGER)
    stocktake = start(manager)
    response = manager.post(f"/stocktake/{stocktake.id}/cancel", {"pin": "0000"}, htmx=False)
    assert response.status_code == 422 and "店长密码错误。" in body(response)
    assert StockTake.get_by_id(stocktake.id).status == "open"


def test_a_count_of_one_shelf_from_the_start_form(client, world):
    from kiosk.inventory.models import Product

    operations = signed_in(client, world, OPERATIONS)
    assert "如需按货架盘点，请先在商品页面为商品填写货架。" in body(operations.get("/stocktake/"))
    for name, shelf in {"大米": "A1", "食用油": "A2", "食盐": "A2"}.items():
        Product.update(shelf=shelf).where(Product.id == world.products[name].id).execute()
    page = body(operations.get("/stocktake/"))
    # One choice on the form: all goods, a category, or a shelf.
    assert 'name="scope" value="category:粮油"' in page and 'name="scope" value="shelf:A2"' in page
    assert "货架 A1" in page and "或按货架盘点" in page
    response = operations.post("/stocktake/start", {"scope": "shelf:A2"}, htmx=False)
    assert response.status_code == 302
    stocktake = StockTake.select().order_by(StockTake.id.desc()).first()
    page = body(operations.get(response.headers["Location"]))
    assert "货架 A2" in page and "食用油" in page and "食盐" in page and "大米" not in page
    assert '<td>货架 A2</td>' in body(operations.get("/stocktake/")).replace("\n", "")
    scan = operations.post(f"/stocktake/{stocktake.id}/scan", {"code": "6901234000024"})  # 大米 stands on A1
    assert scan.status_code == 422 and "大米 不在本次盘点范围内（A2）。" in body(scan)


@pytest.mark.parametrize("scope, text", [("shelf:Z9", "没有商品放在这个货架上"), ("garbage", "请选择要盘点的分类。"),
                                         ("category:", "请选择要盘点的分类。")])
def test_a_start_form_with_an_unknown_choice_is_refused(client, world, scope, text):
    manager = signed_in(client, world, MANAGER)
    response = manager.post("/stocktake/start", {"scope": scope}, htmx=False)
    assert response.status_code == 422 and text in body(response)
    assert StockTake.select().count() == 0


def test_the_header_marks_only_the_stock_take_as_the_current_screen(client, world):
    """/stocktake/ is not one of the /stock/ pages (goods in and out), though all sit in the
    库存 menu."""
    manager = signed_in(client, world, MANAGER)
    nav = re.search(r'<nav class="nav"[^>]*>(.*?)</nav>', body(manager.get("/stocktake/")), re.S).group(1)
    assert re.findall(r'aria-current="page" class="active">([^<]*)<', nav) == ["盘点"]
    nav = re.search(r'<nav class="nav"[^>]*>(.*?)</nav>', body(manager.get("/stock/in/")), re.S).group(1)
    assert re.findall(r'aria-current="page" class="active">([^<]*)<', nav) == ["入库"]
