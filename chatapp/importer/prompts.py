"""LibreChat's prompts library: `promptgroups` and their versions in `prompts`.

A group (name, `/command`, category, one-liner) belongs to its `author`; its versions
are the `prompts` documents whose `groupId` names it, and the one the group's
`productionId` names is the production version (the newest version when that one
did not come). A group LibreChat shares with everyone is shared here: in 0.7 it is
listed in the global project (`projects` named "instance"), in 0.8 it has a public
ACL entry (`aclentries`). A command Parley cannot take (not `[a-z0-9_-]`, or one the
user's other prompt already has) is dropped from the group and reported; the group
still comes. Groups and versions keep no id, so each is recorded (ImportedRecord).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bson import ObjectId
from django.db.models import Max

from chatapp.importer import dump
from chatapp.importer.run import Run
from chatapp.importer.values import Unreadable, source_id, text, when
from chatapp.library.prompts import COMMAND
from chatapp.models import ImportedRecord, Prompt, PromptGroup

GROUPS, VERSIONS, COMMANDS = "promptgroups", "prompts", "prompt commands"
GLOBAL_PROJECT = "instance"  # LibreChat's Constants.GLOBAL_PROJECT_NAME
NAME_MAX, CATEGORY_MAX, ONELINER_MAX = 100, 50, 200


@dataclass
class Groups:
    """What the versions need of the groups: Parley's group, and the production version."""

    targets: dict[str, PromptGroup | int] = field(default_factory=dict)  # source → group
    production: dict[str, str] = field(default_factory=dict)  # group source → prompt source
    commands: set[tuple[int, str]] = field(default_factory=set)  # (owner, command) taken


def load(run: Run) -> None:
    groups = _groups(run, _shared(run))
    _versions(run, groups)


def _shared(run: Run) -> set[str]:
    """The ids of the groups LibreChat shares with everyone (either version's way)."""
    shared: set[str] = set()
    for document in _quietly(run, "projects"):
        if document.get("name") == GLOBAL_PROJECT:
            shared.update(str(i) for i in document.get("promptGroupIds") or () if _is_id(i))
    for document in _quietly(run, "aclentries"):
        public = document.get("principalType") == "public"
        if public and document.get("resourceType") == "promptGroup":
            shared.add(str(document.get("resourceId")))
    return shared


def _quietly(run: Run, collection: str):
    """A collection read only for what it says of others: a broken file ends it, noted."""
    try:
        yield from dump.documents(run.directory, collection)
    except dump.BrokenFile as broken:
        run.report.note(f"{collection}: read up to a broken document ({broken})")


def _is_id(value: object) -> bool:
    return isinstance(value, ObjectId | str)


def _groups(run: Run, shared: set[str]) -> Groups:
    groups = Groups(targets={k: int(v) for k, v in run.done(GROUPS).items()})
    groups.commands = set(
        PromptGroup.objects.exclude(command="").values_list("owner_id", "command")
    )
    for batch in run.batches(GROUPS):
        rows: list[tuple[str, PromptGroup]] = []
        for document in batch:
            try:
                row = _group(run, document, groups, shared)
            except Unreadable as error:
                run.unreadable(GROUPS, document, error)
                continue
            if row is not None:
                rows.append(row)
        run.write(lambda rows=rows: _recorded(GROUPS, rows))
        run.report.imported(GROUPS, len(rows))
    return groups


def _group(
    run: Run, document: dict, groups: Groups, shared: set[str]
) -> tuple[str, PromptGroup] | None:
    source, owner = source_id(document), run.owner(document, "author")
    if document.get("productionId") is not None:
        groups.production[source] = source_id(document, "productionId")
    if source in groups.targets:
        run.report.earlier(GROUPS, 1)
        return None
    if owner is None:
        run.report.skip(GROUPS, "its user was not imported", source)
        return None
    name = text(document, "name").strip()[:NAME_MAX]
    if not name:
        raise Unreadable("name", "missing")
    row = PromptGroup(
        owner_id=owner,
        name=name,
        command=_command(run, document, owner, groups),
        category=text(document, "category", CATEGORY_MAX).strip(),
        oneliner=text(document, "oneliner", ONELINER_MAX).strip(),
        shared=source in shared,
    )
    row.created_at = when(document, "createdAt", row.created_at)
    groups.targets[source] = row
    return source, row


def _command(run: Run, document: dict, owner: int, groups: Groups) -> str:
    """The group's command, or "" when Parley cannot take it (reported)."""
    command = text(document, "command").strip().lower().lstrip("/")
    if not command:
        return ""
    source = source_id(document)
    if not COMMAND.match(command):
        run.report.skip(COMMANDS, "not a command Parley accepts ([a-z0-9_-], 50 at most)", source)
        return ""
    if (owner, command) in groups.commands:
        run.report.skip(COMMANDS, "the user already has a prompt with this command", source)
        return ""
    groups.commands.add((owner, command))
    run.report.imported(COMMANDS)
    return command


def _recorded(collection: str, rows: list[tuple[str, PromptGroup | Prompt]]) -> None:
    for _source, row in rows:
        row.save()
    ImportedRecord.objects.bulk_create(
        [ImportedRecord(collection=collection, source_id=s, target_id=str(r.pk)) for s, r in rows]
    )


def _versions(run: Run, groups: Groups) -> None:
    done = set(run.done(VERSIONS))
    touched: set[int] = set()
    for batch in run.batches(VERSIONS):
        rows: list[tuple[str, Prompt]] = []
        for document in batch:
            try:
                row = _version(run, document, groups, done)
            except Unreadable as error:
                run.unreadable(VERSIONS, document, error)
                continue
            if row is not None:
                rows.append(row)
        run.write(lambda rows=rows: _recorded(VERSIONS, _placed(rows)))
        run.report.imported(VERSIONS, len(rows))
        touched.update(row.group_id for _source, row in rows if row.group_id)
    run.write(lambda: _newest_for_production(touched))


def _version(run: Run, document: dict, groups: Groups, done: set[str]) -> tuple[str, Prompt] | None:
    source = source_id(document)
    if source in done:
        run.report.earlier(VERSIONS, 1)
        return None
    group_source = source_id(document, "groupId")
    group = groups.targets.get(group_source)
    if group is None:
        run.report.skip(VERSIONS, "its prompt group was not imported", source)
        return None
    body = text(document, "prompt")
    if not body.strip():
        raise Unreadable("prompt", "missing")
    row = Prompt(text=body, is_production=groups.production.get(group_source) == source)
    row.group_id = group if isinstance(group, int) else group.pk
    row.created_at = when(document, "createdAt", row.created_at)
    done.add(source)
    return source, row


def _placed(rows: list[tuple[str, Prompt]]) -> list[tuple[str, Prompt]]:
    """The versions, once the production version the dump names has replaced the one an
    earlier run made (a later dump's group moved on)."""
    moving = {row.group_id for _source, row in rows if row.is_production}
    Prompt.objects.filter(group_id__in=moving, is_production=True).update(is_production=False)
    return rows


def _newest_for_production(group_ids: set[int]) -> None:
    """A group whose production version did not come gets its newest one, as the library
    makes a new version the production one."""
    lacking = PromptGroup.objects.filter(pk__in=group_ids).exclude(versions__is_production=True)
    newest = lacking.annotate(last=Max("versions__created_at")).values_list("pk", "last")
    for pk, last in newest:
        version = Prompt.objects.filter(group_id=pk, created_at=last).order_by("-id").first()
        if version is not None:
            Prompt.objects.filter(pk=version.pk).update(is_production=True)
