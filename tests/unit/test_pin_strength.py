"""A PIN a person chooses (set-up, staff screen, kiosk staff) must not be one anybody would try."""
import pytest

from kiosk.errors import KioskError
from kiosk.staff.service import check_new_pin


@pytest.mark.parametrize("pin", ["0000", "1111", "99999999", "1234", "0123", "3456789", "4321", "9876", "1212",
                                 "696969", "2580", "5201314"])
def test_guessable_pins_are_refused(pin):
    with pytest.raises(KioskError) as refused:
        check_new_pin(pin)
    assert refused.value.code == "weak_pin"


@pytest.mark.parametrize("pin", ["2468", "7391", "1357", "80426", "1122", "19870503"])
def test_other_pins_are_accepted(pin):
    assert check_new_pin(pin, pin) == pin


@pytest.mark.parametrize("pin", ["", "123", "123456789", "12 34", "１２３４", "abcd", None])
def test_a_pin_is_4_to_8_ascii_digits(pin):
    with pytest.raises(KioskError) as refused:
        check_new_pin(pin)
    assert refused.value.code == "bad_pin_format"


def test_the_second_typing_must_match():
    with pytest.raises(KioskError) as refused:
        check_new_pin("2468", "2467")
    assert refused.value.code == "pins_differ"
