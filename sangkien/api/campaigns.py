"""Campaigns the caller can enter initiatives for or review: their period, phases and the
fields of application an initiative is filed under."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router

from sangkien.campaigns import models
from sangkien.campaigns.permissions import campaigns_for, get_campaign_for_user

from . import schemas

router = Router(tags=["campaigns"])
ERRORS = {401: schemas.Error, 404: schemas.Error}


def campaign_out(campaign: models.Campaign) -> schemas.Campaign:
    return schemas.Campaign(
        code=campaign.code,
        name=campaign.name,
        owner=campaign.owner.code,
        starts_on=campaign.starts_on,
        ends_on=campaign.ends_on,
        open=campaign.is_open_on(timezone.localdate()),
        requires_recognition=campaign.requires_recognition,
        phases=[
            schemas.Phase(number=p.number, name=p.name, starts_on=p.starts_on, ends_on=p.ends_on)
            for p in campaign.phases.all()
        ],
        fields=[schemas.CampaignField(code=f.code, name=f.name) for f in campaign.fields.all()],
    )


@router.get("", response={200: schemas.CampaignList, **ERRORS})
def list_campaigns(request: HttpRequest):
    """The campaigns the caller can use: those run by a unit at or above a unit where the
    caller works (a role's unit, or the unit of the caller's member record), and those run
    inside the caller's subtrees. Newest first, all on one page (`next_cursor` is null)."""
    return schemas.CampaignList(
        items=[campaign_out(c) for c in campaigns_for(request.user)], next_cursor=None
    )


@router.get("/{code}", response={200: schemas.Campaign, **ERRORS})
def get_campaign(request: HttpRequest, code: str):
    """One campaign the caller can use."""
    return campaign_out(get_campaign_for_user(request.user, code))
