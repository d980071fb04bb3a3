import ast
import importlib
from pathlib import Path

import pytest
from django.apps import apps
from django.db import connection

from sangkien.initiatives.models import Status
from sangkien.initiatives.tests.builders import make_campaign, make_initiative, today
from sangkien.orgs import services as orgs
from sangkien.stats import recount
from sangkien.stats.models import MemberSpan, OwnDay, TreeDay, TreeTotal

build_aggregates = importlib.import_module("sangkien.stats.migrations.0002_build_aggregates")


def _rows():
    return {
        model.__name__: sorted(
            tuple(row)
            for row in model.objects.values_list(
                *[f.attname for f in model._meta.concrete_fields if f.name != "id"]
            )
        )
        for model in (TreeDay, TreeTotal, OwnDay, MemberSpan)
    }


@pytest.mark.django_db
def test_the_frozen_migration_writes_what_the_live_rebuild_writes(tree, member_record):
    campaign = make_campaign(tree.root)
    colleague = orgs.create_member(unit=tree.grassroots2, full_name="Lê Văn Nam", by=None)
    both = [{"member": member_record, "share": 60}, {"member": colleague, "share": 40}]
    make_initiative(campaign, tree.grassroots, by=None, authors=both, status=Status.VALID)
    make_initiative(
        campaign, tree.grassroots, by=None, authors=both, status=Status.INVALID, title="Hai"
    )
    make_initiative(
        campaign,
        tree.grassroots2,
        by=None,
        authors=[{"member": colleague, "share": 100}],
        status=Status.RETURNED,
        title="Ba",
        benefit_claimed_vnd=7_000_000,
    )
    make_initiative(
        campaign,
        tree.grassroots2,
        by=None,
        authors=[{"member": colleague, "share": 100}],
        status=Status.WITHDRAWN,
        title="Rút",
    )
    make_initiative(
        campaign,
        tree.grassroots2,
        by=None,
        authors=[{"member": colleague, "share": 100}],
        status=Status.SUBMITTED,
        title="Bốn",
    )
    orgs.merge_units([tree.grassroots2], into=tree.grassroots, by=None, on=today())
    recount.rebuild()
    live = _rows()
    assert live["TreeDay"] and live["OwnDay"] and live["MemberSpan"]
    for model in (TreeDay, TreeTotal, OwnDay, MemberSpan):
        model.objects.all().delete()
    build_aggregates.rebuild(apps, connection)
    assert _rows() == live
    assert recount.check() == []


@pytest.mark.django_db
def test_the_frozen_migration_does_nothing_without_initiatives(tree):
    make_campaign(tree.root)

    class Editor:
        pass

    editor = Editor()
    editor.connection = connection
    build_aggregates.build(apps, editor)
    assert not TreeDay.objects.exists() and not TreeTotal.objects.exists()


def test_the_migration_imports_no_live_code():
    tree = ast.parse(Path(build_aggregates.__file__).read_text(encoding="utf-8"))
    imported = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert imported and not any(name.startswith("sangkien") for name in imported)
