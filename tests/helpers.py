"""Small helpers shared by test modules (fixtures live in conftest.py files)."""
import re
import subprocess
import sys
import threading

from kiosk.db import database
from kiosk.errors import KioskError
from kiosk.inventory.models import Product
from kiosk.ledger.models import Account


def run_sql(text, params=()):
    """database.execute_sql with ``?`` placeholders, whatever the engine's own (``%s`` on
    PostgreSQL): tests that tamper with rows on purpose write their SQL once."""
    return database.execute_sql(text.replace("?", database.param), params)


def schema_migrator():
    """The playhouse migrator of the engine under test, for tests that take a migration back."""
    from playhouse.migrate import PostgresqlMigrator, SqliteMigrator

    from kiosk.db import is_sqlite

    return SqliteMigrator(database.obj) if is_sqlite() else PostgresqlMigrator(database.obj)


def drop_tables(models):
    """Drop tables to take a migration back; on PostgreSQL also the foreign keys of other tables
    that point at them (SQLite does not check those when a table is dropped)."""
    from kiosk.db import is_sqlite

    database.drop_tables(models, cascade=not is_sqlite())


def body(response):
    return response.get_data(as_text=True)


def balance(world, name):
    return Account.get_by_id(world.accounts[name].id).balance


def stock(world, name):
    return Product.get_by_id(world.products[name].id).quantity


def cli(env, *args):
    """Run the `kiosk` command in ``env``; returns its standard output (raises on failure)."""
    return subprocess.run([sys.executable, "-m", "kiosk", *args], env=env, capture_output=True, text=True, check=True).stdout


def balance_of(env, number):
    """The balance `kiosk balance` reports for a card number."""
    return int(re.search(r"balance\s+(\d+)", cli(env, "balance", number)).group(1))


def decode_qr(image):
    """The texts of the QR codes an independent decoder (zxing-cpp) reads in a PIL image."""
    import zxingcpp

    return [result.text for result in zxingcpp.read_barcodes(image) if result.format == zxingcpp.BarcodeFormat.QRCode]


def pdf_page_images(data, dpi=300):
    """The pages of a PDF rasterised by an independent renderer (PDFium), as PIL images.

    The A4 documents are vector text and SVG drawn by WeasyPrint (they used to be one embedded
    picture a page, which this helper once extracted), so a page is rendered to be looked at."""
    import pypdfium2

    document = pypdfium2.PdfDocument(data)
    try:
        return [page.render(scale=dpi / 72).to_pil() for page in document]
    finally:
        document.close()


def pdf_page_sizes_mm(data):
    """(width, height) of every page of a PDF in millimetres."""
    import io

    from pypdf import PdfReader

    return [(round(float(page.mediabox.width) * 25.4 / 72, 1), round(float(page.mediabox.height) * 25.4 / 72, 1))
            for page in PdfReader(io.BytesIO(data)).pages]


def sign_in(page, url, name, pin):
    """Sign in on the touch PIN pad in Chromium, as a fresh visitor."""
    # Leave the current page first: its polls, seeing the session gone, would send it to the
    # sign-in page in the middle of our own navigation (net::ERR_ABORTED on a loaded machine).
    page.goto("about:blank")
    page.context.clear_cookies()
    page.goto(url + "/")
    page.get_by_text(name).tap()
    # Wait for the PIN page and its scripts: a digit tapped while the page is still loading has
    # no handler yet and is lost (seen on a loaded machine as 密码错误).
    page.wait_for_url(re.compile(r"/signin/\d+"))
    page.wait_for_load_state("load")
    for digit in pin:
        page.get_by_role("button", name=digit, exact=True).tap()
    page.get_by_role("button", name="登录").tap()


def scan(page, text):
    """Type like a USB scanner: fast keys ending in Enter, into whatever has focus."""
    page.keyboard.type(text, delay=5)
    page.keyboard.press("Enter")


def pdf_text(data):
    """The text a PDF viewer would extract (pypdf), pages separated by \\f. The A4 documents
    carry real text set by WeasyPrint, with their fonts' Unicode maps."""
    import io

    from pypdf import PdfReader

    return "\f".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def rechain(path=None):
    """Re-hash every ledger entry in chain order after a test changed entries with SQL on
    purpose (backdating them, say), so that the books verify: in the SQLite file at ``path``,
    or in the open kiosk database when ``path`` is None."""
    import sqlite3

    from kiosk.ledger.chain import FIELDS, GENESIS, entry_hash

    def run(execute, mark):
        rows = execute(f'SELECT a.store_id, {", ".join("e." + f for f in FIELDS)} FROM ledger_entry e '
                       'JOIN account a ON a.id = e.account_id ORDER BY e.id').fetchall()
        heads = {}
        for store_id, *fields in rows:
            digest = entry_hash(heads.get(store_id, (GENESIS,))[0], *fields)
            heads[store_id] = (digest, fields[0])
            execute(f"UPDATE ledger_entry SET hash = {mark} WHERE id = {mark}", (digest, fields[0]))
        for store_id, (digest, last_id) in heads.items():
            execute(f"UPDATE ledger_chain SET head = {mark}, last_entry_id = {mark} WHERE store_id = {mark}",
                    (digest, last_id, store_id))

    if path is None:
        # The open kiosk database, SQLite or PostgreSQL.
        with database.atomic():
            run(database.execute_sql, database.param)
        return
    with sqlite3.connect(path) as conn:
        run(conn.execute, "?")


