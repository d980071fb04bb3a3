"""The unit each audit entry belongs to, so that officers read the entries of their subtree;
existing entries get the unit of their object where it can still be found (the object's
unit now, or the unit its recorded state names)."""

import django.db.models.deletion
from django.db import migrations, models

# object type -> (app, model, the lookup that gives the unit's id)
RESOLVERS = {
    "orgs.member": ("orgs", "Member", "unit_id"),
    "initiatives.initiative": ("initiatives", "Initiative", "unit_id"),
    "quotas.quota": ("quotas", "Quota", "unit_id"),
    "plans.plan": ("plans", "Plan", "unit_id"),
    "teams.team": ("teams", "Team", "unit_id"),
    "accounts.rolegrant": ("accounts", "RoleGrant", "unit_id"),
    "stats.snapshot": ("stats", "Snapshot", "unit_id"),
    "stats.cluster": ("stats", "Cluster", "owner_id"),
    "campaigns.campaign": ("campaigns", "Campaign", "owner_id"),
    "accounts.user": ("accounts", "User", "member__unit_id"),
    "accounts.invitation": ("accounts", "Invitation", "member__unit_id"),
    "accounts.apitoken": ("accounts", "ApiToken", "user__member__unit_id"),
}
CHUNK = 2000


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def backfill(apps, schema_editor):
    AuditEntry = apps.get_model("core", "AuditEntry")
    Unit = apps.get_model("orgs", "Unit")
    last = 0
    while True:
        rows = list(
            AuditEntry.objects.filter(unit__isnull=True, pk__gt=last)
            .order_by("pk")
            .values("pk", "object_type", "object_id", "before", "after")[:CHUNK]
        )
        if not rows:
            return
        last = rows[-1]["pk"]
        found: dict[int, int | None] = {}
        by_type: dict[str, list[dict]] = {}
        for row in rows:
            by_type.setdefault(row["object_type"], []).append(row)
        for object_type, items in by_type.items():
            ids = {i for i in (_int(r["object_id"]) for r in items) if i is not None}
            if object_type == "orgs.unit":
                units = dict.fromkeys(Unit.objects.filter(pk__in=ids).values_list("pk", flat=True))
                mapping = {pk: pk for pk in units}
            elif object_type in RESOLVERS:
                app, model, lookup = RESOLVERS[object_type]
                Model = apps.get_model(app, model)
                mapping = dict(Model.objects.filter(pk__in=ids).values_list("pk", lookup))
            else:
                mapping = {}
            for r in items:
                found[r["pk"]] = mapping.get(_int(r["object_id"]))
        # Gone objects (a deleted plan or grant): the unit their recorded state names.
        codes: dict[str, list[int]] = {}
        pks: dict[int, list[int]] = {}
        for row in rows:
            if found.get(row["pk"]) is not None:
                continue
            state = row["after"] if isinstance(row["after"], dict) else row["before"]
            value = state.get("unit") if isinstance(state, dict) else None
            if isinstance(value, int):
                pks.setdefault(value, []).append(row["pk"])
            elif isinstance(value, str) and value:
                codes.setdefault(value.upper(), []).append(row["pk"])
        for pk in Unit.objects.filter(pk__in=list(pks)).values_list("pk", flat=True):
            for entry in pks[pk]:
                found[entry] = pk
        for pk, code in Unit.objects.filter(code__in=list(codes)).values_list("pk", "code"):
            for entry in codes[code]:
                found[entry] = pk
        by_unit: dict[int, list[int]] = {}
        for entry, unit_id in found.items():
            if unit_id is not None:
                by_unit.setdefault(unit_id, []).append(entry)
        for unit_id, entries in by_unit.items():
            AuditEntry.objects.filter(pk__in=entries).update(unit_id=unit_id)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("orgs", "0001_initial"),
        ("initiatives", "0005_history_moved_from"),
        ("quotas", "0001_initial"),
        ("plans", "0001_initial"),
        ("teams", "0001_initial"),
        ("accounts", "0004_login_attempts"),
        ("stats", "0003_ranks"),
        ("campaigns", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditentry",
            name="unit",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="orgs.unit",
                verbose_name="unit",
            ),
        ),
        migrations.AddIndex(
            model_name="auditentry",
            index=models.Index(fields=["unit", "at", "id"], name="audit_unit_at"),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
