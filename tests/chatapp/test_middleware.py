import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from chatapp.middleware import PageHeadersMiddleware


def test_html_pages_get_index_headers_and_noindex(settings):
    settings.NO_INDEX = True
    settings.INDEX_HTML_CACHE_CONTROL = "no-store"
    settings.INDEX_HTML_PRAGMA = "no-cache"
    settings.INDEX_HTML_EXPIRES = "0"
    response = PageHeadersMiddleware(lambda r: HttpResponse("<p>hi</p>"))(RequestFactory().get("/"))
    assert response["Cache-Control"] == "no-store"
    assert response["Pragma"] == "no-cache" and response["Expires"] == "0"
    assert response["X-Robots-Tag"] == "noindex"


def test_json_keeps_its_own_cache_headers(settings):
    settings.NO_INDEX = False
    json = HttpResponse("{}", content_type="application/json")
    json["Cache-Control"] = "max-age=5"
    response = PageHeadersMiddleware(lambda r: json)(RequestFactory().get("/"))
    assert response["Cache-Control"] == "max-age=5"
    assert "X-Robots-Tag" not in response


@pytest.mark.django_db
def test_sign_in_page_carries_the_headers_and_meta_tag(client, settings):
    settings.NO_INDEX = True
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex"
    assert response["Cache-Control"] == settings.INDEX_HTML_CACHE_CONTROL
    assert b'<meta name="robots" content="noindex">' in response.content


@pytest.mark.django_db
def test_home_requires_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_static_files_get_the_static_cache_headers(client, settings):
    response = client.get("/static/app.js")
    assert response.status_code == 200
    assert response["Cache-Control"] == (
        f"public, max-age={settings.STATIC_CACHE_MAX_AGE}, "
        f"s-maxage={settings.STATIC_CACHE_S_MAX_AGE}"
    )


@pytest.mark.django_db
def test_branding_variables_reach_the_page(client, settings):
    settings.APP_TITLE = "Acme Chat"
    settings.CUSTOM_FOOTER = "Acme <internal>"
    response = client.get("/accounts/login/")
    html = response.content.decode()
    assert "<title>" in html and "Acme Chat</title>" in html
    assert "Acme &lt;internal&gt;" in html  # the footer is text, never markup


def _conversation(user):
    from tests.chatapp import factories

    return factories.conversation(user, title="T")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path", "data", "named"),
    [
        ("post", "/c/{id}/rename", {"title": "a\x00b"}, "title: contains a NUL"),
        ("get", "/settings/chat", {"endpoint": "\x00"}, "endpoint: contains a NUL"),
        ("post", "/presets", {"title": "\x00", "model": "x"}, "title: contains a NUL"),
        ("get", "/api/search", {"q": "\x00"}, "q: contains a NUL"),
        ("get", "/conversations", {"q": "x\x00"}, "q: contains a NUL"),
        ("get", "/api/conversations", {"cursor\x00": "1"}, "a parameter name: contains a NUL"),
    ],
)
def test_a_parameter_holding_nul_is_a_400_that_names_it(user, client, method, path, data, named):
    client.force_login(user)
    conversation = _conversation(user)
    response = getattr(client, method)(path.format(id=conversation.id), data)
    assert response.status_code == 400
    assert named in response.json()["error"]["message"]
    conversation.refresh_from_db()
    assert conversation.title == "T"


@pytest.mark.django_db
def test_a_stranger_gets_404_not_the_parameter_check(user, stranger, client):
    conversation = _conversation(user)
    client.force_login(stranger)
    assert client.post(f"/c/{conversation.id}/rename", {"title": "new"}).status_code == 404
