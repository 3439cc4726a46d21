"""Reading an export of the volunteer platform and checking each row against the registry and
the rules catalog. Changes nothing; kiosk.volunteer.service stores and confirms batches.

    header, rows = read(data, filename)          # the raw table; file-level problems raise
    mapping, rule_choice = guess(header, rows, rules)
    result = check(store, rows, mapping, rule_choice, today=today)   # a Preview

Files are read by kiosk.registry.importer (CSV in UTF-8 with or without BOM, GBK/GB18030,
UTF-16; .xlsx); a CSV mixing UTF-8 and GBK is refused there.
"""
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta

from kiosk.earning import service as earning
from kiosk.earning.models import APPROVED, PENDING, Rule, ServiceRecord
from kiosk.errors import KioskError
from kiosk.registry import importer as registry_importer
from kiosk.registry.models import Household, Resident
from kiosk.registry.service import ID_NUMBER, PHONE, account_of

MAX_ROWS = 2000
CHUNK = 500

# The fields a column can be mapped to, in the order the mapping form shows them.
FIELDS = ("name", "phone", "id_number", "content", "date", "start", "end", "hours", "minutes")
# What the column title of each field usually looks like in the platforms' exports.
LABELS = {
    "name": "姓名", "phone": "手机号", "id_number": "身份证号（后四位）", "content": "活动名称",
    "date": "服务日期", "start": "开始时间", "end": "结束时间", "hours": "服务时长（小时）",
    "minutes": "服务时长（分钟）",
}


def _key(text):
    """A column title or a rule name compared loosely: full-width folded, lower case, no spaces."""
    text = unicodedata.normalize("NFKC", str(text or "")).strip().lower()
    return re.sub(r"[\s_*:：]", "", text)


def _bare(text):
    """A name without its note in brackets: 志愿服务（每30分钟） → 志愿服务."""
    return re.sub(r"[(（\[【].*?[)）\]】]", "", _key(text))


def content_key(text):
    """An activity compared for duplicates: 社区 图书角值班 and 社区图书角值班 are one."""
    return _key(text)


# ---------------------------------------------------------------------------------------------
# Reading


def read(data, filename=""):
    """(header, rows) of an export: the column titles and [(row number, [cell text])] of every
    non-blank row under them. The header is the first of the first ten non-blank rows that
    names two known columns (a title row above it is allowed), else the first non-blank row.

    Raises KioskError: "import_unknown_type", "import_old_excel", "import_bad_file",
    "import_mixed_encoding", "import_empty", "import_too_many_rows".
    """
    records = [(number, cells) for number, cells in registry_importer.read_records(data, filename) if any(cells)]
    if not records:
        raise KioskError("import_empty")
    at = 0
    for index, (_, cells) in enumerate(records[:10]):
        if len(_guess_titles(cells)) >= 2:
            at = index
            break
    header = records[at][1]
    rows = records[at + 1:]
    if not rows:
        raise KioskError("import_empty")
    if len(rows) > MAX_ROWS:
        raise KioskError("import_too_many_rows", max=MAX_ROWS)
    width = max(len(header), *(len(cells) for _, cells in rows))
    header = [title or f"#{index + 1}" for index, title in enumerate(header + [""] * (width - len(header)))]
    return header, [(number, cells + [""] * (width - len(cells))) for number, cells in rows]


# ---------------------------------------------------------------------------------------------
# Guessing the mapping


def _field_of(title):
    """The field a column title names, or None."""
    key = _key(title)
    if not key:
        return None
    if key in ("姓名", "志愿者", "志愿者姓名", "真实姓名", "居民姓名", "name", "参与人", "参与人姓名"):
        return "name"
    if "身份证" in key or "证件号" in key or key in ("idnumber", "id"):
        return "id_number"
    if "手机" in key or "电话" in key or key in ("phone", "mobile"):
        return "phone"
    if "规则" in key or "积分项目" in key or "积分类别" in key:
        return "rule"
    if "时长" in key or key in ("duration", "hours", "minutes"):
        if "分钟" in key or "min" in key:
            return "minutes"
        if "小时" in key or "hour" in key or key.endswith("(h)"):
            return "hours"
        return "duration"
    if "开始" in key or "签到" in key or key == "start":
        return "start"
    if "结束" in key or "签退" in key or key == "end":
        return "end"
    if "日期" in key or key == "date" or key in ("服务时间", "活动时间"):
        return "date"
    if any(word in key for word in ("活动名称", "服务内容", "活动内容", "项目名称", "服务项目", "活动主题")) \
            or key in ("活动", "content", "activity"):
        return "content"
    return None


