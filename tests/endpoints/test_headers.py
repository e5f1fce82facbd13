from endpoints import headers
from endpoints.adapters.base import RequestContext


def context(**fields) -> RequestContext:
    return RequestContext(
        conversation_id="c-1",
        message_id="m-2",
        parent_message_id="",
        user_fields=fields,
    )


def test_every_user_placeholder_of_the_seed_table():
    fields = {name: f"v-{name}" for name in headers.USER_FIELDS}
    fields |= {"emailVerified": True, "twoFactorEnabled": False, "termsAccepted": True}
    templates = {name: f"{{{{LIBRECHAT_USER_{name.upper()}}}}}" for name in headers.USER_FIELDS}
    resolved = headers.resolve(templates, context(**fields))
    assert resolved["openidId"] == "v-openidId"
    assert resolved["emailVerified"] == "true"
    assert resolved["twoFactorEnabled"] == "false"
    assert resolved["termsAccepted"] == "true"
    assert all("{{" not in value for value in resolved.values())


def test_body_placeholders_unknown_names_and_missing_values():
    resolved = headers.resolve(
        {
            "X-Conv": "conv={{LIBRECHAT_BODY_CONVERSATIONID}}",
            "X-Msg": "{{LIBRECHAT_BODY_MESSAGEID}}/{{LIBRECHAT_BODY_PARENTMESSAGEID}}",
            "X-Other": "{{SOMETHING_ELSE}}",
            "X-Missing": "[{{LIBRECHAT_USER_GITHUBID}}]",
        },
        context(),
    )
    assert resolved == {
        "X-Conv": "conv=c-1",
        "X-Msg": "m-2/",
        "X-Other": "{{SOMETHING_ELSE}}",
        "X-Missing": "[]",
    }


def test_non_latin1_free_text_is_base64_encoded():
    resolved = headers.resolve({"X-Name": "{{LIBRECHAT_USER_NAME}}"}, context(name="王小明"))
    assert resolved["X-Name"] == "b64:546L5bCP5piO"


def test_user_fields_from_a_parley_user(user):
    user.name, user.email_verified = "Alice", True
    fields = headers.user_fields(user)
    assert fields["id"] == user.pk
    assert fields["email"] == "alice@example.com"
    assert fields["emailVerified"] is True
    assert fields["role"] == "user"


def test_anthropic_beta_values_are_merged_and_managed_headers_removed():
    assert headers.merge_beta("a,b", "b, c", None) == "a,b,c"
    kept = headers.without({"Authorization": "x", "X-Keep": "1"}, ["authorization"])
    assert kept == {"X-Keep": "1"}


def test_all_headers_merge_with_the_endpoint_winning_and_betas_united():
    shared = {"X-Team": "all", "Anthropic-Beta": "a", "X-Only-All": "1"}
    own = {"x-team": "mine", "anthropic-beta": "b,a"}
    assert headers.merge(shared, own) == {
        "X-Only-All": "1",
        "x-team": "mine",
        "anthropic-beta": "a,b",
    }


def test_config_applies_the_merge(tmp_path):
    from endpoints import config

    path = tmp_path / "librechat.yaml"
    path.write_text(
        "version: 1.3.14\n"
        "endpoints:\n"
        "  all:\n"
        "    headers: {anthropic-beta: shared-beta, X-All: 'on'}\n"
        "  anthropic:\n"
        "    headers: {anthropic-beta: own-beta}\n"
    )
    loaded = config.load(str(path), {"ANTHROPIC_API_KEY": "k"})
    assert dict(loaded.get("anthropic").headers) == {
        "X-All": "on",
        "anthropic-beta": "shared-beta,own-beta",
    }
