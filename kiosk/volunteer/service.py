"""Batches imported from the volunteer platform: upload, map, submit, then a second person
confirms (or discards) them.

    batch = upload(store, data, filename, staff)           # a draft, mapping guessed
    set_mapping(batch.id, store, staff, mapping, rule_choice)
    submit(batch.id, store, staff, today=today)            # waits for a second person
    confirm(batch.id, store, confirmer, digest, today=today)

Confirming creates every valid row's service record, approved, with its ledger entry, all in
one transaction; the rows are checked again inside it. Plain functions, no Flask.
"""
import hashlib
import json

from kiosk import audit
from kiosk.db import database, q, utcnow
from kiosk.earning import service as earning
from kiosk.earning.models import APPROVED, ServiceRecord
from kiosk.errors import KioskError
from kiosk.staff.models import MANAGER, OPERATIONS, SERVICE
from kiosk.volunteer import importer
from kiosk.volunteer.models import CONFIRMED, DISCARDED, DRAFT, WAITING, VolunteerImport, VolunteerImportRecord

UPLOADERS = (OPERATIONS, MANAGER)
CHUNK = 200  # rows per INSERT: 200 x 16 parameters stays below every driver's limit
CONFIRMERS = (SERVICE, MANAGER)


def table(batch):
    """(header, rows) of a batch as importer.read gave them (ID numbers cut)."""
    return json.loads(batch.header), [(number, cells) for number, cells in json.loads(batch.cells)]


def mapping_of(batch):
    return {field: int(index) for field, index in json.loads(batch.mapping or "{}").items()}


def upload(store, data, filename, staff):
    """A new draft batch from an exported file, its mapping guessed. Raises KioskError for a
    file that cannot be read (see importer.read) or ("forbidden") for a role that cannot
    record service."""
    if staff.role not in UPLOADERS:
        raise KioskError("forbidden")
    header, rows = importer.read(data, filename)
    mapping, rule_choice = importer.guess(header, rows, earning.current_rules(store))
    cells = [[number, importer.redact(values)] for number, values in rows]
    with database.atomic():
        batch = VolunteerImport.create(
            store=store, filename=(filename or "")[:200], file_hash=hashlib.sha256(data).hexdigest(),
            header=json.dumps(importer.redact(header), ensure_ascii=False),
            cells=json.dumps(cells, ensure_ascii=False, separators=(",", ":")),
            mapping=json.dumps(mapping), rule_choice=rule_choice, uploaded_by=staff, rows=len(rows),
        )
        audit.record("volunteer_import_uploaded", store=store, staff=staff, batch=batch.id,
                     filename=batch.filename, rows=len(rows))
    return batch


def same_file(batch):
    """Other batches of the store (not discarded) made from the same file, oldest first."""
    return list(VolunteerImport.select()
                .where(VolunteerImport.store == batch.store_id, VolunteerImport.file_hash == batch.file_hash,
                       VolunteerImport.id != batch.id, VolunteerImport.status != DISCARDED)
                .order_by(VolunteerImport.id))


def _batch(batch_id, store):
    batch = VolunteerImport.get_or_none(VolunteerImport.id == batch_id, VolunteerImport.store == store)
    if batch is None:
        raise KioskError("import_batch_unknown")
    return batch


def get(batch_id, store):
    """A batch of ``store``; raises KioskError("import_batch_unknown")."""
    return _batch(batch_id, store)


def _editable(batch_id, store, staff):
    batch = _batch(batch_id, store)
    if batch.status != DRAFT:
        raise KioskError("import_batch_submitted" if batch.status == WAITING else "import_batch_decided")
    if batch.uploaded_by_id != staff.id:
        raise KioskError("import_not_uploader")
    return batch


