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


# -- ids beyond the database's range ----------------------------------------------------------

HUGE = 2**63


@pytest.mark.parametrize(
    "path",
    [
        f"/api/v1/initiatives/{HUGE}",
        f"/api/v1/initiatives/-{HUGE}",
        f"/api/v1/initiatives/1/attachments/{HUGE}",
    ],
)
def test_an_id_beyond_the_databases_range_is_bad_input(client, unit_officer, bearer, path):
    response = client.get(path, headers=bearer(unit_officer))
    assert response.status_code == 422
    assert response.json()["message"]


@pytest.mark.parametrize(
    "body",
    [
        {"ids": [HUGE], "decision": "valid"},
        {"ids": [-HUGE], "decision": "valid"},
        {"ids": [1], "decision": "valid", "versions": {"1": HUGE}},
        {"ids": [1], "decision": "valid", "benefits": {str(HUGE): 5}},
    ],
)
def test_bulk_decision_ids_beyond_the_databases_range_are_bad_input(
    client, unit_officer, bearer, body
):
    response = client.post(
        "/api/v1/initiatives/decisions",
        body,
        content_type="application/json",
        headers=bearer(unit_officer),
    )
    assert response.status_code == 422


def test_the_schema_says_how_large_an_id_may_be(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    (param,) = schema["paths"]["/api/v1/initiatives/{initiative_id}"]["get"]["parameters"]
    assert param["schema"]["minimum"] == 1
    assert param["schema"]["maximum"] == 2**63 - 1
