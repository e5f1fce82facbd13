"""Imports: only the parameters the user may set (endpoints.userparams), written in bounded
batches, and any file is imported or refused by name."""

import json

import pytest
from django.db import DatabaseError, connection
from django.http import Http404
from hypothesis import given
from hypothesis import strategies as st

from chatapp import access, transfer
from chatapp.conversations import BadRequest
from chatapp.models import Conversation, Message
from tests.chatapp.conftest import ENDPOINT, MODEL
from tests.chatapp.strategies import FUZZ, dates, deep, dumps, hostile_text, ids, json_values

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("chat_endpoint")]
HOSTILE = {"model": "gpt-secret", "messages": [], "tools": [{"name": "x"}], "n": 5}


def parley_export(parameters, endpoint=ENDPOINT) -> dict:
    return {
        "format": "parley",
        "version": 1,
        "conversation": {"title": "t", "endpoint": endpoint, "model": MODEL,
                         "parameters": parameters},
        "messages": [{"id": "a", "role": "user", "text": "hi"}],
    }  # fmt: skip


def test_a_parley_import_keeps_only_the_allowed_params(user):
    data = parley_export({**HOSTILE, "temperature": 0.3, "maxOutputTokens": 50})
    conversation = transfer.import_conversation(user, data)
    assert conversation.parameters == {"temperature": 0.3, "maxOutputTokens": 50}


def test_the_model_spec_goes_out_and_comes_back(user):
    original = Conversation.objects.create(owner=user, endpoint=ENDPOINT, model=MODEL, spec="brief")
    exported = transfer.export_json(original)
    assert exported["conversation"]["spec"] == "brief"
    exported["messages"] = [{"id": "a", "role": "user", "text": "hi"}]
    assert transfer.import_conversation(user, exported).spec == "brief"


def test_a_librechat_import_keeps_its_params_by_the_panels_names(user):
    data = {
        "conversationId": "c1",
        "endpoint": ENDPOINT,
        "title": "t",
        "options": {"model": MODEL, "top_p": 0.5, "temperature": 1},
        "messages": [{"messageId": "m1", "text": "hi", "isCreatedByUser": True}],
    }
    conversation = transfer.import_conversation(user, data)
    assert conversation.parameters == {"topP": 0.5, "temperature": 1}


def test_a_bad_value_refuses_the_import_naming_it(user):
    with pytest.raises(BadRequest, match=r"conversation\.parameters\.temperature: must be"):
        transfer.import_conversation(user, parley_export({"temperature": 40}))
    with pytest.raises(BadRequest, match=r"conversation\.parameters\.params: must be an object"):
        transfer.import_conversation(user, parley_export(["temperature"]))


def test_an_endpoint_not_configured_here_keeps_no_params(user):
    conversation = transfer.import_conversation(user, parley_export(HOSTILE, endpoint="Gone"))
    assert conversation.parameters == {}


def test_a_stranger_cannot_see_an_import(user, stranger):
    conversation = transfer.import_conversation(user, parley_export({"temperature": 0.3}))
    with pytest.raises(Http404):
        access.get_conversation_for(stranger, conversation.pk)


def linear_export(count: int) -> dict:
    """A Parley export of one linear conversation of `count` messages."""
    messages = [
        {"id": f"m{n}", "parent_id": f"m{n - 1}" if n else None,
         "role": "user" if n % 2 == 0 else "assistant", "text": f"message {n}"}
        for n in range(count)
    ]  # fmt: skip
    return {"format": "parley", "conversation": {"title": "Big"}, "messages": messages}


def chatgpt_conversation(title: str, count: int) -> dict:
    """One conversation of ChatGPT's conversations.json: a linear mapping of `count` nodes."""
    mapping = {
        f"n{n}": {
            "parent": f"n{n - 1}" if n else None,
            "message": {"author": {"role": "user" if n % 2 == 0 else "assistant"},
                        "content": {"content_type": "text", "parts": [f"{title} {n}"]},
                        "create_time": 1.7e9 + n},
        }
        for n in range(count)
    }  # fmt: skip
    return {"title": title, "mapping": mapping}


def librechat_nested(count: int) -> dict:
    """LibreChat's recursive export: each reply nested under the message it answers."""
    message: dict = {"messageId": f"m{count - 1}", "text": "last", "children": []}
    for n in range(count - 2, -1, -1):
        message = {"messageId": f"m{n}", "text": f"t{n}", "isCreatedByUser": n % 2 == 0,
                   "children": [message]}  # fmt: skip
    return {"conversationId": "c", "title": "Deep", "messages": [message]}


