"""The print queue knows no sale: a print job names whose document it prints with two plain
columns (``document_kind`` "sale" or "refund", ``document_id``) instead of foreign keys to the
sale and the return. Every job keeps its document: a return's job (which also named its sale)
becomes ("refund", its return), a sale's job ("sale", its sale), any other job ("", NULL).

SQLite cannot drop a column that a foreign key uses, so there the table is rebuilt without it
(playhouse's copy, drop, rename; kiosk.schema.upgrade defers foreign keys meanwhile and checks
them before the commit). PostgreSQL drops the columns, their constraints and indexes in place.
"""
import peewee
from playhouse.migrate import SqliteMigrator, migrate


def apply(migrator):
    database = migrator.database
    migrate(
        migrator.add_column("print_job", "document_kind", peewee.CharField(
            max_length=20, default="", constraints=[peewee.SQL("DEFAULT ''")])),
        migrator.add_column("print_job", "document_id", peewee.BigIntegerField(null=True)),
    )
    database.execute_sql(
        "UPDATE print_job SET document_kind = 'refund', document_id = refund_id WHERE refund_id IS NOT NULL")
    database.execute_sql(
        "UPDATE print_job SET document_kind = 'sale', document_id = sale_id"
        " WHERE refund_id IS NULL AND sale_id IS NOT NULL")
    for column in ("sale_id", "refund_id"):
        if isinstance(migrator, SqliteMigrator):
            migrate(migrator.drop_column("print_job", column, legacy=True))
        else:
            migrate(migrator.drop_column("print_job", column))
    migrate(migrator.add_index("print_job", ("document_kind", "document_id"), False))
