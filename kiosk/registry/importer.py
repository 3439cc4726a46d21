"""Importing and exporting the registry: households and residents as CSV or Excel (.xlsx).

One row per resident; rows with the same address (community, building, unit, room) belong to
one household, created when new and matched when already registered. A row with an address and
no name registers just the household.

    rows = read_table(data, filename)        # file-level problems raise KioskError
    preview = check(store, rows)             # per-row errors and counts; changes nothing
    counts = apply(store, preview, staff)    # every valid row in one transaction, or none

Plain functions, no Flask. Field rules are those of kiosk.registry.service (the same
validators the registration forms use).
"""
import csv
import hashlib
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field

from kiosk import audit, csvexport
from kiosk.csvexport import csv_bytes, xlsx_bytes
from kiosk.db import database, insert_rows, q, utcnow
from kiosk.errors import KioskError
from kiosk.ledger.models import Account
from kiosk.registry.models import Household, Resident
from kiosk.registry.service import _household_fields, _resident_fields, id_tail

MAX_ROWS = 100_000
# Limits on any file an importer reads (this module's, the rules catalog's, the volunteer
# export's), checked before the work grows with them: a 2 KB .xlsx can declare a million rows
# and sixteen thousand columns, and a 300 KB zip can unpack to hundreds of megabytes.
MAX_FILE_ROWS = MAX_ROWS + 100       # row numbers, blank rows and a title above the header included
MAX_COLUMNS = 100
MAX_UNPACKED_MB = 50                 # an .xlsx, unpacked
CHUNK = 500  # rows per INSERT: 500 x 8 parameters stays far below every driver's limit

# (key, the header this kiosk writes, other headers accepted). Headers match ignoring case,
# spaces, underscores, a "*" and a note in brackets: "姓名（必填）" is 姓名.
COLUMNS = (
    ("community", "社区", ("community", "社区名称", "所属社区")),
    ("building", "楼栋", ("building", "楼号", "栋号", "楼栋号")),
    ("unit", "单元", ("unit", "单元号")),
    ("room", "房号", ("room", "房间号", "门牌号", "室号")),
    ("members", "人口", ("members", "户人口", "家庭人口", "人口数")),
    ("household_phone", "户电话", ("household phone", "家庭电话", "户主电话")),
    ("name", "姓名", ("name", "居民姓名")),
    ("phone", "电话", ("phone", "手机", "手机号", "手机号码", "联系电话", "电话号码")),
    ("id_number", "身份证号", ("id number", "id", "身份证", "身份证号码")),
)
KEYS = tuple(key for key, _, _ in COLUMNS)
LABELS = {key: label for key, label, _ in COLUMNS}
HEADERS = tuple(label for _, label, _ in COLUMNS)
REQUIRED = ("building", "room", "name")
# Fields where full-width digits and letters (１３８…) are read as ASCII.
NARROW = ("building", "unit", "room", "members", "household_phone", "phone", "id_number")
# An ID number as the export writes it: only the stored tail.
MASKED_ID = re.compile(r"\*{1,17}([0-9]{3}[0-9X])")
# A number Excel showed in exponent form (1.10105E+17): its last digits are gone.
EXPONENT = re.compile(r"[0-9]+(\.[0-9]+)?[eE]\+?[0-9]+")
# What a spreadsheet might take for a formula; the CSV export quotes it with a leading "'".
FORMULA_START = csvexport.FORMULA_START


def header_key(text, drop=""):
    """A column title as it is matched: width-normalised, lower case, without notes in brackets,
    spaces, *, : and any of ``drop``."""
    text = unicodedata.normalize("NFKC", str(text or "")).strip().lower()
    text = re.sub(r"[(（\[【].*?[)）\]】]", "", text)
    return re.sub("[" + re.escape("_*:：" + drop) + r"\s]", "", text)


