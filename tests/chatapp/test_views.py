"""The chat pages and their HTMX fragments, as a signed-in user and as a stranger."""

import json

import pytest
from django.urls import set_script_prefix

from chatapp.models import Conversation, Preset, SharedLink
from endpoints import config as endpoint_config
from endpoints import registry
from tests.chatapp import factories

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
YAML = """
version: 1.2.8
endpoints:
  custom:
    - name: "Mock"
      apiKey: "k"
      baseURL: "http://127.0.0.1:9/v1"
      models: { default: ["mock-model", "mock-large"] }
      modelDisplayLabel: "Mocky"
"""


@pytest.fixture(autouse=True)
def mock_config(settings, tmp_path):
    path = tmp_path / "librechat.yaml"
    path.write_text(YAML)
    settings.CONFIG_PATH = str(path)
    endpoint_config.current.cache_clear()
    registry.current.cache_clear()
    yield
    endpoint_config.current.cache_clear()
    registry.current.cache_clear()


@pytest.fixture
def alice(client, user):
    client.force_login(user)
    return client


def test_new_chat_page_offers_the_endpoints(alice):
    page = alice.get("/").content.decode()
    assert 'data-testid="endpoint-select"' in page
    assert '<option value="mock-large">' in page
    assert 'data-testid="composer"' in page
    assert "How can I help you today?" in page


def test_no_endpoint_says_how_to_configure_one(alice, settings, tmp_path):
    (tmp_path / "empty.yaml").write_text("version: 1.2.8\n")
    settings.CONFIG_PATH = str(tmp_path / "empty.yaml")
    endpoint_config.current.cache_clear()
    page = alice.get("/").content.decode()
    assert 'data-testid="no-endpoints"' in page
    assert "manage.py mockprovider" in page


def test_conversation_page_and_fragment(alice, user):
    conv = factories.conversation(user, endpoint="Mock", model="mock-large", title="Trip")
    question, answer = factories.exchange(conv, "hello <b>", "**hi**")
    page = alice.get(f"/c/{conv.id}").content.decode()
    assert "<title>Trip · Parley</title>" in page
    assert f'data-message-id="{answer.id}"' in page
    assert "hello &lt;b&gt;" in page  # escaped, never markup
    assert 'value="mock-large" selected' in page
    fragment = alice.get(f"/c/{conv.id}", **HTMX).content.decode()
    assert fragment.lstrip().startswith("<title>Trip · Parley</title>")
    assert '<main class="main" id="main">' in fragment
    assert 'id="sidebar"' not in fragment


def test_thread_fragment_switches_branches(alice, user):
    conv = factories.conversation(user, endpoint="Mock", model="mock-model")
    first, _ = factories.exchange(conv, "one", "first answer")
    factories.exchange(conv, "one, edited", "second answer")
    latest = alice.get(f"/c/{conv.id}/thread").content.decode()
    assert "second answer" in latest and "first answer" not in latest
    assert "2/2" in latest
    older = alice.get(f"/c/{conv.id}/thread?at={first.id}").content.decode()
    assert "first answer" in older and "1/2" in older


def test_a_stranger_gets_404_everywhere(client, stranger, user):
    conv = factories.conversation(user)
    question, _ = factories.exchange(conv, "secret", "answer")
    client.force_login(stranger)
    for url in (f"/c/{conv.id}", f"/c/{conv.id}/thread"):
        assert client.get(url).status_code == 404
    for url in ("rename", "archive", "delete", "share"):
        assert client.post(f"/c/{conv.id}/{url}", {"title": "x"}).status_code == 404
    assert Conversation.objects.filter(pk=conv.pk, title="").exists()
    assert client.get(f"/c/{conv.id}/thread?at={question.id}").status_code == 404


