"""Co-authors typed by name: the lookup of the union's members (diacritics and đ ignored,
scoped, outsiders 404), and the form, which never keeps a name that members have as
"outside the system" without asking: one match is proposed for linking, several are offered
to choose from, none is kept outside with a visible note."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from sangkien.campaigns.services import create_campaign
from sangkien.initiatives.models import Author, Initiative
from sangkien.initiatives.tests.test_views import form_data, new_url
from sangkien.orgs import services as orgs

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(tree):
    """As the entry form's tests have it (code SK2026, the code `form_data` posts)."""
    return create_campaign(
        code="SK2026", name="Sáng kiến 2026–2027", owner=tree.root,
        starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2027, 12, 31), by=None,
        fields=[("KT", "Kỹ thuật, công nghệ")], requires_recognition=False,
    )  # fmt: skip


@pytest.fixture
def field(campaign):
    return campaign.fields.get(code="KT")


@pytest.fixture
def dinh(tree):
    return orgs.create_member(
        unit=tree.grassroots, full_name="Đinh Văn Định", by=None, code="DV00000077",
        birth_date=dt.date(1988, 4, 2),
    )  # fmt: skip


def lookup(client, **params):
    return client.get(reverse("initiatives:author_lookup"), params)


def two_authors(field, name, **extra):
    return form_data(
        field,
        **{
            "authors-TOTAL_FORMS": "2",
            "authors-0-share": "50",
            "authors-1-member": "",
            "authors-1-name": name,
            "authors-1-share": "50",
            **extra,
        },
    )


def test_the_lookup_finds_members_with_diacritics_and_d_ignored(login, member, dinh, tree):
    client = login(member)
    for typed in ("dinh van dinh", "ĐỊNH", "Dinh Van"):
        response = lookup(client, unit="TH-KCN-001", q=typed)
        assert response.status_code == 200
        assert "DV00000077" in response.content.decode(), typed
    html = lookup(client, unit="TH-KCN-001", q="Không Ai Tên Này").content.decode()
    assert "data-no-member" in html and "DV000" not in html


def test_the_lookup_reads_the_row_field_htmx_sends(login, member, dinh):
    response = lookup(login(member), **{"authors-3-name": "dinh"})
    assert "DV00000077" in response.content.decode()


def test_the_lookup_is_404_for_who_cannot_enter_for_the_unit(login, outsider, dinh, tree):
    assert lookup(login(outsider), unit="TH-KCN-001", q="dinh").status_code == 404
    assert lookup(login(outsider), q="dinh").status_code == 404


def test_the_lookup_never_shows_members_of_another_union(login, member, tree):
    orgs.create_member(unit=tree.grassroots2, full_name="Đinh Văn Định", by=None, code="DV09")
    html = lookup(login(member), unit="TH-KCN-001", q="dinh").content.decode()
    assert "DV09" not in html
    assert lookup(login(member), unit="TH-KCN-002", q="dinh").status_code == 404


def test_one_member_of_that_name_is_proposed_and_nothing_saved(login, member, field, dinh):
    client = login(member)
    response = client.post(new_url(), two_authors(field, "dinh van dinh"))
    assert response.status_code == 400
    html = response.content.decode()
    assert 'name="authors-1-link"' in html and 'value="DV00000077"' in html
    assert 'value="outside"' in html
    assert not Initiative.objects.exists()
    # The author links the member.
    response = client.post(new_url(), two_authors(field, "dinh van dinh", **{
        "authors-1-link": "DV00000077"}))  # fmt: skip
    assert response.status_code == 302
    author = Author.objects.get(position_in_list=1)
    assert author.member == dinh and author.name == "Đinh Văn Định"


def test_the_author_may_keep_a_namesake_outside(login, member, field, dinh):
    response = login(member).post(
        new_url(), two_authors(field, "Đinh Văn Định", **{"authors-1-link": "outside"})
    )
    assert response.status_code == 302
    author = Author.objects.get(position_in_list=1)
    assert author.member is None and author.name == "Đinh Văn Định"


def test_several_members_of_that_name_are_offered_to_choose(login, member, field, dinh, tree):
    other = orgs.create_member(
        unit=tree.grassroots, full_name="Đinh Văn Định", by=None, code="DV00000078",
        birth_date=dt.date(1995, 1, 1),
    )  # fmt: skip
    client = login(member)
    html = client.post(new_url(), two_authors(field, "Đinh Văn Định")).content.decode()
    assert 'value="DV00000077"' in html and 'value="DV00000078"' in html
    assert "1988" in html and "1995" in html
    response = client.post(new_url(), two_authors(field, "Đinh Văn Định", **{
        "authors-1-link": "DV00000078"}))  # fmt: skip
    assert response.status_code == 302
    assert Author.objects.get(position_in_list=1).member == other


def test_a_name_no_member_has_is_kept_outside_with_a_note(login, member, field, dinh):
    client = login(member)
    response = client.post(new_url(), two_authors(field, "Trần Người Ngoài"), follow=True)
    assert Author.objects.get(position_in_list=1).member is None
    html = response.content.decode()
    assert "Trần Người Ngoài" in html and 'class="message info"' in html


def test_editing_proposes_the_link_too(login, member, field, dinh, campaign):
    client = login(member)
    client.post(new_url(), two_authors(field, "Người Ngoài"))
    initiative = Initiative.objects.get()
    data = two_authors(field, "đinh văn định", version=str(initiative.version))
    data.pop("campaign")
    response = client.post(reverse("initiatives:edit", args=[initiative.pk]), data)
    assert response.status_code == 400 and 'value="DV00000077"' in response.content.decode()
    html = lookup(client, initiative=str(initiative.pk), q="dinh").content.decode()
    assert "DV00000077" in html
