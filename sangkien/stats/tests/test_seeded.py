"""After seeding, the aggregates the seed built agree with the recount, and a step taken on
seeded data (through the services) keeps them agreeing."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from sangkien.campaigns.models import Campaign
from sangkien.initiatives import services
from sangkien.initiatives.models import Initiative, Status
from sangkien.orgs.models import Unit
from sangkien.stats import figures, recount

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_check_stats_passes_after_seeding_and_after_a_decision():
    call_command("seed", scale="test", no_progress=True, stdout=io.StringIO())
    out = io.StringIO()
    call_command("check-stats", stdout=out, stderr=io.StringIO())
    assert "all figures agree" in out.getvalue()

    campaign = Campaign.objects.get(code="1TRIEU")
    root = Unit.objects.get(parent=None)
    before = figures.report(root, campaign).unit
    assert (
        before.initiatives_submitted
        == Initiative.objects.filter(campaign=campaign, submitted_at__isnull=False)
        .exclude(status=Status.WITHDRAWN)
        .count()
    )
    assert (
        before.initiatives_valid
        == Initiative.objects.filter(campaign=campaign, status=Status.VALID).count()
    )

    pending = Initiative.objects.filter(campaign=campaign, status=Status.SUBMITTED).first()
    services.decide_initiative(pending, by=None, decision=Status.VALID)
    after = figures.report(root, campaign).unit
    assert after.initiatives_valid == before.initiatives_valid + 1
    assert after.initiatives_pending == before.initiatives_pending - 1
    assert recount.check() == []
