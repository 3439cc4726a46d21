"""The cashier screen as a whole page, as an htmx fragment, and without JavaScript."""
from tests.helpers import body


def test_plain_get_returns_the_whole_page(cashier):
    response = cashier.get("/cashier/")
    assert response.status_code == 200
    html = body(response)
    assert "<html" in html
    assert 'class="topbar"' in html and "测试信义积分超市" in html
    assert 'id="scan-form"' in html and 'name="code"' in html
    assert 'id="workspace"' in html
    assert "请扫描积分卡" in html


def test_htmx_get_returns_only_the_workspace_fragment(cashier):
    response = cashier.get("/cashier/", htmx=True)
    assert response.status_code == 200
    html = body(response).strip()
    assert "<html" not in html
    assert 'class="topbar"' not in html and 'id="scan-form"' not in html
    assert html.startswith('<div id="workspace"')
    assert "请扫描积分卡" in html


def test_htmx_history_restore_gets_the_whole_page(cashier, client):
    # Back/forward with an empty history cache asks again with HX-History-Restore-Request.
    response = client.get("/cashier/", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in body(response)


def test_responses_vary_on_hx_request(cashier, world):
    # Page and fragment share a URL: a cache must not serve one for the other.
    for response in (
        cashier.get("/cashier/"),
        cashier.get("/cashier/", htmx=True),
        cashier.post("/cashier/scan", {"code": world.payload("张建华")}),
    ):
        assert "HX-Request" in response.headers.get("Vary", "")


def test_htmx_post_answers_with_the_register_fragment_only(cashier, world):
    # A scan or a cart tap changes only the register; the goods grid is not sent again.
    response = cashier.post("/cashier/scan", {"code": world.payload("张建华")})
    assert response.status_code == 200
    html = body(response)
    assert "<html" not in html and html.lstrip().startswith('<aside id="register"')
    assert 'id="workspace"' not in html and "data-product=" not in html
    assert "已读卡：张*华" in html


def test_checkout_answers_with_the_whole_workspace_so_stock_figures_refresh(cashier, world):
    import re
    cashier.post("/cashier/scan", {"code": world.payload("张建华")})
    page = body(cashier.post("/cashier/cart/add", {"product_id": str(world.products["食盐"].id)}))
    fields = dict(re.findall(r'name="(key|version|total)" value="([^"]*)"', page))
    html = body(cashier.post("/cashier/checkout", fields))
    assert 'id="workspace"' in html
    assert "库存 49" in html  # 食盐: 50 in stock, one just sold


def test_post_without_htmx_redirects_back_and_flashes_the_message(cashier, world):
    response = cashier.post("/cashier/scan", {"code": world.payload("张建华")}, htmx=False)
    assert response.status_code in (302, 303)
    assert response.headers["Location"] == "/cashier/"
    assert cashier.register()["card_id"] == world.cards["张建华"].id
    page = body(cashier.get("/cashier/"))
    assert "已读卡：张*华" in page
    assert "<html" in page
    # A flash is shown once.
    assert "已读卡：张*华" not in body(cashier.get("/cashier/"))


def test_refusal_without_htmx_redirects_back_and_flashes_the_error(cashier, world, books):
    before = books()
    response = cashier.post("/cashier/scan", {"code": "garbage!!"}, htmx=False)
    assert response.status_code in (302, 303)
    assert response.headers["Location"] == "/cashier/"
    page = body(cashier.get("/cashier/"))
    assert "无法识别扫描内容" in page
    assert 'role="alert"' in page
    assert books() == before


def test_no_js_cart_round_trip_works_with_form_posts(cashier, world):
    cashier.post("/cashier/scan", {"code": world.payload("张建华")}, htmx=False)
    response = cashier.post("/cashier/cart/add", {"product_id": str(world.products["大米"].id)}, htmx=False)
    assert response.status_code in (302, 303)
    page = body(cashier.get("/cashier/"))
    assert 'data-line="大米"' in page
    assert 'data-testid="total">50<' in page


def test_no_js_checkout_redirects_and_shows_the_completed_redemption(cashier, world, checkout_form):
    cashier.post("/cashier/scan", {"code": world.payload("张建华")}, htmx=False)
    cashier.post("/cashier/cart/add", {"product_id": str(world.products["大米"].id)}, htmx=False)
    form = checkout_form(cashier.get("/cashier/"))
    response = cashier.post("/cashier/checkout", dict(form.fields), htmx=False)
    assert response.status_code in (302, 303)
    assert response.headers["Location"] == "/cashier/"
    page = body(cashier.get("/cashier/"))
    assert "兑换成功，扣除 50 积分" in page
    assert 'data-testid="new-balance">450<' in page
