"""Initiatives: entry, edits, the validation workflow, attachments and lists.

Writes go through the same services as the pages (`sangkien.initiatives.services`), reads
through the same access checks (`sangkien.initiatives.permissions`). Who can see an
initiative but may not do what they ask gets 403; who cannot see it gets 404; a step the
initiative's status does not allow, or a stale `version`, gets 409."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import Prefetch, prefetch_related_objects
from django.http import FileResponse, Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router
from ninja.files import UploadedFile

from sangkien.accounts.permissions import can_view_unit, role_paths
from sangkien.campaigns.models import Campaign
from sangkien.campaigns.permissions import campaigns_for
from sangkien.core.errors import ValidationError
from sangkien.core.pagination import decode_cursor, keyset_page
from sangkien.initiatives import bulk, models, services
from sangkien.initiatives.models import Action, Status
from sangkien.initiatives.permissions import (
    DECIDE,
    VIEW_QUEUE,
    allowed_actions,
    author_member_ids,
    author_union,
    can_enter_for,
    can_review_unit,
    can_view_confidential,
    can_view_initiative,
    decides_own,
    get_initiative_for_user,
    members_named,
    named_authors,
    own_initiatives,
    queue_for,
    require_action,
)
from sangkien.initiatives.queue import InitiativeFilterForm
from sangkien.initiatives.services import display_name, refusal_message
from sangkien.orgs.models import Member, Unit
from sangkien.orgs.permissions import units_visible_to
from sangkien.text import clean_line

from . import schemas
from .errors import bad_parameter
from .filters import IsoDayField, form_errors

router = Router(tags=["initiatives"])
READ_ERRORS = schemas.READ_ERRORS
WRITE_ERRORS = schemas.WRITE_ERRORS
DECISIONS: dict[str, str] = {
    Status.VALID: Action.VALIDATED,
    Status.RETURNED: Action.RETURNED,
    Status.INVALID: Action.INVALIDATED,
}
# Ids one bulk decision call takes (it is decided in the request: decision record 0024).
BULK_MAX = 100


# -- reading -------------------------------------------------------------------------------


def _name(user: Any) -> str | None:
    """A person as the workflow names them (`services.display_name`); None for nobody."""
    return display_name(user) or None


def _share(value: Any) -> int | float:
    return int(value) if value == int(value) else float(value)


def _authors_out(initiative: models.Initiative, *, private: bool) -> list[schemas.Author]:
    return [
        schemas.Author(
            member=a.member.code if a.member is not None else None,
            name=a.name,
            share=_share(a.share),
            birth_date=a.birth_date if private else None,
            workplace=a.workplace,
            position=a.position,
            qualification=a.qualification,
        )
        for a in initiative.authors.all()
    ]


def _summary_fields(initiative: models.Initiative, *, private: bool) -> dict[str, Any]:
    return {
        "id": initiative.pk,
        "reference": initiative.reference,
        "campaign": initiative.campaign.code,
        "unit": initiative.unit.code,
        "title": initiative.title,
        "field": initiative.field.code if initiative.field is not None else None,
        "status": initiative.status,
        "phase": initiative.phase.number if initiative.phase is not None else None,
        "benefit_claimed_vnd": initiative.benefit_claimed_vnd,
        "benefit_valid_vnd": initiative.benefit_valid_vnd,
        "authors": _authors_out(initiative, private=private),
        "entered_by": _name(initiative.entered_by),
        "on_behalf": initiative.on_behalf,
        "submitted_at": initiative.submitted_at,
        "decided_at": initiative.decided_at,
        "version": initiative.version,
    }


def _attachment_out(attachment: models.Attachment) -> schemas.Attachment:
    return schemas.Attachment(
        id=attachment.pk,
        name=attachment.original_name,
        kind=attachment.kind,
        content_type=attachment.content_type,
        size=attachment.size,
        uploaded_at=attachment.uploaded_at,
        url=reverse(
            "api:download_attachment",
            kwargs={"initiative_id": attachment.initiative_id, "attachment_id": attachment.pk},
        ),
    )


def _load(request: HttpRequest, initiative_id: int) -> models.Initiative:
    """The initiative if the caller may see it (else 404), with its authors' members."""
    initiative = get_initiative_for_user(request.user, initiative_id)
    prefetch_related_objects([initiative], "authors__member")
    return initiative


