from __future__ import annotations

import json


def test_openapi_is_served_as_json_with_our_paths(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Sáng kiến API"
    assert set(schema["paths"]) >= {
        "/api/v1/units",
        "/api/v1/units/{code}",
        "/api/v1/members",
        "/api/v1/members/{code}",
    }


def test_openapi_names_are_clean(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    assert set(schema["components"]["schemas"]) == {
        "Unit", "UnitPage", "Member", "MemberPage", "Error", "InvalidInput",
    }  # fmt: skip
    operation_ids = {op["operationId"] for path in schema["paths"].values() for op in path.values()}
    assert operation_ids == {"list_units", "get_unit", "list_members", "get_member"}


def test_openapi_documents_auth_errors_and_personal_data(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"
    members = schema["paths"]["/api/v1/members"]["get"]
    assert {"200", "401", "404", "422"} <= set(members["responses"])
    assert "personal_data_visible" in schema["info"]["description"]
    assert "personal_data_visible" in schema["components"]["schemas"]["Member"]["properties"]


def test_every_ref_in_openapi_resolves(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    refs = set()

    def walk(node):
        if isinstance(node, dict):
            if "$ref" in node:
                refs.add(node["$ref"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)
    assert refs
    for ref in refs:
        assert ref.removeprefix("#/components/schemas/") in schema["components"]["schemas"]
