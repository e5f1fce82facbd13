"""The prompts library from a mongodump: `promptgroups` and their versions in `prompts`."""

from __future__ import annotations

from datetime import timedelta

import pytest
from bson import ObjectId

from accounts.models import User
from chatapp.importer.prompts import COMMANDS, GROUPS, VERSIONS
from chatapp.importer.run import Options
from chatapp.importer.steps import execute
from chatapp.library import prompts
from chatapp.models import Prompt, PromptGroup
from tests.chatapp.importer import dumps

pytestmark = pytest.mark.django_db


def imported(path, **options):
    return execute(Options(directory=path, **options))


def slash_menu(email: str) -> list[tuple[str, str, str, str, list[str]]]:
    """What the user's composer offers after "/": name, command, category, one-liner, variables."""
    user = User.objects.get(email=email)
    entries = prompts.menu(user)
    return sorted((e.name, e.command, e.category, e.oneliner, e.variables) for e in entries)


def versions(name: str) -> list[tuple[str, bool]]:
    group = PromptGroup.objects.get(name=name)
    return [(v.text, v.is_production) for v in group.versions.all()]  # newest first


def test_groups_with_their_versions_production_category_and_command(tmp_path):
    ada = dumps.user("ada@librechat.test")
    group = dumps.prompt_group(
        ada, "Summarise", command="sum", category="writing", oneliner="Shortens a text"
    )
    first = dumps.prompt(group, "Summarise {{text}}")
    second = dumps.prompt(
        group, "Summarise {{text}} for {{current_user}}", production=True,
        createdAt=dumps.T0 + timedelta(days=1),
    )  # fmt: skip
    dumps.write(tmp_path, {"users": [ada], "promptgroups": [group], "prompts": [first, second]})
    report = imported(tmp_path)

    assert slash_menu("ada@librechat.test") == [
        ("Summarise", "sum", "writing", "Shortens a text", ["text"])
    ]
    assert versions("Summarise") == [
        ("Summarise {{text}} for {{current_user}}", True),
        ("Summarise {{text}}", False),
    ]
    row = PromptGroup.objects.get()
    assert row.owner.email == "ada@librechat.test" and not row.shared
    assert row.created_at == dumps.T0
    assert report.tally(GROUPS).imported == 1 and report.tally(VERSIONS).imported == 2
    assert report.tally(COMMANDS).imported == 1
    assert "promptgroups: 1 imported, 0 skipped" in report.lines()
    assert "prompts: 2 imported, 0 skipped" in report.lines()
    assert not [note for note in report.notes if note.startswith(("prompts", "promptgroups"))]


def test_another_users_prompt_stays_theirs_unless_librechat_shared_it(tmp_path):
    """The stranger: bob's private group is not in ada's menu; his groups shared with
    everyone (0.7's global project, 0.8's public ACL entry) are."""
    ada, bob = dumps.user("ada@librechat.test"), dumps.user("bob@librechat.test")
    private = dumps.prompt_group(bob, "Bob's own", command="mine")
    in_project = dumps.prompt_group(bob, "Team (0.7)")
    public = dumps.prompt_group(bob, "Team (0.8)")
    texts = [dumps.prompt(g, f"text of {g['name']}", production=True)
             for g in (private, in_project, public)]  # fmt: skip
    project = {"_id": ObjectId(), "name": "instance", "promptGroupIds": [in_project["_id"]]}
    acl = [
        {"_id": ObjectId(), "principalType": "public", "resourceType": "promptGroup",
         "resourceId": public["_id"], "permBits": 1},
        {"_id": ObjectId(), "principalType": "user", "principalId": ada["_id"],
         "resourceType": "promptGroup", "resourceId": private["_id"], "permBits": 1},
    ]  # fmt: skip
    dumps.write(
        tmp_path,
        {
            "users": [ada, bob],
            "promptgroups": [private, in_project, public],
            "prompts": texts,
            "projects": [project],
            "aclentries": acl,
        },
    )
    imported(tmp_path)

    assert [entry[0] for entry in slash_menu("ada@librechat.test")] == ["Team (0.7)", "Team (0.8)"]
    assert [entry[0] for entry in slash_menu("bob@librechat.test")] == [
        "Bob's own", "Team (0.7)", "Team (0.8)",
    ]  # fmt: skip
    ada_user = User.objects.get(email="ada@librechat.test")
    assert not ada_user.prompt_groups.exists()


