"""Importing a whole rules catalog (积分规则) from CSV or Excel (.xlsx).

    rows = read(data, filename)               # file-level problems raise KioskError
    preview = check(store, rows)              # what each row would do, or why it is refused
    counts = apply(store, rows, staff, expect=preview.digest)   # all rows in one transaction

One row per rule. A row whose code the store has makes a new version of that rule when
anything differs (else it is left alone); a row without a code matches a rule of the same
name, or becomes a new rule with the next free code (R001…). A file with any refused row
imports nothing. Files are read by kiosk.registry.importer (CSV in UTF-8 with or without BOM,
GBK/GB18030 as Excel in China saves it, UTF-16; .xlsx). Plain functions, no Flask.
"""
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field

from kiosk import audit
from kiosk.db import database
from kiosk.earning import service
from kiosk.earning.models import MONTH, PER_HALF_HOUR, PER_OCCURRENCE, QUARTER, YEAR, Rule
from kiosk.errors import KioskError
from kiosk.registry import importer as registry_importer

MAX_ROWS = 1000

# (key, the header the sample file uses, other headers accepted). Headers match ignoring case,
# spaces, "%" and a note in brackets: "计分方式(每次/每30分钟)" is 计分方式.
COLUMNS = (
    ("code", "代码", ("code", "编码", "规则代码", "编号")),
    ("name", "名称", ("name", "规则名称", "项目", "项目名称", "积分项目")),
    ("category", "类别", ("category", "分类", "类型名称")),
    ("kind", "加分或扣分", ("kind", "类型", "加扣分", "加分/扣分")),
    ("points", "积分", ("points", "分值", "积分值")),
    ("unit", "计分方式", ("unit", "计分单位", "单位")),
    ("cap_month", "每月上限", ("monthly cap", "月上限", "每月积分上限")),
    ("warnings", "劝导次数", ("warnings", "劝导", "提醒次数")),
    ("period", "劝导周期", ("warning period", "period", "周期")),
    ("share", "结对分成", ("linked share", "share", "分成", "结对帮扶分成")),
)
KEYS = tuple(key for key, _, _ in COLUMNS)
LABELS = {key: label for key, label, _ in COLUMNS}
REQUIRED = ("name", "category", "points")

UNIT_WORDS = {
    PER_OCCURRENCE: ("每次", "次", "按次", "每件", "occurrence", "peroccurrence", "time"),
    PER_HALF_HOUR: ("每30分钟", "30分钟", "每半小时", "半小时", "每三十分钟", "halfhour", "half_hour", "per30minutes",
                    "30minutes", "30min"),
}
PERIOD_WORDS = {
    MONTH: ("月", "每月", "月度", "month", "monthly"),
    QUARTER: ("季", "每季", "季度", "每季度", "quarter", "quarterly"),
    YEAR: ("年", "每年", "年度", "year", "yearly"),
}
EARNING_WORDS = ("加分", "奖励", "得分", "积分", "earning", "earn", "+")
DEDUCTION_WORDS = ("扣分", "扣除", "减分", "deduction", "deduct", "-")
# What an import may change on a rule; the other fields (yearly cap, dates) stay as they are.
COMPARED = ("name", "category", "points", "unit", "cap_month", "from_occurrence", "occurrence_period", "linked_share")
NEW, CHANGE, SAME = "new", "change", "same"


def _key(text):
    return registry_importer.header_key(text, drop="%")


ALIASES = registry_importer.header_aliases(COLUMNS, drop="%")


# ---------------------------------------------------------------------------------------------
# Reading


def read(data, filename=""):
    """The rule rows of a file as dicts keyed by KEYS (only the columns the file has) plus
    "row", the row number the spreadsheet shows. The header is the first of the first ten
    non-blank rows that names two known columns (a title row above it is allowed).

    Raises KioskError: "import_unknown_type", "import_old_excel", "import_bad_file",
    "import_mixed_encoding", "import_empty", "catalog_missing_columns", "import_too_many_rows".
    """
    records = [(number, cells) for number, cells in registry_importer.read_records(data, filename) if any(cells)]
    if not records:
        raise KioskError("import_empty")
    columns, at = None, 0
    for index, (_, cells) in enumerate(records[:10]):
        found = {}
        for position, text in enumerate(cells):
            key = ALIASES.get(_key(text))
            if key and key not in found:
                found[key] = position
        if len(found) >= 2:
            columns, at = found, index
            break
    if columns is None:
        raise KioskError("catalog_missing_columns", columns="、".join(LABELS[key] for key in REQUIRED))
    missing = [LABELS[key] for key in REQUIRED if key not in columns]
    if missing:
        raise KioskError("catalog_missing_columns", columns="、".join(missing))
    rows = []
    for number, cells in records[at + 1:]:
        row = {key: (cells[position].strip() if position < len(cells) else "") for key, position in columns.items()}
        row["row"] = number
        rows.append(row)
    if not rows:
        raise KioskError("import_empty")
    if len(rows) > MAX_ROWS:
        raise KioskError("import_too_many_rows", max=MAX_ROWS)
    return rows


