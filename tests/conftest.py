"""Fixtures shared by every kind of test.

- ``db``: a fresh database with the schema, no Flask: a SQLite file (WAL, as in production), or
  with KIOSK_TEST_ENGINE=postgres a new PostgreSQL database on a throwaway cluster (tests/pg.py)
  copied from a migrated template. ``database_url`` names it.
- ``world``: a small store on it: staff of each role, goods, accounts with cards.
- ``app`` / ``client``: the Flask app on that database with a virtual printer.
"""
import importlib.util
import os
from dataclasses import dataclass

import pytest
from werkzeug.security import generate_password_hash

from devices import VirtualPrinter
from kiosk import db as kiosk_db
from kiosk import keys, schema
from kiosk.cards.models import Card
from kiosk.cards.service import card_payload
from kiosk.inventory import service as inventory
from kiosk.inventory.models import STOCK_IN, VOUCHER, Product
from kiosk.ledger import service as ledger
from kiosk.ledger.models import OPENING, Account
from kiosk.registry.models import Household, Resident
from kiosk.registry.service import initials
from kiosk.staff.models import CASHIER, MANAGER, OPERATIONS, SERVICE, Staff
from kiosk.stores.models import Store

PINS = {MANAGER: "1111", OPERATIONS: "2222", CASHIER: "3333", SERVICE: "4444"}
# Production hashes PINs with werkzeug's slow default (scrypt); test staff get a cheap
# PBKDF2 hash instead, which check_password_hash verifies the same way, so that hundreds of
# sign-ins stay fast. tests/unit/test_staff_pins.py covers the production hash.
_PIN_HASHES = {}


def pin_hash(pin):
    if pin not in _PIN_HASHES:
        _PIN_HASHES[pin] = generate_password_hash(pin, method="pbkdf2:sha256:1000")
    return _PIN_HASHES[pin]


