"""Existing databases get their figures: the aggregates recounted from the initiatives
already there (nothing to do on a new database)."""

from django.db import migrations


def build(apps, schema_editor):
    Initiative = apps.get_model("initiatives", "Initiative")
    if not Initiative.objects.exists():
        return
    from sangkien.stats import recount

    recount.rebuild()


class Migration(migrations.Migration):
    dependencies = [
        ("stats", "0001_aggregates"),
        ("initiatives", "0004_history_snapshot"),
    ]

    operations = [migrations.RunPython(build, migrations.RunPython.noop)]
