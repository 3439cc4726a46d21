"""The database: chosen at start-up from one URL, shared by the web app and the CLI.

``database`` is a proxy initialised by :func:`connect`; models never name an engine, so the
same code runs on SQLite (a kiosk PC) and PostgreSQL (a district server, with pooled connections).
"""
import functools
import os
import random
import time
from datetime import datetime, timezone
from urllib.parse import urlparse

import peewee
from playhouse.db_url import connect as connect_url

database = peewee.DatabaseProxy()

# Kiosk PCs lose power: WAL with synchronous=FULL means a committed sale survives it, and a
# receipt printed after the commit never outlives its sale.
SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "synchronous": "full",
    "foreign_keys": 1,
    "busy_timeout": 10000,
}


def utcnow():
    """The current time as naive UTC, the form every timestamp column stores."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


class BaseModel(peewee.Model):
    class Meta:
        database = database
        legacy_table_names = False


def q(name):
    """A quoted identifier, as peewee quotes them on SQLite and PostgreSQL."""
    return '"' + name + '"'


def insert_rows(model, rows, returning=None):
    """INSERT ``rows`` (dicts keyed by column name, all with the same keys) in one statement.

    Written as SQL directly: on the redemption path peewee's query builder costs several times
    what the statement itself does. Returns the ``returning`` column of each row, in order.
    """
    columns = list(rows[0])
    marks = "(" + ", ".join([database.param] * len(columns)) + ")"
    sql = (
        f"INSERT INTO {q(model._meta.table_name)} ({', '.join(q(c) for c in columns)}) "
        f"VALUES {', '.join([marks] * len(rows))}"
    )
    params = [row[column] for row in rows for column in columns]
    if returning is None:
        database.execute_sql(sql, params)
        return []
    cursor = database.execute_sql(sql + f" RETURNING {q(returning)}", params)
    return [row[0] for row in cursor.fetchall()]


def database_url(url, instance_path):
    """The URL to use: ``url`` when set, else a SQLite file in the instance folder."""
    if url:
        return url
    return "sqlite:///" + os.path.join(instance_path, "kiosk.db")


# How many connections a server process keeps open to PostgreSQL (KIOSK_DATABASE_POOL_SIZE);
# a request takes one from the pool and gives it back at teardown, instead of paying a new
# connection (about 4 ms) each time. Stale connections are replaced after this many seconds.
DEFAULT_POOL_SIZE = 10
POOL_STALE_SECONDS = 300
# How long a request waits for a free pooled connection before failing.
POOL_WAIT_SECONDS = 10


def connect(url, pool_size=DEFAULT_POOL_SIZE, busy_timeout_ms=None):
    """Point the proxy at the database named by ``url``; raises ValueError for an unknown scheme
    or a URL without a database name.

    ``postgresql://user:password@host:5432/name`` connects through a pool of ``pool_size``
    connections (0: a new connection each time); ``postgresql+pool://`` names the pool itself.
    ``busy_timeout_ms``: how long a SQLite write waits for another's lock (default 10 s).
    """
    scheme = urlparse(url).scheme
    if scheme.startswith("sqlite"):
        # sqlite:////abs/path.db names "/abs/path.db"; sqlite:///rel.db names "rel.db".
        path = url.split("://", 1)[1][1:]
        if path and path != ":memory:":
            from kiosk import filemodes

            os.makedirs(os.path.dirname(os.path.abspath(path)), mode=filemodes.FOLDER, exist_ok=True)
            filemodes.private_database(path)  # 0600 before SQLite opens it; the WAL follows
        # IMMEDIATE: a write transaction takes the write lock at BEGIN, so two kiosks never
        # deadlock upgrading a read lock; the loser waits up to busy_timeout.
        # returning_clause: guarded UPDATEs read back the new balance in the same statement
        # (SQLite >= 3.35, as PostgreSQL always could).
        busy = busy_timeout_ms or SQLITE_PRAGMAS["busy_timeout"]
        db = peewee.SqliteDatabase(
            path, pragmas={**SQLITE_PRAGMAS, "busy_timeout": busy}, lock_type="IMMEDIATE", timeout=busy / 1000,
            returning_clause=True,
        )
    else:
        params = {}
        if scheme in ("postgres", "postgresql") and pool_size:
            url = scheme + "+pool" + url[len(scheme):]
        if url.split("://", 1)[0].endswith("+pool"):
            params = {"max_connections": pool_size or DEFAULT_POOL_SIZE,
                      "stale_timeout": POOL_STALE_SECONDS, "timeout": POOL_WAIT_SECONDS}
        try:
            db = connect_url(url, **params)
        except RuntimeError as exc:
            raise ValueError(f"unsupported database URL {url!r}: {exc}") from None
    database.initialize(db)
    return db


# PostgreSQL's SQLSTATEs for a transaction it rolled back so that another could go on:
# serialization_failure and deadlock_detected. Running the transaction again is the cure.
RETRYABLE_SQLSTATES = ("40001", "40P01")
RETRY_ATTEMPTS = 3


def is_retryable(exc):
    """True when ``exc`` (a peewee error wrapping the driver's) is a deadlock or serialization failure."""
    for candidate in (exc, *getattr(exc, "args", ())[:1], exc.__cause__, exc.__context__):
        if getattr(candidate, "pgcode", None) in RETRYABLE_SQLSTATES:
            return True
    return False


def retry_on_conflict(function):
    """Run ``function`` (which owns its whole transaction) again, up to RETRY_ATTEMPTS times in
    all, when PostgreSQL aborts it for a deadlock or a serialization failure; the last failure is
    raised. Only safe for operations that are idempotent by key (a retry of a checkout finds the
    sale if the first attempt had committed). Inside a caller's transaction nothing is retried:
    the caller's transaction is the one that failed. SQLite never raises these (its write
    transactions take the lock at BEGIN, one after the other).

    Transactions take their locks in one order (kiosk.ledger.service.move_balance: the store's
    ledger chain, then accounts, then the store's document counter, then products); the retry
    covers what still breaks it, such as another program's transaction.
    """

    @functools.wraps(function)
    def wrapped(*args, **kwargs):
        if database.in_transaction():
            return function(*args, **kwargs)
        for attempt in range(1, RETRY_ATTEMPTS + 1):
            try:
                return function(*args, **kwargs)
            except peewee.DatabaseError as exc:
                if attempt == RETRY_ATTEMPTS or not is_retryable(exc):
                    raise
            time.sleep(random.uniform(0.01, 0.05) * attempt)

    return wrapped


def is_busy(exc):
    """Whether ``exc`` (a peewee.OperationalError) means another connection held the lock for
    longer than the busy time-out (SQLite "database is locked"/"busy"; PostgreSQL lock_timeout)."""
    text = str(exc).lower()
    return isinstance(exc, peewee.OperationalError) and (
        "locked" in text or "busy" in text or "lock timeout" in text)


def is_sqlite():
    return isinstance(database.obj, peewee.SqliteDatabase)


def is_postgres():
    return isinstance(database.obj, peewee.PostgresqlDatabase)


def init_app(app):
    """Connect per request; close at teardown."""
    connect(database_url(app.config.get("DATABASE_URL"), app.instance_path),
            pool_size=app.config.get("DATABASE_POOL_SIZE", DEFAULT_POOL_SIZE), busy_timeout_ms=app.config.get("BUSY_TIMEOUT_MS"))

    @app.before_request
    def _open():
        database.connect(reuse_if_open=True)

    @app.teardown_request
    def _close(exc):
        if not database.is_closed():
            database.close()
