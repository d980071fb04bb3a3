def test_pages_are_vietnamese_whatever_the_browser_says(client, db):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.headers["Content-Language"] == "vi"
    assert "Đăng nhập" in response.content.decode()


def test_the_language_switch_wins(client, db):
    client.cookies["sangkien_language"] = "en"
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="vi")
    assert response.headers["Content-Language"] == "en"
    assert "Log in" in response.content.decode()


def test_api_honours_accept_language(client, db):
    response = client.get("/api/v1/units", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 401
    assert response.json()["message"].startswith("Sign in")
    response = client.get("/api/v1/units", HTTP_ACCEPT_LANGUAGE="vi")
    assert "đăng nhập" in response.json()["message"]
