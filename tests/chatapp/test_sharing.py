"""Shared links: LibreChat's switches (ALLOW_SHARED_LINKS, ALLOW_SHARED_LINKS_PUBLIC,
interface.sharedLinks), each on and off, for creating, viewing and listing; the rule."""

from __future__ import annotations

import json

import pytest

from chatapp import sharing
from chatapp.models import SharedLink
from chatapp.sharing import Policy, Verdict, policy_from, verdict
from endpoints import config as endpoint_config
from endpoints.sections import SharedLinks
from tests.chatapp import factories
from tests.chatapp.test_settings import run_settings

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def switches(settings, tmp_path):
    """Set the two variables and `interface.sharedLinks` (None: the key is absent)."""

    def use(allow: bool = True, public: bool = False, interface: object = None) -> None:
        settings.ALLOW_SHARED_LINKS, settings.ALLOW_SHARED_LINKS_PUBLIC = allow, public
        text = "version: 1.3.14\n"
        if interface is not None:
            text += f"interface: {{sharedLinks: {json.dumps(interface)}}}\n"
        (tmp_path / "librechat.yaml").write_text(text)
        settings.CONFIG_PATH = str(tmp_path / "librechat.yaml")
        endpoint_config.current.cache_clear()

    use()
    yield use
    endpoint_config.current.cache_clear()


@pytest.fixture
def link(user):
    conv = factories.conversation(user, title="Trip")
    factories.exchange(conv, "where to?", "Lisbon")
    return SharedLink.objects.create(conversation=conv, title="Trip", snapshot=[{"text": "x"}])


# --- the switches combined ------------------------------------------------


@pytest.mark.parametrize(
    ("allow", "allow_public", "setting", "expected"),
    [
        (True, False, None, Policy(enabled=True, create=True, public=True, anonymous=False)),
        (True, True, None, Policy(enabled=True, create=True, public=True, anonymous=True)),
        (True, True, True, Policy(enabled=True, create=True, public=True, anonymous=True)),
        (False, True, None, Policy(enabled=False, create=False, public=False, anonymous=False)),
        (True, True, False, Policy(enabled=False, create=False, public=False, anonymous=False)),
        (
            True,
            True,
            SharedLinks(create=False),
            Policy(enabled=True, create=False, public=True, anonymous=True),
        ),
        (
            True,
            True,
            SharedLinks(public=False),
            Policy(enabled=True, create=True, public=False, anonymous=False),
        ),
    ],
)
def test_policy_combines_the_switches(allow, allow_public, setting, expected):
    assert policy_from(allow, allow_public, setting) == expected


def test_policy_reads_settings_and_librechat_yaml(switches):
    switches(allow=True, public=True, interface={"create": False})
    assert sharing.policy() == Policy(enabled=True, create=False, public=True, anonymous=True)


# --- the rule: who may open a link ------------------------------------------


def test_verdict_for_owner_member_and_visitor(link, user, stranger, django_user_model):
    from django.contrib.auth.models import AnonymousUser

    anonymous = AnonymousUser()
    default = policy_from(True, False, None)
    assert verdict(user, link, default) is Verdict.VIEW
    assert verdict(stranger, link, default) is Verdict.VIEW
    assert verdict(anonymous, link, default) is Verdict.SIGN_IN
    open_to_all = policy_from(True, True, None)
    assert verdict(anonymous, link, open_to_all) is Verdict.VIEW
    owner_only = policy_from(True, True, SharedLinks(public=False))
    assert verdict(user, link, owner_only) is Verdict.VIEW
    assert verdict(stranger, link, owner_only) is Verdict.MISSING
    assert verdict(anonymous, link, owner_only) is Verdict.SIGN_IN
    off = policy_from(False, True, None)
    for someone in (user, stranger, anonymous):
        assert verdict(someone, link, off) is Verdict.MISSING
    assert verdict(user, None, default) is Verdict.MISSING


# --- creating -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("allow", "interface", "allowed"),
    [
        (True, None, True),
        (True, {"create": True}, True),
        (False, None, False),
        (True, False, False),
        (True, {"create": False}, False),
    ],
)
def test_creating_follows_the_switches(switches, client, user, allow, interface, allowed):
    switches(allow=allow, interface=interface)
    conv = factories.conversation(user, title="Trip")
    factories.exchange(conv, "q", "a")
    client.force_login(user)
    api = client.post(f"/api/conversations/{conv.id}/shares", "{}", "application/json")
    page = client.post(f"/c/{conv.id}/share", **HTMX)
    sidebar = client.get("/conversations").content.decode()
    if allowed:
        assert (api.status_code, page.status_code) == (201, 200)
        assert 'data-testid="share"' in sidebar
        assert SharedLink.objects.filter(conversation=conv).count() == 2
    else:
        assert (api.status_code, page.status_code) == (403, 403)
        assert api.json()["error"]["message"] == "Shared links are turned off on this server."
        assert 'data-testid="share"' not in sidebar
        assert not SharedLink.objects.exists()