def post(client, user, body: str | bytes):
    client.force_login(user)
    return client.post("/api/conversations/import", body, "application/json")


@pytest.mark.django_db(transaction=True)
def test_a_big_import_commits_in_bounded_batches(user, settings, monkeypatch):
    settings.IMPORT_BATCH_MESSAGES = 500
    events: list[str | int] = []  # each batch written, and each commit, in order
    real_commit, real_bulk_create = connection.commit, Message.objects.bulk_create

    def commit() -> None:
        real_commit()
        events.append("commit")

    def bulk_create(objs, *args, **kwargs):
        written = real_bulk_create(objs, *args, **kwargs)
        events.append(len(written))
        return written

    monkeypatch.setattr(connection, "commit", commit)
    monkeypatch.setattr(Message.objects, "bulk_create", bulk_create)
    conversation = transfer.import_conversation(user, linear_export(1_200))
    assert events[:6] == [500, "commit", 500, "commit", 200, "commit"]
    path = conversations_path(conversation)
    assert [m.text for m in path] == [f"message {n}" for n in range(1_200)]


def conversations_path(conversation: Conversation) -> list[Message]:
    from chatapp.branches import branch

    return branch(conversation, None)


def test_a_failure_part_way_keeps_the_finished_conversations_and_names_the_failed_one(
    user, settings, monkeypatch
):
    settings.IMPORT_BATCH_MESSAGES = 2  # five messages: batches of 2, 2, 1
    data = [chatgpt_conversation(f"chat {n}", 5) for n in range(3)]
    real_bulk_create, calls = Message.objects.bulk_create, []

    def failing_on_the_fifth_batch(objs, *args, **kwargs):
        calls.append(1)
        if len(calls) == 5:  # the second batch of "chat 1"
            raise DatabaseError("disk full")
        return real_bulk_create(objs, *args, **kwargs)

    monkeypatch.setattr(Message.objects, "bulk_create", failing_on_the_fifth_batch)
    imported = transfer.import_file(user, data)
    assert [c.title for c in imported.conversations] == ["chat 0", "chat 2"]
    assert imported.skipped == ["“chat 1”: could not be saved; nothing of it was kept"]
    kept = Conversation.objects.filter(owner=user).order_by("created_at")
    assert [(c.title, c.messages.count()) for c in kept] == [("chat 0", 5), ("chat 2", 5)]
    assert Message.objects.count() == 10  # nothing of "chat 1" is left behind


def test_a_long_nested_librechat_export_is_read_without_recursion(user, client):
    response = post(client, user, json.dumps(librechat_nested(390)))
    assert response.status_code == 201, response.content
    conversation = Conversation.objects.get(pk=response.json()["id"])
    assert len(conversations_path(conversation)) == 390


def parley_file(*extras: str) -> str:
    """A Parley export whose messages are `{"id": "a", …}` plus each of `extras`."""
    message = '{"id": "a", "role": "user", "text": "hi"'
    messages = ", ".join(message + extra + "}" for extra in extras)
    return '{"format": "parley", "messages": [' + messages + "]}"


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ("[" * 100_000 + "]" * 100_000, "nests deeper than 800 levels"),
        ('{"conversationId": "c", "options": "x", "messages": [{"text": "x"}]}', "options"),
        ('{"conversationId": "c", "messages": [{"text": "x", "children": 5}]}', "children"),
        ('{"conversationId": "c", "messages": [{"text": "x", "promptTokens": 4294967296}]}',
         "promptTokens: a count from 0 to 2147483647"),
        ('{"conversationId": "c", "messages": [{"text": "x", '
         '"createdAt": "9999-12-31T23:59:59-05:00"}]}', "createdAt: 9999-12-31T23:59:59-05:00"),
        (parley_file(', "usage": [1]'), "messages[0].usage: an object"),
        (parley_file("", ""), "Two messages have the id 'a'"),
        (parley_file(', "x": "\\u0000"'), "messages[0].x: contains a NUL character"),
        (parley_file(', "x": "\\udfff"'), "messages[0].x: contains an unpaired surrogate"),
        ('{"format": "parley", "conversation": {"parameters": {"temperature": NaN}}}', "NaN"),
    ],
)  # fmt: skip
def test_crafted_files_are_a_400_that_names_the_problem(user, client, body, named):
    response = post(client, user, body)
    assert response.status_code == 400
    assert named in response.json()["error"]["message"]
    assert not Conversation.objects.filter(owner=user).exists()


def fuzzed(fields: dict) -> st.SearchStrategy[dict]:
    return st.fixed_dictionaries({}, optional=fields)


