"""Stores get their own time zone. An existing store keeps the zone its installation ran on
(KIOSK_TIMEZONE when it is set, else Asia/Shanghai), so no day or month moves."""
import os

import peewee
from playhouse.migrate import migrate


def apply(migrator):
    zone = os.environ.get("KIOSK_TIMEZONE", "").strip() or "Asia/Shanghai"
    migrate(
        migrator.add_column("store", "timezone", peewee.CharField(
            max_length=64, default="Asia/Shanghai", constraints=[peewee.SQL("DEFAULT 'Asia/Shanghai'")])),
    )
    migrator.database.execute_sql('UPDATE "store" SET "timezone" = ' + migrator.database.param, (zone,))