def initiative_out(request: HttpRequest, initiative: models.Initiative) -> dict[str, Any]:
    """The initiative as `schemas.Initiative` reads it (a dict: history uses the name
    `from`, which is a Python keyword)."""
    user = request.user
    private = can_view_confidential(user, initiative)
    history = initiative.history.select_related("actor__member", "moved_from").order_by("at", "id")
    attachments = initiative.attachments.filter(removed_at__isnull=True).order_by("id")
    return {
        **_summary_fields(initiative, private=private),
        "problem": initiative.problem,
        "description": initiative.description,
        "conditions": initiative.conditions,
        "first_applied_on": initiative.first_applied_on,
        "benefit_method": initiative.benefit_method,
        "confidential_visible": private,
        "confidential": initiative.confidential if private else None,
        "investor": initiative.investor,
        "first_application_people": initiative.first_application_people,
        "recognition_body": initiative.recognition_body,
        "recognition_number": initiative.recognition_number,
        "recognition_date": initiative.recognition_date,
        "decision_reason": initiative.decision_reason,
        "actions": allowed_actions(user, initiative),
        "attachments": [_attachment_out(a) for a in attachments],
        "history": [
            {
                "action": h.action,
                "from": h.from_status or None,
                "to": h.to_status,
                "by": _name(h.actor),
                "at": h.at,
                "note": h.note_text,
                "benefit_valid_vnd": h.benefit_valid_vnd,
                "moved_from": h.moved_from.code if h.moved_from else None,
            }
            for h in history
        ],
        "created_at": initiative.created_at,
        "updated_at": initiative.updated_at,
    }


def _fresh(request: HttpRequest, initiative: models.Initiative) -> dict[str, Any]:
    return initiative_out(request, _load(request, initiative.pk))


# -- input ---------------------------------------------------------------------------------


def _campaign_from(user: Any, code: str) -> Campaign | None:
    wanted = code.strip().upper()
    return next((c for c in campaigns_for(user) if c.code == wanted), None)


def _unknown_campaign(code: str) -> str:
    return _("No campaign you can use has the code %(code)s.") % {"code": code}


def _unit_for_entry(user: Any, code: str) -> tuple[Unit | None, str]:
    """The unit the caller enters an initiative under, or why not. A unit the caller cannot
    see reads exactly like one that does not exist."""
    unit = Unit.objects.filter(code=code.strip().upper()).first()
    visible = unit is not None and (can_view_unit(user, unit) or can_enter_for(user, unit))
    if unit is None or not visible:
        return None, _("No unit you can see has the code %(code)s.") % {"code": code}
    if not can_enter_for(user, unit):
        return None, _("You cannot enter initiatives for this unit.")
    return unit, ""


def _keep_birth_dates(authors: list[dict[str, Any]], initiative: models.Initiative) -> None:
    """For a caller who cannot see the authors' dates of birth: each author keeps the one on
    record (matched by member, else by name)."""
    on_record = {}
    for a in initiative.authors.all():
        on_record[("member", a.member_id) if a.member_id else ("name", a.name)] = a.birth_date
    for author in authors:
        member = author.get("member")
        if isinstance(member, Member):
            key: tuple[str, Any] = ("member", member.pk)
        else:
            key = ("name", clean_line(author.get("name") or ""))
        author["birth_date"] = on_record.get(key)


