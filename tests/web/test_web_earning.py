"""Recording service and reviewing it on screen: maker-checker, group entry, bad input."""
import pytest

from kiosk.earning import catalog
from kiosk.earning.models import Rule, ServiceRecord
from kiosk.registry.models import Resident
from kiosk.staff.models import SERVICE
from tests.conftest import signed_in
from tests.helpers import balance, body


@pytest.fixture
def rules(world):
    catalog.install(world.store)
    return {rule.code: rule for rule in Rule.select()}


def add(session, name):
    return session.post("/earning/people/add", {"resident_id": str(Resident.get(Resident.name == name).id)}, htmx=False)


def test_a_group_activity_is_recorded_then_approved_by_someone_else(client, operations, world, rules):
    page = body(operations.get("/earning/?q=张"))
    assert "志愿服务（每30分钟）" in page and "+ 张建华" in page
    assert "乱停车" in page  # deductions are recorded here too, in their own group
    add(operations, "张建华")
    operations.post("/earning/scan", {"code": world.payload("李秀兰")}, htmx=False)
    assert "已添加：李秀兰" in body(operations.get("/earning/"))
    response = operations.post("/earning/record", {"rule_id": str(rules["VOL30"].id), "content": "社区图书角值班",
                                                   "service_date": "2026-11-20", "minutes": "90"}, htmx=False)
    assert response.status_code == 302
    assert "已登记 2 条服务，等待审核" in body(operations.get("/earning/"))
    assert ServiceRecord.select().where(ServiceRecord.status == "pending").count() == 2

    # The recorder is not a reviewer; the customer-service staff member is.
    assert operations.get("/earning/review").status_code == 403
    reviewer = signed_in(client, world, SERVICE)
    queue = body(reviewer.get("/earning/review"))
    assert "社区图书角值班" in queue and "+15" in queue
    before = balance(world, "张建华")
    record = ServiceRecord.get(ServiceRecord.resident == Resident.get(Resident.name == "张建华"))
    reviewer.post(f"/earning/review/{record.id}/approve", htmx=False)
    assert "已审核通过：张建华 获得 15 积分" in body(reviewer.get("/earning/review"))
    assert balance(world, "张建华") == before + 15


def test_a_manager_who_recorded_cannot_approve_it(manager, world, rules):
    add(manager, "张建华")
    manager.post("/earning/record", {"rule_id": str(rules["CLEAN"].id), "content": "清扫楼道",
                                     "service_date": "2026-11-20"}, htmx=False)
    record = ServiceRecord.get()
    queue = body(manager.get("/earning/review"))
    assert "这条服务是您本人登记的" in queue or "由其他工作人员审核" in queue
    manager.post(f"/earning/review/{record.id}/approve", htmx=False)
    assert "须由其他工作人员审核" in body(manager.get("/earning/review"))
    assert ServiceRecord.get_by_id(record.id).status == "pending"


def test_a_rejection_without_a_reason_is_refused(client, operations, world, rules):
    add(operations, "张建华")
    operations.post("/earning/record", {"rule_id": str(rules["CLEAN"].id), "content": "清扫楼道",
                                        "service_date": "2026-11-20"}, htmx=False)
    record = ServiceRecord.get()
    reviewer = signed_in(client, world, SERVICE)
    reviewer.post(f"/earning/review/{record.id}/reject", {"reason": ""}, htmx=False)
    assert "请填写驳回理由" in body(reviewer.get("/earning/review"))
    reviewer.post(f"/earning/review/{record.id}/reject", {"reason": "当天未到岗"}, htmx=False)
    assert ServiceRecord.get_by_id(record.id).status == "rejected"


@pytest.mark.parametrize("form, text", [
    ({"content": "值班", "service_date": "2026-11-20", "minutes": "20"}, "服务时长满 30 分钟才计分"),
    ({"content": "值班", "service_date": "2026-11-20", "minutes": "2000"}, "服务时长不能超过24小时"),
    ({"content": "值班", "service_date": "2999-01-01", "minutes": "60"}, "日期不能晚于今天"),
    ({"content": "", "service_date": "2026-11-20", "minutes": "60"}, "请填写服务内容"),
    ({"content": "值班", "service_date": "2026-11-20", "minutes": "-1"}, "请填写服务时长"),
    ({"content": "值班", "service_date": "2026-11-20", "minutes": "1e12"}, "请填写服务时长"),
])
def test_bad_service_input_is_refused_and_nothing_is_recorded(operations, world, rules, form, text):
    add(operations, "张建华")
    response = operations.post("/earning/record", dict(form, rule_id=str(rules["VOL30"].id)), htmx=False)
    assert response.status_code == 422 and text in body(response)
    assert ServiceRecord.select().count() == 0


def test_recording_without_participants_is_refused(operations, world, rules):
    response = operations.post("/earning/record", {"rule_id": str(rules["CLEAN"].id), "content": "清扫",
                                                   "service_date": "2026-11-20"}, htmx=False)
    assert response.status_code == 422 and "请至少选择一位参与者" in body(response)


def test_a_forged_card_scan_adds_nobody(operations, world, rules):
    operations.post("/earning/scan", {"code": "JF:XY:10000001:AAAAAAAAAAAAAAAA"}, htmx=False)
    page = body(operations.get("/earning/"))
    assert "无效卡" in page and 'data-person="' not in page


@pytest.mark.parametrize("role", ["cashier"])
def test_cashiers_do_not_record_or_review(request, client, role):
    request.getfixturevalue(role)
    assert client.get("/earning/").status_code == 403
    assert client.get("/earning/review").status_code == 403


@pytest.mark.parametrize("value", ["", "abc", "-1", "0", "99999999999999", "1e12"])
def test_adding_a_participant_that_does_not_exist_is_refused(operations, world, rules, value):
    operations.post("/earning/people/add", {"resident_id": value}, htmx=False)
    page = body(operations.get("/earning/"))
    assert "未找到此居民" in page
    assert 'data-person="' not in page


@pytest.mark.parametrize("code", ["garbage!!", "6901234000007", "", "JF:XY:1"])
def test_a_garbled_scan_adds_nobody(operations, world, rules, code):
    response = operations.post("/earning/scan", {"code": code})
    assert response.status_code == 200 and "message error" in body(response)
    assert 'data-person="' not in body(operations.get("/earning/"))


def test_a_double_tap_on_approve_posts_once(client, operations, world, rules):
    add(operations, "张建华")
    operations.post("/earning/record", {"rule_id": str(rules["CLEAN"].id), "content": "清扫楼道",
                                        "service_date": "2026-11-20"}, htmx=False)
    record = ServiceRecord.get()
    reviewer = signed_in(client, world, SERVICE)
    before = balance(world, "张建华")
    reviewer.post(f"/earning/review/{record.id}/approve", htmx=False)
    reviewer.post(f"/earning/review/{record.id}/approve", htmx=False)
    assert "这条记录已经审核过了" in body(reviewer.get("/earning/review"))
    assert balance(world, "张建华") == before + 10
