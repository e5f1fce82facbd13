"""One import of a LibreChat mongodump: each collection's step, in dependency order
(users before their files and conversations, files and conversations before their
messages and links).

The steps share the state of the run (run.py), which imports none of them.
"""

from __future__ import annotations

from chatapp.importer import bookmarks, conversations, dump, extras, files, keys, prompts, users
from chatapp.importer.report import Report
from chatapp.importer.run import Options, Progress, Run

HANDLED = frozenset({
    "users", "conversations", "messages", "presets", "conversationtags", "balances",
    "transactions", "sharedlinks", "keys", "promptgroups", "prompts", "files",
})  # fmt: skip


def execute(options: Options, progress: Progress | None = None) -> Report:
    """Import the dump at options.directory; the report says what happened to every document."""
    run = Run(options, dump.database_dir(options.directory), progress=progress)
    for name in dump.collections(run.directory) - HANDLED:
        run.report.note(f"{name}: not imported (Parley has no place for it yet)")
    users.load(run)
    files.load(run)  # before the messages that attach them
    bookmarks.load(run)  # before the conversations, which are tagged as they are inserted
    conversations.load(run)
    extras.load(run)
    keys.load(run)
    prompts.load(run)
    if options.dry_run:
        run.report.note("dry run: nothing was written")
    return run.report