def test_a_command_parley_cannot_take_is_dropped_and_the_group_kept(tmp_path, user):
    PromptGroup.objects.create(owner=user, name="Mine already", command="fix")
    alice = dumps.user("alice@example.com")
    taken = dumps.prompt_group(alice, "Fix", command="fix")
    odd = dumps.prompt_group(alice, "Odd", command="über")
    twice = dumps.prompt_group(alice, "Twice", command="Sum")
    again = dumps.prompt_group(alice, "Again", command="sum")
    groups = [taken, odd, twice, again]
    texts = [dumps.prompt(group, "x", production=True) for group in groups]
    dumps.write(tmp_path, {"users": [alice], "promptgroups": groups, "prompts": texts})
    report = imported(tmp_path, merge_existing=True)

    assert dict(PromptGroup.objects.values_list("name", "command")) == {
        "Mine already": "fix", "Fix": "", "Odd": "", "Twice": "sum", "Again": "",
    }  # fmt: skip
    assert report.tally(GROUPS).imported == 4
    assert report.tally(COMMANDS).imported == 1
    assert report.tally(COMMANDS).skipped == {
        "the user already has a prompt with this command": 2,
        "not a command Parley accepts ([a-z0-9_-], 50 at most)": 1,
    }


def test_without_its_production_version_the_newest_one_is(tmp_path):
    ada = dumps.user("ada@librechat.test")
    group = dumps.prompt_group(ada, "Lost", productionId=ObjectId())
    old = dumps.prompt(group, "old")
    new = dumps.prompt(group, "new", createdAt=dumps.T0 + timedelta(hours=2))
    dumps.write(tmp_path, {"users": [ada], "promptgroups": [group], "prompts": [new, old]})
    imported(tmp_path)
    assert versions("Lost") == [("new", True), ("old", False)]
    assert prompts.production_text(PromptGroup.objects.get()) == "new"


def test_a_second_run_imports_nothing_twice_and_a_dry_run_nothing(tmp_path):
    ada = dumps.user("ada@librechat.test")
    group = dumps.prompt_group(ada, "Once", command="once")
    text = dumps.prompt(group, "hello", production=True)
    dumps.write(tmp_path, {"users": [ada], "promptgroups": [group], "prompts": [text]})
    dry = imported(tmp_path, dry_run=True)
    assert dry.tally(GROUPS).imported == 1 and dry.tally(VERSIONS).imported == 1
    assert not PromptGroup.objects.exists() and not Prompt.objects.exists()

    imported(tmp_path)
    again = imported(tmp_path)
    assert versions("Once") == [("hello", True)]
    assert again.tally(GROUPS).skipped == {"imported by an earlier run": 1}
    assert again.tally(VERSIONS).skipped == {"imported by an earlier run": 1}
    assert COMMANDS not in again.collections


def test_a_version_added_after_an_earlier_run_joins_its_group(tmp_path):
    """Resumable: the group came in the first run, a later dump holds a newer version."""
    ada = dumps.user("ada@librechat.test")
    group = dumps.prompt_group(ada, "Grows")
    first = dumps.prompt(group, "v1", production=True)
    dumps.write(tmp_path, {"users": [ada], "promptgroups": [group], "prompts": [first]})
    imported(tmp_path)
    second = dumps.prompt(group, "v2", production=True, createdAt=dumps.T0 + timedelta(days=1))
    dumps.write(tmp_path, {"users": [ada], "promptgroups": [group], "prompts": [first, second]})
    report = imported(tmp_path)
    assert versions("Grows") == [("v2", True), ("v1", False)]
    assert report.tally(VERSIONS).imported == 1


def test_broken_groups_and_versions_are_reported_by_record_and_field(tmp_path):
    ada = dumps.user("ada@librechat.test")
    gone = dumps.user("gone@librechat.test")
    good = dumps.prompt_group(ada, "Good", category="c" * 80, oneliner="o" * 300)
    nameless = dumps.prompt_group(ada, "")
    theirs = dumps.prompt_group(gone, "Theirs")
    texts = [
        dumps.prompt(good, "fine", production=True),
        dumps.prompt(good, 42),
        dumps.prompt(good, "   "),
        dumps.prompt(nameless, "orphan"),
        dumps.prompt(theirs, "orphan too"),
    ]
    dumps.write(
        tmp_path,
        {"users": [ada], "promptgroups": [good, nameless, theirs], "prompts": texts},
    )
    report = imported(tmp_path)

    row = PromptGroup.objects.get()
    assert (len(row.category), len(row.oneliner)) == (50, 200)
    assert versions("Good") == [("fine", True)]
    assert report.tally(GROUPS).skipped == {
        "unreadable field name": 1,
        "its user was not imported": 1,
    }
    assert report.tally(VERSIONS).skipped == {
        "unreadable field prompt": 2,
        "its prompt group was not imported": 2,
    }
    assert any("unreadable field name (e.g. _id" in line for line in report.lines())