def _authors_by_name(
    user: Any,
    authors: list[dict[str, Any]],
    *,
    unit: Unit,
    current_author_ids: set[int] | frozenset[int] = frozenset(),
) -> tuple[list[dict[str, Any]], dict[str, str], list[str]]:
    """Authors given by name, never kept as "outside the system" silently, as on the page: a
    name that members of the union have (diacritics and đ ignored) is refused with their
    codes, unless the row says `outside` (the author is someone else); a name no member has
    is kept outside, with a note. Returns the rows (without `outside`), the errors keyed
    `authors.N.name`, and the notes."""
    union = author_union(unit)
    out: list[dict[str, Any]] = []
    errors: dict[str, str] = {}
    outside: list[str] = []
    for i, author in enumerate(authors):
        author = dict(author)
        kept_outside = author.pop("outside", False)
        name = author.get("name")
        if author.get("member") or not name or kept_outside:
            out.append(author)
            continue
        matches = members_named(user, unit, name, exact=True, current_author_ids=current_author_ids)
        codes = ", ".join(m.code for m in matches)
        if len(matches) == 1:
            errors[f"authors.{i}.name"] = _(
                "%(name)s is the name of a member of %(union)s (%(codes)s): give the member "
                'code to link the author to this member, or "outside": true to keep them as '
                "an author outside the system."
            ) % {"name": name, "union": union.name, "codes": codes}
        elif matches:
            errors[f"authors.{i}.name"] = _(
                "%(count)s members of %(union)s are named %(name)s (%(codes)s): give the "
                'member code of the author, or "outside": true to keep them as an author '
                "outside the system."
            ) % {"count": len(matches), "name": name, "union": union.name, "codes": codes}
        else:
            outside.append(name)
        out.append(author)
    notes = []
    if outside:
        notes.append(
            _(
                "No member of %(union)s has the name %(names)s: kept as an author outside "
                "the system (not counted as a participating member). Give a member code to "
                "link a member."
            )
            % {"union": union.name, "names": ", ".join(outside)}
        )
    return out, errors, notes


# -- endpoints -----------------------------------------------------------------------------


@router.post("", response={201: schemas.Initiative, **WRITE_ERRORS}, by_alias=True)
def create_initiative(request: HttpRequest, payload: schemas.InitiativeCreate):
    """A new draft under `unit` for `campaign` (both codes). What is given must be valid; a
    draft may still be incomplete. Without `authors`, a caller who is a member is the sole
    author. A member enters for their own unit; support teams, officers and administrators
    for the units of their subtrees, on the members' behalf. Answers the initiative as
    `GET` does."""
    user = request.user
    data = payload.model_dump(exclude_unset=True)
    campaign_code, unit_code = data.pop("campaign"), data.pop("unit")
    authors = data.pop("authors", None)
    errors: dict[str, str] = {}
    campaign = _campaign_from(user, campaign_code)
    if campaign is None:
        errors["campaign"] = _unknown_campaign(campaign_code)
    unit, problem = _unit_for_entry(user, unit_code)
    if problem:
        errors["unit"] = problem
    notes: list[str] = []
    if authors is not None and unit is not None:
        authors, by_name, notes = _authors_by_name(user, authors, unit=unit)
        authors, author_errors = named_authors(user, authors, unit=unit)
        errors.update(by_name)
        errors.update(author_errors)
    if errors or campaign is None or unit is None:
        raise ValidationError(errors)
    initiative = services.create_initiative(
        campaign=campaign, unit=unit, by=user, authors=authors, **data
    )
    return 201, {**_fresh(request, initiative), "notes": notes}


