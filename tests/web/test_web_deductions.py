"""Deductions on screen: recorded, approved into the objection period, objected to by the
resident at the idle kiosk, decided by customer service; corrections; pairing; the setting."""
import re

import pytest

from kiosk.earning import catalog
from kiosk.earning.models import Correction, Objection, Rule, ServiceRecord
from kiosk.ledger.models import LedgerEntry
from kiosk.registry.models import Pairing, Resident
from kiosk.staff.models import MANAGER, SERVICE
from kiosk.stores.models import Store
from tests.conftest import signed_in
from tests.helpers import balance, body


@pytest.fixture
def rules(world):
    catalog.install(world.store)
    return {rule.code: rule for rule in Rule.select()}


def record(session, world, rules, name="张建华", code="LITTER", **form):
    resident_id = Resident.get(Resident.name == name).id
    session.post("/earning/people/add", {"resident_id": str(resident_id)}, htmx=False)
    data = {"rule_id": str(rules[code].id), "content": "楼道乱扔垃圾", "service_date": "2026-11-20"} | form
    return session.post("/earning/record", data, htmx=False)


@pytest.fixture
def kiosk(app):
    """The idle kiosk: nobody signed in, posting like the passbook page does."""
    client = app.test_client()
    client.get("/signin")
    with client.session_transaction() as session:
        token = session.setdefault("csrf_token", "passbook-token")

    def post(url, **data):
        return client.post(url, data=dict(data, csrf_token=token), headers={"HX-Request": "true"})

    return post


def test_a_deduction_from_record_to_objection_upheld(client, operations, world, rules, kiosk):
    before = balance(world, "张建华")
    assert "已登记 1 条扣分，等待审核" in body(operations.get(record(operations, world, rules).location))
    reviewer = signed_in(client, world, SERVICE)
    queue = body(reviewer.get("/earning/review"))
    assert "-5" in queue and "审核通过后进入 7 天异议期" in queue
    deduction = ServiceRecord.get()
    reviewer.post(f"/earning/review/{deduction.id}/approve", htmx=False)
    queue = body(reviewer.get("/earning/review"))
    assert "扣 张建华 5 积分，如无异议，于" in queue and "异议期中的扣分" in queue
    assert balance(world, "张建华") == before

    # The resident scans their card at the idle kiosk and objects.
    html = body(kiosk("/passbook/scan", code=world.payload("张建华")))
    assert "待生效扣分：乱扔垃圾 -5 分" in html and "我有异议" in html
    ticket = re.search(r'name="ticket" value="([^"]+)"', html).group(1)
    assert "已登记" in body(kiosk("/passbook/objection", ticket=ticket))
    assert ServiceRecord.get_by_id(deduction.id).status == "disputed"
    assert "已对这条扣分提出异议" in body(kiosk("/passbook/objection", ticket=ticket))  # a second tap changes nothing
    assert Objection.select().count() == 1
    assert "您已提出异议，客服正在核实" in body(kiosk("/passbook/scan", code=world.payload("张建华")))

    # Customer service decides: the recorder may not, another staff member may.
    queue = body(reviewer.get("/earning/review"))
    assert "居民在自助机提出" in queue and "异议成立：撤销扣分" in queue
    reviewer.post(f"/earning/objections/{deduction.id}/decide", {"decision": "uphold", "reason": ""}, htmx=False)
    assert "请填写处理理由" in body(reviewer.get("/earning/review"))
    reviewer.post(f"/earning/objections/{deduction.id}/decide", {"decision": "uphold", "reason": "核实非本户"}, htmx=False)
    assert "异议成立：张建华 的扣分已撤销" in body(reviewer.get("/earning/review"))
    assert ServiceRecord.get_by_id(deduction.id).status == "cancelled"
    assert balance(world, "张建华") == before


@pytest.mark.parametrize("ticket", ["", "garbage", "x" * 5000, "WzEsIDFd.abc.def"])
def test_a_forged_objection_ticket_changes_nothing(client, operations, world, rules, kiosk, ticket):
    record(operations, world, rules)
    deduction = ServiceRecord.get()
    signed_in(client, world, SERVICE).post(f"/earning/review/{deduction.id}/approve", htmx=False)
    response = kiosk("/passbook/objection", ticket=ticket)
    assert response.status_code == 422 and "请重新扫描积分卡" in body(response)
    assert ServiceRecord.get_by_id(deduction.id).status == "waiting" and Objection.select().count() == 0


def test_a_ticket_from_another_card_cannot_object_to_someone_elses_deduction(client, operations, world, rules, kiosk):
    record(operations, world, rules, name="李秀兰")
    deduction = ServiceRecord.get()
    signed_in(client, world, SERVICE).post(f"/earning/review/{deduction.id}/approve", htmx=False)
    html = body(kiosk("/passbook/scan", code=world.payload("张建华")))
    assert "待生效扣分" not in html and "我有异议" not in html


def test_an_objection_at_the_desk_then_dismissed_takes_effect_after_the_period(client, operations, world, rules):
    Store.update(objection_days=0).where(Store.id == world.store.id).execute()
    record(operations, world, rules)
    deduction = ServiceRecord.get()
    before = balance(world, "张建华")
    reviewer = signed_in(client, world, SERVICE)
    reviewer.post(f"/earning/review/{deduction.id}/approve", htmx=False)
    # With no objection period the deduction takes effect at once; there is nothing to object to.
    assert balance(world, "张建华") == before - 5
    assert LedgerEntry.get(LedgerEntry.reference == f"service:{deduction.id}").kind == "deduct"
    reviewer.post(f"/earning/objections/{deduction.id}/raise", {"statement": "不服"}, htmx=False)
    assert "异议期已过" in body(reviewer.get("/earning/review"))