def header_aliases(columns, drop=""):
    """{matched title: column key} for ``columns`` given as (key, label, other titles)."""
    aliases = {}
    for key, label, others in columns:
        for title in (label, key, *others):
            aliases.setdefault(header_key(title, drop), key)
    return aliases


def _header_key(text):
    return header_key(text)


ALIASES = header_aliases(COLUMNS)


# ---------------------------------------------------------------------------------------------
# Reading a file


def read_table(data, filename=""):
    """The data rows of a CSV or .xlsx file as dicts keyed by KEYS, plus "row": the row number
    as the spreadsheet shows it (the header is row 1 when it is the first row).

    CSV may be UTF-8 (with or without BOM), GBK/GB18030 (what Excel in China saves) or UTF-16;
    comma- or tab-separated. Blank rows are skipped; unknown columns are ignored; a title row
    above the header is allowed.

    Raises KioskError: "import_unknown_type", "import_old_excel", "import_bad_file",
    "import_empty", "import_missing_columns" (columns=…), "import_too_many_rows" (max=…), and
    those of ``_records`` for files beyond the limits.
    """
    if not data or not data.strip(b" \t\r\n\x00\xef\xbb\xbf"):
        raise KioskError("import_empty")
    return _table(_records(data, filename))


def read_records(data, filename=""):
    """Every row of a CSV or .xlsx file, blank ones included, as (row number, [cell text]):
    the raw table, for importers that map columns themselves. Raises KioskError as
    read_table does for the file as a whole."""
    if not data or not data.strip(b" \t\r\n\x00\xef\xbb\xbf"):
        raise KioskError("import_empty")
    return [(number, [_cell_text(value) for value in record]) for number, record in _records(data, filename)]


def _records(data, filename):
    """(row number, cells) of the file, trailing empty cells dropped, within the limits.

    Raises KioskError("import_too_many_rows", max=MAX_ROWS) past MAX_FILE_ROWS rows,
    ("import_too_many_columns", max=MAX_COLUMNS), ("import_too_big_unpacked", max=MAX_UNPACKED_MB)
    and those of ``file_kind``.
    """
    kind = file_kind(data, filename)
    records = _xlsx_records(data) if kind == "xlsx" else _csv_records(data)
    for number, record in records:
        if number > MAX_FILE_ROWS:
            raise KioskError("import_too_many_rows", max=MAX_ROWS)
        record = list(record)
        while record and (record[-1] is None or record[-1] == ""):
            record.pop()
        if len(record) > MAX_COLUMNS:
            raise KioskError("import_too_many_columns", max=MAX_COLUMNS)
        yield number, record


def file_kind(data, filename=""):
    """"csv" or "xlsx", judged by the file's first bytes and its name.

    Raises KioskError("import_unknown_type") or ("import_old_excel").
    """
    name = (filename or "").lower()
    extension = name.rsplit(".", 1)[-1] if "." in name else ""
    head = (data or b"")[:8]
    if head.startswith(b"\xd0\xcf\x11\xe0"):  # the binary Excel 97-2003 format (and old Word)
        if extension in ("xls", "csv", "txt", ""):
            raise KioskError("import_old_excel")
        raise KioskError("import_unknown_type")
    if head.startswith(b"PK\x03\x04"):
        if extension in ("xlsx", "xlsm", "xls", "csv", ""):
            return "xlsx"
        raise KioskError("import_unknown_type")
    if extension in ("xlsx", "xlsm"):
        raise KioskError("import_bad_file")
    if extension in ("csv", "txt", "tsv", ""):
        return "csv"
    if extension == "xls":
        raise KioskError("import_old_excel")
    raise KioskError("import_unknown_type")