class ListFilterForm(InitiativeFilterForm):
    """The list's filters (the page's form, `InitiativeFilterForm`), as the API names them:
    a campaign by code (any case), a field of application by code and a phase by number
    (of the campaign when one is given, else of any campaign), dates as YYYY-MM-DD,
    `on_behalf` true or false, and every status (a member's own list has drafts)."""

    def __init__(self, data: Any, *, campaigns: list[Campaign]) -> None:
        super().__init__(data, campaigns=campaigns)
        self.fields.update(
            {
                "campaign": forms.CharField(required=False, max_length=64),
                "field": forms.CharField(required=False, max_length=32),
                "phase": forms.IntegerField(required=False),
                "submitted_from": IsoDayField(required=False),
                "submitted_to": IsoDayField(required=False),
                "on_behalf": forms.CharField(required=False),
            }
        )
        status = cast(forms.ChoiceField, self.fields["status"])
        status.choices = [("", ""), *[(s.value, s.label) for s in Status]]
        status.error_messages["invalid_choice"] = _("Use one of: %(values)s.") % {
            "values": ", ".join(Status.values)
        }
        self.fields["order"].error_messages["invalid_choice"] = _("Use newest or oldest.")

    def clean_campaign(self) -> str:
        code = (self.cleaned_data.get("campaign") or "").strip()
        if code and code.upper() not in self.campaigns:
            raise forms.ValidationError(_unknown_campaign(code))
        return code.upper()

    def clean_field(self) -> str:
        code = (self.cleaned_data.get("field") or "").strip()
        campaign = self.campaign_of(self.cleaned_data)
        if code and campaign is not None and self._field(campaign, code) is None:
            codes = ", ".join(f.code for f in campaign.fields.all())
            raise forms.ValidationError(
                _(
                    "No field of application has the code %(code)s in this campaign; use "
                    "one of: %(codes)s."
                )
                % {"code": code, "codes": codes}
            )
        return code.upper()

    def clean_phase(self) -> int | None:
        number = self.cleaned_data.get("phase")
        campaign = self.campaign_of(self.cleaned_data)
        if number is not None and campaign is not None and self._phase(campaign, number) is None:
            raise forms.ValidationError(
                _("The campaign %(campaign)s has no phase %(number)s.")
                % {"campaign": campaign.code, "number": number}
            )
        return number

    def clean_on_behalf(self) -> str:
        text = (self.cleaned_data.get("on_behalf") or "").strip().lower()
        if text in TRUE:
            return "yes"
        if text in FALSE:
            return "no"
        if text:
            raise forms.ValidationError(_("Use true or false."))
        return ""

    def field_of(self, data: dict[str, Any]) -> Any:
        campaign = self.campaign_of(data)
        code = data.get("field") or ""
        return self._field(campaign, code) if campaign is not None and code else None

    def phase_of(self, data: dict[str, Any]) -> Any:
        campaign = self.campaign_of(data)
        number = data.get("phase")
        return self._phase(campaign, number) if campaign is not None and number else None

    def _field(self, campaign: Campaign, code: str) -> Any:
        return next((f for f in campaign.fields.all() if f.code == code.upper()), None)

    def _phase(self, campaign: Campaign, number: int) -> Any:
        return next((p for p in campaign.phases.all() if p.number == number), None)


TRUE = {"true", "1", "yes", "on", "t", "y"}
FALSE = {"false", "0", "no", "off", "f", "n"}


