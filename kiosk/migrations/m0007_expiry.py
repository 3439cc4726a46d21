"""Points expiry and a point's value in yuan, per store (kiosk.expiry).

Plain ``ALTER TABLE … ADD COLUMN … NOT NULL DEFAULT …``, which SQLite and PostgreSQL both do in
place. (playhouse's SqliteMigrator adds a NOT NULL column by rebuilding the table, and dropping
the old ``store`` table fails its foreign keys once accounts, cards and sales point at it.)
"""

COLUMNS = {
    "expiry_mode": "VARCHAR(10) NOT NULL DEFAULT 'none'",
    "expiry_month_day": "VARCHAR(5) NOT NULL DEFAULT '12-31'",
    "expiry_months": "INTEGER NOT NULL DEFAULT 12",
    "expiry_notice_days": "INTEGER NOT NULL DEFAULT 30",
    "expiry_start": "DATE",
    "point_value_fen": "INTEGER",
}


def apply(migrator):
    database = migrator.database
    # Only the missing columns, so that re-applying earlier migrations in tests stays harmless.
    present = {column.name for column in database.get_columns("store")}
    for name, definition in COLUMNS.items():
        if name not in present:
            database.execute_sql(f'ALTER TABLE "store" ADD COLUMN "{name}" {definition}')
