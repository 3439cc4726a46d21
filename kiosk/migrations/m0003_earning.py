"""The rules catalog (rule) and service records with their review (service_record)."""


def apply(migrator):
    from kiosk.earning.models import Rule, ServiceRecord

    migrator.database.create_tables([Rule, ServiceRecord])