# ---------------------------------------------------------------------------------------------
# Checking


class _RowError(Exception):
    def __init__(self, column, error):
        super().__init__(error.code)
        self.column, self.error = column, error


@dataclass
class Line:
    """What one row would do: ``action`` NEW, CHANGE or SAME, or ``error`` (with the column)."""

    row: int
    code: str = ""
    name: str = ""
    values: dict = field(default_factory=dict)
    action: str = ""
    rule: Rule = None
    changed: list = field(default_factory=list)
    column: str = ""
    error: KioskError = None

    @property
    def ok(self):
        return self.error is None


@dataclass
class Preview:
    lines: list = field(default_factory=list)
    digest: str = ""

    @property
    def errors(self):
        return [line for line in self.lines if not line.ok]

    def count(self, action):
        return sum(1 for line in self.lines if line.ok and line.action == action)

    @property
    def to_write(self):
        return self.count(NEW) + self.count(CHANGE)


def _plain(text):
    return unicodedata.normalize("NFKC", text or "").strip()


def _text(text):
    """A name as written (full-width brackets stay), on one line with single spaces."""
    return " ".join("".join(ch for ch in (text or "") if ch.isprintable()).split())


def _word(text):
    return re.sub(r"[\s_]", "", _plain(text).lower())


def _number(text, column, *, signed=False):
    """A whole number from a cell ("10", "-10", "10分", "１０"), or None for an empty cell."""
    text = _plain(text).replace(" ", "")
    if text.endswith("分") and not text.endswith("分钟"):
        text = text[:-1]
    if column == "share":
        text = text.rstrip("%")
    if not text:
        return None
    if re.fullmatch(r"[+-]?[0-9]{1,7}(\.0+)?", text) and (signed or not text.startswith("-")):
        return int(float(text))
    if column == "points":
        raise _RowError(column, KioskError("catalog_bad_points", value=text))
    raise _RowError(column, KioskError("catalog_bad_number", field=f"catalog_{column}", value=text))


def _choice(text, words, column, code):
    word = _word(text)
    for value, names in words.items():
        if word in names:
            return value
    raise _RowError(column, KioskError(code, value=_plain(text)))


def _values(row):
    """The rule fields a row gives (only those of the columns the file has, "kind" applied to
    the points). Raises _RowError."""
    values = {"name": _text(row.get("name")), "category": _text(row.get("category"))}
    if not values["name"]:
        raise _RowError("name", KioskError("missing_field", field="rule_name"))
    if not values["category"]:
        raise _RowError("category", KioskError("missing_field", field="rule_category"))
    points = _number(row.get("points"), "points", signed=True)
    if points is None:
        raise _RowError("points", KioskError("missing_field", field="rule_points"))
    if "kind" in row and _plain(row["kind"]):
        word = _word(row["kind"])
        if word in DEDUCTION_WORDS:
            points = -abs(points)
        elif word not in EARNING_WORDS:
            raise _RowError("kind", KioskError("catalog_bad_kind", value=_plain(row["kind"])))
        elif points < 0:
            raise _RowError("points", KioskError("catalog_kind_conflict", value=points))
    values["points"] = points
    if "unit" in row:
        values["unit"] = _choice(row["unit"], UNIT_WORDS, "unit", "catalog_bad_unit") if _plain(row["unit"]) \
            else PER_OCCURRENCE
    if "cap_month" in row:
        values["cap_month"] = _number(row["cap_month"], "cap_month")
        if values["cap_month"] == 0:
            values["cap_month"] = None  # 0 in a spreadsheet means "no cap"
    if "warnings" in row:
        values["from_occurrence"] = (_number(row["warnings"], "warnings") or 0) + 1
    if "period" in row and _plain(row["period"]):
        values["occurrence_period"] = _choice(row["period"], PERIOD_WORDS, "period", "catalog_bad_period")
    if "share" in row:
        values["linked_share"] = _number(row["share"], "share") or 0
    return values


# Which column a refusal of service.check_rule points at.
CHECK_COLUMNS = {
    "bad_rule_code": "code", "rule_zero_points": "points", "bad_rule_points": "points", "bad_rule_unit": "unit",
    "bad_rule_cap": "cap_month", "rule_cap_below_points": "cap_month", "bad_rule_warnings": "warnings",
    "bad_rule_period": "period", "bad_rule_share": "share", "rule_deduction_per_time": "unit",
    "rule_cap_on_deduction": "cap_month", "rule_share_on_deduction": "share", "rule_warnings_on_earning": "warnings",
}
FIELD_COLUMNS = {"rule_code": "code", "rule_name": "name", "rule_category": "category"}


