"""Imports from the volunteer platform waiting for confirmation (volunteer_import) and the
service records they created (volunteer_import_record)."""


def apply(migrator):
    from kiosk.volunteer.models import VolunteerImport, VolunteerImportRecord

    migrator.database.create_tables([VolunteerImport, VolunteerImportRecord])
