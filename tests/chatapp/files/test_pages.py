"""The Files page, the avatar section of the account page, and a new chat opened with
`?attach=` (the page's "Use in a new message"); strangers get 404 for each."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from chatapp import sharing
from chatapp.files import avatars, pages, uploads
from chatapp.models import StoredFile
from tests.chatapp import factories
from tests.chatapp.files.conftest import pdf_bytes, png_bytes, upload

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def alice(client, user):
    client.force_login(user)
    return client


def store(user, name: str, data: bytes) -> StoredFile:
    return uploads.store(user, upload(name, data), endpoint="openAI")


def rows(response) -> list[str]:
    """The file names listed, in order."""
    html = response.content.decode()
    return re.findall(r'data-testid="file-name">([^<]*)<', html)


def test_the_page_lists_name_type_size_date_and_a_thumbnail_for_images(alice, user, file_config):
    cat = store(user, "cat.png", png_bytes())
    store(user, "report.pdf", pdf_bytes())
    avatars.replace(user, upload("me.png", png_bytes()))
    page = alice.get(reverse("chat:files"))
    assert page.status_code == 200
    assert rows(page) == ["report.pdf", "cat.png"]  # newest first, no avatar
    html = page.content.decode()
    assert f'src="/api/files/{cat.pk}/content"' in html and html.count("file-thumb") >= 2
    assert 'data-testid="file-type">application/pdf<' in html
    assert f'href="/?attach={cat.pk}"' in html
    assert 'data-testid="file-thumb"' in html and html.count('data-testid="file-thumb"') == 1


def test_search_answers_htmx_with_the_list_alone(alice, user, file_config):
    store(user, "Cat.png", png_bytes())
    store(user, "report.pdf", pdf_bytes())
    found = alice.get(reverse("chat:files"), {"q": "CAT"}, **HTMX)
    assert rows(found) == ["Cat.png"] and b"<main" not in found.content
    none = alice.get(reverse("chat:files"), {"q": "zebra"}, **HTMX)
    assert b"No file matches." in none.content


def test_more_files_than_a_page_come_with_a_show_more_link(alice, user, file_config, monkeypatch):
    monkeypatch.setattr(pages, "PAGE", 2)
    for n in range(3):
        store(user, f"note-{n}.txt", b"hello")
    first = alice.get(reverse("chat:files"))
    assert rows(first) == ["note-2.txt", "note-1.txt"] and b"offset=2" in first.content
    rest = alice.get(reverse("chat:files"), {"offset": "2"}, **HTMX)
    assert rows(rest) == ["note-0.txt"] and b"files-more" not in rest.content


def test_delete_removes_the_file_for_htmx_and_for_a_plain_form(
    alice, user, files_root, file_config, django_capture_on_commit_callbacks
):
    cat = store(user, "cat.png", png_bytes())
    report = store(user, "report.pdf", pdf_bytes())
    with django_capture_on_commit_callbacks(execute=True):
        swapped = alice.post(reverse("chat:file-delete", args=[cat.pk]), **HTMX)
    assert swapped.status_code == 200 and swapped.content == b""
    plain = alice.post(reverse("chat:file-delete", args=[report.pk]))
    assert plain.status_code == 302 and plain["Location"] == reverse("chat:files")
    assert not StoredFile.objects.exists()
    assert alice.get(reverse("chat:file-delete", args=[cat.pk])).status_code == 405


def test_the_page_and_its_actions_need_a_signed_in_user(client, user, file_config):
    cat = store(user, "cat.png", png_bytes())
    for response in (
        client.get(reverse("chat:files")),
        client.post(reverse("chat:file-delete", args=[cat.pk])),
        client.get(reverse("chat:avatar")),
        client.post(reverse("chat:avatar-remove")),
    ):
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert StoredFile.objects.filter(pk=cat.pk).exists()


def test_a_stranger_sees_none_and_deletes_none(client, user, stranger, file_config):
    cat = store(user, "cat.png", png_bytes())
    face = avatars.replace(user, upload("me.png", png_bytes()))
    client.force_login(stranger)
    assert rows(client.get(reverse("chat:files"))) == []
    for target in (cat, face):
        assert client.post(reverse("chat:file-delete", args=[target.pk])).status_code == 404
    assert client.get(avatars.url_for(user)).status_code == 404  # the avatar's bytes
    assert client.get(reverse("home"), {"attach": str(cat.pk)}).status_code == 404
    assert StoredFile.objects.filter(owner=user).count() == 2


# ---- the avatar


def test_the_avatar_section_uploads_shows_and_removes(
    alice, user, file_config, django_capture_on_commit_callbacks
):
    empty = alice.get(reverse("chat:avatar"), **HTMX).content.decode()
    assert 'data-testid="avatar-initial"' in empty and 'data-max-bytes="2097152"' in empty
    saved = alice.post(reverse("chat:avatar"), {"avatar": upload("me.png", png_bytes())}, **HTMX)
    html = saved.content.decode()
    assert saved.status_code == 200 and "Your avatar was saved." in html
    url = avatars.url_for(user)
    assert f'src="{url}"' in html and 'data-testid="avatar-remove"' in html
    served = alice.get(url)
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    with django_capture_on_commit_callbacks(execute=True):
        removed = alice.post(reverse("chat:avatar-remove"), **HTMX).content.decode()
    assert "Your avatar was removed." in removed and 'data-testid="avatar-initial"' in removed
    assert alice.get(url).status_code == 404


def test_a_refused_avatar_says_why_in_the_section(alice, user, file_config):
    file_config("fileConfig:\n  avatarSizeLimit: 0.0001\n")
    big = upload("me.png", png_bytes(64, 64))
    too_big = alice.post(reverse("chat:avatar"), {"avatar": big}, **HTMX)
    assert too_big.status_code == 200
    assert "over the avatar limit of 104 bytes" in too_big.content.decode()
    file_config()  # LibreChat's 2 MB again
    pdf = alice.post(reverse("chat:avatar"), {"avatar": upload("me.png", pdf_bytes())}, **HTMX)
    assert "this is application/pdf" in pdf.content.decode()
    nothing = alice.post(reverse("chat:avatar"), {}, **HTMX)
    assert "Choose an image first." in nothing.content.decode()
    assert avatars.current(user) is None


def test_without_javascript_the_avatar_form_redirects_with_a_message(alice, user, file_config):
    done = alice.post(reverse("chat:avatar"), {"avatar": upload("me.png", png_bytes())})
    assert done.status_code == 302 and done["Location"] == reverse("account_profile")
    profile = alice.get(reverse("account_profile")).content.decode()
    assert "Your avatar was saved." in profile and 'hx-get="/avatar"' in profile


def test_the_avatar_shows_in_the_sidebar_and_on_the_users_own_messages(alice, user, file_config):
    conversation = factories.conversation(user)
    factories.exchange(conversation, "hello", "hi")
    page = alice.get(reverse("chat:conversation", args=[conversation.pk])).content.decode()
    assert 'data-testid="user-initial"' in page and "message-avatar" not in page
    url = avatars.replace(user, upload("me.png", png_bytes())) and avatars.url_for(user)
    page = alice.get(reverse("chat:conversation", args=[conversation.pk])).content.decode()
    assert f'<img class="avatar" src="{url}" alt="" data-testid="user-avatar">' in page
    assert f'src="{url}" alt="" data-testid="message-avatar"' in page


def test_a_shared_link_shows_no_avatar(client, user, stranger, file_config):
    """A shared snapshot is read by others: the owner's avatar bytes stay private, so
    neither its owner nor anyone else sees it there."""
    conversation = factories.conversation(user)
    factories.exchange(conversation, "hello", "hi")
    url = avatars.replace(user, upload("me.png", png_bytes())) and avatars.url_for(user)
    link = sharing.share(conversation, None)
    for viewer in (user, stranger):
        client.force_login(viewer)
        shared = client.get(reverse("shared", args=[link.token]))
        assert shared.status_code == 200 and b"hello" in shared.content
        html = shared.content.decode()
        assert url not in html and "message-avatar" not in html and "/content" not in html


# ---- "Use in a new message": the chat page at /?attach=<id>


def reused(response) -> list[dict]:
    found = re.search(r'<script id="reuse-files" type="application/json">(.*?)</script>',
                      response.content.decode(), re.S)  # fmt: skip
    return json.loads(found.group(1)) if found else []


def test_a_new_chat_starts_with_the_files_to_reuse(alice, user, file_config):
    cat = store(user, "cat.png", png_bytes())
    report = store(user, "report.pdf", pdf_bytes())
    page = alice.get(reverse("home") + f"?attach={report.pk}&attach={cat.pk}")
    assert page.status_code == 200
    files = reused(page)
    assert [(f["id"], f["name"], f["mime"]) for f in files] == [
        (str(report.pk), "report.pdf", "application/pdf"),
        (str(cat.pk), "cat.png", "image/png"),
    ]
    assert files[1]["url"] == f"/api/files/{cat.pk}/content"
    assert reused(alice.get(reverse("home"))) == []
    htmx = alice.get(reverse("home"), {"attach": str(cat.pk)}, **HTMX)
    assert [f["id"] for f in reused(htmx)] == [str(cat.pk)]  # the main part carries it too


def test_attach_refuses_an_avatar_or_a_bad_id(alice, user, file_config):
    face = avatars.replace(user, upload("me.png", png_bytes()))
    assert alice.get(reverse("home"), {"attach": str(face.pk)}).status_code == 404
    assert alice.get(reverse("home"), {"attach": "nope"}).status_code == 404


def test_the_files_page_and_the_avatar_speak_korean_and_chinese(alice, user, file_config):
    store(user, "cat.png", png_bytes())
    korean = alice.get(reverse("chat:files"), HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "새 메시지에 사용" in korean and "이름으로 파일 검색" in korean
    chinese = alice.get(reverse("chat:avatar"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "保存头像" in chinese and "最大 2.0" in chinese
