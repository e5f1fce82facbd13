"""Files an import brings: stored as uploads are checked, or the importer's own copy, never
another user's; what is missing becomes a line of the message's text."""

from __future__ import annotations

import base64

import pytest

from chatapp.files import carried, uploads
from chatapp.files.carried import Carried
from tests.chatapp.files.conftest import pdf_bytes, png_bytes, upload

pytestmark = pytest.mark.django_db


def test_bytes_are_stored_as_an_upload_is_checked(user, file_config):
    found = carried.carry(user, [
        Carried("scan.pdf", pdf_bytes()),
        Carried("nothing", b"\x00\x01\x02 no known type"),
        Carried("renamed.png", b"# actually Markdown\n"),
    ])  # fmt: skip
    assert [(f.name, f.mime, f.owner_id) for f in found.files] == [
        ("scan.pdf", "application/pdf", user.pk), ("renamed.png", "text/plain", user.pk)
    ]  # fmt: skip
    assert found.missing == ["nothing"] and found.stored == found.files


def test_an_id_or_a_digest_finds_only_the_importers_own_file(user, stranger, file_config):
    theirs = uploads.store(stranger, upload("x.png", png_bytes()), endpoint="openAI")
    by_id, by_digest = Carried("x.png", file_id=str(theirs.id)), Carried("x", sha256=theirs.sha256)
    assert carried.carry(user, [by_id, by_digest]).missing == ["x.png", "x"]
    mine = uploads.store(user, upload("mine.png", png_bytes()), endpoint="openAI")
    found = carried.carry(user, [by_id, by_digest, Carried("m", file_id=str(mine.id))])
    assert [f.pk for f in found.files] == [mine.pk]  # the same file once, by content
    assert found.missing == ["x.png"] and found.stored == []
    wrong = Carried("m", file_id=str(mine.id), sha256="0" * 64)  # an id with other bytes
    assert carried.carry(user, [wrong]).missing == ["m"]


def test_data_urls_and_placeholders():
    encoded = base64.b64encode(png_bytes()).decode()
    assert carried.data_url(f"data:image/png;base64,{encoded}") == png_bytes()
    assert carried.data_url("/images/u/x.png") is None
    assert carried.data_url("data:image/png;base64,@@") is None
    assert carried.data_url(None) is None
    assert carried.with_placeholders("hi", ["a.png", "b.pdf"]) == (
        "hi\n\n[File not imported: a.png]\n[File not imported: b.pdf]"
    )
    assert carried.with_placeholders("", ["a.png"]) == "[File not imported: a.png]"
    assert carried.with_placeholders("hi", []) == "hi"
