"""Entry, detail and workflow pages for initiatives.

Every page fetches the initiative with `get_initiative_for_user` (404 outside the viewer's
scope). A viewer who may see it but whose roles never allow an action gets 403; a viewer whose
roles allow the action but who acts on a stale page (someone else decided a moment before, the
status moved on) gets the detail page with the conflict message and status 409, nothing
changed. Every write goes through sangkien.initiatives.services, with the version the page was
rendered with as `expected_version`.

Drafts are kept in two layers: the server-side draft (status draft) and, while typing, the
browser's localStorage (static/sangkien/drafts.js). After a successful save the page that
follows names the localStorage keys to forget (`drafts_clear`)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from sangkien.campaigns.models import Campaign
from sangkien.campaigns.permissions import campaigns_for
from sangkien.core.errors import ConflictError, ValidationError
from sangkien.orgs.models import Member, Unit

from . import forms, services
from .models import Attachment, AttachmentKind, Author, Initiative, Status
from .permissions import (
    author_member_ids,
    author_union,
    can_decide_initiative,
    can_edit_initiative,
    can_enter_for,
    can_reopen_initiative,
    can_submit_initiative,
    can_view_confidential,
    can_withdraw_initiative,
    entry_units,
    get_initiative_for_user,
    kept_from_deciding,
    members_named,
    named_authors,
    require_action,
)

GET_POST = require_http_methods(["GET", "POST"])
_KEY_PART = re.compile(r"[^A-Za-z0-9._-]")


# -- entry: who, where, which campaign -----------------------------------------------------


def _current_member(user: Any) -> Member | None:
    member = user.member if getattr(user, "member_id", None) else None
    return member if member is not None and member.left_on is None else None


def _entry_scope(user: Any) -> Any:
    """The units a support team, officer or administrator (or a member of a support team,
    for the units it serves) may pick, their own unit too if they are a member; None for a
    plain member, whose unit is fixed (permissions.entry_units)."""
    return entry_units(user)


def open_campaigns(user: Any, unit: Unit | None = None) -> list[Campaign]:
    """The campaigns the user can use that accept entries today (covering `unit` if given)."""
    today = timezone.localdate()
    return [
        c for c in campaigns_for(user) if c.is_open_on(today) and (unit is None or c.covers(unit))
    ]


def _key_part(value: str) -> str:
    return _KEY_PART.sub("", value or "")[:40]


def draft_owner(user: Any) -> str:
    """The part of a draft's localStorage key that names whose it is: a keyed hash of the
    user, so one person's draft is never restored for the next one at the same browser (a
    support team's shared computer), and the key does not reveal who typed it."""
    return "u" + salted_hmac("sangkien.initiatives.draft", str(user.pk)).hexdigest()[:16]


def new_draft_key(request: HttpRequest) -> str:
    """The localStorage key of a new initiative's form: per user, unit and campaign (as
    asked)."""
    unit = _key_part((request.GET.get("unit") or "").strip().upper())
    campaign = _key_part((request.GET.get("campaign") or "").strip().upper())
    return f"{draft_owner(request.user)}:new:{unit}:{campaign}"


def edit_draft_key(initiative: Initiative, version: Any, *, user: Any) -> str:
    return f"{draft_owner(user)}:edit:{initiative.pk}:{_key_part(str(version))}"


def _forget_drafts_later(request: HttpRequest, *keys: str) -> None:
    """Tell the next page to clear these localStorage drafts (they are saved now)."""
    pending = [*request.session.get("drafts_clear", []), *keys]
    request.session["drafts_clear"] = pending[-10:]


def _drafts_to_forget(request: HttpRequest) -> list[str]:
    return request.session.pop("drafts_clear", []) if hasattr(request, "session") else []


def _typed(data: Any, form: forms.InitiativeForm) -> dict[str, Any]:
    """The main form's values as typed (to show them again unchecked)."""
    return {name: data.get(name, "") for name in form.fields if name not in forms.FILE_FIELDS}


def _refuse_unnamed(unnamed: dict[str, str]) -> None:
    """Undo the save when the user named authors they may not name. A guard only: the
    service refuses the blank rows `named_authors` hands on for them before it saves."""
    if unnamed:
        raise ValidationError(unnamed)


