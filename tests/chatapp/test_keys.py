"""User-provided keys: saved encrypted per user and endpoint, masked, expiring, revocable."""

from datetime import timedelta

import pytest
from django.utils import timezone

from chatapp import keys
from chatapp.conversations import BadRequest
from chatapp.models import UserKey
from endpoints import config as endpoint_config
from endpoints.config import load

pytestmark = pytest.mark.django_db
YAML = """
version: 1.2.8
endpoints:
  allowedAddresses: ["127.0.0.1:9"]
  custom:
    - name: "Own"
      apiKey: "user_provided"
      baseURL: "user_provided"
      models: { default: ["m"] }
    - name: "Shared"
      apiKey: "k"
      baseURL: "http://127.0.0.1:9/v1"
      models: { default: ["m"] }
"""


@pytest.fixture
def config(settings, tmp_path):
    path = tmp_path / "librechat.yaml"
    path.write_text(YAML)
    settings.CONFIG_PATH = str(path)
    endpoint_config.current.cache_clear()
    yield load(str(path), {})
    endpoint_config.current.cache_clear()


def test_saved_encrypted_and_read_back(user, config):
    own = config.get("Own")
    row = keys.save(user, own, " sk-abcdefgh1234 ", "http://127.0.0.1:9/v1", "12h")
    assert "sk-abcdefgh1234" not in row.sealed
    assert row.hint == "sk-…1234"
    expires = row.expires_at - timezone.now()
    assert timedelta(hours=11, minutes=59) < expires <= timedelta(hours=12)
    creds = keys.credentials_for(user, own)
    assert (creds.api_key, creds.base_url) == ("sk-abcdefgh1234", "http://127.0.0.1:9/v1")


def test_each_user_has_their_own(user, stranger, config):
    own = config.get("Own")
    keys.save(user, own, "sk-alice-key-1", "http://a.example/v1", "never")
    assert keys.credentials_for(stranger, own) is None
    row = UserKey.objects.get(owner=user)
    row.owner = stranger  # a row moved to another user does not decrypt
    row.save()
    assert keys.credentials_for(stranger, own) is None


def test_expired_keys_are_gone(user, config):
    own = config.get("Own")
    keys.save(user, own, "sk-short-lived", "http://a.example/v1", "2h")
    later = timezone.now() + timedelta(hours=2, seconds=1)
    assert keys.credentials_for(user, own, now=later) is None
    assert not UserKey.objects.exists()


def test_bad_input_is_refused(user, config):
    own, shared = config.get("Own"), config.get("Shared")
    with pytest.raises(BadRequest, match="API key"):
        keys.save(user, own, "", "http://a.example/v1", "12h")
    with pytest.raises(BadRequest, match="base URL"):
        keys.save(user, own, "sk-x", "ftp://a.example", "12h")
    with pytest.raises(BadRequest, match="expires"):
        keys.save(user, own, "sk-x", "http://a.example/v1", "forever")
    with pytest.raises(BadRequest, match="own key"):
        keys.save(user, shared, "sk-x", "", "12h")


def test_dialog_save_list_and_revoke(client, user, stranger, config):
    client.force_login(user)
    dialog = client.get("/keys/Own").content.decode()
    assert 'name="api_key"' in dialog and 'name="base_url"' in dialog
    assert '<option value="12h" selected>' in dialog
    assert client.get("/keys/Shared").status_code == 404
    saved = client.post(
        "/keys/Own",
        {"api_key": "sk-live-9876543", "base_url": "http://a.example/v1", "expiry": "1d"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert "sk-…6543" in saved and "sk-live-9876543" not in saved
    refused = client.post("/keys/Own", {"api_key": "", "expiry": "1d"}, HTTP_HX_REQUEST="true")
    assert refused["HX-Retarget"] == "#user-key-error" and "API key" in refused.content.decode()
    page = client.get("/keys").content.decode()
    assert "sk-…6543" in page and "sk-live-9876543" not in page
    client.force_login(stranger)
    client.post("/keys", {"endpoint": "Own"})  # only ever the caller's own keys
    assert UserKey.objects.filter(owner=user).exists()
    client.force_login(user)
    client.post("/keys", {"endpoint": "Own"})
    assert not UserKey.objects.exists()


@pytest.mark.parametrize(
    ("url", "address", "kind", "entry"),
    [
        ("http://127.0.0.1:8080/v1", "127.0.0.1", "loopback", "127.0.0.1:8080"),
        ("http://169.254.169.254/latest", "169.254.169.254", "link-local", "169.254.169.254:80"),
        ("https://[::1]:9/v1", "::1", "loopback", "[::1]:9"),
        ("http://localhost:9/v1", "127.0.0.1", "loopback", "localhost:9"),
    ],
)
def test_a_base_url_pointing_inside_is_refused(user, config, url, address, kind, entry):
    with pytest.raises(BadRequest) as refused:
        keys.save(user, config.get("Own"), "sk-x", url, "12h")
    message = str(refused.value)
    assert f"points to {address}, a {kind} address" in message
    assert f'add "{entry}" to endpoints.allowedAddresses in librechat.yaml' in message
    assert not UserKey.objects.exists()


def test_the_key_form_shows_the_refusal(client, user, config):
    client.force_login(user)
    form = {"api_key": "sk-x", "base_url": "http://169.254.169.254/<b>", "expiry": "1d"}
    refused = client.post("/keys/Own", form, HTTP_HX_REQUEST="true")
    assert refused["HX-Retarget"] == "#user-key-error"
    text = refused.content.decode()
    assert "a link-local address" in text and "endpoints.allowedAddresses" in text
    assert "&lt;b&gt;" in text and "<b>" not in text  # the URL the user typed is escaped
    assert not UserKey.objects.exists()


def test_the_key_form_refuses_loopback(client, user, config):
    client.force_login(user)
    form = {"api_key": "sk-x", "base_url": "http://127.0.0.1:8000/v1", "expiry": "1d"}
    refused = client.post("/keys/Own", form, HTTP_HX_REQUEST="true").content.decode()
    assert "127.0.0.1, a loopback address" in refused
    assert "&quot;127.0.0.1:8000&quot; to endpoints.allowedAddresses" in refused


def test_a_turn_needs_the_users_key(user, config):
    from chatapp.engine.refusal import Refusal
    from chatapp.engine.request import credentials

    assert credentials(user, config.get("Shared")) is None  # the server's key
    with pytest.raises(Refusal) as refused:
        credentials(user, config.get("Own"), "c0ffee00-0000-0000-0000-000000000000")
    assert refused.value.code == "key_required" and "Own" in refused.value.message
    keys.save(user, config.get("Own"), "sk-mine-123456", "http://a.example/v1", "7d")
    assert credentials(user, config.get("Own")).api_key == "sk-mine-123456"