def _complete(values, rule):
    """Every field of the rule the row makes: the row's values over the existing rule's (or
    the defaults of a new rule)."""
    base = {"unit": PER_OCCURRENCE, "cap_month": None, "cap_year": None, "active_from": None, "active_to": None,
            "from_occurrence": 1, "occurrence_period": YEAR, "linked_share": 0}
    if rule is not None:
        base = {name: getattr(rule, name) for name in service.RULE_FIELDS}
    complete = dict(base, **values)
    if rule is not None and complete["from_occurrence"] == 1 and "occurrence_period" not in values:
        complete["occurrence_period"] = rule.occurrence_period
    if complete["points"] < 0 and "cap_month" not in values:
        complete["cap_month"] = None
    return complete


def check(store, rows):
    """What importing ``rows`` would do, row by row; changes nothing. Reads the catalog as it
    is now, so calling it again inside the importing transaction re-checks everything."""
    current = {rule.code: rule for rule in Rule.select().where(Rule.store == store, Rule.current == True)}  # noqa: E712
    by_name = {}
    for rule in current.values():
        if not rule.retired:
            by_name.setdefault(rule.name, rule)
    codes_seen, names_seen, generated = {}, {}, []
    lines = []
    for row in rows:
        line = Line(row=row["row"], code=service.clean_code(row.get("code")), name=_text(row.get("name")))
        lines.append(line)
        try:
            values = _values(row)
            line.name = values["name"]
            if line.code:
                if line.code in codes_seen:
                    raise _RowError("code", KioskError("catalog_duplicate_code", code=line.code, row=codes_seen[line.code]))
                codes_seen[line.code] = line.row
                rule = current.get(line.code)
            else:
                if line.name in names_seen:
                    raise _RowError("name", KioskError("catalog_duplicate_name", name=line.name, row=names_seen[line.name]))
                rule = by_name.get(line.name)
                if rule is not None:
                    line.code = rule.code
                    if line.code in codes_seen:
                        raise _RowError("name", KioskError("catalog_duplicate_code", code=line.code,
                                                           row=codes_seen[line.code]))
                    codes_seen[line.code] = line.row
            names_seen.setdefault(line.name, line.row)
            if rule is not None and rule.retired:
                raise _RowError("code", KioskError("catalog_rule_retired", code=rule.code, name=rule.name))
            line.values = _complete(values, rule)
            try:
                service.check_rule(line.code or service.GENERATED_PREFIX, **line.values)
            except KioskError as error:
                column = CHECK_COLUMNS.get(error.code) or FIELD_COLUMNS.get(error.params.get("field"), "")
                raise _RowError(column, error) from None
            line.rule = rule
            if rule is None:
                line.action = NEW
            else:
                line.changed = [name for name in COMPARED if getattr(rule, name) != line.values[name]]
                line.action = CHANGE if line.changed else SAME
        except _RowError as problem:
            line.column, line.error = problem.column, problem.error
    # Codes for new rules without one, once every code of the file is known.
    for line in lines:
        if line.ok and line.action == NEW and not line.code:
            line.code = service.next_code(store, taken=set(codes_seen) | set(generated))
            generated.append(line.code)
    preview = Preview(lines=lines)
    preview.digest = _digest(lines)
    return preview


def _digest(lines):
    """A fingerprint of what the import would do: confirming checks that it still would."""
    summary = repr([(line.row, line.code, line.action, line.rule and line.rule.id, sorted(line.values.items()),
                     line.error and line.error.code)
                    for line in lines])
    return hashlib.sha256(summary.encode()).hexdigest()[:32]


# ---------------------------------------------------------------------------------------------
# Importing


@dataclass
class Counts:
    added: int = 0
    changed: int = 0
    unchanged: int = 0


def apply(store, rows, staff=None, *, expect=None, source=""):
    """Import every row in one transaction, or nothing: re-checks the rows inside it, and
    refuses when any row is refused ("catalog_has_errors", count=…) or when the catalog changed
    since the preview whose digest is ``expect`` ("catalog_stale"). Returns Counts.
    Raises KioskError("catalog_has_errors", "catalog_stale", "catalog_nothing_to_do")."""
    with database.atomic():
        preview = check(store, rows)
        if preview.errors:
            raise KioskError("catalog_has_errors", count=len(preview.errors))
        if expect is not None and expect != preview.digest:
            raise KioskError("catalog_stale")
        counts = Counts(unchanged=preview.count(SAME))
        if not preview.to_write:
            raise KioskError("catalog_nothing_to_do")
        for line in preview.lines:
            if line.action == NEW:
                values = dict(line.values)
                service.add_rule(store, code=line.code, staff=staff, **values)
                counts.added += 1
            elif line.action == CHANGE:
                service.change_rule(line.rule.id, store, staff=staff,
                                    **{name: line.values[name] for name in line.changed})
                counts.changed += 1
        audit.record("rules_imported", store=store, staff=staff, source=source[:100], added=counts.added,
                     changed=counts.changed, unchanged=counts.unchanged)
    return counts