parley_messages = fuzzed({
    "id": ids, "parent_id": ids, "role": st.sampled_from(["user", "assistant"]) | json_values,
    "text": hostile_text, "state": json_values, "created_at": dates, "model": json_values,
    "usage": fuzzed({"prompt_tokens": json_values, "completion_tokens": json_values})
    | json_values,
})  # fmt: skip
parley_files = st.fixed_dictionaries(
    {"format": st.just("parley"), "messages": st.lists(parley_messages, max_size=5) | json_values},
    optional={"conversation": fuzzed({"title": json_values, "parameters": json_values})
              | json_values},
)  # fmt: skip
librechat_messages = st.recursive(
    fuzzed({"messageId": ids, "parentMessageId": ids, "text": hostile_text,
            "isCreatedByUser": json_values, "createdAt": dates, "tokenCount": json_values,
            "content": json_values, "error": json_values}),
    lambda inner: st.builds(lambda m, c: {**m, "children": c}, inner, st.lists(inner, max_size=3)),
    max_leaves=6,
)  # fmt: skip
librechat_files = st.fixed_dictionaries(
    {"conversationId": ids, "messages": st.lists(librechat_messages, max_size=4)},
    optional={"options": json_values | fuzzed({"model": json_values, "temperature": json_values}),
              "title": json_values, "branches": json_values, "endpoint": json_values},
)  # fmt: skip
chatgpt_nodes = st.dictionaries(
    st.sampled_from(["a", "b", "c", "d"]),
    fuzzed({"parent": st.sampled_from(["a", "b", "c", None]) | json_values,
            "message": fuzzed({"author": fuzzed({"role": json_values}),
                               "content": fuzzed({"content_type": json_values,
                                                  "parts": json_values}),
                               "create_time": json_values}) | json_values}),
    max_size=4,
)  # fmt: skip
chatgpt_files = st.lists(
    fuzzed({"title": json_values, "mapping": chatgpt_nodes | json_values}) | json_values,
    max_size=3,
)
chatbotui_files = st.fixed_dictionaries(
    {"version": json_values, "history": st.lists(json_values, max_size=3)},
    optional={"folders": json_values, "prompts": json_values},
)
import_files = st.one_of(
    json_values.map(dumps),
    deep,
    st.one_of(parley_files, librechat_files, chatgpt_files, chatbotui_files).map(dumps),
)


@FUZZ
@given(body=import_files)
def test_any_file_is_imported_or_refused_by_name(user, client, body):
    response = post(client, user, body)
    assert response.status_code in (201, 400), response.content
    if response.status_code == 400:
        assert response.json()["error"]["message"]


def test_tags_and_instructions_travel_through_export_and_import(user, stranger):
    data = {
        "conversationId": "c1",
        "endpoint": ENDPOINT,
        "title": "t",
        "tags": ["work", "x" * 10_000, 3, " urgent "],
        "options": {"model": MODEL, "promptPrefix": "Answer in French."},
        "messages": [{"messageId": "m1", "text": "hi", "isCreatedByUser": True}],
    }
    imported = transfer.import_conversation(user, data)
    assert imported.system_prompt == "Answer in French."
    exported = transfer.export_json(imported)
    assert sorted(exported["conversation"]["tags"]) == ["urgent", "work"]
    again = transfer.import_conversation(stranger, exported)
    assert sorted(again.tags.values_list("name", flat=True)) == ["urgent", "work"]
    assert again.system_prompt == "Answer in French."
    assert set(again.tags.values_list("owner", flat=True)) == {stranger.pk}


def test_instructions_over_the_message_limit_refuse_the_import(user, settings):
    settings.CHAT_MAX_MESSAGE_CHARS = 10
    data = parley_export({})
    data["conversation"]["system_prompt"] = "x" * 11
    with pytest.raises(BadRequest, match="instructions are 11 characters long"):
        transfer.import_conversation(user, data)


