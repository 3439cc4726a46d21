def test_cashier_page_renders_for_a_signed_in_cashier(cashier):
    response = cashier.get("/cashier/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "请扫描积分卡" in html
    assert "测试信义积分超市" in html