def test_parking_warnings_are_shown_as_warnings(client, operations, world, rules):
    record(operations, world, rules, code="PARKING")
    reviewer = signed_in(client, world, SERVICE)
    assert "第 1 次：审核通过后记为劝导，不扣分" in body(reviewer.get("/earning/review"))
    reviewer.post(f"/earning/review/{ServiceRecord.get().id}/approve", htmx=False)
    assert "已记为对 张建华 的劝导：本次不扣分" in body(reviewer.get("/earning/review"))


def test_start_and_end_times_on_the_form(operations, world, rules):
    response = record(operations, world, rules, code="VOL30", start="10:00", end="09:30")
    assert response.status_code == 422 and "结束时间必须晚于开始时间" in body(response)
    response = record(operations, world, rules, code="VOL30", start="25:99", end="10:00")
    assert response.status_code == 422 and ServiceRecord.select().count() == 0
    assert record(operations, world, rules, code="VOL30", start="09:00", end="10:30").status_code == 302
    assert (ServiceRecord.get().minutes, ServiceRecord.get().points) == (90, 15)


@pytest.mark.parametrize("points, text", [
    ("abc", "更正后的积分须为 0 到 10 之间的整数"), ("-5", "更正后的积分须为"), ("11", "更正后的积分须为"),
    ("1000000000000", "更正后的积分须为"), ("10", "这条记录的积分已经是这个数"),
])
def test_bad_corrections_are_refused_on_screen(client, operations, world, rules, points, text):
    record(operations, world, rules, code="CLEAN")
    reviewer = signed_in(client, world, SERVICE)
    reviewer.post(f"/earning/review/{ServiceRecord.get().id}/approve", htmx=False)
    reviewer.post(f"/earning/records/{ServiceRecord.get().id}/correct", {"points": points, "reason": "核对"}, htmx=False)
    assert text in body(reviewer.get("/earning/records"))
    assert Correction.select().count() == 0


def test_a_correction_on_screen_posts_the_difference(client, operations, world, rules):
    record(operations, world, rules, code="CLEAN")
    reviewer = signed_in(client, world, SERVICE)
    reviewer.post(f"/earning/review/{ServiceRecord.get().id}/approve", htmx=False)
    before = balance(world, "张建华")
    page = body(reviewer.get("/earning/records"))
    assert "更正为" in page and "环境卫生清扫" in page
    reviewer.post(f"/earning/records/{ServiceRecord.get().id}/correct", {"points": "4", "reason": "只扫了一半"}, htmx=False)
    page = body(reviewer.get("/earning/records"))
    assert "已更正：张建华 -6 积分" in page and "<s>+10</s> +4" in page
    assert balance(world, "张建华") == before - 6
    # Operations staff record; they do not correct.
    signed_in(client, world, "operations")
    assert client.get("/earning/records").status_code == 403


def test_pairing_a_party_member_on_the_household_page(operations, world, rules):
    household = Resident.get(Resident.name == "张建华").household
    page = body(operations.get(f"/registry/households/{household.id}?member_q=王"))
    assert "尚未结对" in page and "与 王德明 结对" in page
    member = Resident.get(Resident.name == "王德明")
    operations.post(f"/registry/households/{household.id}/pairing", {"member_id": str(member.id)}, htmx=False)
    page = body(operations.get(f"/registry/households/{household.id}"))
    assert "已与党员 王德明 结对" in page and "解除结对" in page
    for bad in ("", "abc", "99999999999", str(Resident.get(Resident.name == "张建华").id)):
        operations.post(f"/registry/households/{household.id}/pairing", {"member_id": bad}, htmx=False)
    assert Pairing.select().count() == 1 and Pairing.get().member_id == member.id
    operations.post(f"/registry/households/{household.id}/pairing", {"end": "1"}, htmx=False)
    assert "已解除结对" in body(operations.get(f"/registry/households/{household.id}"))
    assert Pairing.get().ended_at is not None


@pytest.mark.parametrize("value", ["-1", "91", "abc", "1000000000000", ""])
def test_a_bad_objection_period_is_refused(manager, world, value):
    manager.post("/earning/settings", {"objection_days": value}, htmx=False)
    assert "异议期须为 0 到 90 之间的整数天数" in body(manager.get("/settings/points"))
    assert Store.get_by_id(world.store.id).objection_days == 7


def test_the_manager_sets_the_objection_period(client, manager, world):
    assert "异议期（天）" in body(manager.get("/settings/points"))
    response = manager.post("/earning/settings", {"objection_days": "14"}, htmx=False)
    assert response.headers["Location"].endswith("/settings/points#earning-settings")
    assert Store.get_by_id(world.store.id).objection_days == 14
    assert "扣分设置已保存" in body(manager.get("/settings/points"))
    service_staff = signed_in(client, world, SERVICE)
    assert service_staff.post("/earning/settings", {"objection_days": "1"}, htmx=False).status_code == 403
    assert Store.get_by_id(world.store.id).objection_days == 14


def test_roles(client, world):
    signed_in(client, world, MANAGER)
    assert client.get("/earning/records").status_code == 200
