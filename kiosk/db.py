"""The database: chosen at start-up from one URL, shared by the web app and the CLI.

``database`` is a proxy initialised by :func:`connect`; models never name an engine, so the
same code runs on SQLite (a kiosk PC) and, later, PostgreSQL (a district server).
"""
import os
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


def connect(url):
    """Point the proxy at the database named by ``url``; raises ValueError for an unknown scheme."""
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
        db = peewee.SqliteDatabase(
            path, pragmas=SQLITE_PRAGMAS, lock_type="IMMEDIATE", timeout=10, returning_clause=True
        )
    else:
        try:
            db = connect_url(url)
        except RuntimeError as exc:
            raise ValueError(f"unsupported database URL {url!r}: {exc}") from None
    database.initialize(db)
    return db


def is_sqlite():
    return isinstance(database.obj, peewee.SqliteDatabase)


def init_app(app):
    """Connect per request; close at teardown."""
    connect(database_url(app.config.get("DATABASE_URL"), app.instance_path))

    @app.before_request
    def _open():
        database.connect(reuse_if_open=True)

    @app.teardown_request
    def _close(exc):
        if not database.is_closed():
            database.close()
