"""The rules screen: the manager lists, adds, edits (new versions) and retires rules, and
imports a catalog through a preview; nobody else may open it."""
import io
import json
import re

import pytest

from kiosk.earning import catalog, service
from kiosk.earning.models import Rule
from tests.helpers import body

HEADER = "代码,名称,类别,积分,计分方式(每次/每30分钟),每月上限,劝导次数,劝导周期(月/季/年),结对分成%"


@pytest.fixture
def rules(world):
    catalog.install(world.store)
    return {rule.code: rule for rule in service.current_rules(world.store)}


def current(world):
    return {rule.code: rule for rule in service.current_rules(world.store)}


def upload(session, data, name="规则.csv", htmx=False):
    headers = {"HX-Request": "true"} if htmx else {}
    return session.client.post("/rules/import", data={"file": (io.BytesIO(data), name), "csrf_token": session.token()},
                               content_type="multipart/form-data", headers=headers)


def hidden(page, name):
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    return found and found.group(1).replace("&#34;", '"').replace("&quot;", '"').replace("&amp;", "&") \
        .replace("&lt;", "<").replace("&gt;", ">").replace("&#39;", "'")


def test_the_settings_page_links_the_rules_and_categories_screens(manager):
    page = body(manager.get("/settings/"))
    assert 'href="/rules/"' in page and 'href="/categories/"' in page


def test_the_rules_are_listed_by_category_with_their_terms(manager, rules):
    page = body(manager.get("/rules/"))
    assert "积分规则" in page
    for category in ("志愿服务", "人居环境", "扣分项"):
        assert f'<h2 class="rule-category">{category}</h2>' in page
    parking = re.search(r'<tr data-rule="PARKING">.*?</tr>', page, re.S).group(0)
    assert "-10" in parking and "每年 2 次" in parking and "扣分" in parking
    vol = re.search(r'<tr data-rule="VOL30">.*?</tr>', page, re.S).group(0)
    assert "+5" in vol and "每30分钟" in vol and "200" in vol and "10%" in vol


@pytest.mark.parametrize("role", ["cashier", "operations"])
def test_only_the_manager_opens_the_rules_screen(request, client, rules, role):
    session = request.getfixturevalue(role)
    assert client.get("/rules/").status_code == 403
    assert client.get("/rules/new").status_code == 403
    assert session.post(f"/rules/{rules['CLEAN'].id}/retire", htmx=False).status_code == 403
    assert upload(session, (HEADER + "\r\nX,献血,道德风尚,100,每次,,,,").encode()).status_code == 403
    assert session.post("/rules/import/confirm", {"rows": "[]", "digest": ""}, htmx=False).status_code == 403
    assert current(request.getfixturevalue("world"))["CLEAN"].version == 1


def test_the_manager_adds_a_deduction_with_warnings(manager, world):
    response = manager.post("/rules/new", {"name": "占用消防通道", "category": "扣分项", "code": "firelane", "kind": "deduction",
                                           "points": "20", "unit": "occurrence", "warnings": "1",
                                           "occurrence_period": "quarter"}, htmx=False)
    assert response.status_code == 303
    rule = current(world)["FIRELANE"]
    assert (rule.points, rule.from_occurrence, rule.occurrence_period, rule.version) == (-20, 2, "quarter", 1)
    assert "已添加规则 FIRELANE" in body(manager.get("/rules/"))


@pytest.mark.parametrize("form, text", [
    ({"points": "0"}, "积分不能为 0"),
    ({"points": "abc"}, "积分必须是整数"),
    ({"cap_month": "5"}, "每月上限（5）低于一次的积分（10）"),
    ({"linked_share": "-5"}, "结对分成必须是 0 到 100"),
    ({"kind": "deduction", "linked_share": "10"}, "扣分规则没有结对分成"),
    ({"warnings": "2"}, "扣分前的劝导只适用于扣分规则"),
    ({"name": ""}, "请填写规则名称"),
    ({"code": "CLEAN"}, "已有代码为 CLEAN 的规则"),
])
def test_nonsense_is_refused_with_a_clear_message_and_nothing_is_added(manager, world, rules, form, text):
    before = Rule.select().count()
    fields = {"name": "文明劝导", "category": "文明实践", "kind": "earning", "points": "10", "unit": "occurrence", **form}
    response = manager.post("/rules/new", fields, htmx=False)
    assert response.status_code == 422 and text in body(response)
    assert Rule.select().count() == before