def _with_unnamed(exc: ValidationError, unnamed: dict[str, str]) -> ValidationError:
    """The service's errors, with each author row the user may not name (handed to the
    service blank by `named_authors`) saying so in place of what the service said of it."""
    if not unnamed:
        return exc
    errors: dict[str, list[str]] = (
        dict(exc.message_dict) if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    )
    for key, message in unnamed.items():
        row = key.rsplit(".", 1)[0]
        for field in ("member", "name"):
            errors.pop(f"{row}.{field}", None)
        errors[key] = [message]
    return ValidationError(errors)


def _link_by_name(
    user: Any,
    formset: Any,
    authors: list[dict[str, Any]],
    where: list[int],
    *,
    unit: Unit,
    current_author_ids: set[int] | frozenset[int] = frozenset(),
) -> tuple[list[dict[str, Any]], bool, list[str]]:
    """Authors typed by name, never kept as "outside the system" silently: a name that
    members of the union have (diacritics and đ ignored) is proposed for linking and the
    author chooses (`AuthorForm.propose_link`); the row's answer links the member or keeps
    the name. Returns the rows for the services, whether a row still waits for an answer
    (then nothing is saved), and the names kept outside because no member has them."""
    union = author_union(unit)
    waiting = False
    outside: list[str] = []
    out: list[dict[str, Any]] = []
    for row, index in zip(authors, where, strict=True):
        row = dict(row)
        link = row.pop("link", "")
        if row.get("member") or not row.get("name"):
            out.append(row)
            continue
        if link == forms.AuthorForm.OUTSIDE:
            out.append(row)
            continue
        matches = members_named(
            user, unit, row["name"], exact=True, current_author_ids=current_author_ids
        )
        chosen = next((m for m in matches if m.code == link), None)
        if chosen is not None:
            row.update(member=chosen.code, name="")
        elif matches:
            formset.forms[index].propose_link(matches, union)
            waiting = True
        else:
            outside.append(row["name"])
        out.append(row)
    return out, waiting, outside


def _outside_note(request: HttpRequest, unit: Unit, names: list[str]) -> None:
    if names:
        messages.info(
            request,
            _(
                "No member of %(union)s has the name %(names)s: kept as an author outside "
                "the system (not counted as a participating member). Give a member code to "
                "link a member."
            )
            % {"union": author_union(unit).name, "names": ", ".join(names)},
        )


def _attach(initiative: Initiative, user: Any, form: forms.InitiativeForm) -> None:
    for field_name, kind in (
        ("attachments", AttachmentKind.DOCUMENT),
        ("evidence", AttachmentKind.EVIDENCE),
    ):
        for upload in form.cleaned_data.get(field_name) or []:
            try:
                services.add_attachment(initiative, by=user, upload=upload, kind=kind)
            except ValidationError as exc:
                raise ValidationError({field_name: exc.messages}) from exc


def _form_page(
    request: HttpRequest,
    *,
    form: forms.InitiativeForm,
    formset: Any,
    initiative: Initiative | None = None,
    unit: Unit | None = None,
    campaigns: list[Campaign] | None = None,
    author_errors: list[str] | None = None,
    draft_key: str = "",
    drafts_clear: list[str] | None = None,
    notice: str = "",
    status: int = 200,
) -> HttpResponse:
    if status == 200 and form.is_bound and (form.errors or not formset.is_valid()):
        status = 400
    if initiative is not None:
        returned = initiative.status == Status.RETURNED
        title = _("Edit %(ref)s") % {"ref": initiative.reference}
        context = {
            "title": title,
            "save_label": _("Save changes") if returned else _("Save draft"),
            "submit_label": _("Resubmit") if returned else _("Submit"),
            "cancel_url": reverse("initiatives:detail", args=[initiative.pk]),
            "campaign": initiative.campaign,
            "unit": initiative.unit,
            "requires_recognition": initiative.campaign.requires_recognition,
            "entered_by": initiative.entered_by,
            "attachments": list(initiative.attachments.filter(removed_at__isnull=True)),
        }
    else:
        context = {
            "title": _("New initiative"),
            "save_label": _("Save draft"),
            "submit_label": _("Submit"),
            "cancel_url": reverse("initiatives:mine"),
            "campaign": campaigns[0] if campaigns and len(campaigns) == 1 else None,
            "unit": unit,
            "requires_recognition": any(c.requires_recognition for c in campaigns or []),
            "entered_by": request.user,
        }
    context.update(
        {
            "form": form,
            "formset": formset,
            "initiative": initiative,
            "author_errors": author_errors or [],
            "draft_key": draft_key,
            "drafts_clear": drafts_clear or [],
            "notice": notice,
            "max_authors": services.MAX_AUTHORS,
            "lookup_url": _lookup_url(initiative, unit),
        }
    )
    return render(request, "initiatives/initiative_form.html", context, status=status)