def _load_pg():
    # tests/ is not a package (importlib mode): load the cluster helper by its path.
    spec = importlib.util.spec_from_file_location("kiosk_test_pg", os.path.join(os.path.dirname(__file__), "pg.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


pg = _load_pg()
ENGINE = pg.engine()
# Concurrency tests run up to 16 threads at once, each with its own connection, besides the
# test's own: the pool must not make them queue (production's default is 10 per process).
POOL_SIZE = 40


def pytest_configure(config):
    config.addinivalue_line("markers", "sqlite_only(reason): checks something only SQLite has; skipped on PostgreSQL")
    config.addinivalue_line("markers", "postgres_only(reason): a behaviour only PostgreSQL has; skipped on SQLite")


def pytest_report_header(config):
    return f"database engine: {ENGINE} ({pg.ENGINE_VARIABLE})"


def pytest_collection_modifyitems(config, items):
    other = "sqlite_only" if ENGINE == "postgres" else "postgres_only"
    label = "SQLite only" if ENGINE == "postgres" else "PostgreSQL only"
    for item in items:
        marker = item.get_closest_marker(other)
        if marker is not None:
            reason = marker.args[0] if marker.args else marker.kwargs.get("reason", label)
            item.add_marker(pytest.mark.skip(reason=f"{label}: {reason}"))


@pytest.fixture(scope="session")
def pg_cluster():
    """A PostgreSQL cluster for this test process (each xdist worker has its own), stopped at the
    end of the session whatever the outcome."""
    cluster = pg.Cluster().start()
    try:
        yield cluster
    finally:
        cluster.stop()


def _migrate(url):
    kiosk_db.connect(url, pool_size=0)
    with kiosk_db.database.connection_context():
        schema.upgrade()


@pytest.fixture
def database_url(request, instance):
    """The URL of this test's empty database: migrated on PostgreSQL (from the template); on
    SQLite a file in the instance folder that ``db`` creates."""
    if ENGINE != "postgres":
        yield "sqlite:///" + str(instance / "kiosk.db")
        return
    cluster = request.getfixturevalue("pg_cluster")
    name = cluster.create_database(cluster.template(_migrate))
    yield cluster.url(name)
    if isinstance(kiosk_db.database.obj, kiosk_db.peewee.PostgresqlDatabase):
        if hasattr(kiosk_db.database.obj, "close_all"):
            kiosk_db.database.obj.close_all()
        elif not kiosk_db.database.is_closed():
            kiosk_db.database.close()
    cluster.drop_database(name)


@pytest.fixture
def instance(tmp_path):
    path = tmp_path / "instance"
    keys.ensure(str(path))
    return path


@pytest.fixture
def db(database_url):
    kiosk_db.connect(database_url, pool_size=POOL_SIZE)
    kiosk_db.database.connect(reuse_if_open=True)
    schema.upgrade()
    yield kiosk_db.database
    kiosk_db.database.close()


@dataclass
class World:
    store: Store
    staff: dict
    products: dict
    accounts: dict
    cards: dict
    card_key: bytes

    def payload(self, name):
        return card_payload(self.store.code, self.cards[name].number, self.card_key)


def build_world(card_key):
    with kiosk_db.database.atomic():
        store = Store.create(name="测试信义积分超市", code="XY")
        staff = {
            role: Staff.create(store=store, name=name, role=role, pin_hash=pin_hash(PINS[role]))
            for role, name in [(MANAGER, "王店长"), (OPERATIONS, "李运营"), (CASHIER, "张收银"), (SERVICE, "陈客服")]
        }
        products = {}
        for order, (name, category, points, stock, barcode, kind) in enumerate([
            ("食用油", "粮油", 100, 10, "6901234000017", "goods"),
            ("大米", "粮油", 50, 20, "6901234000024", "goods"),
            ("食盐", "调味", 20, 50, "6901234000031", "goods"),
            ("酱油", "调味", 20, 1, "6901234000048", "goods"),
            ("洗洁精", "清洁", 30, 0, "6901234000055", "goods"),
            ("水果券", "服务券", 50, 5, None, VOUCHER),
        ]):
            product = Product.create(store=store, name=name, category=category, points=points,
                                     barcode=barcode, kind=kind, sort_order=order)
            if stock:
                inventory.move(product.id, stock, STOCK_IN, reference="test")
            products[name] = Product.get_by_id(product.id)
        accounts, cards = {}, {}
        number = 10000001
        for holder, balance in [("张建华", 500), ("李秀兰", 30), ("王德明", 0)]:
            household = Household.create(store=store, building="3", unit="2", room=str(300 + number % 100))
            account = Account.create(store=store, household=household, holder_name=holder)
            if balance:
                ledger.post(account.id, balance, OPENING, reference="test")
            accounts[holder] = Account.get_by_id(account.id)
            resident = Resident.create(store=store, household=household, name=holder, initials=initials(holder),
                                       phone=f"1380000{number % 10000:04d}")
            cards[holder] = Card.create(store=store, number=str(number), account=account, holder_name=holder,
                                        resident=resident)
            number += 1
    return World(store, staff, products, accounts, cards, card_key)


@pytest.fixture
def world(db, instance):
    return build_world(keys.load(str(instance))["CARD_SIGNING_KEY"])


@pytest.fixture
def printer():
    return VirtualPrinter()


@pytest.fixture
def app(world, instance, printer, database_url):
    from kiosk import create_app

    kiosk_db.database.close()
    app = create_app({
        "INSTANCE_PATH": str(instance),
        "DATABASE_URL": database_url,
        "DATABASE_POOL_SIZE": POOL_SIZE,
        "PRINTER": printer,
        # Receipts are sent inside the request, so a test sees them at once; the background
        # worker has tests of its own.
        "PRINT_WORKER": "inline",
        "TESTING": True,
        # Tests that add a second store to the database still serve this one (KIOSK_STORE).
        "STORE_CODE": "XY",
    })
    # create_app pointed the proxy at a new database object for the same file; the test
    # itself queries through it between requests.
    kiosk_db.database.connect(reuse_if_open=True)
    return app


@pytest.fixture
def client(app):
    return app.test_client()


class Session:
    """A signed-in test client: ``post`` sends the CSRF token like the page does."""

    def __init__(self, client):
        self.client = client

    def token(self):
        """The session's CSRF token, as the page would embed it."""
        with self.client.session_transaction() as session:
            return session.setdefault("csrf_token", "test-csrf-token")

    def sign_in(self, staff, pin):
        self.client.get("/signin")
        return self.client.post(f"/signin/{staff.id}", data={"pin": pin, "csrf_token": self.token()})

    def get(self, url, htmx=False, **kwargs):
        headers = {"HX-Request": "true"} if htmx else {}
        return self.client.get(url, headers=headers, **kwargs)

    def post(self, url, data=None, htmx=True, **kwargs):
        headers = {"HX-Request": "true", "X-CSRF-Token": self.token()} if htmx else {}
        data = dict(data or {})
        if not htmx:
            data.setdefault("csrf_token", self.token())
        return self.client.post(url, data=data, headers=headers, **kwargs)

    def register(self):
        with self.client.session_transaction() as session:
            return dict(session.get("register") or {})


def signed_in(client, world, role):
    session = Session(client)
    response = session.sign_in(world.staff[role], PINS[role])
    assert response.status_code == 302
    return session


@pytest.fixture
def cashier(client, world):
    return signed_in(client, world, CASHIER)


@pytest.fixture
def manager(client, world):
    return signed_in(client, world, MANAGER)


@pytest.fixture
def operations(client, world):
    return signed_in(client, world, OPERATIONS)
