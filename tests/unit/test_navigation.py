"""kiosk.navigation: the screens of each role by task, as the header and the home tiles show them."""
from kiosk.navigation import header_for, screens_for
from kiosk.staff.models import CASHIER, MANAGER, OPERATIONS, SERVICE


def shape(role, path="/home"):
    return [(entry.key, entry.menu, [screen.endpoint for screen, _ in entry.screens]) for entry in header_for(role, path)]


def test_a_role_with_few_screens_sees_them_all_as_links():
    assert shape(SERVICE) == [
        ("points", False, ["earning.review", "volunteer_import.page", "notice.page"]),
        ("admin", False, ["reports.page"]),
    ]


def test_a_role_with_many_screens_sees_a_menu_per_task():
    assert shape(CASHIER) == [
        ("till", True, ["cashier.page", "returns.page", "printing.page", "dayclose.page"]),
        ("stock", True, ["goods.goods_in", "goods.goods_out", "stocktake.index"]),
    ]
    assert [key for key, menu, _ in shape(MANAGER) if menu] == ["till", "stock", "points", "admin"]
    assert [key for key, _menu, _ in shape(OPERATIONS)] == ["stock", "points"]


def test_the_current_screen_is_found_by_its_path_and_only_it():
    def current(path):
        return [screen.endpoint for entry in header_for(MANAGER, path) for screen, now in entry.screens if now]

    assert current("/stocktake/") == ["stocktake.index"]
    assert current("/stocktake/3/count") == ["stocktake.index"]
    assert current("/stock/in/") == ["goods.goods_in"]
    assert current("/earning/") == ["earning.page"]
    assert current("/earning/review") == ["earning.review"]
    assert current("/earning/import/") == ["volunteer_import.page"]
    assert current("/home") == []


def test_every_role_opens_only_the_screens_its_header_names():
    for role in (CASHIER, OPERATIONS, SERVICE, MANAGER):
        assert screens_for(role) == [screen.endpoint for entry in header_for(role, "/") for screen, _ in entry.screens]
    assert "settings.page" in screens_for(MANAGER) and "settings.page" not in screens_for(CASHIER)
