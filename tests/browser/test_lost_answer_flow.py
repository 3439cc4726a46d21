"""A checkout whose answer is lost on the way back (the sale committed): the screen does not
say that nothing changed; it looks the sale up by its key and shows it."""
from playwright.sync_api import expect

from tests.browser.test_redemption_flow import payload_of
from tests.helpers import balance_of, scan, sign_in

CARDS = {1280: "10000002", 1024: "10000005"}


def test_a_lost_answer_is_looked_up_and_the_sale_shown(server, page):
    url, env = server
    number = CARDS[page.viewport_size["width"]]
    before = balance_of(env, number)
    sign_in(page, url, "张桂兰", "3333")
    expect(page.get_by_text("请扫描积分卡")).to_be_visible()
    scan(page, payload_of(env, number))
    expect(page.get_by_test_id("balance")).to_have_text(str(before))
    page.locator("[data-product='加碘食盐 400g']").tap()
    expect(page.locator("[data-line='加碘食盐 400g']")).to_be_visible()

    def lose_the_answer(route):
        route.fetch()  # the server gets the checkout and commits it
        route.abort("connectionreset")  # ... and its answer never reaches the screen

    page.route("**/cashier/checkout", lose_the_answer)
    page.get_by_role("button", name="确认兑换").tap()
    banner = page.locator("#connection-error")
    expect(banner).to_contain_text("积分可能已经扣除")
    expect(banner).not_to_contain_text("未做任何更改")
    # It asks by itself after a moment; the button does the same.
    expect(page.get_by_text("这笔兑换已经完成：已扣除 20 积分。")).to_be_visible(timeout=10000)
    assert balance_of(env, number) == before - 20
