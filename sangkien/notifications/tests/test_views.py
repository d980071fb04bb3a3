import pytest
from django.urls import reverse

from sangkien.notifications.models import Notification
from sangkien.notifications.services import notify

LIST = "notifications:list"
READ = "notifications:read"


@pytest.fixture(autouse=True)
def _pages_in_english(client):
    """These tests read the English wording; the Vietnamese one is checked by the catalogue."""
    client.cookies["sangkien_language"] = "en"


def texts(response):
    return [n.text for n, _link in response.context["rows"]]


@pytest.fixture
def inbox(member, unit_officer):
    """Two notifications for the member, one for the officer."""
    notify([member], text="Sáng kiến SK-000001 đã hợp lệ.", url="/initiatives/1/")
    notify([member], text="Sáng kiến SK-000002 bị trả lại.", url="/initiatives/2/")
    notify([unit_officer], text="Có sáng kiến mới cần xét: SK-000003.", url="/initiatives/3/")
    return {
        "member": list(Notification.objects.filter(user=member).order_by("id")),
        "officer": list(Notification.objects.filter(user=unit_officer)),
    }


def test_list_shows_own_notifications_newest_first(login, member, inbox):
    response = login(member).get(reverse(LIST))
    assert response.status_code == 200
    assert texts(response) == ["Sáng kiến SK-000002 bị trả lại.", "Sáng kiến SK-000001 đã hợp lệ."]
    html = response.content.decode()
    assert 'href="/initiatives/2/"' in html
    assert "2 unread notifications." in html
    assert "Có sáng kiến mới" not in html


def test_outsider_sees_none_of_the_others_notifications(login, outsider, inbox):
    response = login(outsider).get(reverse(LIST))
    assert response.status_code == 200
    assert texts(response) == []
    assert "No notifications yet." in response.content.decode()


def test_list_needs_login(client, tree):
    response = client.get(reverse(LIST))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_list_refuses_post(login, member):
    assert login(member).post(reverse(LIST)).status_code == 405


def test_list_links_only_inside_the_site(login, member):
    notify([member], text="Liên kết lạ", url="https://example.com/phish")
    notify([member], text="Liên kết lạ 2", url="//example.com/phish")
    html = login(member).get(reverse(LIST)).content.decode()
    assert "example.com" not in html
    assert "Liên kết lạ" in html


def test_list_pages_by_cursor(login, member, monkeypatch):
    from sangkien.notifications import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    for n in range(5):
        notify([member], text=f"Thông báo {n}")
    client = login(member)
    seen, params, pages = [], {}, 0
    while True:
        response = client.get(reverse(LIST), params)
        page = response.context["page"]
        seen += [n.pk for n in page.items]
        pages += 1
        if not page.has_next:
            break
        params = {"cursor": page.next_cursor}
    assert pages == 3
    ids = list(Notification.objects.filter(user=member).values_list("pk", flat=True))
    assert seen == sorted(ids, reverse=True)


def test_list_uses_a_bounded_number_of_queries(login, member, django_assert_max_num_queries):
    for n in range(20):
        notify([member], text=f"Thông báo {n}", url=f"/initiatives/{n}/")
    client = login(member)
    with django_assert_max_num_queries(8):
        client.get(reverse(LIST))


def test_mark_all_read(login, member, inbox):
    response = login(member).post(reverse(READ))
    assert response.status_code == 302
    assert response["Location"] == reverse(LIST)
    assert not Notification.objects.filter(user=member).unread().exists()
    # Someone else's are untouched.
    assert Notification.objects.filter(pk=inbox["officer"][0].pk).unread().exists()


def test_mark_given_ids_read(login, member, inbox):
    first, second = inbox["member"]
    login(member).post(reverse(READ), {"ids": [str(first.pk)]})
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None
    assert second.read_at is None


def test_mark_read_ignores_other_peoples_ids(login, outsider, member, inbox):
    theirs = inbox["member"][0]
    response = login(outsider).post(reverse(READ), {"ids": [str(theirs.pk)]})
    assert response.status_code == 302
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_read_ignores_ids_that_are_not_numbers(login, member, inbox):
    response = login(member).post(reverse(READ), {"ids": ["abc", "²"]})
    assert response.status_code == 302
    assert Notification.objects.filter(user=member).unread().count() == 2


def test_mark_read_returns_to_a_local_next_only(login, member, inbox):
    client = login(member)
    response = client.post(reverse(READ), {"next": "/notifications/?cursor=abc"})
    assert response["Location"] == "/notifications/?cursor=abc"
    response = client.post(reverse(READ), {"next": "https://example.com/"})
    assert response["Location"] == reverse(LIST)


def test_mark_read_refuses_get_and_anonymous(client, login, member):
    assert client.post(reverse(READ)).status_code == 302  # to the login page
    assert login(member).get(reverse(READ)).status_code == 405


def test_read_notifications_lose_their_mark(login, member, inbox):
    client = login(member)
    client.post(reverse(READ))
    html = client.get(reverse(LIST)).content.decode()
    assert "0 unread notifications." in html
    assert "Mark all as read" not in html


def test_page_says_where_emails_go_and_links_the_account_page(login, member):
    client = login(member)
    member.email = "hoa@example.com"
    member.email_notifications = True
    member.save()
    html = client.get(reverse(LIST)).content.decode()
    assert "hoa@example.com" in html
    assert reverse("accounts:me") in html
    member.email_notifications = False
    member.save()
    html = client.get(reverse(LIST)).content.decode()
    assert "Emails are turned off" in html
    member.email = ""
    member.save()
    html = client.get(reverse(LIST)).content.decode()
    assert "no email address" in html


def test_email_switch_is_on_the_account_page_and_works(login, member):
    client = login(member)
    html = client.get(reverse("accounts:me")).content.decode()
    assert 'name="email_notifications"' in html
    client.post(reverse("accounts:me"), {})  # the box unticked
    member.refresh_from_db()
    assert member.email_notifications is False
    client.post(reverse("accounts:me"), {"email_notifications": "on"})
    member.refresh_from_db()
    assert member.email_notifications is True
