"""Receipts exactly once: a print job records whether an attempt may have reached the paper
(uncertain) and whether the printer confirmed it (unconfirmed); a store chooses what happens to
an uncertain receipt (reprint marked 重印, or wait for a person) and after how many minutes an
unprinted receipt is a problem; receipt numbers get a floor that a restore raises, so a number
printed before the restore is never issued again."""
import peewee
from playhouse.migrate import migrate


def apply(migrator):
    migrate(
        migrator.add_column("print_job", "uncertain", peewee.BooleanField(
            default=False, constraints=[peewee.SQL("DEFAULT FALSE")])),
        migrator.add_column("print_job", "unconfirmed", peewee.BooleanField(
            default=False, constraints=[peewee.SQL("DEFAULT FALSE")])),
        migrator.add_column("store", "receipt_uncertain", peewee.CharField(
            max_length=10, default="reprint", constraints=[peewee.SQL("DEFAULT 'reprint'")])),
        migrator.add_column("store", "receipt_problem_minutes", peewee.IntegerField(
            default=30, constraints=[peewee.SQL("DEFAULT 30")])),
        migrator.add_column("store", "sale_number_floor", peewee.BigIntegerField(
            default=0, constraints=[peewee.SQL("DEFAULT 0")])),
        migrator.add_column("store", "refund_number_floor", peewee.BigIntegerField(
            default=0, constraints=[peewee.SQL("DEFAULT 0")])),
    )