def _guess_titles(cells):
    return {field for field in map(_field_of, cells) if field}


def guess(header, rows, rules):
    """(mapping, rule_choice) guessed from the column titles: mapping is field -> column index;
    rule_choice is "column:N" when a column names the rule, else "" (the person chooses).

    A duration column whose title gives no unit (服务时长) is read as hours unless its values
    look like minutes (mostly above 24)."""
    mapping = {}
    rule_choice = ""
    for index, title in enumerate(header):
        found = _field_of(title)
        if found == "duration":
            found = "minutes" if _looks_like_minutes(rows, index) else "hours"
        if found == "rule":
            if not rule_choice:
                rule_choice = f"column:{index}"
            continue
        if found and found not in mapping:
            mapping[found] = index
    earning_rules = [rule for rule in rules if rule.points > 0]
    if not rule_choice and "content" in mapping:
        # The activity names may be the rules' names (志愿服务, 环境卫生清扫).
        names = {_key(rule.name) for rule in earning_rules} | {_bare(rule.name) for rule in earning_rules}
        values = [_key(cells[mapping["content"]]) for _, cells in rows[:200]]
        values = [value for value in values if value]
        if values and sum(value in names for value in values) * 2 > len(values):
            rule_choice = f"column:{mapping['content']}"
    if not rule_choice and len(earning_rules) == 1:
        rule_choice = f"rule:{earning_rules[0].code}"
    return mapping, rule_choice


