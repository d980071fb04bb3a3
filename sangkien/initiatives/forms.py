"""Forms for entering and deciding initiatives. They only parse the shape of the input (dates,
amounts of money, codes, files); the rules (what a draft may hold, what a submission needs,
the 100% share rule, eligibility) live in sangkien.initiatives.services, whose
ValidationErrors are put next to the fields by `add_service_errors`.

Money is typed the way people write it ("1.500.000", "1 500 000", "1500000 đ", "1,8 triệu")
and dates day first; both are read by `sangkien.values`, as the API and the imports read them."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from sangkien.campaigns.models import ApplicationField, Campaign
from sangkien.core.forms import MoneyField
from sangkien.formats import input_date
from sangkien.orgs.forms import UnitCodeField, _with_list, date_field

from . import files, rules
from .models import AttachmentKind, Initiative, Status
from .services import MAX_AUTHORS, REQUIRED_TO_SUBMIT


def format_vnd(value: int | None) -> str:
    """An amount the way the form shows it back: "1.500.000" (digits grouped by dots)."""
    if value is None:
        return ""
    return f"{int(value):,}".replace(",", ".")


class VndField(MoneyField):
    """A whole amount of đồng, typed as people write it (`sangkien.values.money`)."""


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input; the services check each one's type and size."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        accept = ",".join([*files.ALLOWED_EXTENSIONS, "image/*"])
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True, "accept": accept}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        items = data if isinstance(data, list | tuple) else [data]
        return [single(item, initial) for item in items if item]


def textarea(rows: int = 4) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


# The fields of the request form (Circular 18/2013, Phụ lục I), in the order of the form, as
# the services name them.
SERVICE_FIELDS = [
    "title",
    "field",
    "problem",
    "description",
    "conditions",
    "first_applied_on",
    "benefit_claimed_vnd",
    "benefit_method",
    "confidential",
    "investor",
    "first_application_people",
    "recognition_body",
    "recognition_number",
    "recognition_date",
]
RECOGNITION_FIELDS = ["recognition_body", "recognition_number", "recognition_date"]
FILE_FIELDS = ("attachments", "evidence")


class InitiativeForm(forms.Form):
    """The request form. On a new initiative the campaign (and, for a support team or an
    officer, the unit) is chosen here; an existing one keeps both."""

    campaign = forms.ChoiceField(label=_("Campaign"))
    unit = UnitCodeField(
        label=_("Unit (code)"),
        help_text=_("The grassroots union or union group the initiative belongs to."),
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=500,
        required=False,
        help_text=_("A short name that says what the initiative is."),
    )
    field = forms.ChoiceField(label=_("Field of application"), required=False)
    problem = forms.CharField(
        label=_("Problem solved"),
        required=False,
        widget=textarea(3),
        help_text=_("What was wrong or could be done better before."),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=textarea(6),
        help_text=_("The steps, and what changed compared with how it was done before."),
    )
    conditions = forms.CharField(
        label=_("Conditions for applying it"), required=False, widget=textarea(3)
    )
    first_applied_on = date_field(
        _("First applied (or trial-applied) on"),
        help_text=_("The campaign counts initiatives first applied inside its period."),
    )
    benefit_claimed_vnd = VndField(
        label=_("Benefit (đồng)"),
        help_text=_("The value it brings, as you assess it, for example 1.500.000."),
    )
    benefit_method = forms.CharField(
        label=_("How the benefit was computed"), required=False, widget=textarea(3)
    )
    confidential = forms.CharField(
        label=_("Confidential information"),
        required=False,
        widget=textarea(3),
        help_text=_(
            "Optional. Shown only to the authors, the person who entered the initiative and "
            "those who decide on it; never published."
        ),
    )
    investor = forms.CharField(
        label=_("Investor, if not the author"), max_length=255, required=False
    )
    first_application_people = forms.CharField(
        label=_("People who took part in the first application"),
        required=False,
        widget=textarea(2),
    )
    recognition_body = forms.CharField(
        label=_("Recognised by"),
        max_length=255,
        required=False,
        help_text=_("The initiative council or the head of unit that recognised it."),
    )
    recognition_number = forms.CharField(
        label=_("Number of the recognition decision"), max_length=64, required=False
    )
    recognition_date = date_field(_("Date of the recognition decision"))
    attachments = MultipleFileField(
        label=_("Files: description, drawings, photos"),
        help_text=_("Images (JPG, PNG, WebP), PDF or office documents; you may choose several."),
    )
    evidence = MultipleFileField(
        label=_("Files: recognition evidence"),
        help_text=_("A photo or scan of the recognition decision, if you have it."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        *args: Any,
        campaigns: list[Campaign],
        unit_scope: Any = None,
        existing: Initiative | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.campaigns = {c.code: c for c in campaigns}
        if existing is not None:
            # Campaign and unit are fixed once the initiative exists.
            del self.fields["campaign"]
            del self.fields["unit"]
        else:
            del self.fields["version"]
            cast(forms.ChoiceField, self.fields["campaign"]).choices = [
                (c.code, c.name) for c in campaigns
            ]
            if unit_scope is None:
                del self.fields["unit"]
            else:
                unit_field = cast(UnitCodeField, self.fields["unit"])
                unit_field.scope = unit_scope
                _with_list(unit_field, "unit")
        blank: list[tuple[str, Any]] = [("", _("— choose —"))]
        if len(campaigns) == 1:
            cast(forms.ChoiceField, self.fields["field"]).choices = blank + [
                (str(f.pk), f.name) for f in campaigns[0].fields.all()
            ]
        else:
            cast(forms.ChoiceField, self.fields["field"]).choices = blank + [
                (c.name, [(str(f.pk), f.name) for f in c.fields.all()]) for c in campaigns
            ]
        self.application_fields = {str(f.pk): f for c in campaigns for f in c.fields.all()}
        # What a submission needs carries the required mark (a draft may still lack it).
        needed = list(REQUIRED_TO_SUBMIT)
        if campaigns and all(c.requires_recognition for c in campaigns):
            needed += RECOGNITION_FIELDS
        for name in needed:
            if name in self.fields:
                self.fields[name].required_mark = True  # type: ignore[attr-defined]
                self.fields[name].widget.attrs["aria-required"] = "true"

    def clean_campaign(self) -> Campaign:
        return self.campaigns[self.cleaned_data["campaign"]]

    def clean_field(self) -> ApplicationField | None:
        value = self.cleaned_data.get("field") or ""
        return self.application_fields.get(value)

    def service_kwargs(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in SERVICE_FIELDS}

    def main_fields(self) -> list[Any]:
        skip = {"campaign", "unit", "attachments", "evidence", "version", *RECOGNITION_FIELDS}
        return [self[name] for name in self.fields if name not in skip]

    def recognition_fields(self) -> list[Any]:
        return [self[name] for name in RECOGNITION_FIELDS]


def initial_for(initiative: Initiative) -> dict[str, Any]:
    """The form's data for an existing initiative, as a browser would post it."""
    data: dict[str, Any] = {}
    for name in SERVICE_FIELDS:
        value = getattr(initiative, name if name != "field" else "field_id")
        if name == "benefit_claimed_vnd":
            value = format_vnd(value)
        elif name in ("first_applied_on", "recognition_date"):
            value = input_date(value) if value else ""
        data[name] = "" if value is None else str(value)
    data["version"] = str(initiative.version)
    return data