def _lookup_url(initiative: Initiative | None, unit: Unit | None) -> str:
    """Where the author rows look members up by name (`author_lookup`)."""
    url = reverse("initiatives:author_lookup")
    if initiative is not None:
        return f"{url}?{urlencode({'initiative': initiative.pk})}"
    if unit is not None:
        return f"{url}?{urlencode({'unit': unit.code})}"
    return url


@login_required
@GET_POST
def initiative_create(request: HttpRequest) -> HttpResponse:
    """`/initiatives/new/?unit=CODE&campaign=CODE`: a new initiative, saved as a draft or
    submitted straight away."""
    user = request.user
    scope = _entry_scope(user)
    member = _current_member(user)
    if scope is None and member is None:
        raise PermissionDenied
    code = (request.GET.get("unit") or "").strip().upper()
    preset: Unit | None = member.unit if member is not None else None
    if code:
        preset = Unit.objects.filter(code=code).first()
        if preset is None or not can_enter_for(user, preset):
            raise Http404
    fixed = preset if scope is None else None
    campaigns = open_campaigns(user, fixed)
    draft_key = new_draft_key(request)
    if not campaigns:
        return render(
            request,
            "initiatives/initiative_form.html",
            {"title": _("New initiative"), "no_campaign": True},
        )
    wanted = (request.GET.get("campaign") or "").strip().upper()
    covering = [c for c in campaigns if preset is not None and c.covers(preset)]
    chosen = next((c for c in campaigns if c.code == wanted), None) or (
        covering[0] if covering else campaigns[0]
    )
    initial = {"campaign": chosen.code, "unit": preset.code if preset and scope is not None else ""}
    form_kwargs = {"campaigns": campaigns, "unit_scope": scope}

    def page(form: Any, formset: Any, **extra: Any) -> HttpResponse:
        return _form_page(
            request,
            form=form,
            formset=formset,
            unit=fixed,
            campaigns=campaigns,
            draft_key=draft_key,
            **extra,
        )

    if request.method == "GET":
        rows: list[dict[str, Any]] = [{}]
        if member is not None and (fixed is not None or preset == member.unit):
            rows = [{"member": member.code, "name": "", "share": "100"}]
        return page(
            forms.InitiativeForm(initial=initial, **form_kwargs), forms.author_formset(initial=rows)
        )

    form = forms.InitiativeForm(request.POST, request.FILES, **form_kwargs)
    if "add_author" in request.POST:
        return page(
            forms.InitiativeForm(initial=_typed(request.POST, form), **form_kwargs),
            forms.author_formset(initial=[*forms.posted_authors(request.POST), {}]),
        )
    formset = forms.author_formset(request.POST)
    author_errors: list[str] = []
    if form.is_valid() and formset.is_valid():
        unit = fixed or form.cleaned_data.get("unit")
        if unit is not None and not can_enter_for(user, unit):
            form.add_error("unit", _("You cannot enter initiatives for this unit."))
        elif unit is not None:
            authors, where = forms.service_authors(formset)
            authors, waiting, outside = _link_by_name(user, formset, authors, where, unit=unit)
            authors, unnamed = named_authors(user, authors, unit=unit)
            if waiting:
                return page(form, formset, status=400)
            try:
                with transaction.atomic():
                    initiative = services.create_initiative(
                        campaign=form.cleaned_data["campaign"],
                        unit=unit,
                        by=user,
                        authors=authors,
                        **form.service_kwargs(),
                    )
                    _refuse_unnamed(unnamed)
                    _attach(initiative, user, form)
            except ValidationError as exc:
                author_errors = forms.add_service_errors(
                    form, _with_unnamed(exc, unnamed), formset=formset, author_rows=where
                )
            else:
                _outside_note(request, unit, outside)
                if request.POST.get("action") == "submit":
                    return _submit_saved(request, initiative, forget=[draft_key])
                _forget_drafts_later(request, draft_key)
                messages.success(
                    request,
                    _("Your draft %(ref)s was saved. You can finish and submit it later.")
                    % {"ref": initiative.reference},
                )
                return redirect("initiatives:detail", pk=initiative.pk)
    campaign = (getattr(form, "cleaned_data", None) or {}).get("campaign")
    if campaign is None and len(campaigns) == 1:
        campaign = campaigns[0]
    author_errors = _all_problems(
        request, form, formset, campaign=campaign, author_errors=author_errors
    )
    return page(form, formset, author_errors=author_errors, status=400)