def _looks_like_minutes(rows, index):
    values = []
    for _, cells in rows[:200]:
        try:
            values.append(float(cells[index]))
        except (ValueError, IndexError):
            continue
    return bool(values) and sorted(values)[len(values) // 2] > 24


# ---------------------------------------------------------------------------------------------
# Reading values


DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")
TIME = re.compile(r"(\d{1,2})\s*[:：时点]\s*(\d{1,2})?\s*(?:[:：分]\s*(?:\d{1,2})?\s*秒?)?")
EXCEL_EPOCH = date(1899, 12, 30)


def parse_date(text):
    """The date in a cell: 2026-11-20, 2026/11/20, 2026年11月20日, 2026.11.20, 20261120,
    a date with a time after it, or an Excel day number. None when there is none; raises
    ValueError when the cell is not a date."""
    text = unicodedata.normalize("NFKC", text or "").strip()
    if not text:
        return None
    found = DATE.match(text)
    if found:
        return date(int(found.group(1)), int(found.group(2)), int(found.group(3)))
    found = COMPACT_DATE.fullmatch(text)
    if found:
        return date(int(found.group(1)), int(found.group(2)), int(found.group(3)))
    if re.fullmatch(r"\d{5}(\.0+)?", text) and 30000 <= float(text) <= 80000:
        return EXCEL_EPOCH + timedelta(days=int(float(text)))
    raise ValueError(text)


def parse_time(text):
    """(date or None, minutes after midnight) of a time cell: 09:00, 9:00:00, 9时30分,
    2026-11-20 09:00, an Excel fraction of a day. None when empty; raises ValueError."""
    text = unicodedata.normalize("NFKC", text or "").strip()
    if not text:
        return None
    day = None
    found = DATE.match(text)
    if found:
        day = date(int(found.group(1)), int(found.group(2)), int(found.group(3)))
        text = text[found.end():].strip().lstrip("T").strip()
    if re.fullmatch(r"0?\.\d+", text):  # an Excel time cell read as a number
        minutes = round(float(text) * 24 * 60)
        return day, minutes
    found = TIME.fullmatch(text)
    if not found:
        raise ValueError(text)
    hours, minutes = int(found.group(1)), int(found.group(2) or 0)
    if hours > 24 or minutes > 59 or (hours == 24 and minutes):
        raise ValueError(text)
    return day, hours * 60 + minutes


DURATION_PARTS = re.compile(r"(?:(\d+(?:\.\d+)?)\s*(?:小时|h|hr|hrs|hours?|时))?\s*"
                            r"(?:(\d+(?:\.\d+)?)\s*(?:分钟|分|min|mins|minutes?|m))?")


def parse_duration(text, unit):
    """Minutes from a duration cell: a bare number in ``unit`` ("hours" or "minutes"), or with
    its own unit (1.5小时, 90分钟, 1小时30分). None when empty; raises ValueError."""
    text = unicodedata.normalize("NFKC", text or "").strip().lower()
    if not text:
        return None
    if re.fullmatch(r"\d+(\.\d+)?", text):
        value = float(text)
        return round(value * 60) if unit == "hours" else round(value)
    clock = re.fullmatch(r"(\d{1,2}):(\d{2})(?::\d{2})?", text)  # 1:30 or an Excel duration cell, 1:30:00
    if clock:
        return int(clock.group(1)) * 60 + int(clock.group(2))
    found = DURATION_PARTS.fullmatch(text)
    if not found or not (found.group(1) or found.group(2)):
        raise ValueError(text)
    return round(float(found.group(1) or 0) * 60 + float(found.group(2) or 0))


def phone_tail(text):
    """The last four digits of a phone cell (13812345678, 138****5678), or ""."""
    digits = re.sub(r"\D", "", unicodedata.normalize("NFKC", text or ""))
    return digits[-4:] if len(digits) >= 4 else ""


def id_tail(text):
    """The last four characters of an ID cell: a whole number, a masked one (1101**********0021)
    or just the four (0021, 002X). "" when there are none."""
    text = re.sub(r"\s", "", unicodedata.normalize("NFKC", text or "")).upper()
    found = re.search(r"([0-9]{3}[0-9X])$", text)
    return found.group(1) if found else ""


def redact(cells):
    """``cells`` with each whole ID card number cut to its last four characters, as the
    registry keeps them; a waiting batch holds no whole ID number."""
    out = []
    for text in cells:
        compact = re.sub(r"\s", "", text).upper()
        out.append("*" * 14 + compact[-4:] if ID_NUMBER.fullmatch(compact) else text)
    return out


# ---------------------------------------------------------------------------------------------
# Checking


@dataclass
class Line:
    """One row of the file and what confirming would do with it."""

    row: int
    name: str = ""
    resident: Resident = None
    account_id: int = None
    rule: Rule = None
    content: str = ""
    day: date = None
    minutes: int = None
    units: int = 0
    points: int = 0
    full_points: int = 0     # before the caps
    field: str = ""          # the field at fault
    error: KioskError = None

    @property
    def ok(self):
        return self.error is None


@dataclass
class Preview:
    lines: list = field(default_factory=list)
    missing: list = field(default_factory=list)  # KioskErrors about the mapping: nothing is checked
    digest: str = ""

    @property
    def valid(self):
        return [line for line in self.lines if line.ok]

    @property
    def errors(self):
        return [line for line in self.lines if not line.ok]

    @property
    def points(self):
        return sum(line.points for line in self.valid)


class _RowError(Exception):
    def __init__(self, field, error):
        super().__init__(error.code)
        self.field, self.error = field, error


def _cell(cells, mapping, name):
    index = mapping.get(name)
    if index is None or not 0 <= index < len(cells):
        return ""
    return cells[index].strip()


def _name(cells, mapping):
    """The name in a row; a Chinese name loses the spaces typed into it (张 建华 → 张建华)."""
    name = unicodedata.normalize("NFKC", _cell(cells, mapping, "name"))
    if any("\u3400" <= ch <= "\u9fff" for ch in name):
        name = re.sub(r"\s+", "", name)
    return name


def mapping_problems(mapping, rule_choice, width):
    """What the mapping lacks before rows can be checked, as KioskErrors."""
    problems = []
    if "name" not in mapping:
        problems.append(KioskError("import_map_missing", field="import_name"))
    if "phone" not in mapping and "id_number" not in mapping:
        problems.append(KioskError("import_map_identifier"))
    if "date" not in mapping and "start" not in mapping:
        problems.append(KioskError("import_map_missing", field="service_date"))
    kind, _, value = (rule_choice or "").partition(":")
    if kind not in ("rule", "column") or not value or (kind == "column" and not (value.isdigit() and int(value) < width)):
        problems.append(KioskError("import_no_rule"))
    return problems


def _rules(store):
    current = earning.current_rules(store)
    by_name = {}
    for rule in current:
        for key in {_key(rule.code), _key(rule.name), _bare(rule.name)}:
            by_name.setdefault(key, []).append(rule)
    return {rule.code: rule for rule in current}, by_name


def _residents(store, names):
    found = {}
    names = sorted(names)
    for start in range(0, len(names), CHUNK):
        query = (Resident.select(Resident, Household)
                 .join(Household)
                 .where(Resident.store == store, Resident.name.in_(names[start:start + CHUNK]),
                        Resident.active == True))  # noqa: E712
        for resident in query:
            found.setdefault(resident.name, []).append(resident)
    return found


def whole_phone(text):
    """The whole phone number of a cell that holds one unmasked, else ""."""
    text = unicodedata.normalize("NFKC", text or "").strip()
    digits = re.sub(r"[\s\-]", "", text)
    return digits if PHONE.fullmatch(digits) else ""


def _match(name, phone, tail, candidates, whole=""):
    """The one resident of ``candidates`` (all named ``name``) the phone (its tail, or the
    ``whole`` number when the file has it) or the ID tail points to. Raises _RowError."""
    if not candidates:
        raise _RowError("name", KioskError("import_unknown_person", name=name))
    if not any(resident.phone or resident.id_tail for resident in candidates):
        raise _RowError("name", KioskError("import_person_unverifiable", name=name))
    matched = []
    for resident in candidates:
        phone_known = bool(phone and resident.phone)
        id_known = bool(tail and resident.id_tail)
        if phone_known and (resident.phone != whole if whole else resident.phone[-4:] != phone):
            continue
        if id_known and resident.id_tail != tail:
            continue
        if phone_known or id_known:
            matched.append(resident)
    if not matched:
        raise _RowError("phone" if phone else "id_number", KioskError("import_person_mismatch", name=name))
    if len(matched) > 1:
        raise _RowError("name", KioskError("import_ambiguous_person", name=name, count=len(matched)))
    return matched[0]


def check(store, rows, mapping, rule_choice, *, today):
    """What confirming ``rows`` would do, row by row; changes nothing. Reads the registry, the
    rules and the service records as they are now, so calling it again inside the confirming
    transaction re-checks everything."""
    width = max((len(cells) for _, cells in rows), default=0)
    preview = Preview(missing=mapping_problems(mapping, rule_choice, width))
    if preview.missing:
        return preview
    by_code, by_name = _rules(store)
    kind, _, choice = rule_choice.partition(":")
    people = _residents(store, {_name(cells, mapping) for _, cells in rows} - {""})
    accounts = {}
    seen = {}       # (resident, date, activity) -> row
    taken = {}      # (account, rule code) -> [(date, points)] of earlier rows
    lines = []
    for number, cells in rows:
        line = Line(row=number, name=_name(cells, mapping))
        try:
            _check_row(line, cells, mapping, kind, choice, by_code, by_name, people, accounts, today)
        except _RowError as problem:
            line.field, line.error = problem.field, problem.error
        lines.append(line)
    existing = _existing(store, [line for line in lines if line.ok])
    for line in lines:
        if not line.ok:
            continue
        key = (line.resident.id, line.day, content_key(line.content))
        if key in seen:
            line.field, line.error = "content", KioskError("import_duplicate_row", row=seen[key])
            continue
        if key in existing:
            line.field, line.error = "content", KioskError(
                "import_duplicate_record", name=line.name, date=line.day.isoformat(), content=line.content)
            continue
        seen[key] = line.row
        earlier = taken.setdefault((line.account_id, line.rule.code), [])
        points = earning._capped(line.rule, line.account_id, line.day, line.full_points,
                                 statuses=(PENDING, APPROVED), also=earlier)
        if points <= 0:
            line.field, line.error = "", KioskError("rule_cap_reached", name=line.name, rule=line.rule.name)
            continue
        line.points = points
        earlier.append((line.day, points))
    preview.lines = lines
    preview.digest = _digest(lines, mapping, rule_choice)
    return preview


def _check_row(line, cells, mapping, kind, choice, by_code, by_name, people, accounts, today):
    if not line.name:
        raise _RowError("name", KioskError("missing_field", field="name"))
    phone = phone_tail(_cell(cells, mapping, "phone"))
    id_text = _cell(cells, mapping, "id_number")
    if registry_importer.EXPONENT.fullmatch(id_text):
        raise _RowError("id_number", KioskError("import_id_as_number"))
    tail = id_tail(id_text)
    if not phone and not tail:
        raise _RowError("phone", KioskError("import_no_identifier", name=line.name))
    whole = whole_phone(_cell(cells, mapping, "phone"))
    line.resident = _match(line.name, phone, tail, people.get(line.name, []), whole)
    if line.resident.id not in accounts:
        try:
            accounts[line.resident.id] = account_of(line.resident).id
        except KioskError as error:
            raise _RowError("name", error) from None
    line.account_id = accounts[line.resident.id]

    start_text, end_text = _cell(cells, mapping, "start"), _cell(cells, mapping, "end")
    try:
        start = parse_time(start_text)
    except ValueError:
        raise _RowError("start", KioskError("import_bad_time", value=start_text[:30])) from None
    try:
        end = parse_time(end_text)
    except ValueError:
        raise _RowError("end", KioskError("import_bad_time", value=end_text[:30])) from None
    date_text = _cell(cells, mapping, "date")
    try:
        line.day = parse_date(date_text) or (start[0] if start else None)
    except ValueError:
        raise _RowError("date", KioskError("import_bad_date", value=date_text[:30])) from None
    if line.day is None:
        raise _RowError("date", KioskError("missing_field", field="service_date"))
    if line.day > today:
        raise _RowError("date", KioskError("future_date"))

    line.rule = _rule_of(cells, kind, choice, by_code, by_name)
    if line.rule.points < 0:
        raise _RowError("rule", KioskError("import_rule_is_deduction", name=line.rule.name))
    if not line.rule.active_on(line.day):
        raise _RowError("rule", KioskError("rule_inactive", name=line.rule.name))

    if start and end:
        begin = (start[0] or line.day, start[1])
        finish = (end[0] or begin[0], end[1])
        minutes = (finish[0] - begin[0]).days * 24 * 60 + finish[1] - begin[1]
        if minutes < 0:
            raise _RowError("end", KioskError("import_end_before_start"))
        line.minutes = minutes
    else:
        for name in ("minutes", "hours"):
            text = _cell(cells, mapping, name)
            try:
                line.minutes = parse_duration(text, name)
            except ValueError:
                raise _RowError(name, KioskError("import_bad_duration", value=text[:30])) from None
            if line.minutes is not None:
                break
    try:
        line.units, line.minutes = earning.units_for(line.rule, line.minutes)
    except KioskError as error:
        raise _RowError("minutes" if "minutes" in mapping else "hours", error) from None

    line.content = _cell(cells, mapping, "content") or line.rule.name
    if len(line.content) > 200:
        raise _RowError("content", KioskError("too_long", field="service_content", max=200))
    line.full_points = line.rule.points * line.units


def _rule_of(cells, kind, choice, by_code, by_name):
    if kind == "rule":
        rule = by_code.get(choice)
        if rule is None:
            raise _RowError("rule", KioskError("unknown_rule"))
        return rule
    text = cells[int(choice)].strip()
    if not text:
        raise _RowError("rule", KioskError("import_unknown_rule", value=""))
    found = by_name.get(_key(text)) or by_name.get(_bare(text)) or []
    if len({rule.code for rule in found}) != 1:
        raise _RowError("rule", KioskError("import_unknown_rule", value=text[:30]))
    return found[0]


def _existing(store, lines):
    """(resident, date, activity) of the service records (waiting or approved) that ``lines``
    could repeat."""
    if not lines:
        return set()
    ids = sorted({line.resident.id for line in lines})
    first, last = min(line.day for line in lines), max(line.day for line in lines)
    found = set()
    for start in range(0, len(ids), CHUNK):
        query = (ServiceRecord
                 .select(ServiceRecord.resident, ServiceRecord.service_date, ServiceRecord.content)
                 .where(ServiceRecord.store == store,
                        ServiceRecord.resident.in_(ids[start:start + CHUNK]),
                        ServiceRecord.status.in_((PENDING, APPROVED)),
                        ServiceRecord.service_date.between(first, last)))
        for record in query:
            found.add((record.resident_id, record.service_date, content_key(record.content)))
    return found


def _digest(lines, mapping, rule_choice):
    outcome = hashlib.sha256(f"{sorted(mapping.items())}|{rule_choice};".encode())
    for line in lines:
        if line.ok:
            result = (f"{line.resident.id}:{line.rule.id}:{line.day}:{line.minutes}:{line.points}:"
                      f"{content_key(line.content)}")
        else:
            result = line.error.code
        outcome.update(f"{line.row}={result};".encode())
    return outcome.hexdigest()[:32]