def test_tool_steps_survive_an_export_and_an_import(user, stranger):
    from chatapp.models import ToolStep
    from tests.chatapp import factories

    conversation = factories.conversation(user)
    _, answer = factories.exchange(conversation, "tool: echo {}", "result: hi")
    ToolStep.objects.create(
        message=answer, position=0, tool="echo", server="srv", arguments='{"text": "hi"}',
        state="done", result="hi", result_chars=2, duration_ms=4, data={"sources": [1]},
    )  # fmt: skip
    ToolStep.objects.create(message=answer, position=1, tool="hang", state="running")
    exported = json.loads(json.dumps(transfer.export_json(conversation)))
    steps = exported["messages"][1]["steps"]
    assert [(s["tool"], s["result"], s["state"]) for s in steps] == [
        ("echo", "hi", "done"),
        ("hang", "", "running"),
    ]
    copy = transfer.import_conversation(stranger, exported)
    imported = list(ToolStep.objects.filter(message__conversation=copy))
    assert [(s.tool, s.server, s.result, s.state) for s in imported] == [
        ("echo", "srv", "hi", "done"),
        ("hang", "", "", "cancelled"),  # nothing runs in an import
    ]
    assert imported[0].data == {"sources": [1]} and imported[0].duration_ms == 4
    assert "_Tool `echo` (srv): done_" in transfer.export_markdown(conversation)
    with pytest.raises(BadRequest, match=r"messages\[1\].steps: a list of objects"):
        exported["messages"][1]["steps"] = "nope"
        transfer.import_conversation(user, exported)


def searched(conversation):
    """An answer citing two web search sources, the second not read."""
    from chatapp.models import ToolStep
    from tests.chatapp import factories

    _, answer = factories.exchange(conversation, "bees?", "Bees winter in a cluster [1][2].")
    found = [
        {"index": 1, "url": "https://bees.example/hives", "title": "Hives [in] *winter*",
         "snippet": "A cluster.", "ok": True, "error": ""},
        {"index": 2, "url": "https://bees.example/a b", "title": "Honey", "snippet": "",
         "ok": False, "error": "not a web page (image/png)"},
    ]  # fmt: skip
    ToolStep.objects.create(
        message=answer, position=0, tool="web_search", arguments='{"query": "bees"}',
        state="done", result="[1] Hives", data={"query": "bees", "sources": found},
    )  # fmt: skip
    return found


def test_exports_keep_the_web_search_sources(user, stranger):
    from tests.chatapp import factories

    conversation = factories.conversation(user, title="Bees")
    found = searched(conversation)
    markdown = transfer.export_markdown(conversation)
    cited = markdown.index("Bees winter in a cluster [1][2].")
    listed = markdown.index(
        "Sources:\n\n- [1] [Hives \\[in\\] \\*winter\\*](<https://bees.example/hives>)\n"
    )
    assert cited < listed
    assert "- [2] [Honey](<https://bees.example/a%20b>) (not read: not a web page (image/png))" in (
        markdown
    )
    text = transfer.export_text(conversation)
    assert text.startswith("Bees\n\nUser:\nbees?\n")
    assert "[1] Hives [in] *winter* - https://bees.example/hives\n" in text
    assert "[2] Honey - https://bees.example/a b (not read: not a web page (image/png))" in text
    exported = json.loads(json.dumps(transfer.export_json(conversation)))
    (step,) = exported["messages"][1]["steps"]
    assert step["data"]["sources"] == found
    copy = transfer.import_conversation(stranger, exported)
    assert "- [1] [Hives" in transfer.export_markdown(copy)  # the import keeps them too


def test_an_answer_without_sources_lists_none(user):
    from tests.chatapp import factories

    conversation = factories.conversation(user)
    factories.exchange(conversation, "hi", "hello")
    assert "Sources:" not in transfer.export_markdown(conversation)
    assert "Sources:" not in transfer.export_text(conversation)


# --- files -----------------------------------------------------------------


@pytest.fixture
def store(settings, tmp_path):
    """Store an upload for `owner` under this test's own directory."""
    from chatapp.files import storage, uploads
    from tests.chatapp.files.conftest import upload

    settings.FILES_ROOT = tmp_path / "files"
    storage.storage.cache_clear()
    yield lambda owner, name, data: uploads.store(owner, upload(name, data), endpoint=ENDPOINT)
    storage.storage.cache_clear()


@pytest.fixture
def with_files(user, store):
    """A conversation whose question carries an image and a Markdown file (sent as text)."""
    from chatapp.files import attachments
    from tests.chatapp import factories
    from tests.chatapp.files.conftest import png_bytes

    conversation = factories.conversation(user, title="Files", endpoint=ENDPOINT, model=MODEL)
    question, _ = factories.exchange(conversation, "what is this?", "A red square.")
    image, notes = store(user, "red.png", png_bytes()), store(user, "notes.md", b"# Plan\n")
    notes.as_text = True
    attachments.attach(question, [image, notes])
    return conversation, image, notes


def files_of(conversation) -> dict[str, list[tuple]]:
    from chatapp.files import attachments

    messages = list(conversation.messages.order_by("created_at"))
    found = attachments.files_of(m.id for m in messages)
    return {
        m.text: [
            (f.name, f.sha256, f.owner_id, attachments.as_text(f)) for f in found.get(m.id, [])
        ]
        for m in messages
    }