def test_editing_makes_a_new_version_and_the_old_records_keep_theirs(manager, world, rules):
    clean = rules["CLEAN"]
    page = body(manager.get(f"/rules/{clean.id}"))
    assert 'value="环境卫生清扫"' in page and "保存后成为第 2 版" in page
    fields = {"name": "环境卫生清扫", "category": "人居环境", "kind": "earning", "points": "12", "unit": "occurrence",
              "cap_month": "72", "linked_share": "10", "occurrence_period": "year"}
    assert manager.post(f"/rules/{clean.id}", fields, htmx=False).status_code == 303
    new = current(world)["CLEAN"]
    assert (new.version, new.points, new.cap_month) == (2, 12, 72)
    assert Rule.get_by_id(clean.id).current is False
    # The form of the old version is out of date now.
    response = manager.post(f"/rules/{clean.id}", dict(fields, points="14"), htmx=False)
    assert response.status_code == 422 and "页面已过期" in body(response)
    # Saving without a change says so and makes no version.
    response = manager.post(f"/rules/{new.id}", fields, htmx=False)
    assert response.status_code == 303 and current(world)["CLEAN"].version == 2


def test_a_retired_rule_leaves_the_list_and_the_recording_screen(manager, client, world, rules):
    assert manager.post(f"/rules/{rules['LITTER'].id}/retire", htmx=False).status_code == 303
    page = body(manager.get("/rules/"))
    assert 'data-rule="LITTER"' not in page and 'data-retired="LITTER"' in page
    recording = body(manager.get("/earning/"))
    assert "乱扔垃圾" not in recording and "环境卫生清扫" in recording
    assert "LITTER" not in current(world)


def test_the_sample_catalog_downloads_with_a_bom(manager):
    response = manager.get("/rules/sample-catalog.csv")
    assert response.status_code == 200 and response.data.startswith(b"\xef\xbb\xbf")
    assert "见义勇为" in response.data.decode("utf-8-sig")
    assert "下载示例规则库（41 条）" in body(manager.get("/rules/"))


def test_upload_preview_then_confirm_imports_the_sample_catalog(manager, world):
    sample = manager.get("/rules/sample-catalog.csv").data
    response = upload(manager, sample, htmx=True)
    page = body(response)
    assert response.status_code == 200 and page.startswith('<section class="panel" id="rules-import">')
    assert page.count('<tr data-row="') == 41 and "导入：新增 41 条，修改 0 条" in page
    rows, digest = hidden(page, "rows"), hidden(page, "digest")
    assert len(json.loads(rows)) == 41
    response = manager.post("/rules/import/confirm", {"rows": rows, "digest": digest, "filename": "积分规则示例.csv"},
                            htmx=False)
    assert response.status_code == 303
    assert len(current(world)) == 41
    assert "规则导入完成：新增 41 条" in body(manager.get("/rules/"))


def test_a_file_with_a_bad_row_previews_every_row_and_cannot_be_confirmed(manager, world, rules):
    data = "\r\n".join([HEADER, "CLEAN,环境卫生清扫,人居环境,12,每次,72,,,10", "ZERO,零分,道德风尚,0,每次,,,,",
                        "WEEK,每周,道德风尚,5,每周,,,,", "CLEAN,又一个,人居环境,5,每次,,,,"]).encode("gbk")
    page = body(upload(manager, data))
    assert "新版本 2：积分 10 → 12、每月上限 60 → 72" in page
    assert "积分不能为 0" in page and "无法识别的计分方式“每周”" in page and "代码 CLEAN 在第 2 行也出现了" in page
    assert "只要有一行有错误，就不会导入任何规则" in page and "/rules/import/confirm" not in page
    # Forcing the confirm anyway imports nothing.
    rows = json.dumps([{"row": 2, "code": "CLEAN", "name": "环境卫生清扫", "category": "人居环境", "points": "12"},
                       {"row": 3, "code": "ZERO", "name": "零分", "category": "道德风尚", "points": "0"}])
    response = manager.post("/rules/import/confirm", {"rows": rows, "digest": "x"}, htmx=False)
    assert response.status_code == 422 and "没有导入任何规则：有 1 行有错误" in body(response)
    assert current(world)["CLEAN"].version == 1


@pytest.mark.parametrize("rows", ["not json", "[]", '[{"row": "2"}]', '[{"row": 2, "evil": "x"}]'])
def test_a_tampered_confirm_is_refused(manager, world, rows):
    response = manager.post("/rules/import/confirm", {"rows": rows, "digest": "x"}, htmx=False)
    assert response.status_code == 422 and "页面已过期" in body(response)


def test_a_file_that_is_not_a_catalog_is_refused(manager):
    response = upload(manager, "姓名,电话\r\n张三,138".encode(), htmx=True)
    assert response.status_code == 422 and "文件缺少“名称、类别、积分”列" in body(response)
    response = upload(manager, b"", htmx=True)
    assert response.status_code == 422