@router.get("", response={200: schemas.InitiativePage, **READ_ERRORS})
def list_initiatives(
    request: HttpRequest,
    unit: str | None = None,
    mine: bool = False,
    status: str | None = None,
    campaign: str | None = None,
    field: str | None = None,
    phase: str | None = Query(None, description="A phase number."),
    submitted_from: str | None = Query(None, description="YYYY-MM-DD."),
    submitted_to: str | None = Query(None, description="YYYY-MM-DD."),
    on_behalf: str | None = Query(None, description="true or false."),
    q: str | None = None,
    order: str = "newest",
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=200),
):
    """Initiatives a page at a time, newest first (`order=oldest` for the other way).

    Whose: with `unit`, the review queue of that unit's subtree for a caller who reviews it
    (officers, reviewers, support teams, administrators; drafts are never in a queue), else
    the caller's own initiatives under it. Without `unit`, the whole review scope of a
    reviewer, or a member's own initiatives. `mine=true` lists only the caller's own (as
    author or as the one who entered them, drafts included).

    Filters (read by the same form as the review queue's page, `ListFilterForm`, with the
    same rules; a bad one is a 422 naming it): `status`; `campaign` (code); `field` and
    `phase` (a field code and a phase number, of `campaign` when it is given);
    `submitted_from` and `submitted_to` (dates, inclusive, the end not before the start);
    `on_behalf`; `q` (words of the title, without regard to tone marks, đ or case)."""
    user = request.user
    # The reader's campaigns are read only when the list is filtered by one.
    campaigns = campaigns_for(user) if (campaign or "").strip() else []
    form = ListFilterForm(request.GET, campaigns=campaigns)
    if not form.is_valid():
        raise ValidationError(form_errors(form))
    if cursor:
        values = decode_cursor(cursor)
        if (
            values is None
            or len(values) != 1
            or not isinstance(values[0], int)
            or isinstance(values[0], bool)
        ):
            raise bad_parameter("cursor", _("Use the next_cursor of a previous page."))
    data = form.cleaned_data
    qs = form.filters().apply(_scope(user, unit, mine=mine))
    if not data["campaign"]:
        if data["field"]:
            qs = qs.filter(field__code=data["field"])
        if data["phase"] is not None:
            qs = qs.filter(phase__number=data["phase"])
    qs = qs.select_related(
        "campaign", "unit", "field", "phase", "entered_by__member"
    ).prefetch_related(Prefetch("authors", queryset=models.Author.objects.select_related("member")))
    page = keyset_page(qs, order=form.ordering, cursor=cursor, size=limit)
    items = [
        schemas.InitiativeSummary(**_summary_fields(i, private=can_view_confidential(user, i)))
        for i in page.items
    ]
    return schemas.InitiativePage(items=items, next_cursor=page.next_cursor)


def _scope(user: Any, code: str | None, *, mine: bool) -> models.InitiativeQuerySet:
    if code:
        unit = _visible_unit(user, code)
        if not mine and can_review_unit(user, unit):
            return queue_for(user, unit)
        return own_initiatives(user).in_subtree(unit)
    if not mine and role_paths(user, VIEW_QUEUE):
        return queue_for(user)
    return own_initiatives(user)


def _visible_unit(user: Any, code: str) -> Unit:
    """A unit the caller's roles cover, or the caller's own unit or one above it; else 404."""
    code = code.strip().upper()
    unit = units_visible_to(user).filter(code=code).first()
    if unit is None and user.member_id:
        own = user.member.unit
        unit = Unit.objects.filter(pk__in=[*own.ancestor_ids, own.pk], code=code).first()
    if unit is None:
        raise Http404
    return unit


@router.post("/decisions", response={200: schemas.BulkDecisionOut, **WRITE_ERRORS})
def decide_initiatives(request: HttpRequest, payload: schemas.BulkDecisionIn):
    """The same decision for several initiatives (at most 100 a call), each one through
    the same service as `POST /initiatives/{id}/decision`: its own checks, history and
    notification. The ones that cannot be decided (not in your review queue, your own,
    already decided, changed since `versions`, a bad benefit) are listed with the reason
    and the others go through: the answer is 200 with one item per id. 404 when you decide
    for no unit or none of the ids is an initiative you can see; nothing changes then."""
    user = request.user
    if not role_paths(user, DECIDE):
        raise Http404
    ids = bulk.wanted_ids(payload.ids)
    if len(ids) > BULK_MAX:
        raise ValidationError(
            {
                "ids": _("Send at most %(max)s ids a call; send the others in another call.")
                % {"max": BULK_MAX}
            }
        )
    visible = models.Initiative.objects.filter(pk__in=ids).select_related("unit")
    if ids and not any(can_view_initiative(user, i) for i in visible):
        raise Http404
    decision = payload.decision.strip().lower()
    outcome = bulk.decide_initiatives(
        ids,
        by=user,
        decision=decision,
        reason=payload.reason or "",
        benefits=payload.benefits or {},
        versions=payload.versions or {},
    )
    return {
        "decided": len(outcome.done),
        "refused": len(outcome.refused),
        "summary": bulk.summary(outcome),
        "items": [
            {
                "id": item.id,
                "decided": item.done,
                "status": item.status or None,
                "problem": item.problem or None,
            }
            for item in outcome.items
        ],
    }