def _all_problems(
    request: HttpRequest,
    form: forms.InitiativeForm,
    formset: Any,
    *,
    campaign: Campaign | None,
    author_errors: list[str],
) -> list[str]:
    """After the form or a service refused what was typed: everything else the services
    would refuse in the parts that could be read (and, when it was to be submitted, what a
    submission still needs), so the page shows every error in one round, not the next
    ones after the first are fixed. The author rows' messages not tied to a row are
    returned with `author_errors`."""
    if campaign is None:
        return author_errors
    data = getattr(form, "cleaned_data", None) or {}
    fields = {
        name: data.get(name)
        for name in forms.SERVICE_FIELDS
        if name in form.fields and name in data and not form.has_error(name)
    }
    for row in formset.forms:
        row.is_valid()
    authors, where = forms.service_authors(formset)
    problems = services.initiative_problems(
        campaign=campaign,
        fields=fields,
        authors=authors,
        submitting=request.POST.get("action") == "submit",
    )
    fresh: dict[str, str] = {}
    for key, message in problems.items():
        parts = key.split(".")
        if parts[0] == "authors":
            if len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < len(where):
                row = formset.forms[where[int(parts[1])]]
                if row.errors:  # the row already says what is wrong with it
                    continue
            elif message in author_errors or formset.non_form_errors():
                continue
        elif key not in form.fields or form.has_error(key):
            continue
        fresh[key] = message
    if not fresh:
        return author_errors
    more = forms.add_service_errors(
        form, ValidationError(fresh), formset=formset, author_rows=where
    )
    return [*author_errors, *more]


def _submit_saved(
    request: HttpRequest, initiative: Initiative, *, forget: list[str]
) -> HttpResponse:
    """Submit an initiative just saved from the form. When something is still missing the
    saved draft stays and the form shows what to complete."""
    try:
        initiative = services.submit_initiative(
            initiative, by=request.user, expected_version=initiative.version
        )
    except ConflictError as exc:
        _forget_drafts_later(request, *forget)
        return _detail(request, _reload(request, initiative), status=409, error=exc.message)
    except ValidationError as exc:
        return _edit_with_errors(
            request,
            _reload(request, initiative),
            exc,
            drafts_clear=forget,
            notice=_(
                "Your changes were saved as a draft, but the initiative cannot be submitted yet. "
                "Complete the fields marked below and submit again."
            ),
        )
    _forget_drafts_later(request, *forget)
    messages.success(request, _submitted_message(initiative))
    return redirect("initiatives:detail", pk=initiative.pk)


def _submitted_message(initiative: Initiative) -> str:
    return _("%(ref)s was submitted for review. You will be told when it is decided.") % {
        "ref": initiative.reference
    }


def _reload(request: HttpRequest, initiative: Initiative) -> Initiative:
    return get_initiative_for_user(request.user, initiative.pk)


