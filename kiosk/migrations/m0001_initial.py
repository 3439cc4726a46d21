"""The first schema: every table as the models describe it (created by kiosk.schema.upgrade)."""


def apply(migrator):
    """Nothing to alter: a database at version 0001 is created whole from the models."""
