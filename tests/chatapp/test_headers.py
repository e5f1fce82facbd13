"""Every page's security headers: Content-Security-Policy, HSTS, Referrer-Policy, nosniff."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from chatapp import headers
from chatapp.conf.environment import EnvError

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "print(json.dumps([s.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src'], s.IMAGE_SOURCES, "
    "s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS]))"
)

UNSAFE = ("'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*", "https:", "http:")


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    parsed = {}
    for part in policy.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


@pytest.mark.parametrize(
    ("raw", "sources"),
    [
        ("", []),
        ("images.example.com", ["https://images.example.com"]),
        (
            "*.example.com, cdn.example.org:8443",
            ["https://*.example.com", "https://cdn.example.org:8443"],
        ),
        ("http://127.0.0.1:9000/", ["http://127.0.0.1:9000"]),
        (
            "HTTPS://Img.Example.com images.example.com",
            ["https://img.example.com", "https://images.example.com"],
        ),
    ],
)
def test_image_sources_are_https_hosts_or_origins(raw, sources):
    assert headers.image_sources(raw) == sources


@pytest.mark.parametrize(
    "raw",
    [
        "*",
        "https://*",
        "javascript:alert(1)",
        "https://a.example/path",
        "data:",
        "a b/c",
        "*.com",
        "'self'",
    ],
)
def test_an_image_source_wider_than_a_host_is_refused(raw):
    with pytest.raises(EnvError, match="ALLOWED_IMAGE_HOSTS"):
        headers.image_sources(raw)


def test_policy_allows_scripts_styles_and_images_only_from_the_site():
    policy = headers.policy(["http://chat.example:8080"], image_sources=["https://img.example"])
    d = policy["DIRECTIVES"]
    assert d["default-src"] == ["'self'"]
    assert d["script-src"] == ["'self'"] and d["style-src"] == ["'self'"]
    assert d["img-src"] == ["'self'", "data:", "blob:", "https://img.example"]
    assert d["connect-src"] == ["'self'", "ws://chat.example:8080"]
    assert d["frame-ancestors"] == ["'none'"] and d["object-src"] == ["'none'"]
    assert d["base-uri"] == ["'none'"]


def test_an_https_site_connects_its_socket_over_wss():
    d = headers.policy(["https://chat.example", "https://api.example"], image_sources=[])[
        "DIRECTIVES"
    ]
    assert d["connect-src"] == ["'self'", "wss://chat.example", "wss://api.example"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/accounts/login/", "/accounts/signup/"])
def test_every_page_carries_the_strict_policy(client, path):
    response = client.get(path)
    assert response.status_code == 200
    d = directives(response)
    assert d["script-src"] == ["'self'"]
    assert d["img-src"] == ["'self'", "data:", "blob:"]
    assert d["frame-ancestors"] == ["'none'"]
    assert not any(value in UNSAFE for values in d.values() for value in values)


@pytest.mark.django_db
def test_the_chat_page_carries_the_policy(client, user):
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    assert directives(response)["script-src"] == ["'self'"]


@pytest.mark.django_db
def test_the_admin_site_carries_the_same_policy(client, django_user_model):
    # Django's admin has no inline script or style: no relaxed policy under /admin/.
    admin = django_user_model.objects.create_superuser(
        email="root@example.com", password="pw-root-1"
    )
    client.force_login(admin)
    response = client.get("/admin/accounts/user/")
    assert response.status_code == 200
    assert (
        response["Content-Security-Policy"]
        == client.get("/accounts/login/")["Content-Security-Policy"]
    )


@pytest.mark.django_db
def test_pages_tell_the_browser_which_image_hosts_are_allowed(client, settings):
    settings.IMAGE_SOURCES = ["https://img.example", "http://127.0.0.1:9000"]
    html = client.get("/accounts/login/").content.decode()
    assert '<meta name="image-sources" content="https://img.example http://127.0.0.1:9000">' in html


@pytest.mark.django_db
def test_pages_send_nosniff_and_a_same_origin_referrer(client):
    response = client.get("/accounts/login/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in response  # plain HTTP: HSTS means nothing there


@pytest.mark.django_db
def test_https_pages_send_hsts(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    response = client.get("/accounts/login/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000"


def run_settings(tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    clean.update(DJANGO_SETTINGS_MODULE="chatapp.settings", PARLEY_DATA_DIR=str(tmp_path), **env)
    return subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=clean, capture_output=True, text=True
    )


def test_settings_read_the_image_hosts_and_hsts_from_the_environment(tmp_path):
    result = run_settings(
        tmp_path,
        ALLOWED_IMAGE_HOSTS="img.example",
        HSTS_MAX_AGE="60",
        HSTS_INCLUDE_SUBDOMAINS="true",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        '[["\'self\'", "data:", "blob:", "https://img.example"], ["https://img.example"], 60, true]'
    )


def test_a_bad_image_host_stops_the_settings_with_one_line(tmp_path):
    result = run_settings(tmp_path, ALLOWED_IMAGE_HOSTS="*")
    assert result.returncode != 0
    assert "ALLOWED_IMAGE_HOSTS='*' is invalid" in result.stderr
