"""The files a user lists and reuses: their uploads only, avatars left out."""

from __future__ import annotations

import pytest
from django.http import Http404

from chatapp.files import avatars, listing, uploads
from tests.chatapp.files.conftest import pdf_bytes, png_bytes, upload

pytestmark = pytest.mark.django_db


def store(user, name: str, data: bytes):
    return uploads.store(user, upload(name, data), endpoint="openAI")


def test_uploads_newest_first_searched_by_name_without_the_avatar(user, file_config):
    cat = store(user, "Cat.png", png_bytes())
    report = store(user, "Quarterly report.pdf", pdf_bytes())
    avatars.replace(user, upload("me.png", png_bytes()))
    assert list(listing.uploads_of(user)) == [report, cat]
    assert list(listing.uploads_of(user, "  cAt ")) == [cat]
    assert list(listing.uploads_of(user, "nothing")) == []


def test_reusable_keeps_order_drops_repeats_and_refuses_what_is_not_an_upload(
    user, stranger, file_config
):
    cat = store(user, "cat.png", png_bytes())
    report = store(user, "report.pdf", pdf_bytes())
    ids = [str(report.pk), str(cat.pk), str(report.pk), ""]
    assert listing.reusable(user, ids) == [report, cat]
    assert listing.reusable(user, []) == []
    face = avatars.replace(user, upload("me.png", png_bytes()))
    for bad in (str(face.pk), "not-a-uuid"):
        with pytest.raises(Http404):
            listing.reusable(user, [bad])


def test_a_stranger_lists_and_reuses_nothing_of_anothers(user, stranger, file_config):
    cat = store(user, "cat.png", png_bytes())
    assert list(listing.uploads_of(stranger)) == []
    with pytest.raises(Http404):
        listing.reusable(stranger, [str(cat.pk)])
    with pytest.raises(Http404):
        listing.get_upload_for(stranger, cat.pk)