def set_mapping(batch_id, store, staff, mapping, rule_choice):
    """Change a draft's column mapping (field -> column index) and rule choice ("rule:CODE" or
    "column:N"); only its uploader may. Unknown fields and columns are dropped."""
    with database.atomic():
        batch = _editable(batch_id, store, staff)
        header, _ = table(batch)
        clean = {}
        for field, index in (mapping or {}).items():
            if field in importer.FIELDS and isinstance(index, int) and 0 <= index < len(header):
                clean[field] = index
        VolunteerImport.update(mapping=json.dumps(clean), rule_choice=(rule_choice or "")[:40]).where(
            VolunteerImport.id == batch.id).execute()
    return VolunteerImport.get_by_id(batch.id)


def preview(batch, *, today):
    """What confirming the batch would do now (an importer.Preview)."""
    _, rows = table(batch)
    return importer.check(batch.store, rows, mapping_of(batch), batch.rule_choice, today=today)


def submit(batch_id, store, staff, *, today):
    """A draft goes to the confirmation queue; only its uploader may submit it. Raises
    KioskError("import_batch_unknown", "import_batch_submitted", "import_batch_decided",
    "import_not_uploader", "import_map_missing"…, "import_nothing_valid")."""
    with database.atomic():
        batch = _editable(batch_id, store, staff)
        result = preview(batch, today=today)
        if result.missing:
            raise result.missing[0]
        if not result.valid:
            raise KioskError("import_nothing_valid")
        taken = VolunteerImport.update(status=WAITING, submitted_at=utcnow()).where(
            VolunteerImport.id == batch.id, VolunteerImport.status == DRAFT).execute()
        if not taken:
            raise KioskError("import_batch_submitted")
        audit.record("volunteer_import_submitted", store=store, staff=staff, batch=batch.id,
                     mapping=mapping_of(batch), rule=batch.rule_choice, valid=len(result.valid),
                     errors=len(result.errors), points=result.points)
    return VolunteerImport.get_by_id(batch.id)


def confirm(batch_id, store, confirmer, digest, *, today):
    """Post a waiting batch: each valid row becomes a service record recorded by the uploader
    and approved by ``confirmer``, with its ledger entry; rows with errors are skipped. All in
    one transaction, after checking every row again: when any row's outcome differs from the
    preview the confirmer saw (``digest``), nothing is posted.

    Raises KioskError("import_batch_unknown", "import_batch_decided", "import_batch_draft",
    "forbidden", "import_confirmer_is_uploader", "import_batch_stale", "import_nothing_valid").
    """
    if confirmer.role not in CONFIRMERS:
        raise KioskError("forbidden")
    with database.atomic():
        batch = _batch(batch_id, store)
        if batch.uploaded_by_id == confirmer.id:
            raise KioskError("import_confirmer_is_uploader")
        if batch.status == DRAFT:
            raise KioskError("import_batch_draft")
        # The claim comes first: of two confirmations at the same moment, the second waits
        # here for the first to commit and then finds the batch decided.
        claimed = VolunteerImport.update(status=CONFIRMED, decided_by=confirmer, decided_at=utcnow()).where(
            VolunteerImport.id == batch.id, VolunteerImport.status == WAITING).execute()
        if not claimed:
            raise KioskError("import_batch_decided")
        result = preview(batch, today=today)
        if result.missing or result.digest != digest:
            raise KioskError("import_batch_stale")
        if not result.valid:
            raise KioskError("import_nothing_valid")
        points = _post(store, batch, result.valid, confirmer)
        VolunteerImport.update(records=len(result.valid), points=points, skipped=len(result.errors)).where(
            VolunteerImport.id == batch.id).execute()
        audit.record("volunteer_import_confirmed", store=store, staff=confirmer, batch=batch.id,
                     uploaded_by=batch.uploaded_by_id, records=len(result.valid), points=points,
                     skipped=len(result.errors))
    return VolunteerImport.get_by_id(batch.id)


