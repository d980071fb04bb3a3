from unittest import mock

from django.db import OperationalError, connection


def test_healthz_answers_ok_with_the_database_it_reached(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": connection.vendor}
    assert "no-cache" in response.headers["Cache-Control"]


def test_healthz_needs_no_login_and_sets_no_cookie(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert "sessionid" not in response.cookies


def test_healthz_says_the_database_is_unreachable_when_it_is_down(client, db):
    def down(*args, **kwargs):
        raise OperationalError("connection refused")

    with mock.patch.object(connection, "cursor", down):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unreachable"}
    assert "no-cache" in response.headers["Cache-Control"]


def test_healthz_fails_when_the_query_itself_fails(client, db):
    real = connection.cursor

    class Broken:
        def __init__(self):
            self.inner = real()

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.inner.close()
            return False

        def execute(self, sql, params=None):
            raise OperationalError("database is locked")

    with mock.patch.object(connection, "cursor", Broken):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "error"