# --- viewing ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("allow", "public", "interface", "anonymous", "member", "owner"),
    [
        (True, False, None, "sign in", 200, 200),  # the default: signed-in users
        (True, True, None, 200, 200, 200),
        (True, True, {"public": False}, "sign in", 404, 200),
        (True, True, {"create": False}, 200, 200, 200),  # old links still open
        (False, True, None, 404, 404, 404),
        (True, True, False, 404, 404, 404),
    ],
)
def test_viewing_follows_the_switches(
    switches, client, link, user, stranger, allow, public, interface, anonymous, member, owner
):
    switches(allow=allow, public=public, interface=interface)
    url = f"/share/{link.token}"
    response = client.get(url)
    if anonymous == "sign in":
        assert response.status_code == 302
        assert response["Location"] == f"/accounts/login/?next={url}"
        assert client.get(url, HTTP_ACCEPT="application/json").status_code == 401
    else:
        assert response.status_code == anonymous
    client.force_login(stranger)
    assert client.get(url).status_code == member
    client.force_login(user)
    assert client.get(url).status_code == owner


def test_the_visitor_comes_back_to_the_link_after_signing_in(client, link, stranger):
    stranger.set_password("a-long-password")
    stranger.save()
    url = f"/share/{link.token}"
    sign_in = client.get(url)["Location"]
    form = {"login": stranger.email, "password": "a-long-password"}
    back = client.post(sign_in, form)
    assert back.status_code == 302 and back["Location"] == url
    page = client.get(url)
    assert page.status_code == 200 and b"Trip" in page.content
    assert "no-store" in page["Cache-Control"]


def test_an_unknown_token_is_404_for_everyone(switches, client, stranger):
    switches(public=True)
    assert client.get("/share/nope").status_code == 404
    client.force_login(stranger)
    assert client.get("/share/nope").status_code == 404


# --- listing ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("allow", "interface"), [(True, None), (False, None), (True, False), (True, {"create": False})]
)
def test_owners_list_and_revoke_whatever_the_switches(
    switches, client, link, user, allow, interface
):
    switches(allow=allow, interface=interface)
    client.force_login(user)
    listing = client.get("/shares").content.decode()
    assert listing.count('data-testid="shared-link-row"') == 1
    assert f'href="/share/{link.token}"' in listing and "Trip" in listing
    assert ('data-testid="sharing-off"' in listing) is (not allow or interface is False)
    revoked = client.post(f"/shares/{link.token}/revoke", **HTMX).content.decode()
    assert 'data-testid="shared-link-row"' not in revoked
    assert not SharedLink.objects.exists()


def test_malformed_switch_stops_start_up_naming_it(tmp_path):
    result = run_settings(tmp_path, ALLOW_SHARED_LINKS_PUBLIC="perhaps")
    assert result.returncode != 0
    assert "ALLOW_SHARED_LINKS_PUBLIC='perhaps' is invalid" in result.stderr


def test_a_shared_link_keeps_the_tool_steps(switches, client, user):
    from chatapp.models import ToolStep

    conv = factories.conversation(user, title="Tools")
    _, answer = factories.exchange(conv, "tool: echo {}", "result: <b>hi</b>")
    ToolStep.objects.create(
        message=answer, position=0, tool="echo", arguments='{"text": "<b>hi</b>"}',
        state="done", result="<b>hi</b>" * 3, result_chars=900, truncated=True,
    )  # fmt: skip
    link = sharing.share(conv, None)
    ToolStep.objects.all().delete()  # the snapshot holds its own copy
    (step,) = json.loads(json.dumps(link.snapshot))[1]["tool_steps"]
    assert (step["tool"], step["state"], step["truncated"]) == ("echo", "done", True)
    client.force_login(user)
    page = client.get(f"/share/{link.token}").content.decode()
    assert page.count('data-testid="tool-step"') == 1
    assert "&lt;b&gt;hi&lt;/b&gt;" in page and "<b>hi</b>" not in page  # escaped
    assert "the tool returned 900 characters" in page