def _decode(data):
    """The text of a CSV file. Raises KioskError("import_bad_file") or, for a file pieced
    together from UTF-8 and GBK parts (which would come out half garbled),
    ("import_mixed_encoding")."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise KioskError("import_bad_file") from None
    # Chinese text in GBK (a subset of GB18030) is almost never valid UTF-8, so UTF-8 is
    # tried first and GB18030 second.
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    if data.startswith(b"\xef\xbb\xbf") or _has_utf8_chinese_line(data):
        raise KioskError("import_mixed_encoding")
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise KioskError("import_bad_file") from None


def _has_utf8_chinese_line(data):
    """Whether some line is UTF-8 with Chinese in it. A GBK line practically never is: GBK
    byte pairs read as UTF-8 are invalid or give Latin letters, never CJK characters."""
    for line in data.split(b"\n"):
        if line.isascii():
            continue
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            continue
        if any("\u3400" <= ch <= "\u9fff" for ch in text):
            return True
    return False


def _csv_records(data):
    text = _decode(data)
    if "\x00" in text:
        raise KioskError("import_bad_file")
    # Judged on the first lines together: a title row above the header has no separators.
    head = "\n".join(text.split("\n", 10)[:10])
    delimiter = "\t" if head.count("\t") > head.count(",") else ","
    try:
        for number, record in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1):
            yield number, record
    except csv.Error:
        raise KioskError("import_bad_file") from None


def _check_unpacked_size(data):
    """Raises KioskError("import_too_big_unpacked") when the workbook's parts add up to more
    than MAX_UNPACKED_MB. zipfile stops each part at the size its directory declares, so the
    declared sizes are the most that will be read."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise KioskError("import_bad_file") from None
    if unpacked > MAX_UNPACKED_MB * 1024 * 1024:
        raise KioskError("import_too_big_unpacked", max=MAX_UNPACKED_MB)


def _xlsx_records(data):
    """Rows of the first sheet, read with openpyxl's read-only (streaming) mode; its XML is
    parsed by defusedxml (openpyxl uses it when installed), so entity tricks are refused."""
    import openpyxl

    _check_unpacked_size(data)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # BadZipFile, KeyError, ValueError…: openpyxl's ways of saying "not a workbook"
        raise KioskError("import_bad_file") from None
    try:
        if not book.worksheets:
            raise KioskError("import_empty")
        sheet = book.worksheets[0]
        # The size a sheet declares (<dimension ref="A1:XFD1048576"/>) is only a claim: read with
        # it, every row would be padded to it. Without it, only the rows and cells in the file
        # are read.
        sheet.reset_dimensions()
        # Rows missing from the file come as empty rows, so the position is the row number
        # Excel shows.
        rows = sheet.iter_rows(values_only=True)
        number = 0
        while True:
            try:
                values = next(rows)
            except StopIteration:
                return
            except Exception:  # a damaged sheet
                raise KioskError("import_bad_file") from None
            number += 1
            yield number, values
    finally:
        book.close()


