"""Issuing, reporting lost (挂失) and reissuing (补卡) cards: the balance stays with the account."""
import threading

import pytest

from kiosk.cards import service as cards
from kiosk.cards.models import Card
from kiosk.db import database
from kiosk.errors import KioskError


def test_issued_cards_get_numbers_a_neighbour_cannot_guess(world):
    resident = world.cards["张建华"].resident
    first = cards.issue_card(world.store, resident, world.accounts["张建华"])
    second = cards.issue_card(world.store, resident, world.accounts["张建华"])
    assert all(cards.CARD_NUMBER.fullmatch(card.number) for card in (first, second))
    assert abs(int(second.number) - int(first.number)) > 1000  # not the next one (1 in 90,000 to fail)
    assert first.holder_name == "张建华" and first.status == "active"


def test_a_lost_card_is_refused_and_its_reissue_keeps_the_balance(world):
    old = world.cards["张建华"]
    payload = world.payload("张建华")
    lost = cards.report_lost(old)
    assert lost.status == "lost" and lost.revoked_at is not None
    with pytest.raises(KioskError, match="card_lost"):
        cards.find_card(world.store, payload, world.card_key)
    new = cards.reissue(lost)
    assert new.account_id == old.account_id and new.replaces_id == old.id
    assert new.account.balance == 500
    found = cards.find_card(world.store, cards.card_payload("XY", new.number, world.card_key), world.card_key)
    assert found.id == new.id
    # The old card stays on record, still refused.
    assert Card.get_by_id(old.id).status == "lost"
    with pytest.raises(KioskError, match="card_lost"):
        cards.find_card(world.store, payload, world.card_key)


def test_an_active_card_must_be_reported_lost_before_it_is_reissued(world):
    with pytest.raises(KioskError, match="card_still_active"):
        cards.reissue(world.cards["张建华"])


def test_a_card_is_reported_lost_once_and_reissued_once(world):
    lost = cards.report_lost(world.cards["张建华"])
    with pytest.raises(KioskError, match="card_lost"):
        cards.report_lost(lost)
    cards.reissue(lost)
    with pytest.raises(KioskError, match="card_already_reissued"):
        cards.reissue(lost)


def test_a_revoked_card_is_not_reissued(world):
    card = world.cards["张建华"]
    Card.update(status="revoked").where(Card.id == card.id).execute()
    with pytest.raises(KioskError, match="card_revoked"):
        cards.reissue(card)


def test_two_desks_reissuing_one_lost_card_at_once_make_one_new_card(world):
    lost = cards.report_lost(world.cards["张建华"])
    barrier = threading.Barrier(4)
    outcomes = []

    def desk():
        database.connect(reuse_if_open=True)
        try:
            barrier.wait()
            outcomes.append(cards.reissue(lost).number)
        except KioskError as exc:
            outcomes.append(exc.code)
        finally:
            database.close()

    threads = [threading.Thread(target=desk) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes).count("card_already_reissued") == 3
    assert Card.select().where(Card.replaces == lost).count() == 1
