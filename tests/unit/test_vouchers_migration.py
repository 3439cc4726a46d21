"""m0023 adds the partner and voucher tables to a database that has data."""
from kiosk import schema
from kiosk.db import database
from kiosk.vouchers.models import MODELS, Partner, VoucherTerms
from tests.helpers import drop_tables


def test_m0023_creates_the_voucher_tables_on_a_database_with_data(db, world, monkeypatch):
    from kiosk.inventory.models import VOUCHER, Product

    drop_tables(list(reversed(MODELS)))
    every = schema.available_migrations()
    monkeypatch.setattr(schema, "available_migrations", lambda: [step for step in every if step[0] < 23])
    schema.SchemaVersion.delete().where(schema.SchemaVersion.version >= 23).execute()
    assert schema.upgrade() == []
    assert "voucher" not in database.get_tables()
    monkeypatch.setattr(schema, "available_migrations", lambda: [step for step in every if step[0] <= 23])
    assert schema.upgrade() == ["m0023_vouchers"]
    assert {"partner", "voucher_terms", "settlement", "voucher", "voucher_event"} <= set(database.get_tables())
    partner = Partner.create(store=world.store, name="老王水果摊")
    product = Product.create(store=world.store, name="时令水果券", category="服务券", points=30, kind=VOUCHER)
    VoucherTerms.create(product=product, partner=partner, face="时令水果 1 份")
    assert VoucherTerms.get(VoucherTerms.product == product).valid_days == 30
    unique = {tuple(index.columns) for index in database.get_indexes("voucher_event") if index.unique}
    assert ("voucher_id", "kind") in unique
    assert ("store_id", "serial") in {tuple(i.columns) for i in database.get_indexes("voucher") if i.unique}