def _post(store, batch, lines, confirmer):
    """Write the checked ``lines`` as approved service records with their ledger entries, in the
    caller's transaction; returns the points posted.

    The rows were scored by the earning rules (units, caps, periods) in importer.check inside
    this transaction, so they are written as they are, in bulk: calling record_service and
    approve for each row would hold the write lock for ~10 ms a row, and checkouts on other
    kiosks wait for it. What approve posts is posted through the same earning.post_earned.
    """
    now = utcnow()
    key = f"import-{batch.id}"
    rows = [{
        "store": store.id, "resident": line.resident.id, "account": line.account_id, "rule": line.rule.id,
        "content": line.content, "service_date": line.day, "minutes": line.minutes, "units": line.units,
        "points": line.points, "status": APPROVED, "group_key": key, "recorded_by": batch.uploaded_by_id,
        "reviewed_by": confirmer.id, "reviewed_at": now, "created_at": now,
    } for line in lines]
    for start in range(0, len(rows), CHUNK):
        ServiceRecord.insert_many(rows[start:start + CHUNK]).execute()
    # Each line is one (resident, date, activity): duplicates never reach this point.
    ids = {}
    for record_id, resident_id, day, content in (ServiceRecord
                                                 .select(ServiceRecord.id, ServiceRecord.resident,
                                                         ServiceRecord.service_date, ServiceRecord.content)
                                                 .where(ServiceRecord.group_key == key)
                                                 .tuples()):
        ids[(resident_id, day, content)] = record_id
    if len(ids) != len(lines):
        raise KioskError("import_batch_stale")
    links = []
    p = database.param
    for line in lines:
        record_id = ids[(line.resident.id, line.day, line.content)]
        entry, _ = earning.post_earned(record_id=record_id, resident=line.resident, account_id=line.account_id,
                                       rule=line.rule, content=line.content, points=line.points,
                                       staff_id=confirmer.id)
        database.execute_sql(f"UPDATE {q('service_record')} SET {q('ledger_entry_id')} = {p} WHERE {q('id')} = {p}",
                             (entry.id, record_id))
        links.append({"batch": batch.id, "row": line.row, "service_record": record_id})
    for start in range(0, len(links), CHUNK):
        VolunteerImportRecord.insert_many(links[start:start + CHUNK]).execute()
    return sum(line.points for line in lines)


def discard(batch_id, store, staff, reason=""):
    """Discard a batch: nothing is posted. Its uploader may discard it while it is a draft or
    waiting; customer service or the manager may discard a waiting batch, with a reason.

    Raises KioskError("import_batch_unknown", "import_batch_decided", "forbidden",
    "missing_field", "too_long")."""
    reason = (reason or "").strip()
    if len(reason) > 200:
        raise KioskError("too_long", field="discard_reason", max=200)
    with database.atomic():
        batch = _batch(batch_id, store)
        if batch.status in (CONFIRMED, DISCARDED):
            raise KioskError("import_batch_decided")
        own = batch.uploaded_by_id == staff.id
        if not own and (batch.status == DRAFT or staff.role not in CONFIRMERS):
            raise KioskError("forbidden")
        if not own and not reason:
            raise KioskError("missing_field", field="discard_reason")
        taken = VolunteerImport.update(status=DISCARDED, decided_by=staff, decided_at=utcnow(), reason=reason).where(
            VolunteerImport.id == batch.id, VolunteerImport.status == batch.status).execute()
        if not taken:
            raise KioskError("import_batch_decided")
        audit.record("volunteer_import_discarded", store=store, staff=staff, batch=batch.id, was=batch.status,
                     reason=reason)
    return VolunteerImport.get_by_id(batch.id)


def batches(store, statuses, limit=50):
    """The store's batches in ``statuses``, newest first."""
    return list(VolunteerImport.select()
                .where(VolunteerImport.store == store, VolunteerImport.status.in_(statuses))
                .order_by(VolunteerImport.id.desc())
                .limit(limit))


def waiting_count(store):
    return VolunteerImport.select().where(VolunteerImport.store == store, VolunteerImport.status == WAITING).count()