class AuthorForm(forms.Form):
    """One author: a member by code, or a person outside the system by name."""

    member = forms.CharField(
        label=_("Member code"),
        max_length=32,
        required=False,
        help_text=_("For a union member in the system, for example DV00000001."),
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off"}),
    )
    name = forms.CharField(
        label=_("Full name"),
        max_length=255,
        required=False,
        help_text=_("For an author outside the system (no member code)."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    share = forms.CharField(
        label=_("Contribution (%)"),
        max_length=10,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    birth_date = date_field(_("Date of birth"))
    workplace = forms.CharField(label=_("Workplace"), max_length=255, required=False)
    position = forms.CharField(label=_("Position"), max_length=255, required=False)
    qualification = forms.CharField(label=_("Qualification"), max_length=255, required=False)
    # What the author chose for a name that members of the union have: a member code
    # (link), or OUTSIDE (keep them as a person outside the system). See `propose_link`.
    link = forms.CharField(max_length=32, required=False, widget=forms.HiddenInput)

    DETAIL_FIELDS = ("birth_date", "workplace", "position", "qualification")
    OUTSIDE = "outside"

    def propose_link(self, members: list[Any], union: Any) -> None:
        """Ask which of `members` (of `union`, named as this row's name) the author is, or
        whether they are someone outside the system: the row's `link` becomes a choice with
        the question as its error, so nothing is saved until the author answers."""

        def label(m: Any) -> str:
            parts = [str(m.full_name), m.code]
            if m.unit_id != union.pk:
                parts.append(str(m.unit.name))
            if m.birth_date:
                parts.append(_("born %(year)s") % {"year": m.birth_date.year})
            return " · ".join(parts)

        choices: list[tuple[str, Any]] = [(m.code, label(m)) for m in members]
        choices.append((self.OUTSIDE, _("None of them: keep as an author outside the system")))
        self.fields["link"] = forms.ChoiceField(
            label=_("Is this author a member of the union?"),
            choices=choices,
            widget=forms.RadioSelect,
            required=False,
        )
        self._bound_fields_cache.pop("link", None)  # type: ignore[attr-defined]  # made when cleaned
        if len(members) == 1:
            message = _(
                "%(name)s is the name of a member of %(union)s: link the author to this "
                "member, or keep them as an author outside the system."
            )
        else:
            message = _(
                "%(count)s members of %(union)s are named %(name)s: choose which one is the "
                "author, or keep them as an author outside the system."
            )
        name = self.cleaned_data.get("name") or ""
        self.add_error("link", message % {"name": name, "union": union.name, "count": len(members)})

    def main_fields(self) -> list[Any]:
        return [self["member"], self["name"], self["share"]]

    def detail_fields(self) -> list[Any]:
        return [self[name] for name in self.DETAIL_FIELDS]

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {}) or {}
        return not any(data.get(name) for name in ("member", "name", "share", *self.DETAIL_FIELDS))


class BaseAuthorFormSet(forms.BaseFormSet):
    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove this author")


AuthorFormSet = forms.formset_factory(
    AuthorForm,
    formset=BaseAuthorFormSet,
    extra=0,
    can_delete=True,
    max_num=MAX_AUTHORS,
    absolute_max=MAX_AUTHORS,
    validate_max=True,
)
AUTHORS_PREFIX = "authors"


def author_formset(data: Any = None, initial: list[dict[str, Any]] | None = None) -> Any:
    return AuthorFormSet(data, initial=initial, prefix=AUTHORS_PREFIX)


def authors_initial(initiative: Initiative) -> list[dict[str, Any]]:
    return [
        {
            "member": a.member.code if a.member is not None else "",
            "name": "" if a.member_id else a.name,
            "share": f"{a.share.normalize():f}",
            "birth_date": input_date(a.birth_date) if a.birth_date else "",
            "workplace": a.workplace,
            "position": a.position,
            "qualification": a.qualification,
        }
        for a in initiative.authors.select_related("member")
    ]


def authors_data(initial: list[dict[str, Any]]) -> dict[str, str]:
    """The posted form of a list of author rows."""
    data = {
        f"{AUTHORS_PREFIX}-TOTAL_FORMS": str(len(initial)),
        f"{AUTHORS_PREFIX}-INITIAL_FORMS": "0",
    }
    for i, row in enumerate(initial):
        for key, value in row.items():
            data[f"{AUTHORS_PREFIX}-{i}-{key}"] = value or ""
    return data


def posted_authors(data: Any) -> list[dict[str, str]]:
    """The author rows of a posted form, read as typed (for re-showing them)."""
    try:
        total = int(data.get(f"{AUTHORS_PREFIX}-TOTAL_FORMS", 0))
    except (TypeError, ValueError):
        total = 0
    rows = []
    for i in range(min(max(total, 0), MAX_AUTHORS)):
        names = ("member", "name", "share", "link", "DELETE", *AuthorForm.DETAIL_FIELDS)
        row = {n: data.get(f"{AUTHORS_PREFIX}-{i}-{n}", "") for n in names}
        if not row.pop("DELETE"):
            rows.append(row)
    return rows


def service_authors(formset: Any) -> tuple[list[dict[str, Any]], list[int]]:
    """The author rows for the services (blank and removed rows left out) and, for each, the
    index of its row in the formset (so the services' `authors.N.share` errors find it)."""
    rows: list[dict[str, Any]] = []
    where: list[int] = []
    for i, form in enumerate(formset.forms):
        data = getattr(form, "cleaned_data", {}) or {}
        if data.get("DELETE") or form.is_blank():
            continue
        rows.append(
            {
                "member": data.get("member") or None,
                "name": data.get("name") or "",
                "share": data.get("share") or "",
                "birth_date": data.get("birth_date"),
                "workplace": data.get("workplace") or "",
                "position": data.get("position") or "",
                "qualification": data.get("qualification") or "",
                "link": data.get("link") or "",
            }
        )
        where.append(i)
    return rows, where


def add_service_errors(
    form: forms.Form,
    exc: ValidationError,
    *,
    formset: Any = None,
    author_rows: list[int] | None = None,
    rename: dict[str, str] | None = None,
) -> list[str]:
    """Put a service's ValidationError on the form (and the authors' formset): each message
    next to its field; `authors` messages are returned (shown above the authors); anything
    else goes to the top of the form."""
    rename = rename or {}
    author_errors: list[str] = []
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            form.add_error(None, message)
        return author_errors
    for key, errors in exc.error_dict.items():
        messages = [m for e in errors for m in e.messages]
        parts = key.split(".")
        if parts[0] == "authors" and formset is not None:
            if len(parts) == 3 and parts[1].isdigit():
                index = int(parts[1])
                rows = author_rows if author_rows is not None else list(range(len(formset.forms)))
                if index < len(rows) and parts[2] in formset.forms[rows[index]].fields:
                    for message in messages:
                        formset.forms[rows[index]].add_error(parts[2], message)
                    continue
            author_errors.extend(messages)
            continue
        name = rename.get(key, key)
        target = name if name in form.fields else None
        for message in messages:
            form.add_error(target, message)
    return author_errors


# -- decisions and other actions -----------------------------------------------------------


class VersionForm(forms.Form):
    """The version of the initiative the page was showing (for conflict checks). The forms
    of one page each get their own element ids (`id_prefix`)."""

    id_prefix = "id"
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


class DecideForm(VersionForm):
    id_prefix = "decide"
    decision = forms.ChoiceField(
        label=_("Decision"),
        widget=forms.RadioSelect,
        choices=[
            (Status.VALID, _("Valid: it counts for the campaign")),
            (Status.RETURNED, _("Return to the authors for changes")),
            (Status.INVALID, _("Invalid: it does not count")),
        ],
        error_messages={"required": _("Choose valid, returned or invalid.")},
    )
    benefit_valid_vnd = VndField(
        label=_("Validated benefit (đồng)"),
        help_text=_("For a valid decision: the benefit you accept; the claimed one is kept."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=textarea(3),
        help_text=_("Needed when you return it (what must change) or declare it invalid (why)."),
    )

    def clean_benefit_valid_vnd(self) -> int | None:
        amount = self.cleaned_data.get("benefit_valid_vnd")
        if amount is not None:
            try:
                rules.benefit(amount)  # the range a benefit must lie in
            except rules.RuleProblem as exc:
                raise ValidationError(exc.message) from None
        return amount

    def clean(self) -> dict[str, Any]:
        """The rules of the decision service that need no database, checked with the rest
        so that every error shows at once (the service checks them again)."""
        data = super().clean() or {}
        decision = data.get("decision")
        if decision in (Status.RETURNED, Status.INVALID) and not (data.get("reason") or "").strip():
            self.add_error(
                "reason",
                _("Say what the authors must change.")
                if decision == Status.RETURNED
                else _("Say why the initiative is not valid."),
            )
        return data


class ReopenForm(VersionForm):
    id_prefix = "reopen"
    reason = forms.CharField(
        label=_("Why the decision is reopened"), required=False, widget=textarea(3)
    )


class WithdrawForm(VersionForm):
    id_prefix = "withdraw"
    reason = forms.CharField(label=_("Reason (optional)"), required=False, widget=textarea(2))


class AttachmentForm(forms.Form):
    attachments = MultipleFileField(
        label=_("Files"),
        help_text=_("Images (JPG, PNG, WebP), PDF or office documents; you may choose several."),
    )
    kind = forms.ChoiceField(
        label=_("What the files are"),
        choices=AttachmentKind.choices,
        initial=AttachmentKind.DOCUMENT,
        widget=forms.RadioSelect,
    )