def _edit_forms(
    request: HttpRequest, initiative: Initiative, data: Any = None, files: Any = None
) -> tuple[forms.InitiativeForm, Any]:
    form = forms.InitiativeForm(
        data, files, campaigns=[initiative.campaign], existing=initiative,
        initial=forms.initial_for(initiative) if data is None else None,
    )  # fmt: skip
    if not can_view_confidential(request.user, initiative):
        del form.fields["confidential"]
    return form, forms.author_formset(data) if data is not None else forms.author_formset(
        initial=forms.authors_initial(initiative) or [{}]
    )


def _edit_with_errors(
    request: HttpRequest,
    initiative: Initiative,
    exc: ValidationError,
    *,
    drafts_clear: list[str] | None = None,
    notice: str = "",
) -> HttpResponse:
    """The edit form of the saved initiative with a service's messages next to the fields."""
    data = {**forms.initial_for(initiative)}
    data.update(forms.authors_data(forms.authors_initial(initiative) or [{}]))
    form, formset = _edit_forms(request, initiative, data)
    form.is_valid()
    formset.is_valid()
    author_errors = forms.add_service_errors(form, exc, formset=formset)
    return _form_page(
        request,
        form=form,
        formset=formset,
        initiative=initiative,
        author_errors=author_errors,
        draft_key=edit_draft_key(initiative, initiative.version, user=request.user),
        drafts_clear=drafts_clear,
        notice=notice,
        status=400,
    )


@login_required
@GET_POST
def initiative_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    initiative = get_initiative_for_user(user, pk)
    # Roles that allow editing but a status that does not: the page says why (409); a POST
    # goes on to the service, which refuses it the same way.
    if not require_action(user, initiative, "edit") and request.method == "GET":
        return _detail(request, initiative, status=409, error=_not_editable(initiative))
    if request.method == "GET":
        form, formset = _edit_forms(request, initiative)
        return _form_page(
            request,
            form=form,
            formset=formset,
            initiative=initiative,
            draft_key=edit_draft_key(initiative, initiative.version, user=request.user),
            drafts_clear=_drafts_to_forget(request),
        )
    posted_version = request.POST.get("version") or initiative.version
    draft_key = edit_draft_key(initiative, posted_version, user=request.user)
    form, formset = _edit_forms(request, initiative, request.POST, request.FILES)
    if "add_author" in request.POST:
        form = forms.InitiativeForm(
            campaigns=[initiative.campaign],
            existing=initiative,
            initial=_typed(request.POST, form),
        )
        if not can_view_confidential(user, initiative):
            del form.fields["confidential"]
        formset = forms.author_formset(initial=[*forms.posted_authors(request.POST), {}])
        return _form_page(
            request, form=form, formset=formset, initiative=initiative, draft_key=draft_key
        )
    author_errors: list[str] = []
    status = 400
    if form.is_valid() and formset.is_valid():
        authors, where = forms.service_authors(formset)
        current = author_member_ids(initiative)
        authors, waiting, outside = _link_by_name(
            user, formset, authors, where, unit=initiative.unit, current_author_ids=current
        )
        authors, unnamed = named_authors(
            user, authors, unit=initiative.unit, current_author_ids=current
        )
        version = form.cleaned_data.get("version")
        if waiting:
            return _form_page(
                request, form=form, formset=formset, initiative=initiative,
                draft_key=draft_key, status=400,
            )  # fmt: skip
        try:
            with transaction.atomic():
                initiative = services.update_initiative(
                    initiative,
                    by=user,
                    expected_version=version if version is not None else initiative.version,
                    authors=authors,
                    **{k: v for k, v in form.service_kwargs().items() if k in form.fields},
                )
                _refuse_unnamed(unnamed)
                _attach(initiative, user, form)
        except ConflictError as exc:
            form.add_error(None, exc.message)
            status = 409
        except ValidationError as exc:
            author_errors = forms.add_service_errors(
                form, _with_unnamed(exc, unnamed), formset=formset, author_rows=where
            )
        else:
            _outside_note(request, initiative.unit, outside)
            if request.POST.get("action") == "submit":
                return _submit_saved(request, initiative, forget=[draft_key])
            _forget_drafts_later(request, draft_key)
            messages.success(request, _("Your changes were saved."))
            return redirect("initiatives:detail", pk=initiative.pk)
    if status == 400:
        author_errors = _all_problems(
            request, form, formset, campaign=initiative.campaign, author_errors=author_errors
        )
    return _form_page(
        request,
        form=form,
        formset=formset,
        initiative=initiative,
        author_errors=author_errors,
        draft_key=draft_key,
        status=status,
    )