def race(count, attempt):
    """Run attempt(i) in ``count`` threads released together; returns their outcomes."""
    barrier = threading.Barrier(count)
    outcomes = [None] * count

    def worker(i):
        database.connect(reuse_if_open=True)
        try:
            barrier.wait()
            outcomes[i] = attempt(i)
        except KioskError as exc:
            outcomes[i] = exc.code
        finally:
            database.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def second_store(quantity=1, key="other-store-sale-0001"):
    """Store AB in the same database as the world's XY: a cashier, a household whose card holds
    300 points, five bars of soap, and one sale of ``quantity`` soap (with its receipt job).
    Returns (store, cashier, account, card, soap, sale)."""
    from kiosk.cards.models import Card
    from kiosk.checkout import service as checkout
    from kiosk.inventory import service as inventory
    from kiosk.inventory.models import STOCK_IN
    from kiosk.ledger import service as ledger
    from kiosk.ledger.models import OPENING
    from kiosk.registry.models import Household
    from kiosk.staff.models import CASHIER, Staff
    from kiosk.stores.models import Store

    with database.atomic():
        store = Store.create(name="二店积分超市", code="AB")
        cashier = Staff.create(store=store, name="钱收银", role=CASHIER, pin_hash="unused")
        household = Household.create(store=store, building="9", unit="1", room="101")
        account = Account.create(store=store, household=household, holder_name="周桂英")
        ledger.post(account.id, 300, OPENING, reference="test")
        card = Card.create(store=store, number="20000001", account=account, holder_name="周桂英")
        soap = Product.create(store=store, name="肥皂", category="清洁", points=40, sort_order=0)
        inventory.move(soap.id, 5, STOCK_IN, reference="test")
    sale = checkout.checkout(store, card.id, [(soap.id, quantity)], cashier.id, key, tz_name=store.timezone).sale
    return store, cashier, account, card, soap, sale


NUMBERED_TABLES = ("sale", "refund", "stock_receipt", "write_off", "stocktake")


def undo_m0017():
    """Take a database back to before m0017 (documents numbered by id, receipt-number floors on
    the store): for a test of m0017, or of an older migration whose tables the services then use."""
    from playhouse.migrate import migrate

    migrator = schema_migrator()
    for table in NUMBERED_TABLES:
        if "serial" in [column.name for column in database.get_columns(table)]:
            migrate(migrator.drop_index(table, f"{table}_store_id_serial"), migrator.drop_column(table, "serial"))
    database.execute_sql('DROP TABLE IF EXISTS "document_counter"')
    for name in ("sale_number_floor", "refund_number_floor"):
        database.execute_sql(f'ALTER TABLE "store" ADD COLUMN "{name}" BIGINT NOT NULL DEFAULT 0')



def upgrade_to_m0017(monkeypatch, steps, prepare=None):
    """Take the database back to before m0017, then ``prepare()`` it (rows as they were then),
    and run m0017 on it (``steps``: every migration, taken before a test hid the later ones; for
    the test of an older migration whose tables the services use afterwards). Returns what
    schema.upgrade applied."""
    from kiosk import schema

    undo_m0017()
    if prepare:
        prepare()
    # The tables of the migrations between the tested one and m0017 were made in their final form.
    schema.SchemaVersion.delete().where(schema.SchemaVersion.version >= 17).execute()
    applied = {row.version for row in schema.SchemaVersion.select()}
    for number, name, _ in steps:
        if number < 17 and number not in applied:
            schema.SchemaVersion.create(version=number, name=name)
    monkeypatch.setattr(schema, "available_migrations", lambda: [step for step in steps if step[0] <= 17])
    return schema.upgrade()


def open_screen(page, name, exact=True):
    """Tap the header's link to the screen ``name`` (a string or a compiled pattern), opening
    its task menu (收银, 库存, 积分, 管理) first when the role's header keeps it in one."""
    page.locator("header nav").wait_for()  # signed in, on a page with the header (not the PIN pad)
    page.wait_for_load_state("load")
    link = page.locator("header nav").get_by_role("link", name=name, exact=exact, include_hidden=True).first
    menu = page.locator("header details.nav-group").filter(
        has=page.get_by_role("link", name=name, exact=exact, include_hidden=True))
    if menu.count() and not menu.first.evaluate("group => group.open"):
        menu.first.locator("summary").tap()
    link.tap()