def test_sign_in_required(client):
    response = client.get("/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_sidebar_filter_and_pages(alice, user):
    for n in range(30):
        factories.conversation(user, title=f"chat {n}")
    factories.conversation(user, title="Holiday plans")
    first = alice.get("/conversations").content.decode()
    assert first.count('data-testid="conversation-item"') == 25
    assert "Today" in first and 'hx-trigger="revealed"' in first
    cursor = first.split("?cursor=")[1].split("&amp;")[0]
    second = alice.get(f"/conversations?cursor={cursor}&after=today").content.decode()
    assert second.count('data-testid="conversation-item"') == 6
    assert "Today" not in second  # the group continues without a second heading
    found = alice.get("/conversations?q=holiday").content.decode()
    assert found.count('data-testid="conversation-item"') == 1
    assert alice.get("/conversations?cursor=bogus").status_code == 400


def test_rename_archive_delete(alice, user):
    conv = factories.conversation(user, title="Old")
    renamed = alice.post(f"/c/{conv.id}/rename", {"title": "  New name "}, **HTMX)
    assert "New name" in renamed.content.decode()
    assert alice.post(f"/c/{conv.id}/rename", {"title": " "}).status_code == 400
    alice.post(f"/c/{conv.id}/archive", {"archived": "1"}, **HTMX)
    assert "New name" in alice.get("/conversations?archived=1").content.decode()
    assert "New name" not in alice.get("/conversations").content.decode()
    current = {"HTTP_HX_CURRENT_URL": f"http://testserver/c/{conv.id}", **HTMX}
    response = alice.post(f"/c/{conv.id}/delete", **current)
    assert response["HX-Redirect"] == "/"
    assert not Conversation.objects.filter(pk=conv.pk).exists()


def test_share_dialog_links_to_the_public_page(alice, client, user, stranger):
    conv = factories.conversation(user, title="Shared one")
    factories.exchange(conv, "q", "the answer")
    dialog = alice.post(f"/c/{conv.id}/share", **HTMX).content.decode()
    url = dialog.split('data-testid="share-url"')[0].rsplit('value="', 1)[1].split('"')[0]
    alice.force_login(stranger)  # any signed-in user (ALLOW_SHARED_LINKS_PUBLIC is off)
    page = client.get(url.replace("http://testserver", "")).content.decode()
    assert "the answer" in page and "Shared one" in page
    assert 'data-testid="regenerate"' not in page  # read-only


def test_presets_save_apply_and_delete(alice, user, stranger):
    settings = json.dumps(
        {"endpoint": "Mock", "model": "mock-large", "params": {"temperature": 0.2}}
    )
    listing = alice.post("/presets", {"name": "Precise", "settings": settings}).content.decode()
    assert "Precise" in listing
    preset = Preset.objects.get(owner=user)
    assert preset.parameters == {"temperature": 0.2}
    duplicate = alice.post("/presets", {"name": "Precise", "settings": settings})
    assert duplicate.status_code == 400 and "already" in duplicate.content.decode()
    assert alice.post("/presets", {"name": "x", "settings": "{}"}).status_code == 400
    applied = alice.get(f"/settings/chat?preset={preset.id}", **HTMX).content.decode()
    assert (
        'value="mock-large" selected' in applied
        and 'hx-swap-oob="innerHTML:#params-fields"' in applied
    )
    alice.post(f"/presets/{preset.id}", {"name": "Renamed", "settings": settings})
    preset.refresh_from_db()
    assert preset.name == "Renamed"
    alice.force_login(stranger)
    assert alice.post(f"/presets/{preset.id}/delete").status_code == 404
    alice.force_login(user)
    alice.post(f"/presets/{preset.id}/delete")
    assert not Preset.objects.exists()


def test_shared_links_listed_newest_first_and_revoked(alice, user):
    older = SharedLink.objects.create(conversation=factories.conversation(user), title="Older")
    newer = SharedLink.objects.create(conversation=factories.conversation(user), title="Newer")
    page = alice.get("/shares").content.decode()
    assert page.index("Newer") < page.index("Older")
    assert 'data-testid="shared-link-revoke"' in page and "csrfmiddlewaretoken" in page
    fragment = alice.get("/shares", **HTMX).content.decode()
    assert "<html" not in fragment and fragment.count('data-testid="shared-link-row"') == 2
    revoked = alice.post(f"/shares/{newer.token}/revoke", **HTMX).content.decode()
    assert "Newer" not in revoked and "Older" in revoked
    assert alice.post(f"/shares/{older.token}/revoke")["Location"] == "/shares"
    assert not SharedLink.objects.exists()
    assert "You have not shared any conversation." in alice.get("/shares").content.decode()


def test_the_account_page_loads_the_shared_links(alice):
    page = alice.get("/accounts/profile/").content.decode()
    assert 'hx-get="/shares" hx-trigger="load"' in page


def test_a_stranger_cannot_list_or_revoke_my_shared_links(client, user, stranger):
    link = SharedLink.objects.create(conversation=factories.conversation(user), title="Mine")
    client.force_login(stranger)
    assert "Mine" not in client.get("/shares").content.decode()
    assert client.post(f"/shares/{link.token}/revoke", **HTMX).status_code == 404
    assert SharedLink.objects.filter(pk=link.pk).exists()


def test_revoking_needs_the_csrf_token(user):
    from django.test import Client

    link = SharedLink.objects.create(conversation=factories.conversation(user))
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(user)
    assert strict.post(f"/shares/{link.token}/revoke", **HTMX).status_code == 403
    assert SharedLink.objects.filter(pk=link.pk).exists()


def test_shared_links_need_sign_in(client):
    assert client.get("/shares")["Location"].startswith("/accounts/login/")


def test_a_new_chat_shows_the_users_instructions_and_a_preset_its_own(alice, user):
    user.instructions = "Be brief & kind."
    user.save(update_fields=["instructions"])
    page = alice.get("/").content.decode()
    assert (
        'placeholder="How should the assistant answer in this chat?">Be brief &amp; kind.<' in page
    )
    assert "data-set placeholder" not in page  # left to the server: a model spec may win
    assert 'data-testid="temporary-toggle"' in page
    preset = Preset.objects.create(
        owner=user, name="P", endpoint="Mock", model="mock-model", system_prompt="Speak Latin."
    )
    applied = alice.get(f"/settings/chat?preset={preset.id}", **HTMX).content.decode()
    assert 'hx-swap-oob="outerHTML:#instructions-field"' in applied
    assert "data-set placeholder" in applied and "Speak Latin." in applied
    conv = factories.conversation(user, endpoint="Mock", model="mock-model", system_prompt="Mine")
    shown = alice.get(f"/c/{conv.id}").content.decode()
    assert (
        "data-set placeholder" in shown
        and "Mine</textarea>" in shown
        and 'data-testid="temporary-toggle"' not in shown
    )


def test_a_temporary_chat_says_so_and_the_switch_follows_the_interface(alice, user, settings):
    from datetime import timedelta

    from django.utils import timezone

    conv = factories.conversation(user, expires_at=timezone.now() + timedelta(hours=3))
    assert 'data-testid="temporary-note"' in alice.get(f"/c/{conv.id}").content.decode()
    path = settings.CONFIG_PATH
    with open(path, "a") as file:
        file.write("interface:\n  temporaryChat: false\n")
    endpoint_config.current.cache_clear()
    assert 'data-testid="temporary-toggle"' not in alice.get("/").content.decode()


SPECS = """
modelSpecs:
  enforce: true
  list:
    - name: brief
      label: Brief answers
      description: One word at most
      group: Writing
      default: true
      preset: { endpoint: Mock, model: mock-large, temperature: 0.3 }
    - name: plain
      label: Plain
      preset: { endpoint: Mock, model: mock-model }
"""


def use_specs(settings, tmp_path, text: str = SPECS) -> None:
    path = tmp_path / "specs.yaml"
    path.write_text(YAML + text)
    settings.CONFIG_PATH = str(path)
    endpoint_config.current.cache_clear()
    registry.current.cache_clear()


def test_the_model_menu_shows_the_specs_and_a_new_chat_starts_on_the_default(
    alice, settings, tmp_path
):
    use_specs(settings, tmp_path)
    page = alice.get("/").content.decode()
    assert 'data-testid="spec-menu"' in page
    assert "Brief answers" in page and "One word at most" in page and "Writing" in page
    assert 'name="spec" value="brief" data-testid="spec-value"' in page
    # enforce: no endpoint or model picker, the spec's own as hidden values
    assert (
        '<input type="hidden" name="endpoint" value="Mock" data-testid="endpoint-select">' in page
    )
    assert (
        '<input type="hidden" name="model" value="mock-large" data-testid="model-select">' in page
    )
    assert 'data-param="temperature"' in page and 'value="0.3"' in page


def test_picking_a_spec_renders_its_settings(alice, settings, tmp_path):
    use_specs(settings, tmp_path)
    fragment = alice.get("/settings/chat?spec=plain", **HTMX).content.decode()
    assert 'name="spec" value="plain" data-testid="spec-value"' in fragment
    assert 'value="mock-model"' in fragment


def test_a_conversation_shows_the_spec_it_runs_on(alice, user, settings, tmp_path):
    use_specs(settings, tmp_path)
    conversation = factories.conversation(user, endpoint="Mock", model="mock-model")
    page = alice.get(f"/c/{conversation.pk}").content.decode()
    assert 'name="spec" value="plain" data-testid="spec-value"' in page


def test_the_stored_spec_wins_over_a_guess_from_endpoint_and_model(alice, user, settings, tmp_path):
    """Two specs on the same endpoint and model: the conversation's own is shown."""
    use_specs(settings, tmp_path, SPECS.replace("mock-large", "mock-model"))
    conversation = factories.conversation(user, endpoint="Mock", model="mock-model", spec="plain")
    page = alice.get(f"/c/{conversation.pk}").content.decode()
    assert 'name="spec" value="plain" data-testid="spec-value"' in page
    assert "<span>Plain</span>" in page  # the header's label


PRIORITIZED = """
modelSpecs:
  prioritize: {prioritize}
  addedEndpoints: [Mock]
  list:
    - name: brief
      label: Brief answers
      default: true
      preset: {{ endpoint: Mock, model: mock-large }}
"""


@pytest.mark.parametrize("prioritize", [True, False])
def test_prioritize_puts_the_default_spec_before_the_default_preset(
    alice, user, settings, tmp_path, prioritize
):
    use_specs(settings, tmp_path, PRIORITIZED.format(prioritize=str(prioritize).lower()))
    Preset.objects.create(
        owner=user, name="Mine", endpoint="Mock", model="mock-model", is_default=True,
        parameters={"temperature": 0.9}, system_prompt="Be terse.",
    )  # fmt: skip
    page = alice.get("/").content.decode()
    if prioritize:  # LibreChat's default: a new chat starts on the default spec
        assert 'name="spec" value="brief" data-testid="spec-value"' in page
        assert "Be terse." not in page
    else:  # the user's default preset comes first
        assert 'name="spec" value="brief"' not in page
        assert '<option value="mock-model" selected>' in page and "Be terse." in page


@pytest.fixture
def under_chat(settings):
    """What the ASGI handler does for DOMAIN_CLIENT https://example.com/chat (the test
    client sets no script prefix itself; tests/e2e/test_subpath.py runs the real thing)."""
    settings.FORCE_SCRIPT_NAME = "/chat"
    settings.STATIC_URL = "/chat/static/"  # as settings.py derives it (see test_settings)
    set_script_prefix("/chat")
    yield
    set_script_prefix("/")


def test_under_a_sub_path_every_url_carries_it(alice, under_chat, user):
    """The proxy strips /chat; every URL Parley writes puts it back."""
    conv = factories.conversation(user, title="Under a path")
    page = alice.get(f"/c/{conv.id}").content.decode()
    assert '<meta name="script-name" content="/chat">' in page  # the socket's and cookie's path
    assert 'href="/chat/static/' in page and 'src="/chat/static/' in page
    assert f'href="/chat/c/{conv.id}"' in page
    assert 'href="/' not in page.replace('href="/chat/', "")
    assert 'hx-get="/' not in page.replace('hx-get="/chat/', "")
    assert 'hx-post="/' not in page.replace('hx-post="/chat/', "")
    dialog = alice.post(f"/c/{conv.id}/share", **HTMX).content.decode()
    assert 'value="http://testserver/chat/share/' in dialog  # the shared link
    assert alice.get("/c/new")["Location"] == "/chat/"  # redirects stay under it too


def test_at_the_root_the_script_name_is_empty(alice):
    assert '<meta name="script-name" content="">' in alice.get("/").content.decode()


def test_with_parameters_off_the_panel_has_no_fields(alice, settings, tmp_path):
    use_specs(settings, tmp_path, "interface:\n  parameters: false\n")
    page = alice.get("/").content.decode()
    assert "data-param=" not in page and 'data-testid="composer"' in page


def test_with_model_select_off_no_endpoint_or_model_is_offered(alice, settings, tmp_path):
    use_specs(settings, tmp_path, "interface:\n  modelSelect: false\n")
    page = alice.get("/").content.decode()
    assert '<select id="endpoint-select"' not in page and '<select id="model-select"' not in page
    assert '<input type="hidden" name="endpoint" value="Mock"' in page
    assert '<input type="hidden" name="model" value="mock-model"' in page
    # the specs stay pickable, as in LibreChat
    use_specs(settings, tmp_path, SPECS.replace("enforce: true", "enforce: false")
              + "interface:\n  modelSelect: false\n")  # fmt: skip
    page = alice.get("/").content.decode()
    assert 'data-testid="spec-menu"' in page and '<select id="endpoint-select"' not in page


def test_with_the_side_panel_off_there_is_no_panel(alice, user, settings, tmp_path):
    Preset.objects.create(owner=user, name="Mine", endpoint="Mock", model="mock-model")
    use_specs(settings, tmp_path, "interface:\n  sidePanel: false\n")
    page = alice.get("/").content.decode()
    assert 'data-testid="params-toggle"' not in page and 'id="params"' not in page
    assert 'id="instructions"' not in page and "Mine" not in page
    assert 'data-testid="composer"' in page
    fragment = alice.get("/settings/chat?endpoint=Mock", **HTMX).content.decode()
    assert "hx-swap-oob" not in fragment  # no panel to update


def test_the_globe_follows_the_conversation_and_the_interface(alice, user, settings):
    page = alice.get("/").content.decode()
    assert (
        'data-testid="web-search-toggle">' in page
        and "checked>" not in page.split('id="web-search"')[1][:80]
    )
    conv = factories.conversation(user, endpoint="Mock", model="mock-model", web_search=True)
    shown = alice.get(f"/c/{conv.id}").content.decode()
    assert 'id="web-search" data-testid="web-search-toggle" checked>' in shown
    with open(settings.CONFIG_PATH, "a") as file:
        file.write("interface:\n  webSearch: false\n")
    endpoint_config.current.cache_clear()
    assert 'data-testid="web-search-toggle"' not in alice.get("/").content.decode()
    assert alice.get("/web-search/keys", **HTMX).status_code == 404


def test_web_search_keys_are_asked_and_saved(alice, user):
    page = alice.get("/").content.decode()
    assert "Set web search keys" in page  # nothing configured: a search needs the user's keys
    dialog = alice.get("/web-search/keys", **HTMX).content.decode()
    assert 'data-testid="web-search-key-serperApiKey"' in dialog
    assert "Serper API key or" not in dialog and "Serper API key" in dialog
    saved = alice.post(
        "/web-search/keys", {"serperApiKey": "sk-users-serper", "expiry": "1d"}, **HTMX
    ).content.decode()
    assert 'id="web-search-keys"' in saved and "Set web search keys" not in saved
    refused = alice.post(
        "/web-search/keys", {"searxngInstanceUrl": "http://169.254.169.254", "expiry": "1d"}, **HTMX
    )
    assert refused["HX-Retarget"] == "#web-search-keys-error"
    assert "link-local address" in refused.content.decode()


LABELLED = """
modelSpecs:
  list:
    - name: poet
      label: Poet
      default: true
      preset:
        { endpoint: Mock, model: mock-large, modelLabel: Bard, greeting: "Ask me for a poem." }
"""


def test_a_specs_greeting_and_model_label_show(alice, user, settings, tmp_path):
    """LibreChat's preset `greeting` heads a new chat on the spec; `modelLabel` names its
    answers."""
    use_specs(settings, tmp_path, LABELLED)
    page = alice.get("/").content.decode()
    assert '<h1 data-testid="welcome">Ask me for a poem.</h1>' in page
    assert 'data-label="Bard"' in page  # the template of a streamed answer
    conversation = factories.conversation(user, endpoint="Mock", model="mock-large", spec="poet")
    factories.exchange(conversation, "a poem", "roses")
    page = alice.get(f"/c/{conversation.pk}").content.decode()
    assert '<div class="sender">Bard</div>' in page and "Ask me for a poem." not in page


def _stored(user, name: str, mime: str, kind: str, size: int):
    from chatapp.models import StoredFile

    return StoredFile.objects.create(
        owner=user, name=name, mime=mime, size=size, sha256="0" * 64, kind=kind,
        storage="local", key=f"{kind}/{user.pk}/{name}", text="words",
    )  # fmt: skip


def test_a_messages_files_show_as_a_thumbnail_and_a_chip_after_reload(alice, user, settings):
    from chatapp.models import Attachment

    conversation = factories.conversation(user)
    asked, _ = factories.exchange(conversation, "look", "ok")
    image = _stored(user, "cat.png", "image/png", "image", 80)
    report = _stored(user, "report.pdf", "application/pdf", "document", 2048)
    Attachment.objects.create(message=asked, file=image, position=0)
    Attachment.objects.create(message=asked, file=report, position=1, as_text=True)
    page = alice.get(f"/c/{conversation.id}").content.decode()
    chips = page.split('data-testid="message-files"')[1].split("</div>")[0]
    assert chips.count('data-testid="message-file"') == 2
    assert f'src="/api/files/{image.id}/content"' in chips  # the thumbnail opens the image
    assert f'href="/api/files/{report.id}/content"' in chips
    assert "report.pdf" in chips and "2.0\xa0KB" in chips
    assert chips.count('data-testid="as-text-badge">') == 1  # the PDF's, shown
    assert 'data-testid="attach"' in page


def test_the_composer_gets_client_image_resize_and_the_endpoints_without_files(
    alice, settings, tmp_path
):
    resize = (
        "fileConfig:\n  clientImageResize: {enabled: true, maxWidth: 800}\n"
        "  endpoints: {Mock: {disabled: true}}\n"
    )
    (tmp_path / "resize.yaml").write_text(YAML + resize)
    settings.CONFIG_PATH = str(tmp_path / "resize.yaml")
    endpoint_config.current.cache_clear()
    page = alice.get("/").content.decode()
    found = page.split('<script id="file-config" type="application/json">')[1].split("</script>")[0]
    assert json.loads(found) == {
        "clientImageResize": {
            "enabled": True, "maxWidth": 800, "maxHeight": 1900, "quality": 0.92,
            "compressFormat": "jpeg",
        },
        "disabled": ["Mock"],
    }  # fmt: skip


def test_the_composers_file_controls_speak_korean_and_chinese(alice):
    korean = alice.get("/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert 'aria-label="파일 첨부"' in korean and "텍스트로 업로드" in korean
    chinese = alice.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'aria-label="附加文件"' in chinese and "作为文本上传" in chinese