def _not_editable(initiative: Initiative) -> str:
    return _("This initiative is “%(status)s” and can no longer be changed.") % {
        "status": initiative.get_status_display()
    }


@login_required
def author_row(request: HttpRequest) -> HttpResponse:
    """One more empty author row for the form (htmx), numbered after the rows shown."""
    try:
        index = int(request.GET.get(f"{forms.AUTHORS_PREFIX}-TOTAL_FORMS", 0))
    except ValueError:
        index = 0
    index = max(index, 0)
    if index >= services.MAX_AUTHORS:
        return HttpResponse(status=204)
    formset = forms.author_formset(initial=[{}] * (index + 1))
    context = {"form": formset.forms[index], "total": index + 1, "oob": True}
    return render(request, "initiatives/_author_row.html", context)


@login_required
def author_lookup(request: HttpRequest) -> HttpResponse:
    """`?unit=CODE&q=NAME` (or `?initiative=PK`): the members of the union of the unit an
    initiative is entered under whose name holds what was typed (diacritics and đ ignored),
    for the author rows of the form to link. Only for who may enter initiatives for the unit
    or edit the initiative, and only the members they may name; anyone else gets 404."""
    user = request.user
    current: set[int] | frozenset[int] = frozenset()
    pk = (request.GET.get("initiative") or "").strip()
    code = (request.GET.get("unit") or "").strip().upper()
    if pk.isdigit():
        initiative = get_initiative_for_user(user, int(pk))
        if not can_edit_initiative(user, initiative):
            raise Http404
        unit = initiative.unit
        current = author_member_ids(initiative)
    elif code:
        found = Unit.objects.filter(code=code).first()
        if found is None or not can_enter_for(user, found):
            raise Http404
        unit = found
    else:
        member = _current_member(user)
        if member is None or not can_enter_for(user, member.unit):
            raise Http404
        unit = member.unit
    text = (request.GET.get("q") or "").strip()[:100]
    if not text:
        named = [str(v) for k, v in request.GET.items() if re.fullmatch(r"authors-\d+-name", k)]
        text = (named[0] if named else "").strip()[:100]
    found_members = members_named(user, unit, text, current_author_ids=current) if text else []
    context = {"members": found_members, "q": text, "union": author_union(unit)}
    return render(request, "initiatives/_author_matches.html", context)


# -- detail and workflow -------------------------------------------------------------------


def _detail(
    request: HttpRequest,
    initiative: Initiative,
    *,
    status: int = 200,
    error: str = "",
    decide_form: forms.DecideForm | None = None,
    reopen_form: forms.ReopenForm | None = None,
    withdraw_form: forms.WithdrawForm | None = None,
    attachment_form: forms.AttachmentForm | None = None,
) -> HttpResponse:
    user = request.user
    version = {"version": initiative.version}
    can_decide = can_decide_initiative(user, initiative)
    if can_decide and decide_form is None:
        decide_form = forms.DecideForm(
            initial={
                **version,
                "benefit_valid_vnd": forms.format_vnd(initiative.benefit_claimed_vnd),
            }
        )
    can_reopen = can_reopen_initiative(user, initiative)
    if can_reopen and reopen_form is None:
        reopen_form = forms.ReopenForm(initial=version)
    can_withdraw = can_withdraw_initiative(user, initiative)
    if can_withdraw and withdraw_form is None:
        withdraw_form = forms.WithdrawForm(initial=version)
    can_edit = can_edit_initiative(user, initiative)
    if can_edit and attachment_form is None:
        attachment_form = forms.AttachmentForm()
    authors = list(
        Author.objects.filter(initiative=initiative).select_related("member", "member__unit")
    )
    context = {
        "initiative": initiative,
        "authors": authors,
        "attachments": list(
            Attachment.objects.filter(initiative=initiative, removed_at__isnull=True)
        ),
        "history": list(initiative.history.select_related("actor", "moved_from")),
        "show_confidential": can_view_confidential(user, initiative),
        "can_edit": can_edit,
        "can_submit": can_submit_initiative(user, initiative),
        "can_withdraw": can_withdraw,
        "can_decide": can_decide,
        "can_reopen": can_reopen,
        "kept_from_deciding": kept_from_deciding(user, initiative),
        "decide_form": decide_form,
        "reopen_form": reopen_form,
        "withdraw_form": withdraw_form,
        "attachment_form": attachment_form,
        "error": error,
        "drafts_clear": _drafts_to_forget(request),
    }
    return render(request, "initiatives/initiative_detail.html", context, status=status)


