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
        "/api/v1/campaigns",
        "/api/v1/campaigns/{code}",
        "/api/v1/initiatives",
        "/api/v1/initiatives/{initiative_id}",
        "/api/v1/initiatives/{initiative_id}/submit",
        "/api/v1/initiatives/{initiative_id}/decision",
        "/api/v1/initiatives/{initiative_id}/withdraw",
        "/api/v1/initiatives/{initiative_id}/reopen",
        "/api/v1/initiatives/{initiative_id}/attachments",
        "/api/v1/initiatives/{initiative_id}/attachments/{attachment_id}",
        "/api/v1/stats",
    }


def test_openapi_names_are_clean(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    assert set(schema["components"]["schemas"]) == {
        "Unit", "UnitPage", "AuditEntry", "AuditPage", "Member", "MemberPage",
        "Error", "InvalidInput",
        "Campaign", "CampaignList", "CampaignField", "Phase",
        "Initiative", "InitiativeSummary", "InitiativePage", "InitiativeCreate",
        "InitiativeChanges", "Author", "AuthorIn", "Attachment", "HistoryEntry",
        "VersionIn", "DecisionIn", "WithdrawIn", "ReopenIn",
        "BulkDecisionIn", "BulkDecisionItem", "BulkDecisionOut",
        "StatsReport", "UnitFigures", "Ranks", "MeasureRanks",
        "UnitMoveIn", "UnitMergeIn", "UnitSplitIn", "UnitDissolveIn", "NewUnitIn", "UnitList",
        "Token", "TokenList",
        "UnitQuotas", "QuotaRow", "AllocationIn", "FigureIn",
        "PlanOut", "Coverage", "UnitPlans", "PlanIn",
    }  # fmt: skip
    operation_ids = {op["operationId"] for path in schema["paths"].values() for op in path.values()}
    assert operation_ids == {
        "list_units", "get_unit", "list_members", "get_member",
        "list_campaigns", "get_campaign",
        "list_initiatives", "create_initiative", "get_initiative", "update_initiative",
        "submit_initiative", "decide_initiative", "decide_initiatives", "withdraw_initiative",
        "reopen_initiative",
        "add_attachment", "list_audit", "download_attachment", "get_stats",
        "move_unit", "merge_units", "split_unit", "dissolve_unit",
        "list_tokens", "revoke_token",
        "get_quotas", "allocate_quotas", "set_target", "set_own_quota",
        "get_plans", "put_plan", "delete_plan",
    }  # fmt: skip


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


def test_openapi_documents_initiative_errors_and_history_names(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    decision = schema["paths"]["/api/v1/initiatives/{initiative_id}/decision"]["post"]
    assert {"200", "401", "403", "404", "409", "422"} <= set(decision["responses"])
    history = schema["components"]["schemas"]["HistoryEntry"]["properties"]
    assert {"action", "from", "to", "by", "at", "note", "benefit_valid_vnd"} <= set(history)
    upload = schema["paths"]["/api/v1/initiatives/{initiative_id}/attachments"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]
    assert "403" in schema["info"]["description"]
