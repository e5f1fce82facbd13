"""Model instances, of one model or several, saved in one statement: new ones in one
INSERT (`insert`), changed fields in one UPDATE (`update`).

A turn's first database unit saves a new conversation, its user message and the response
placeholder (chatapp.engine.records). Through the ORM that was two statements, and most of
the unit's CPU went into compiling them (bench/README.md, session 12), though the statement
for a model and a number of rows is the same every time. `insert` writes it from the
model's columns once and keeps it, and takes each value through its field as the ORM's
INSERT does (`pre_save` with add=True: defaults, auto_now; then `get_db_prep_save`).

On PostgreSQL every model's rows go in one statement, the earlier models' INSERTs as WITH
clauses: one round trip. Django's foreign keys there are deferred to the commit, so a
message may name the conversation inserted beside it. Elsewhere (SQLite, in process) one
statement per model, in the order given, in a transaction. As with bulk_create, no signal
is sent; the instances count as saved afterwards (`_state`), so a later `save()` updates
them.

A turn's final save (the response, its conversation's `updated_at`) is `update`'s: one
statement, atomic by itself on PostgreSQL, where the ORM's two saves in a transaction
made four round trips.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Sequence

from django.db import connection, models, transaction


def insert(*objects: models.Model) -> None:
    """Insert `objects`: their primary keys set, as a UUID field's default sets them, or an
    auto-increment key left to the database (not read back)."""
    if not objects:
        return
    by_model: dict[type[models.Model], list[models.Model]] = {}
    for obj in objects:
        by_model.setdefault(type(obj), []).append(obj)
    statements = [
        (_statement(model, len(rows)), _values(model, rows)) for model, rows in by_model.items()
    ]
    _execute(statements)
    for obj in objects:
        obj._state.adding = False
        obj._state.db = connection.alias


@functools.cache
def inserted_fields(model: type[models.Model]) -> tuple[models.Field, ...]:
    """The fields an INSERT gives values for: every concrete one but an auto-increment key."""
    return tuple(
        f
        for f in model._meta.concrete_fields
        if not (isinstance(f, models.AutoField | models.BigAutoField) and f.primary_key)
    )


@functools.cache
def _statement(model: type[models.Model], rows: int) -> str:
    quote = connection.ops.quote_name
    fields = inserted_fields(model)
    row = "({})".format(", ".join(["%s"] * len(fields)))
    return "INSERT INTO {} ({}) VALUES {}".format(
        quote(model._meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join([row] * rows),
    )


def _values(model: type[models.Model], objects: Sequence[models.Model]) -> list:
    fields = inserted_fields(model)
    return [
        f.get_db_prep_save(f.pre_save(obj, True), connection) for obj in objects for f in fields
    ]


def update(*changes: tuple[models.Model, Sequence[str]]) -> None:
    """Save the named fields of each instance (an auto_now field among them takes the time
    now, as `save(update_fields=...)` does), as `insert` runs its statements. An instance
    whose row is gone is left unsaved (no INSERT, unlike `save()`)."""
    statements = [
        (_update_statement(type(obj), tuple(names)), _changed(obj, names)) for obj, names in changes
    ]
    _execute(statements)


def _execute(statements: list[tuple[str, list]]) -> None:
    """On PostgreSQL one statement, atomic by itself: the earlier ones as WITH clauses of
    the last. Elsewhere each in turn, in a transaction when there are several."""
    if connection.vendor == "postgresql":
        *before, (last, _) = statements
        clauses = ", ".join(f"saved_{i} AS ({sql})" for i, (sql, _) in enumerate(before))
        params = [value for _, values in statements for value in values]
        with connection.cursor() as cursor:
            cursor.execute(f"WITH {clauses} {last}" if clauses else last, params)
        return
    atomic = transaction.atomic() if len(statements) > 1 else contextlib.nullcontext()
    with atomic, connection.cursor() as cursor:
        for sql, values in statements:
            cursor.execute(sql, values)


@functools.cache
def _update_statement(model: type[models.Model], names: tuple[str, ...]) -> str:
    quote = connection.ops.quote_name
    meta = model._meta
    columns = ", ".join(f"{quote(meta.get_field(name).column)} = %s" for name in names)
    return f"UPDATE {quote(meta.db_table)} SET {columns} WHERE {quote(meta.pk.column)} = %s"


def _changed(obj: models.Model, names: Sequence[str]) -> list:
    meta = obj._meta
    values = []
    for name in names:
        field = meta.get_field(name)
        values.append(field.get_db_prep_save(field.pre_save(obj, False), connection))
    return [*values, meta.pk.get_db_prep_value(obj.pk, connection)]