@router.get("/{initiative_id}", response={200: schemas.Initiative, **READ_ERRORS}, by_alias=True)
def get_initiative(request: HttpRequest, initiative_id: schemas.RowId):
    """One initiative with its authors, attachments and history (oldest first).
    `confidential` is null unless the caller is an author, entered it, or decides for its
    unit."""
    return initiative_out(request, _load(request, initiative_id))


@router.patch("/{initiative_id}", response={200: schemas.Initiative, **WRITE_ERRORS}, by_alias=True)
def update_initiative(
    request: HttpRequest, initiative_id: schemas.RowId, payload: schemas.InitiativeChanges
):
    """Change a draft or a returned initiative: only the names given change; `authors`
    replaces the whole list. Give the `version` you read to be told (409) when someone else
    changed it meanwhile. The campaign and unit cannot change."""
    user = request.user
    initiative = _load(request, initiative_id)
    refused = _("You cannot change this initiative.")
    if not require_action(user, initiative, "edit", refused=refused):
        raise services.TransitionError(refusal_message(initiative, Action.EDITED))
    data = payload.model_dump(exclude_unset=True)
    version = data.pop("version", None)
    authors = data.pop("authors", None)
    errors: dict[str, str] = {}
    campaign_code = data.pop("campaign", None)
    if campaign_code is not None and campaign_code.strip().upper() != initiative.campaign.code:
        errors["campaign"] = _("The campaign of an initiative cannot be changed.")
    unit_code = data.pop("unit", None)
    if unit_code is not None and unit_code.strip().upper() != initiative.unit.code:
        errors["unit"] = _("The unit of an initiative cannot be changed.")
    private = can_view_confidential(user, initiative)
    if not private:
        # What the caller cannot read, the caller does not overwrite (as on the edit page).
        data.pop("confidential", None)
    notes: list[str] = []
    if authors is not None:
        current = author_member_ids(initiative)
        authors, by_name, notes = _authors_by_name(
            user, authors, unit=initiative.unit, current_author_ids=current
        )
        authors, author_errors = named_authors(
            user, authors, unit=initiative.unit, current_author_ids=current
        )
        errors.update(by_name)
        errors.update(author_errors)
        if not private:
            _keep_birth_dates(authors, initiative)
    if errors:
        raise ValidationError(errors)
    services.update_initiative(
        initiative, by=user, expected_version=version, authors=authors, **data
    )
    return {**_fresh(request, initiative), "notes": notes}


@router.post(
    "/{initiative_id}/submit", response={200: schemas.Initiative, **WRITE_ERRORS}, by_alias=True
)
def submit_initiative(
    request: HttpRequest, initiative_id: schemas.RowId, payload: schemas.VersionIn | None = None
):
    """Send a draft for review, or a returned initiative back after changes. Everything the
    campaign needs must be filled in (422 names what is missing). The body is optional."""
    user = request.user
    initiative = _load(request, initiative_id)
    refused = _("You cannot submit this initiative.")
    if not require_action(user, initiative, "submit", refused=refused):
        raise services.TransitionError(refusal_message(initiative, Action.SUBMITTED))
    services.submit_initiative(
        initiative, by=user, expected_version=payload.version if payload else None
    )
    return _fresh(request, initiative)


@router.post(
    "/{initiative_id}/decision", response={200: schemas.Initiative, **WRITE_ERRORS}, by_alias=True
)
def decide_initiative(
    request: HttpRequest, initiative_id: schemas.RowId, payload: schemas.DecisionIn
):
    """valid (with `benefit_valid_vnd`, the claimed benefit when omitted), returned (with
    `reason`: what to change) or invalid (with `reason`). Officers, reviewers and
    administrators of the unit's subtree, never an author. A second decision gets 409."""
    user = request.user
    decision = payload.decision.strip().lower()
    if decision not in DECISIONS:
        raise ValidationError({"decision": _("Choose valid, returned or invalid.")})
    initiative = _load(request, initiative_id)
    if decides_own(user, initiative):
        refused = str(services.OWN_DECISION_REFUSED)
    else:
        refused = _("Only the officers and reviewers of its unit decide on an initiative.")
    if not require_action(user, initiative, "decide", refused=refused):
        raise services.TransitionError(refusal_message(initiative, DECISIONS[decision]))
    services.decide_initiative(
        initiative,
        by=user,
        decision=decision,
        reason=payload.reason or "",
        benefit_valid_vnd=payload.benefit_valid_vnd,
        expected_version=payload.version,
    )
    return _fresh(request, initiative)


