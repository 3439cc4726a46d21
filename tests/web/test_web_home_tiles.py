"""The home screen's tiles are the header's screens for the role, and each says what waits
there: records to review, objections, receipts not printed, a count in progress, batches near
expiry."""
import re
from datetime import timedelta

import pytest

from kiosk.earning import catalog
from kiosk.earning import service as earning
from kiosk.earning.models import Rule
from kiosk.goods import service as goods
from kiosk.printing.models import PrintJob
from kiosk.registry.models import Resident
from kiosk.staff.models import CASHIER, MANAGER, OPERATIONS, SERVICE
from kiosk.stocktake import service as stocktake
from kiosk.web import local_today
from tests.conftest import signed_in
from tests.helpers import body

TILE = re.compile(r'<a class="staff-tile home-tile[^"]*" href="([^"]+)" data-screen="([^"]+)">\s*'
                  r'<span class="tile-title">([^<]+)</span>(.*?)</a>', re.S)
WORK = re.compile(r'<span class="tile-work"[^>]*><strong>(\d+)</strong> ([^<]+)</span>')


def tiles(session):
    """{endpoint: (title, [(count, words)])} of the home screen."""
    html = body(session.get("/home"))
    return {endpoint: (title.strip(), [(int(n), words.strip()) for n, words in WORK.findall(rest)])
            for _href, endpoint, title, rest in TILE.findall(html)}


def header_links(session):
    """[(href, name)] of the header's screens, Home left out."""
    nav = re.search(r'<nav class="nav"[^>]*>(.*?)</nav>', body(session.get("/home")), re.S).group(1)
    return [(href, name.strip()) for href, name in re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)', nav) if href != "/home"]


@pytest.fixture
def waiting_work(app, world):
    """Two records waiting for review, one deduction objected to, a receipt held for a person,
    a stock-take in progress and a batch of rice that expires in five days."""
    store, today = world.store, None
    with app.test_request_context():
        today = local_today()
    catalog.install(store)
    rules = {rule.code: rule for rule in Rule.select()}
    people = [Resident.get(Resident.name == name).id for name in ("张建华", "李秀兰")]
    earning.record_service(store, resident_ids=people, rule_id=rules["CLEAN"].id, content="清扫楼道",
                           service_date=today, staff=world.staff[OPERATIONS], today=today)
    (deduction,) = earning.record_service(store, resident_ids=people[:1], rule_id=rules["LITTER"].id,
                                          content="乱扔垃圾", service_date=today, staff=world.staff[OPERATIONS],
                                          today=today)
    earning.approve(deduction.id, store, world.staff[SERVICE], today=today)
    earning.raise_objection(deduction.id, store, today=today, statement="不是我", staff=world.staff[SERVICE])
    PrintJob.create(store=store, kind="receipt", receipt="{}", status="held")
    stocktake.start(store, world.staff[MANAGER])
    goods.receive(store, kind="purchase", staff=world.staff[OPERATIONS], key="home-tiles-rice-000001", today=today,
                  lines=[{"product_id": world.products["大米"].id, "quantity": "3", "batch_no": "B7",
                          "expiry": (today + timedelta(days=5)).isoformat()}])


def test_the_home_tiles_count_the_work_waiting_for_each_role(client, world, waiting_work):
    manager = tiles(signed_in(client, world, MANAGER))
    assert manager["earning.review"] == ("积分审核", [(2, "条待审核"), (1, "条异议")])
    assert manager["printing.page"] == ("小票", [(1, "张未打印")])
    assert manager["stocktake.index"] == ("盘点", [(1, "个盘点进行中")])
    assert manager["goods.goods_out"] == ("出库/报损", [(1, "批临期")])
    assert manager["cashier.page"] == ("兑换", [])  # nothing waits at the till itself

    service = tiles(signed_in(client, world, SERVICE))
    assert service["earning.review"][1] == [(2, "条待审核"), (1, "条异议")]
    assert "printing.page" not in service and "stocktake.index" not in service

    cashier = tiles(signed_in(client, world, CASHIER))
    assert cashier["printing.page"][1] == [(1, "张未打印")]
    assert cashier["stocktake.index"][1] == [(1, "个盘点进行中")]
    assert cashier["goods.goods_out"][1] == [(1, "批临期")]
    assert "earning.review" not in cashier


def test_without_waiting_work_the_tiles_carry_no_counts(client, world):
    for role in (MANAGER, OPERATIONS, CASHIER, SERVICE):
        assert all(work == [] for _title, work in tiles(signed_in(client, world, role)).values()), role


@pytest.mark.parametrize("role, screens", [
    (CASHIER, ["兑换", "退货", "小票", "交班与日结", "入库", "出库/报损", "盘点"]),
    (OPERATIONS, ["入库", "出库/报损", "盘点", "商品", "办卡", "积分登记", "志愿导入"]),
    (SERVICE, ["积分审核", "志愿导入", "积分公示", "报表"]),
    (MANAGER, ["兑换", "退货", "小票", "交班与日结", "入库", "出库/报损", "盘点", "商品", "办卡", "积分登记",
               "积分审核", "志愿导入", "积分公示", "报表", "超市设置"]),
])
def test_the_home_tiles_are_the_headers_screens(client, world, role, screens):
    session = signed_in(client, world, role)
    home = tiles(session)
    assert [title for title, _work in home.values()] == screens
    assert header_links(session) == [(href, name) for href, name in
                                     re.findall(r'<a class="staff-tile home-tile[^"]*" href="([^"]+)"[^>]*>\s*'
                                                r'<span class="tile-title">([^<]+)<', body(session.get("/home")))]
    # Every screen the home offers opens for the role.
    for href, _name in header_links(session):
        assert session.get(href).status_code == 200, href