def test_a_shared_link_keeps_the_web_search_sources(switches, client, user, stranger):
    from chatapp.models import ToolStep

    conv = factories.conversation(user, title="Search")
    _, answer = factories.exchange(conv, "bees?", "Bees make honey [1].")
    source = {"index": 1, "url": "https://bees.example/honey", "title": "Honey", "ok": True}
    ToolStep.objects.create(
        message=answer, position=0, tool="web_search", arguments='{"query": "bees"}',
        state="done", result="[1] Honey", data={"query": "bees", "sources": [source]},
    )  # fmt: skip
    link = sharing.share(conv, None)
    ToolStep.objects.all().delete()  # the snapshot holds its own copy
    client.force_login(stranger)  # a public link: another signed-in user reads it
    page = client.get(f"/share/{link.token}").content.decode()
    assert page.count('data-testid="source"') == 1
    assert 'href="https://bees.example/honey"' in page and "bees.example" in page


# --- files in a shared snapshot ------------------------------------------


@pytest.fixture
def stored(settings, tmp_path):
    """Store an upload of `owner` under this test's own directory."""
    from chatapp.files import storage, uploads
    from tests.chatapp.files.conftest import upload

    settings.FILES_ROOT = tmp_path / "files"
    storage.storage.cache_clear()

    def store(owner, name: str, data: bytes):
        return uploads.store(owner, upload(name, data), endpoint="openAI")

    yield store
    storage.storage.cache_clear()


@pytest.fixture
def shared_with_files(switches, user, stored):
    from chatapp.files import attachments
    from tests.chatapp.files.conftest import png_bytes

    conv = factories.conversation(user, title="Photos")
    question, _ = factories.exchange(conv, "what is this?", "A red square.")
    image, notes = stored(user, "red.png", png_bytes()), stored(user, "notes.md", b"# Notes\n")
    attachments.attach(question, [image, notes])
    other = stored(user, "private.md", b"not shared")  # the owner's, never in the snapshot
    return sharing.share(conv, None), image, notes, other


def test_a_shared_link_shows_its_files_and_its_viewers_fetch_exactly_those(
    client, shared_with_files, stranger
):
    from tests.chatapp.files.conftest import png_bytes

    link, image, notes, other = shared_with_files
    client.force_login(stranger)  # a public link: another signed-in user reads it
    page = client.get(f"/share/{link.token}").content.decode()
    image_url, notes_url = (f"/share/{link.token}/files/{f.id}" for f in (image, notes))
    assert f'src="{image_url}"' in page and f'href="{notes_url}"' in page and "notes.md" in page
    shown = client.get(f"/share/{link.token}", HTTP_ACCEPT="application/json").json()
    files = shown["messages"][0]["files"]
    expected = [("red.png", image_url), ("notes.md", notes_url)]
    assert [(f["name"], f["url"]) for f in files] == expected
    assert shown["messages"][1]["files"] == []
    served = client.get(image_url)
    assert served.status_code == 200 and b"".join(served.streaming_content) == png_bytes()
    assert served["X-Content-Type-Options"] == "nosniff" and "no-cache" in served["Cache-Control"]
    assert client.get(notes_url)["Content-Disposition"] == 'attachment; filename="notes.md"'
    # The owner's other files, through this link, or directly: 404 for the viewer.
    assert client.get(f"/share/{link.token}/files/{other.id}").status_code == 404
    assert client.get(f"/api/files/{image.id}/content").status_code == 404
    assert client.get(f"/share/{link.token}/files/not-an-id").status_code == 404


def test_a_shared_file_is_gone_with_the_link_or_the_file(client, shared_with_files, user):
    from chatapp.files import uploads

    link, image, notes, _ = shared_with_files
    client.force_login(user)
    uploads.delete(notes)  # the owner deleted the file: the link no longer serves it
    assert client.get(f"/share/{link.token}/files/{notes.id}").status_code == 404
    image_url = f"/share/{link.token}/files/{image.id}"
    assert client.get(image_url).status_code == 200
    client.post(f"/shares/{link.token}/revoke", **HTMX)
    assert client.get(image_url).status_code == 404


def test_shared_files_follow_the_links_switches(client, switches, shared_with_files, stranger):
    link, image, _, _ = shared_with_files
    url = f"/share/{link.token}/files/{image.id}"
    assert client.get(url).status_code == 404  # anonymous, while links need signing in
    switches(allow=True, public=True)
    assert client.get(url).status_code == 200  # ALLOW_SHARED_LINKS_PUBLIC
    switches(interface={"public": False})  # only the owner opens the link
    client.force_login(stranger)
    assert client.get(url).status_code == 404
    switches(allow=False)
    assert client.get(url).status_code == 404


def test_a_snapshot_made_before_files_were_shared_still_opens(client, link, user):
    client.force_login(user)
    shown = client.get(f"/share/{link.token}", HTTP_ACCEPT="application/json").json()
    assert shown["messages"] == [{"text": "x", "files": []}]
