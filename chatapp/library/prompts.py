"""The prompts library: who may use, create and share prompts (`interface.prompts`), the
`{{variables}}` of a prompt, filling them in, and saving groups and their versions.

A variable is `{{name}}` (asked as text) or, as in LibreChat, `{{name:option|option}}`
(asked as a choice of those options); the four special names are filled in by Parley.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Q, QuerySet

from chatapp.models import Prompt, PromptGroup
from endpoints import config

VARIABLE = re.compile(r"\{\{\s*([^{}]+?)\s*\}\}")
COMMAND = re.compile(r"^[a-z0-9][a-z0-9_-]{0,49}$")
# Filled in by Parley; any other {{name}} is asked of the user in a small dialog.
SPECIAL = ("current_date", "current_datetime", "iso_datetime", "current_user")


class Unclosed(ValueError):
    """A `{{` without its `}}`: the form says where."""


class NotAnOption(ValueError):
    """A value for a `{{name:a|b}}` variable that is none of its options."""


def _parts(inside: str) -> tuple[str, tuple[str, ...]]:
    """A variable's name and its options (none for a text variable)."""
    name, colon, rest = inside.partition(":")
    options = tuple(dict.fromkeys(o.strip() for o in rest.split("|") if o.strip()))
    return name.strip(), options if colon else ()


@dataclass(frozen=True)
class Permissions:
    use: bool
    create: bool
    share: bool


def permissions(user) -> Permissions:
    """`interface.prompts`: absent or `true` lets everyone use and create prompts, and staff
    share them; `false` turns the library off; an object sets `use`, `create` and `share`
    (Parley shares with everyone, so LibreChat's `public` allows it too) for everyone but
    staff, who may always share what they create."""
    file = config.current().file
    setting = file.interface.prompts if file and file.interface else None
    if setting is False:
        return Permissions(False, False, False)
    if setting is None or setting is True:
        return Permissions(True, True, bool(user.is_staff))
    use = setting.use is not False
    create = use and setting.create is not False
    sharing = bool(setting.share or setting.public or user.is_staff)
    return Permissions(use, create, create and sharing)


def check_closed(text: str) -> None:
    """Raise `Unclosed` when a `{{` has no `}}` (LibreChat would send it as it is)."""
    rest = VARIABLE.sub("", text)
    position = rest.find("{{")
    if position >= 0:
        line = rest[:position].count("\n") + 1
        raise Unclosed(f"A “{{{{” on line {line} has no closing “}}}}”.")


def variables(text: str) -> dict[str, tuple[str, ...]]:
    """The variables the user is asked for, in order of first use, each once, with the
    options of those asked as a choice (the first use that lists options sets them)."""
    found: dict[str, tuple[str, ...]] = {}
    for match in VARIABLE.finditer(text):
        name, options = _parts(match.group(1))
        if name and name not in SPECIAL and not found.get(name):
            found[name] = options
    return found


def custom_variables(text: str) -> list[str]:
    """The names of the variables the user is asked for, in order of first use."""
    return list(variables(text))


def check_choices(text: str, values: Mapping[str, str]) -> None:
    """Raise `NotAnOption` when a choice variable's value is none of its options."""
    for name, options in variables(text).items():
        value = values.get(name)
        if options and value is not None and value not in options:
            raise NotAnOption(f"{name} must be one of: {', '.join(options)}.")


def fill(text: str, values: Mapping[str, str], user_name: str, now: datetime) -> str:
    """`text` with every variable replaced in one pass (a value containing `{{x}}` stays
    as typed). `now` is in the user's time zone; an unanswered variable becomes empty."""
    special = {
        "current_date": now.strftime("%Y-%m-%d"),
        "current_datetime": now.strftime("%Y-%m-%d %H:%M:%S"),
        "iso_datetime": now.isoformat(timespec="seconds"),
        "current_user": user_name,
    }

    def value(match: re.Match[str]) -> str:
        name = _parts(match.group(1))[0]
        return special.get(name, values.get(name, ""))

    return VARIABLE.sub(value, text)


def usable(user) -> QuerySet[PromptGroup]:
    """The groups the user may insert: their own and, when allowed to use prompts, shared ones."""
    if not permissions(user).use:
        return PromptGroup.objects.none()
    return PromptGroup.objects.filter(Q(owner=user) | Q(shared=True))


@dataclass(frozen=True)
class Entry:
    """A group as the composer's slash menu shows it."""

    id: int
    name: str
    command: str
    category: str
    oneliner: str
    variables: list[str]
    options: dict[str, list[str]]  # a choice variable's options, by name


def menu(user) -> list[Entry]:
    """Every usable group with a production version, for the slash menu."""
    groups = usable(user).filter(versions__is_production=True)
    rows = groups.values_list("id", "name", "command", "category", "oneliner", "versions__text")
    entries = []
    for pk, name, command, category, oneliner, text in rows:
        asked = variables(text)
        choices = {key: list(options) for key, options in asked.items() if options}
        entries.append(Entry(pk, name, command, category, oneliner, list(asked), choices))
    return entries


def production_text(group: PromptGroup) -> str:
    version = group.production
    return version.text if version else ""


def save_group(group: PromptGroup, text: str | None) -> PromptGroup:
    """Save the group's fields; a changed `text` becomes a new production version."""
    with transaction.atomic():
        group.save()
        if text is not None and text != production_text(group):
            add_version(group, text)
    return group


def add_version(group: PromptGroup, text: str) -> Prompt:
    """A new version, made the production one."""
    version = Prompt.objects.create(group=group, text=text)
    make_production(version)
    return version


def make_production(version: Prompt) -> None:
    with transaction.atomic():
        version.group.versions.filter(is_production=True).update(is_production=False)
        Prompt.objects.filter(pk=version.pk).update(is_production=True)
        version.is_production = True
