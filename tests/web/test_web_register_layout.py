"""What the register shows around the cart, so the cart keeps its room (see
tests/browser/test_cashier_cart_fits.py for the measured layout): the goods counted in the
total's row, the cue the script fills, and an open redemption window named under 确认兑换
once a card is scanned, not above the cart."""
from kiosk.redemption import service as redemption
from kiosk.web import local_today
from tests.helpers import body


def scan_and_add(cashier, world, *names):
    assert cashier.post("/cashier/scan", {"code": world.payload("张建华")}).status_code == 200
    for name in names:
        response = cashier.post("/cashier/cart/add", {"product_id": str(world.products[name].id)})
    return body(response)


def test_the_total_counts_the_goods_and_the_cart_is_a_list_with_a_cue(cashier, world):
    html = scan_and_add(cashier, world, "食盐", "食盐", "大米")
    assert '<small data-testid="item-count">共 3 件</small>' in html
    assert 'class="cart" role="list"' in html and html.count('role="listitem"') == 2
    assert 'data-below="还有 %n 种商品，向下滑动"' in html and 'data-above="上面还有 %n 种商品"' in html


def test_an_empty_cart_is_a_labelled_group_without_a_count(cashier):
    html = body(cashier.get("/cashier/"))
    assert 'class="cart" role="group" aria-label="购物车"' in html and "item-count" not in html


def test_with_a_card_an_open_window_is_named_under_the_redeem_button(app, cashier, world):
    with app.test_request_context():
        today = local_today()
    redemption.set_window(world.store, "month_days", days=[str(today.day)])
    assert 'class="window-open"' in body(cashier.get("/cashier/"))  # no card: above, as before
    html = scan_and_add(cashier, world, "食盐")
    assert 'class="window-open"' not in html
    assert html.index("确认兑换") < html.index('<p class="window-until" data-testid="window-open">兑换开放至')
    assert html.index('class="cart"') < html.index("确认兑换")
