"""The sample rules catalog the communities start from (their "service → registration →
reward" schemes). Points per unit; negative points are deductions."""
from kiosk.db import database
from kiosk.earning import service
from kiosk.earning.models import PER_HALF_HOUR, PER_OCCURRENCE, Rule

SAMPLE_RULES = (
    # code, name, category, points, unit, monthly cap, extra fields
    ("VOL30", "志愿服务（每30分钟）", "志愿服务", 5, PER_HALF_HOUR, 200, {"linked_share": 10}),
    ("CHECKPOINT", "防疫卡口值守（每30分钟）", "志愿服务", 8, PER_HALF_HOUR, 240, {"linked_share": 10}),
    ("CLEAN", "环境卫生清扫", "人居环境", 10, PER_OCCURRENCE, 60, {"linked_share": 10}),
    ("ELDER", "探访独居老人", "邻里互助", 15, PER_OCCURRENCE, 90, {"linked_share": 10}),
    ("PERFORM", "参加文艺演出", "文化活动", 20, PER_OCCURRENCE, None, {}),
    ("GOODDEED", "好人好事", "道德风尚", 30, PER_OCCURRENCE, None, {}),
    # Parking that blocks others: two recorded warnings (劝导) a year, then -10 each time.
    ("PARKING", "乱停车影响通行（两次劝导后）", "扣分项", -10, PER_OCCURRENCE, None,
     {"from_occurrence": 3, "occurrence_period": "year"}),
    ("LITTER", "乱扔垃圾", "扣分项", -5, PER_OCCURRENCE, None, {}),
)


def install(store, staff=None):
    """Add the sample rules the store does not have yet (by code); returns how many were added."""
    added = 0
    with database.atomic():
        for code, name, category, points, unit, cap, extra in SAMPLE_RULES:
            if Rule.select().where(Rule.store == store, Rule.code == code).exists():
                continue
            service.add_rule(store, code=code, name=name, category=category, points=points, unit=unit,
                             cap_month=cap, staff=staff, **extra)
            added += 1
    return added
