"""The CSV downloads neutralise formulas: a name typed as =HYPERLINK(…) in a volunteer export
comes back in errors.csv with a leading "'"; the registry export does the same."""
import io
import re

import pytest

from kiosk.earning import catalog
from kiosk.registry.models import Household, Resident

HOSTILE = '=HYPERLINK("http://x.example/","点我")'
EXPORT = "\r\n".join([
    "序号,志愿者姓名,联系电话,身份证号,服务内容,活动日期,签到时间,签退时间,服务时长",
    f'1,"{HOSTILE.replace(chr(34), chr(34) * 2)}",13700000000,,垃圾分类宣传,2026-11-06,08:00,09:00,1',
    "2,@SUM(A1),13700000001,,垃圾分类宣传,2026-11-06,08:00,09:00,1",
]) + "\r\n"
GUESSED = {"name": "1", "phone": "2", "id_number": "3", "content": "4", "date": "5", "start": "6", "end": "7",
           "hours": "8"}


@pytest.fixture
def rules(world):
    catalog.install(world.store)


def test_the_volunteer_errors_csv_neutralises_formulas(operations, world, rules):
    sent = operations.client.post("/earning/import/", data={"file": (io.BytesIO(EXPORT.encode()), "导出.csv"),
                                                            "csrf_token": operations.token()},
                                  content_type="multipart/form-data")
    batch = int(re.search(r"/earning/import/(\d+)", sent.headers["Location"]).group(1))
    operations.post(f"/earning/import/{batch}/mapping",
                    {"rule": "rule:CLEAN", **{f"map_{k}": v for k, v in GUESSED.items()}}, htmx=False)
    text = operations.get(f"/earning/import/{batch}/errors.csv").get_data().decode("utf-8-sig")
    assert "'" + HOSTILE.replace('"', '""') in text
    assert ",'@SUM(A1)," in text
    assert ",=HYPERLINK" not in text and ",@SUM" not in text


def test_the_registry_export_neutralises_formulas(operations, world):
    household = Household.create(store=world.store, building="=1+1", unit="1", room="101")
    Resident.create(store=world.store, household=household, name="-2+3", initials="X")
    text = operations.get("/registry/export.csv").get_data().decode("utf-8-sig")
    assert "'=1+1" in text and "'-2+3" in text
