"""What a username may be, checked wherever one is set: the sign-up, `sangkien adduser`,
the Django admin's user forms (through the model field) and the account service."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

from sangkien.text import scripts

_SCRIPT_NAMES = {
    "LATIN": _("Latin"),
    "CYRILLIC": _("Cyrillic"),
    "GREEK": _("Greek"),
}


@deconstructible
class SingleScriptValidator:
    """Letters of one writing system only: "аdmin" with a Cyrillic "а" looks like "admin"
    and would pass for it."""

    code = "mixed_scripts"

    def __call__(self, value: str) -> None:
        found = scripts(value)
        if len(found) > 1:
            names = ", ".join(str(_SCRIPT_NAMES.get(s, s.title())) for s in found)
            raise ValidationError(
                _(
                    "A username uses the letters of one alphabet only: %(name)s mixes letters "
                    "of several alphabets (%(scripts)s) that look alike. Type it again with "
                    "one keyboard layout."
                ),
                code=self.code,
                params={"name": value, "scripts": names},
            )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SingleScriptValidator)


USERNAME_VALIDATORS: list[Callable[[str], None]] = [
    UnicodeUsernameValidator(),
    SingleScriptValidator(),
]


def username_errors(value: str) -> list[ValidationError]:
    """Every problem with `value` as a username, each with its code ([] when none)."""
    problems: list[ValidationError] = []
    for validator in USERNAME_VALIDATORS:
        try:
            validator(value)
        except ValidationError as exc:
            problems.extend(exc.error_list)
    return problems
