"""A file's bytes for its owner only: local files through the authorised view, remote ones
through a redirect to a short-lived signed URL; strangers get 404 and no URL."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.urls import reverse

from chatapp.files import serving, uploads
from tests.chatapp.files.conftest import azure_store, pdf_bytes, png_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(client, user):
    client.force_login(user)
    return client


def post(client, name: str, data: bytes) -> dict:
    made = client.post(reverse("api:files"), {"file": upload(name, data), "endpoint": "openAI"})
    assert made.status_code == 201, made.content
    return made.json()


def fetch(url: str) -> requests.Response:
    return requests.get(url, timeout=10)


def test_the_owner_is_sent_to_a_short_lived_signed_url(alice, remote):
    made = post(alice, "Rapport d'été.pdf", pdf_bytes())
    served = alice.get(made["url"])
    assert served.status_code == 302 and "no-store" in served["Cache-Control"]
    location = served["Location"]
    query = parse_qs(urlsplit(location).query)
    if remote.strategy == "s3":
        assert query["X-Amz-Expires"] == ["60"]  # S3_URL_EXPIRY_SECONDS
    else:
        assert query["sp"] == ["r"] and "sig" in query and "se" in query
    got = fetch(location)
    assert got.status_code == 200 and got.content == pdf_bytes()
    assert got.headers["Content-Type"] == "application/pdf"
    disposition = "attachment; filename*=utf-8''Rapport%20d%27%C3%A9t%C3%A9.pdf"
    assert got.headers["Content-Disposition"] == disposition


def test_a_stranger_gets_404_and_no_url(client, user, stranger, remote):
    theirs = uploads.store(user, upload("cat.png", png_bytes()), endpoint="openAI")
    client.force_login(stranger)
    url = reverse("api:file-content", args=[theirs.id])
    served = client.get(url)
    assert served.status_code == 404 and "Location" not in served
    assert client.delete(reverse("api:file", args=[theirs.id])).status_code == 404
    assert remote.keys() == [theirs.key]


def test_an_unsigned_or_tampered_azure_url_is_refused(
    user, azurite_endpoint, settings, file_config
):
    azure_store(azurite_endpoint, settings, file_config)
    stored = uploads.store(user, upload("cat.png", png_bytes()), endpoint="openAI")
    signed = serving.signed_url(stored)
    assert fetch(signed).content == png_bytes()
    assert fetch(signed.split("?")[0]).status_code in (403, 404)  # a private container
    tampered = signed.replace("sp=r", "sp=rw")
    assert fetch(tampered).status_code == 403


def test_azure_public_access_serves_the_plain_blob_url(
    alice, user, azurite_endpoint, settings, file_config
):
    azure_store(azurite_endpoint, settings, file_config, public=True)
    made = post(alice, "cat.png", png_bytes())
    location = alice.get(made["url"])["Location"]
    assert "sig=" not in location
    got = fetch(location)
    assert got.status_code == 200 and got.content == png_bytes()


def test_local_files_stream_through_the_authorised_view(alice, file_config):
    made = post(alice, "cat.png", png_bytes())
    served = alice.get(made["url"])
    assert served.status_code == 200 and b"".join(served.streaming_content) == png_bytes()
    assert served["Content-Disposition"] == 'inline; filename="cat.png"'
    assert served["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in served["Content-Security-Policy"]


def test_pages_allow_images_from_the_store_and_only_then(
    client, user, remote, file_config, settings
):
    """A thumbnail is a redirect to the store: its origin is an image source of the pages."""
    stored = uploads.store(user, upload("cat.png", png_bytes()), endpoint="openAI")
    location = urlsplit(serving.signed_url(stored))
    policy = client.get(reverse("account_login"))["Content-Security-Policy"]
    image_sources = next(d for d in policy.split(";") if d.strip().startswith("img-src")).split()
    assert f"{location.scheme}://{location.netloc}" in image_sources
    settings.ENV = {}
    file_config("fileStrategy: local\n")
    policy = client.get(reverse("account_login"))["Content-Security-Policy"]
    assert location.netloc not in policy
