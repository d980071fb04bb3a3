"""The quota table writes a quota as it writes the figures beside it (grouped in the page's
language) and reads it back as typed; a quota above the unit's active members is saved with
a warning, and marked on its row."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sangkien.orgs.models import Unit
from sangkien.quotas import services
from sangkien.quotas.models import Quota

Q = "?campaign=1TRIEU"


def url(name, code):
    return reverse(f"quotas:{name}", args=[code]) + Q


@pytest.mark.parametrize(("language", "written"), [("vi", "1.500"), ("en", "1,500")])
def test_the_input_shows_the_quota_grouped_as_the_figures_are(
    login, unit_officer, tree, campaign, language, written
):
    services.allocate(tree.upper, campaign, None, {tree.grassroots: 1500}, None)
    client = login(unit_officer)
    client.cookies["sangkien_language"] = language
    html = client.get(url("unit", "TH-KCN")).content.decode()
    assert f'name="q-{tree.grassroots.pk}" value="{written}"' in html
    # Saved again as shown, it is the same quota: nothing changes.
    quota = Quota.objects.get(unit=tree.grassroots)
    data = {
        f"q-{tree.grassroots.pk}": written,
        "versions": f"{tree.grassroots.pk}:{quota.version}",
    }
    client.post(url("allocate", "TH-KCN"), data)
    assert Quota.objects.get(unit=tree.grassroots).assigned == 1500


def test_a_quota_above_the_members_is_saved_with_a_warning(login, unit_officer, tree, campaign):
    Unit.objects.filter(pk=tree.grassroots.pk).update(members_total=89)
    client = login(unit_officer)
    client.cookies["sangkien_language"] = "en"
    data = {f"q-{tree.grassroots.pk}": "1,500", "versions": f"{tree.grassroots.pk}:0"}
    response = client.post(url("allocate", "TH-KCN"), data, follow=True)
    html = response.content.decode()
    assert Quota.objects.get(unit=tree.grassroots).assigned == 1500
    assert "Check these quotas: they are more than the unit&#x27;s active members" in html
    assert f"{tree.grassroots.name} (89 members)" in html
    assert "More than its 89 members" in html


def test_a_quota_within_the_members_or_with_no_members_recorded_is_not_warned_about(
    login, unit_officer, tree, campaign
):
    Unit.objects.filter(pk=tree.grassroots.pk).update(members_total=89)
    Unit.objects.filter(pk=tree.grassroots2.pk).update(members_total=0)
    client = login(unit_officer)
    client.cookies["sangkien_language"] = "en"
    data = {
        f"q-{tree.grassroots.pk}": "80",
        f"q-{tree.grassroots2.pk}": "500",
        "versions": f"{tree.grassroots.pk}:0,{tree.grassroots2.pk}:0",
    }
    html = client.post(url("allocate", "TH-KCN"), data, follow=True).content.decode()
    assert "2 quotas were saved." in html
    assert "Check these quotas" not in html and "More than its" not in html


def test_the_warning_speaks_vietnamese(login, unit_officer, tree, campaign):
    Unit.objects.filter(pk=tree.grassroots.pk).update(members_total=89)
    client = login(unit_officer)
    client.cookies["sangkien_language"] = "vi"
    data = {f"q-{tree.grassroots.pk}": "1.500", "versions": f"{tree.grassroots.pk}:0"}
    html = client.post(url("allocate", "TH-KCN"), data, follow=True).content.decode()
    assert "Hãy kiểm tra các chỉ tiêu này" in html
    assert "Nhiều hơn 89 đoàn viên của đơn vị" in html