def _cell_text(value):
    """A cell as text: 301.0 → "301", None → ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        # Beyond 2**53 a float has lost digits: an 18-digit ID number typed into a General
        # cell. It stays in exponent form so that the row is refused rather than mis-read.
        if value.is_integer() and abs(value) < 2 ** 53:
            value = int(value)
        else:
            return repr(value)
    return str(value).strip()


def _table(records):
    """Find the header (the first of the first ten non-blank rows naming two known columns),
    then turn each later non-blank row into a dict."""
    columns = None
    first_seen = None
    rows = []
    looked = 0
    for number, record in records:
        texts = [_cell_text(value) for value in record]
        if not any(texts):
            continue
        if columns is None:
            found = {}
            for index, text in enumerate(texts):
                key = ALIASES.get(_header_key(text))
                if key and key not in found:
                    found[key] = index
            if first_seen is None:
                first_seen = found
            looked += 1
            if len(found) >= 2:
                columns = found
                missing = [LABELS[key] for key in REQUIRED if key not in columns]
                if missing:
                    raise KioskError("import_missing_columns", columns="、".join(missing))
                continue
            if looked >= 10:
                break
            continue
        if len(rows) >= MAX_ROWS:
            raise KioskError("import_too_many_rows", max=MAX_ROWS)
        row = {key: (texts[index] if index < len(texts) else "") for key, index in columns.items()}
        row["row"] = number
        rows.append(row)
    if columns is None:
        if first_seen is None:
            raise KioskError("import_empty")
        missing = [LABELS[key] for key in REQUIRED if key not in first_seen]
        raise KioskError("import_missing_columns", columns="、".join(missing or [LABELS[k] for k in REQUIRED]))
    if not rows:
        raise KioskError("import_empty")
    return rows


def redact(rows):
    """``rows`` with each valid ID number cut to its masked tail (**************0021), as the
    registry keeps it, so that a file waiting between preview and confirm holds no full ID
    number. Every row still checks to the same outcome."""
    redacted = []
    for row in rows:
        value = _narrow(_plain(row.get("id_number")))
        if value and not MASKED_ID.fullmatch(value.upper()) and not EXPONENT.fullmatch(value):
            try:
                value = "*" * 14 + id_tail(value)
            except KioskError:
                value = "?"  # still refused as "not an ID card number"
            row = dict(row, id_number=value)
        redacted.append(row)
    return redacted


# ---------------------------------------------------------------------------------------------
# Checking rows


@dataclass
class Problem:
    """Why one row cannot be imported: its row number, the column at fault ("" for the row)."""

    row: int
    column: str
    error: KioskError


@dataclass
class _Row:
    row: int
    key: tuple = None            # (community, building, unit, room)
    household: dict = None       # validated household fields
    members_given: bool = False
    resident: dict = None        # validated resident fields, or None for a household-only row
    problem: Problem = None


@dataclass
class Preview:
    """What an import would do. Counts are of rows in the file, not of what the database holds."""

    rows: list                                   # the rows as read_table gave them
    problems: list = field(default_factory=list)  # [Problem] in row order
    new_households: int = 0
    existing_households: int = 0
    new_residents: int = 0
    plan: list = field(default_factory=list)     # [_Row] that would be written, in row order
    digest: str = ""                             # changes when any row's outcome changes

    @property
    def errors(self):
        return len(self.problems)

    @property
    def valid_rows(self):
        return len(self.plan)

    @property
    def total_rows(self):
        return len(self.rows)

    def sample(self, limit=20):
        """The first rows to be imported, as dicts for a preview table."""
        return [_display(entry) for entry in self.plan[:limit]]


def _display(entry):
    resident = entry.resident or {}
    household = entry.household
    return {
        "row": entry.row, "community": household["community"], "building": household["building"],
        "unit": household["unit"], "room": household["room"], "name": resident.get("name", ""),
        "address": Household(building=household["building"], unit=household["unit"], room=household["room"]).label,
        "phone": resident.get("phone") or "", "id_tail": resident.get("id_tail", ""),
    }


def _narrow(text):
    return unicodedata.normalize("NFKC", text).strip()


def _strip_suffix(text, suffixes):
    for suffix in suffixes:
        if text.endswith(suffix) and len(text) > len(suffix):
            return text[: -len(suffix)].strip()
    return text


def _plain(value):
    """A cell value as typed: strip spaces and the "'" the CSV export puts before =, +, - or @."""
    text = str(value or "").strip()
    if text.startswith("'") and text[1:2] in ("=", "+", "-", "@"):
        text = text[1:]
    return text


def _column_of(error, household):
    params = error.params
    if error.code in ("missing_field", "too_long"):
        if params.get("field") == "phone":
            return LABELS["household_phone" if household else "phone"]
        return LABELS.get(params.get("field"), "")
    return {
        "bad_members": LABELS["members"],
        "bad_phone": LABELS["household_phone" if household else "phone"],
        "bad_id_number": LABELS["id_number"],
        "import_id_as_number": LABELS["id_number"],
    }.get(error.code, "")


def _validate(number, raw):
    """One row checked on its own (no database): a _Row, or None for a blank row."""
    values = {key: _plain(raw.get(key)) for key in KEYS}
    for key in NARROW:
        values[key] = _narrow(values[key])
    if not any(values.values()):
        return None
    values["building"] = _strip_suffix(values["building"], ("号楼", "栋", "幢"))
    values["unit"] = _strip_suffix(values["unit"], ("单元",))
    values["room"] = _strip_suffix(values["room"], ("室",))
    entry = _Row(row=number)
    name = values["name"]
    if not values["building"] and not values["room"]:
        if name:
            entry.problem = Problem(number, LABELS["building"], KioskError("import_unknown_household", name=name))
        else:
            entry.problem = Problem(number, LABELS["building"], KioskError("missing_field", field="building"))
        return entry
    try:
        entry.household = _household_fields(
            building=values["building"], room=values["room"], unit=values["unit"], community=values["community"],
            members=values["members"] or 1, phone=values["household_phone"],
        )
    except KioskError as error:
        entry.problem = Problem(number, _column_of(error, household=True), error)
        return entry
    entry.members_given = bool(values["members"])
    h = entry.household
    entry.key = (h["community"], h["building"], h["unit"], h["room"])
    if not (name or values["phone"] or values["id_number"]):
        return entry  # the household alone
    masked = MASKED_ID.fullmatch(values["id_number"].upper())
    try:
        if not name:
            raise KioskError("missing_field", field="name")
        if EXPONENT.fullmatch(values["id_number"]):
            raise KioskError("import_id_as_number")
        resident = _resident_fields(name=name, phone=values["phone"], id_number="" if masked else values["id_number"])
    except KioskError as error:
        entry.problem = Problem(number, _column_of(error, household=False), error)
        return entry
    if masked:
        resident["id_tail"] = masked.group(1)
    entry.resident = resident
    return entry


def _validate_all(rows, progress=None):
    checked = []
    total = len(rows)
    for index, raw in enumerate(rows):
        entry = _validate(raw.get("row") or index + 2, raw)
        if entry is not None:
            checked.append(entry)
        if progress and (index + 1) % CHUNK == 0:
            progress("checking", index + 1, total)
    if progress:
        progress("checking", total, total)
    return checked


def _resolve(store, checked):
    """Match rows against each other and the database; returns a Preview without ``rows``."""
    households = {
        (community, building, unit, room): household_id
        for household_id, community, building, unit, room in database.execute_sql(
            f"SELECT id, community, building, unit, room FROM {q('household')} WHERE store_id = {database.param}",
            (store.id,),
        )
    }
    phones = set()
    names = set()
    for household_id, name, phone in database.execute_sql(
        f"SELECT household_id, name, phone FROM {q('resident')} WHERE store_id = {database.param}", (store.id,)
    ):
        names.add((household_id, name))
        if phone:
            phones.add(phone)
    preview = Preview(rows=[])
    seen_phones = {}      # phone -> row number
    seen_names = {}       # (address key, name) -> row number
    new_keys = set()
    existing_keys = set()
    for entry in checked:
        if entry.problem is None and entry.resident is not None:
            resident = entry.resident
            phone = resident["phone"]
            household_id = households.get(entry.key)
            error = None
            if phone and phone in phones:
                error = (LABELS["phone"], KioskError("duplicate_phone", phone=phone[-4:]))
            elif phone and phone in seen_phones:
                error = (LABELS["phone"], KioskError("import_duplicate_phone", phone=phone[-4:], row=seen_phones[phone]))
            elif household_id is not None and (household_id, resident["name"]) in names:
                error = (LABELS["name"], KioskError("import_resident_exists", name=resident["name"]))
            elif (entry.key, resident["name"]) in seen_names:
                error = (LABELS["name"], KioskError("import_duplicate_resident", name=resident["name"],
                                                    row=seen_names[(entry.key, resident["name"])]))
            if error:
                entry.problem = Problem(entry.row, *error)
            else:
                if phone:
                    seen_phones[phone] = entry.row
                seen_names[(entry.key, resident["name"])] = entry.row
        if entry.problem is not None:
            preview.problems.append(entry.problem)
            continue
        preview.plan.append(entry)
        if entry.key in households:
            existing_keys.add(entry.key)
        else:
            new_keys.add(entry.key)
        if entry.resident is not None:
            preview.new_residents += 1
    preview.new_households = len(new_keys)
    preview.existing_households = len(existing_keys)
    outcome = hashlib.sha256()
    for entry in checked:
        if entry.problem is not None:
            result = entry.problem.error.code
        else:
            result = "existing" if entry.key in households else "new"
        outcome.update(f"{entry.row}:{result};".encode())
    preview.digest = outcome.hexdigest()[:32]
    return preview, households


def check(store, rows, progress=None):
    """What importing ``rows`` (from read_table) into ``store`` would do; changes nothing.

    ``progress(stage, done, total)`` is called now and then while rows are checked.
    """
    checked = _validate_all(rows, progress)
    preview, _ = _resolve(store, checked)
    preview.rows = rows
    return preview


# ---------------------------------------------------------------------------------------------
# Writing


def apply(store, preview_or_rows, staff=None, *, expect=None, progress=None, source=""):
    """Import every valid row, all in one transaction: either all of them go in or none do.

    Rows are checked again inside the transaction. ``expect`` (a Preview's digest; taken from
    the Preview when one is given) makes the import refuse with KioskError("import_stale") when
    any row's outcome differs from what the person confirmed. Rows with errors are skipped.
    Returns counts: households, residents, accounts, existing_households, skipped, rows.

    ``progress(stage, done, total)``: stage "checking" then "writing".
    """
    if isinstance(preview_or_rows, Preview):
        rows = preview_or_rows.rows
        expect = expect or preview_or_rows.digest
    else:
        rows = preview_or_rows
    checked = _validate_all(rows, progress)  # the slow, database-free part, outside the lock
    with database.atomic():
        preview, households = _resolve(store, checked)
        if expect and preview.digest != expect:
            raise KioskError("import_stale")
        counts = _write(store, preview, households, progress)
        counts.update(existing_households=preview.existing_households, skipped=preview.errors, rows=len(rows))
        audit.record("import_registry", store=store, staff=staff, source=source[:100], **counts)
    return counts


def _chunks(items, size=CHUNK):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _write(store, preview, households, progress):
    now = utcnow()
    total = len(preview.plan)
    done = 0
    if progress:
        progress("writing", 0, total)
    # Households: new ones in row order, fields from the first row that names them.
    new = {}
    residents_of = {}
    for entry in preview.plan:
        if entry.key not in households:
            if entry.key not in new:
                new[entry.key] = dict(entry.household, members_given=entry.members_given)
            else:
                known = new[entry.key]
                if not known["members_given"] and entry.members_given:
                    known["members"], known["members_given"] = entry.household["members"], True
                if not known["phone"] and entry.household["phone"]:
                    known["phone"] = entry.household["phone"]
        if entry.resident is not None:
            residents_of[entry.key] = residents_of.get(entry.key, 0) + 1
    household_rows = []
    for key, fields in new.items():
        members = fields["members"] if fields["members_given"] else min(max(residents_of.get(key, 1), 1), 50)
        household_rows.append({
            "store_id": store.id, "community": fields["community"], "building": fields["building"],
            "unit": fields["unit"], "room": fields["room"], "members": members, "phone": fields["phone"],
            "created_at": now,
        })
    for chunk in _chunks(household_rows):
        insert_rows(Household, chunk)
    if new:
        households = {
            (community, building, unit, room): household_id
            for household_id, community, building, unit, room in database.execute_sql(
                f"SELECT id, community, building, unit, room FROM {q('household')} WHERE store_id = {database.param}",
                (store.id,),
            )
        }
    # Residents.
    first_resident = {}
    resident_rows = []
    for entry in preview.plan:
        if entry.resident is None:
            continue
        household_id = households[entry.key]
        first_resident.setdefault(household_id, entry.resident["name"])
        resident_rows.append({"store_id": store.id, "household_id": household_id, **entry.resident,
                              "active": True, "created_at": now})
    before = database.execute_sql(
        f"SELECT COALESCE(MAX(id), 0) FROM {q('resident')}").fetchone()[0] if resident_rows else 0
    for chunk in _chunks(resident_rows):
        insert_rows(Resident, chunk)
        done += len(chunk)
        if progress:
            progress("writing", done, total)
    # Accounts, as register_household / register_resident make them.
    account_rows = []
    new_ids = {households[key] for key in new}
    if store.account_mode == "person":
        if resident_rows:
            for resident_id, household_id, name in database.execute_sql(
                f"SELECT id, household_id, name FROM {q('resident')} WHERE store_id = {database.param} "
                f"AND id > {database.param} ORDER BY id", (store.id, before),
            ):
                account_rows.append({"store_id": store.id, "household_id": household_id, "resident_id": resident_id,
                                     "holder_name": name, "balance": 0, "created_at": now})
    else:
        for key in new:
            household_id = households[key]
            account_rows.append({"store_id": store.id, "household_id": household_id, "resident_id": None,
                                 "holder_name": first_resident.get(household_id, ""), "balance": 0, "created_at": now})
        for household_id, name in first_resident.items():
            if household_id not in new_ids:
                Account.update(holder_name=name).where(
                    Account.household == household_id, Account.resident.is_null(), Account.holder_name == ""
                ).execute()
    for chunk in _chunks(account_rows):
        insert_rows(Account, chunk)
    if progress:
        progress("writing", total, total)
    return {"households": len(household_rows), "residents": len(resident_rows), "accounts": len(account_rows)}


# ---------------------------------------------------------------------------------------------
# Exporting


def _natural(text):
    return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", text or "") if part]


def export_rows(store):
    """The registry as rows of HEADERS: one per resident, one per household without residents."""
    households = {}
    for household_id, community, building, unit, room, members, phone in database.execute_sql(
        f"SELECT id, community, building, unit, room, members, phone FROM {q('household')} "
        f"WHERE store_id = {database.param}", (store.id,),
    ):
        households[household_id] = (community, building, unit, room, members, phone)
    residents = {}
    for household_id, name, phone, tail in database.execute_sql(
        f"SELECT household_id, name, phone, id_tail FROM {q('resident')} WHERE store_id = {database.param} ORDER BY id",
        (store.id,),
    ):
        residents.setdefault(household_id, []).append((name, phone or "", ("*" * 14 + tail) if tail else ""))
    order = sorted(households, key=lambda hid: (households[hid][0], _natural(households[hid][1]),
                                                 _natural(households[hid][2]), _natural(households[hid][3]), hid))
    for household_id in order:
        community, building, unit, room, members, phone = households[household_id]
        address = [community, building, unit, room, str(members), phone or ""]
        for resident in residents.get(household_id) or [("", "", "")]:
            yield address + list(resident)


def export_csv(store):
    """The registry as CSV bytes: UTF-8 with a BOM (so Excel opens it as Chinese), CRLF lines.
    A value that a spreadsheet would take for a formula gets a leading "'"; import removes it."""
    return csv_bytes(HEADERS, export_rows(store))


def export(store):
    """The registry as .xlsx bytes, every cell text (so 0-leading rooms and long numbers stay),
    through the one cell-safe writer (kiosk.csvexport.xlsx_bytes): nothing runs as a formula."""
    return xlsx_bytes([("居民", HEADERS, export_rows(store), (16, 8, 8, 8, 6, 14, 12, 14, 22), None)])
