"""Request bodies the API cannot use get a JSON answer that says why, never a 500."""

from __future__ import annotations

import json

import pytest

from sangkien.api.tests import test_initiatives as base
from sangkien.api.tests.test_initiatives import draft, entry, error, url
from sangkien.initiatives.models import Initiative

api = base.api


@pytest.fixture
def campaign(tree):
    """The initiatives API tests' campaign (test_initiatives keeps its own in a kept world)."""
    return base.make_api_campaign(tree)


def test_multipart_without_boundary_gets_400(api, member, campaign):
    response = api(
        "post",
        "/api/v1/initiatives",
        member,
        data=b"--x\r\n",
        content_type="multipart/form-data",
    )
    error(response, 400)


def test_body_over_the_limit_gets_413(api, member, campaign, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = entry(description="x" * 20_000)
    response = api("post", "/api/v1/initiatives", member, body=body)
    error(response, 413)


def test_malformed_json_gets_a_json_400(api, member, campaign):
    response = api(
        "post", "/api/v1/initiatives", member, data="{not json", content_type="application/json"
    )
    error(response, 400)


def test_lone_surrogate_gets_422_and_writes_nothing(api, member, campaign):
    raw = '{"campaign": "1TRIEU", "unit": "TH-KCN-001", "title": "\\ud800"}'
    response = api("post", "/api/v1/initiatives", member, data=raw, content_type="application/json")
    body = error(response, 422)
    assert "title" in body["errors"], body
    assert not Initiative.objects.exists()


@pytest.mark.parametrize("raw", ['"Tên mới"', "[1, 2]", "42", "null"])
def test_patch_body_must_be_an_object(api, member, campaign, raw):
    initiative = draft(member, campaign)
    response = api("patch", url(initiative), member, data=raw, content_type="application/json")
    assert response.status_code in (400, 422), response.content
    error(response, response.status_code)
    initiative.refresh_from_db()
    assert initiative.title == "Cải tiến khuôn ép đế giày"


def test_the_openapi_documents_400_and_413(client):
    spec = client.get("/api/v1/openapi.json").json()
    create = spec["paths"]["/api/v1/initiatives"]["post"]["responses"]
    assert "400" in create and "413" in create, sorted(create)
    assert json.dumps(spec)  # serialisable


def test_a_recognition_date_in_year_one_gets_422(api, member, campaign):
    response = api("post", "/api/v1/initiatives", member, body=entry(recognition_date="0001-01-01"))
    body = error(response, 422)
    assert "recognition_date" in body["errors"], body


def test_hidden_characters_in_a_title_are_dropped(api, member, campaign):
    response = api(
        "post", "/api/v1/initiatives", member, body=entry(title="Cải tiến\u200b khuôn\u202e ép")
    )
    assert response.status_code == 201, response.content
    assert response.json()["title"] == "Cải tiến khuôn ép"
