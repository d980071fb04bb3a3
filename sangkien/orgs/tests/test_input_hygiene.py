"""Codes, phones and names that would break pages or hide text are refused or cleaned on the
way in, whichever path they take (form, service, import)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sangkien.core.errors import ValidationError
from sangkien.orgs import services
from sangkien.orgs.models import Member


@pytest.mark.parametrize("code", ["../../x", "A/B", "A B", "Á1", "-X", "X" * 33, "x<y>"])
def test_a_member_code_outside_the_pattern_is_refused(tree, code):
    with pytest.raises(ValidationError) as caught:
        services.create_member(unit=tree.grassroots, full_name="Lê Văn Tám", code=code, by=None)
    assert "code" in caught.value.message_dict
    assert not Member.objects.filter(full_name="Lê Văn Tám").exists()


def test_the_member_form_refuses_a_path_as_code_and_the_list_still_answers(
    login, unit_officer, tree
):
    client = login(unit_officer)
    response = client.post(
        reverse("orgs:member_create", args=["TH-KCN-001"]),
        {"full_name": "Hồ Văn Nam", "code": "../../x"},
    )
    assert response.status_code == 400
    assert "code" in response.context["form"].errors
    assert not Member.objects.filter(full_name="Hồ Văn Nam").exists()
    assert client.get(reverse("orgs:members", args=["TH-KCN-001"])).status_code == 200


@pytest.mark.parametrize("phone", ["<script>", "abc", "0900 000 003 ext. 5", "09x0000003"])
def test_a_phone_with_letters_or_markup_is_refused(tree, phone):
    with pytest.raises(ValidationError) as caught:
        services.create_member(unit=tree.grassroots, full_name="Lê Văn Tám", phone=phone, by=None)
    assert "phone" in caught.value.message_dict


@pytest.mark.parametrize("phone", ["0900 000 003", "+84 900.000.003", "(024) 3826 1234"])
def test_phones_as_people_type_them_are_kept_as_digits(tree, phone):
    member = services.create_member(
        unit=tree.grassroots, full_name="Lê Văn Tám", phone=phone, by=None
    )
    assert member.phone.isdigit()


def test_invisible_characters_never_reach_a_name(tree):
    member = services.create_member(
        unit=tree.grassroots, full_name="Lê\u200b Văn\u202e Tám\x00", by=None
    )
    assert member.full_name == "Lê Văn Tám"
    unit = services.create_unit(
        code="TH-KCN-009",
        name="Công đoàn\u2066 Công ty\ufeff Mía đường",
        kind="grassroots",
        parent=tree.upper,
        by=None,
    )
    assert unit.name == "Công đoàn Công ty Mía đường"