def test_files_travel_with_a_parley_export_to_any_account(with_files, user, stranger):
    from chatapp.files import uploads

    conversation, image, notes = with_files
    exported = json.loads(json.dumps(transfer.export_json(conversation)))
    question = exported["messages"][0]
    assert [(f["name"], f["kind"], f["as_text"], "data" in f) for f in question["files"]] == [
        ("red.png", "image", False, True), ("notes.md", "document", True, True)
    ]  # fmt: skip
    assert exported["messages"][1]["files"] == []  # a message without files
    uploads.delete(image)  # the bytes come with the export, not from the account
    copy = transfer.import_conversation(stranger, exported)
    assert files_of(copy)["what is this?"] == [
        ("red.png", image.sha256, stranger.pk, False), ("notes.md", notes.sha256, stranger.pk, True)
    ]  # fmt: skip
    assert access.files_for(stranger).count() == 2  # the stranger's own copies
    assert access.files_for(user).count() == 1  # nothing of the user's changed hands


def test_without_its_bytes_a_file_is_the_importers_own_copy_or_a_placeholder(
    with_files, user, stranger, settings
):
    from chatapp.files import uploads

    conversation, image, notes = with_files
    settings.MAX_IMPORT_BYTES = 0  # an export too big to carry the bytes
    exported = json.loads(json.dumps(transfer.export_json(conversation)))
    assert not any("data" in f for f in exported["messages"][0]["files"])
    again = transfer.import_conversation(user, exported)  # the same user, the same server
    assert [name for name, *_ in files_of(again)["what is this?"]] == ["red.png", "notes.md"]
    theirs = transfer.import_conversation(stranger, exported)  # never the user's files
    texts = list(files_of(theirs))
    assert texts[0] == (
        "what is this?\n\n[File not imported: red.png]\n[File not imported: notes.md]"
    )
    assert files_of(theirs)[texts[0]] == []
    uploads.delete(notes)
    later = transfer.import_conversation(user, exported)
    assert files_of(later)["what is this?\n\n[File not imported: notes.md]"][0][0] == "red.png"


def test_the_markdown_export_names_the_files(with_files):
    text = transfer.export_markdown(with_files[0])
    assert "what is this?\n\n_Attached: red.png (image/png," in text
    assert "_Attached: notes.md (text/markdown, 7 bytes)_" in text


def test_a_librechat_export_maps_its_files_where_the_bytes_are_here(user, stranger, store):
    import base64

    from chatapp.models import ImportedRecord
    from tests.chatapp.files.conftest import png_bytes

    mine, theirs = store(user, "chart.png", png_bytes(5, 5)), store(stranger, "x.png", png_bytes())
    ImportedRecord.objects.bulk_create([
        ImportedRecord(collection="files", source_id="lc-chart", target_id=str(mine.pk)),
        ImportedRecord(collection="files", source_id="lc-theirs", target_id=str(theirs.pk)),
    ])  # fmt: skip
    inline = "data:image/png;base64," + base64.b64encode(png_bytes(2, 2)).decode()
    files = [
        {"file_id": "lc-chart", "filename": "chart.png", "type": "image/png",
         "filepath": "/images/u1/lc-chart__chart.png", "width": 5, "height": 5},
        {"file_id": "lc-theirs", "filename": "x.png", "filepath": "/images/u2/x.png"},
        {"file_id": "lc-gone", "filepath": "/uploads/u1/lc-gone__report.pdf"},
        {"file_id": "lc-broken", "filename": "broken.png", "filepath": "data:image/png;base64,AA"},
    ]  # fmt: skip
    content = [
        {"type": "text", "text": "look"},
        {"type": "image_url", "image_url": {"url": inline}},
    ]
    data = {
        "conversationId": "c1", "endpoint": ENDPOINT, "title": "Charts",
        "messages": [
            {"messageId": "m1", "parentMessageId": "00000000-0000-0000-0000-000000000000",
             "isCreatedByUser": True, "text": "", "content": content, "files": files},
            {"messageId": "m2", "parentMessageId": "m1", "isCreatedByUser": False, "text": "ok"},
        ],
    }  # fmt: skip
    conversation = transfer.import_conversation(user, data)
    (text, found), _ = files_of(conversation).items()
    assert text == (
        "look\n\n[File not imported: x.png]\n[File not imported: lc-gone__report.pdf]\n"
        "[File not imported: broken.png]"
    )
    assert [(name, owner) for name, _, owner, _ in found] == [
        ("chart.png", user.pk),
        ("image", user.pk),
    ]
