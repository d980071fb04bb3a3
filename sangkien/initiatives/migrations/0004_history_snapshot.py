from collections import defaultdict

from django.db import migrations, models


def fill_snapshots(apps, schema_editor):
    """Entries written before the statistics read them: the claimed benefit and member
    authors as they are now (nothing could change them after submission until now)."""
    HistoryEntry = apps.get_model("initiatives", "HistoryEntry")
    Initiative = apps.get_model("initiatives", "Initiative")
    Author = apps.get_model("initiatives", "Author")
    last = 0
    while True:
        ids = list(
            Initiative.objects.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", flat=True)[:2000]
        )
        if not ids:
            return
        last = ids[-1]
        claimed = dict(
            Initiative.objects.filter(pk__in=ids).values_list("pk", "benefit_claimed_vnd")
        )
        members = defaultdict(set)
        for initiative, member in Author.objects.filter(
            initiative_id__in=ids, member__isnull=False
        ).values_list("initiative_id", "member_id"):
            members[initiative].add(member)
        entries = list(
            HistoryEntry.objects.filter(initiative_id__in=ids).only("pk", "initiative_id")
        )
        for entry in entries:
            entry.benefit_claimed_vnd = claimed[entry.initiative_id]
            entry.members = sorted(members[entry.initiative_id])
        HistoryEntry.objects.bulk_update(
            entries, ["benefit_claimed_vnd", "members"], batch_size=1000
        )


class Migration(migrations.Migration):
    dependencies = [
        ("initiatives", "0003_duplicate_title_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="historyentry",
            name="benefit_claimed_vnd",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="historyentry",
            name="members",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.RunPython(fill_snapshots, migrations.RunPython.noop),
    ]
