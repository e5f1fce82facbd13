"""Inserting many rows of one model: COPY on PostgreSQL, one prepared INSERT on SQLite.

The ORM's bulk INSERT on PostgreSQL quotes every value in Python (Django's
client-side binding) and builds one statement per batch; COPY streams the rows
and is several times faster for the large tables of an import (messages,
transactions). On SQLite, bulk_create cuts a batch into statements of 999
values; one prepared INSERT run for every row (executemany) is quicker. Values
are taken through each field's pre_save (auto_now and defaults as bulk_create
applies them); COPY hands them to psycopg's adapters (JSON fields through
Django's preparation), SQLite gets Django's own preparation. The database's
constraints (foreign keys, unique ids) apply as for any insert; other
databases use bulk_create.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection, models
from psycopg import sql

from chatapp.conf import rows


def insert(model: type[models.Model], objects: Sequence[models.Model]) -> None:
    """Insert `objects` (primary keys given, or left to the database for auto fields)."""
    if not objects:
        return
    fields = rows.inserted_fields(model)
    if connection.vendor == "postgresql":
        _copy(model, fields, objects)
    elif connection.vendor == "sqlite":
        _executemany(model, fields, objects)
    else:
        model.objects.bulk_create(objects)


def _executemany(
    model: type[models.Model], fields: Sequence, objects: Sequence[models.Model]
) -> None:
    """One prepared INSERT run for every row (bulk_create cuts SQLite's into 999-value pieces)."""
    quote = connection.ops.quote_name
    statement = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(model._meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    rows = [[f.get_db_prep_save(f.pre_save(o, True), connection) for f in fields] for o in objects]
    with connection.cursor() as cursor:
        cursor.executemany(statement, rows)


def _copy(model: type[models.Model], fields: Sequence, objects: Sequence[models.Model]) -> None:
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(model._meta.db_table),
        sql.SQL(", ").join(sql.Identifier(f.column) for f in fields),
    )
    json = {f for f in fields if isinstance(f, models.JSONField)}
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for obj in objects:
            values = [f.pre_save(obj, True) for f in fields]
            for i, f in enumerate(fields):
                if f in json:
                    values[i] = f.get_db_prep_save(values[i], connection)
            copy.write_row(values)
