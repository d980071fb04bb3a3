"""Who may see and change the statistics of a unit: anyone who sees the unit sees its
dashboard, snapshots and clusters (404 otherwise); officers and administrators of the subtree
take snapshots and define clusters (403 for the others who see it)."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from sangkien.accounts.models import Role
from sangkien.accounts.permissions import can_view_unit, has_role_on
from sangkien.orgs.models import Unit, UnitQuerySet
from sangkien.orgs.permissions import units_visible_to

from .models import Cluster, Snapshot

# Who takes snapshots and defines clusters on a unit's subtree.
MANAGE_STATS = frozenset({Role.OFFICER, Role.ADMIN})


def can_manage_stats(user: Any, unit: Unit) -> bool:
    return has_role_on(user, unit, MANAGE_STATS)


def get_snapshot_for_user(user: Any, pk: int) -> Snapshot:
    snapshot = (
        Snapshot.objects.select_related("unit", "campaign", "phase", "created_by")
        .filter(pk=pk)
        .first()
    )
    if snapshot is None or not can_view_unit(user, snapshot.unit):
        raise Http404
    return snapshot


def get_cluster_for_user(user: Any, pk: int) -> Cluster:
    cluster = Cluster.objects.select_related("owner").filter(pk=pk).first()
    if cluster is None or not can_view_unit(user, cluster.owner):
        raise Http404
    return cluster


def cluster_scope(user: Any) -> UnitQuerySet:
    """The units a cluster's codes are looked up in: those the user sees (the service then
    keeps to the units below the cluster's owner)."""
    return units_visible_to(user)