@router.post(
    "/{initiative_id}/withdraw", response={200: schemas.Initiative, **WRITE_ERRORS}, by_alias=True
)
def withdraw_initiative(
    request: HttpRequest, initiative_id: schemas.RowId, payload: schemas.WithdrawIn | None = None
):
    """The authors (or whoever entered it) take it back before a decision. The body, with an
    optional `reason`, may be left out."""
    user = request.user
    initiative = _load(request, initiative_id)
    refused = _("Only the authors and whoever entered an initiative can withdraw it.")
    if not require_action(user, initiative, "withdraw", refused=refused):
        raise services.TransitionError(refusal_message(initiative, Action.WITHDRAWN))
    services.withdraw_initiative(
        initiative,
        by=user,
        reason=(payload.reason or "") if payload else "",
        expected_version=payload.version if payload else None,
    )
    return _fresh(request, initiative)


@router.post(
    "/{initiative_id}/reopen", response={200: schemas.Initiative, **WRITE_ERRORS}, by_alias=True
)
def reopen_initiative(
    request: HttpRequest, initiative_id: schemas.RowId, payload: schemas.ReopenIn
):
    """Take a decision (valid, invalid or returned) back for review, with the `reason`.
    Officers and administrators of the unit's subtree."""
    user = request.user
    initiative = _load(request, initiative_id)
    if decides_own(user, initiative):
        refused = str(services.OWN_DECISION_REFUSED)
    else:
        refused = _("Only the officers of its unit can reopen a decision.")
    if not require_action(user, initiative, "reopen", refused=refused):
        raise services.TransitionError(refusal_message(initiative, Action.REOPENED))
    services.reopen_initiative(
        initiative, by=user, reason=payload.reason, expected_version=payload.version
    )
    return _fresh(request, initiative)


@router.post("/{initiative_id}/attachments", response={201: schemas.Attachment, **WRITE_ERRORS})
def add_attachment(
    request: HttpRequest,
    initiative_id: schemas.RowId,
    file: UploadedFile | None = File(None),  # noqa: B008
    kind: str = Form(models.AttachmentKind.DOCUMENT),  # noqa: B008
):
    """Attach a file (multipart form: `file`, and `kind`: document or evidence) to a draft
    or a returned initiative: images (JPG, PNG, WebP), PDF or office documents, within the
    size and count limits. The type is read from the content, not the name."""
    user = request.user
    initiative = _load(request, initiative_id)
    refused = _("You cannot add files to this initiative.")
    if not require_action(user, initiative, "attach", refused=refused):
        raise services.TransitionError(str(services.ATTACHING_REFUSED))
    if file is None:
        raise ValidationError({"file": _("Choose a file to attach.")})
    attachment = services.add_attachment(initiative, by=user, upload=file, kind=kind)
    return 201, _attachment_out(attachment)


@router.get(
    "/{initiative_id}/attachments/{attachment_id}",
    response={200: None, **READ_ERRORS},
    url_name="download_attachment",
)
def download_attachment(
    request: HttpRequest, initiative_id: schemas.RowId, attachment_id: schemas.RowId
):
    """The file itself, for whoever may see the initiative."""
    initiative = get_initiative_for_user(request.user, initiative_id)
    attachment = initiative.attachments.filter(pk=attachment_id, removed_at__isnull=True).first()
    if attachment is None:
        raise Http404
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
