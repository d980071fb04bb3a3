from __future__ import annotations

import pytest

import sangkien.api.units


def assert_json_error(response, status: int) -> dict:
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert isinstance(body["message"], str) and body["message"]
    return body


@pytest.mark.parametrize("url", ["/api/v1/", "/api/v1/nothing-here", "/api/v1/units/TH/extra/"])
def test_unknown_routes_get_json_404(client, login, unit_officer, url):
    assert_json_error(client.get(url), 404)  # even before signing in
    assert_json_error(login(unit_officer).get(url), 404)


def test_unknown_route_with_another_method_gets_json_404(client, tree):
    assert_json_error(client.post("/api/v1/nothing-here", {}), 404)


def test_wrong_method_gets_json_405(login, unit_officer):
    body = assert_json_error(login(unit_officer).delete("/api/v1/units/TH"), 405)
    assert "DELETE" in body["message"]


def test_bad_query_parameter_gets_422_naming_it(login, unit_officer):
    body = assert_json_error(login(unit_officer).get("/api/v1/units?limit=zero"), 422)
    assert "limit" in body["message"]
    assert "limit" in body["errors"]


def test_server_errors_are_json_without_details(login, unit_officer, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(sangkien.api.units, "top_units_for", broken)
    response = login(unit_officer).get("/api/v1/units")
    body = assert_json_error(response, 500)
    assert "secret internals" not in response.content.decode()
    assert "Traceback" not in response.content.decode()
    assert set(body) == {"message"}


@pytest.mark.parametrize("language", ["en", "vi"])
def test_errors_follow_accept_language(client, tree, language):
    response = client.get("/api/v1/units", headers={"Accept-Language": language})
    assert_json_error(response, 401)
    assert response["Content-Language"] == language


def test_messages_are_translated(client, tree):
    english = client.get("/api/v1/nothing", headers={"Accept-Language": "en"}).json()
    vietnamese = client.get("/api/v1/nothing", headers={"Accept-Language": "vi"}).json()
    default = client.get("/api/v1/nothing").json()
    assert english == {"message": "Not found."}
    assert vietnamese["message"] != english["message"]
    assert default == vietnamese  # Vietnamese first