@login_required
def initiative_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, get_initiative_for_user(request.user, pk))


def _posted_version(request: HttpRequest) -> int | None:
    form = forms.VersionForm(request.POST)
    return form.cleaned_data["version"] if form.is_valid() else None


@login_required
@GET_POST
def initiative_submit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    initiative = get_initiative_for_user(user, pk)
    if request.method == "GET":
        return redirect("initiatives:detail", pk=initiative.pk)
    require_action(user, initiative, "submit")
    try:
        initiative = services.submit_initiative(
            initiative, by=user, expected_version=_posted_version(request)
        )
    except ConflictError as exc:
        return _detail(request, _reload(request, initiative), status=409, error=exc.message)
    except ValidationError as exc:
        return _edit_with_errors(
            request,
            _reload(request, initiative),
            exc,
            notice=_("The initiative cannot be submitted yet. Complete the fields marked below."),
        )
    messages.success(request, _submitted_message(initiative))
    return redirect("initiatives:detail", pk=initiative.pk)


DECIDED_MESSAGES = {
    Status.VALID: gettext_lazy("The initiative was declared valid."),
    Status.RETURNED: gettext_lazy("The initiative was returned to its authors for changes."),
    Status.INVALID: gettext_lazy("The initiative was declared invalid."),
}


@login_required
@GET_POST
def initiative_decide(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    initiative = get_initiative_for_user(user, pk)
    if request.method == "GET":
        return redirect("initiatives:detail", pk=initiative.pk)
    require_action(user, initiative, "decide")
    form = forms.DecideForm(request.POST)
    if not form.is_valid():
        return _detail(request, initiative, status=400, decide_form=form)
    data = form.cleaned_data
    decision = data["decision"]
    try:
        services.decide_initiative(
            initiative,
            by=user,
            decision=decision,
            reason=data["reason"],
            benefit_valid_vnd=data["benefit_valid_vnd"] if decision == Status.VALID else None,
            expected_version=data["version"],
        )
    except ConflictError as exc:
        return _detail(request, _reload(request, initiative), status=409, error=exc.message)
    except ValidationError as exc:
        forms.add_service_errors(form, exc)
        return _detail(request, initiative, status=400, decide_form=form)
    messages.success(request, str(DECIDED_MESSAGES[decision]))
    # The form was posted to …/decide/#decide; a fragment of its own keeps the browser from
    # carrying that one to the page that follows, whose message is at the top.
    return redirect(reverse("initiatives:detail", args=[initiative.pk]) + "#main")


def _step_with_reason(
    request: HttpRequest,
    pk: int,
    *,
    action: str,
    form_class: Any,
    form_name: str,
    service: Any,
    done: str,
) -> HttpResponse:
    """Withdraw and reopen: a POST form with a reason and the version it was read at."""
    user = request.user
    initiative = get_initiative_for_user(user, pk)
    if request.method == "GET":
        return redirect("initiatives:detail", pk=initiative.pk)
    require_action(user, initiative, action)
    form = form_class(request.POST)
    if not form.is_valid():
        return _detail(request, initiative, status=400, **{form_name: form})
    try:
        service(
            initiative,
            by=user,
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["version"],
        )
    except ConflictError as exc:
        return _detail(request, _reload(request, initiative), status=409, error=exc.message)
    except ValidationError as exc:
        forms.add_service_errors(form, exc)
        return _detail(request, initiative, status=400, **{form_name: form})
    messages.success(request, done)
    return redirect("initiatives:detail", pk=initiative.pk)


@login_required
@GET_POST
def initiative_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _step_with_reason(
        request,
        pk,
        action="withdraw",
        form_class=forms.WithdrawForm,
        form_name="withdraw_form",
        service=services.withdraw_initiative,
        done=_("The initiative was withdrawn."),
    )


@login_required
@GET_POST
def initiative_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    return _step_with_reason(
        request,
        pk,
        action="reopen",
        form_class=forms.ReopenForm,
        form_name="reopen_form",
        service=services.reopen_initiative,
        done=_("The decision was reopened; the initiative is under review again."),
    )


# -- attachments ---------------------------------------------------------------------------


@login_required
@GET_POST
def attachment_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    initiative = get_initiative_for_user(user, pk)
    if request.method == "GET":
        return redirect("initiatives:detail", pk=initiative.pk)
    require_action(user, initiative, "attach")
    form = forms.AttachmentForm(request.POST, request.FILES)
    if form.is_valid() and not form.cleaned_data["attachments"]:
        form.add_error("attachments", _("Choose at least one file."))
    if not form.is_valid():
        return _detail(request, initiative, status=400, attachment_form=form)
    try:
        with transaction.atomic():
            for upload in form.cleaned_data["attachments"]:
                services.add_attachment(
                    initiative, by=user, upload=upload, kind=form.cleaned_data["kind"]
                )
    except ConflictError as exc:
        return _detail(request, _reload(request, initiative), status=409, error=exc.message)
    except ValidationError as exc:
        forms.add_service_errors(form, exc, rename={"file": "attachments"})
        return _detail(request, initiative, status=400, attachment_form=form)
    messages.success(request, _("The files were attached."))
    return redirect(reverse("initiatives:detail", args=[initiative.pk]) + "#files")


def _attachment_of(initiative: Initiative, file_id: int) -> Attachment:
    attachment = Attachment.objects.filter(
        pk=file_id, initiative=initiative, removed_at__isnull=True
    ).first()
    if attachment is None:
        raise Http404
    attachment.initiative = initiative
    return attachment


@login_required
def attachment_download(request: HttpRequest, pk: int, file_id: int) -> FileResponse:
    """The file, to whoever may see the initiative (404 for anyone else)."""
    initiative = get_initiative_for_user(request.user, pk)
    attachment = _attachment_of(initiative, file_id)
    try:
        handle = attachment.file.open("rb")
    except OSError:
        raise Http404 from None
    return FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )


@login_required
@GET_POST
def attachment_remove(request: HttpRequest, pk: int, file_id: int) -> HttpResponse:
    user = request.user
    initiative = get_initiative_for_user(user, pk)
    attachment = _attachment_of(initiative, file_id)
    if request.method == "GET":
        return redirect("initiatives:detail", pk=initiative.pk)
    require_action(user, initiative, "attach")
    try:
        services.remove_attachment(attachment, by=user)
    except ConflictError as exc:
        return _detail(request, _reload(request, initiative), status=409, error=exc.message)
    messages.success(request, _("%(name)s was removed.") % {"name": attachment.original_name})
    return redirect(reverse("initiatives:detail", args=[initiative.pk]) + "#files")


# -- the unit's QR poster ------------------------------------------------------------------


@login_required
def entry_for_unit(request: HttpRequest, code: str) -> HttpResponse:
    """The address on a unit's QR poster: the new-initiative form for that unit, with the
    open campaign chosen. A logged-out visitor logs in first and comes back here."""
    unit = Unit.objects.filter(code=(code or "").strip().upper()).first()
    if unit is None or not can_enter_for(request.user, unit):
        raise Http404
    params = {"unit": unit.code}
    campaigns = open_campaigns(request.user, unit)
    if campaigns:
        params["campaign"] = campaigns[0].code
    return redirect(f"{reverse('initiatives:create')}?{urlencode(params)}")
