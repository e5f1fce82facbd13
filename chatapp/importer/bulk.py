"""Inserting many rows of one model: COPY on PostgreSQL, bulk_create elsewhere.

The ORM's bulk INSERT on PostgreSQL quotes every value in Python (Django's
client-side binding) and builds one statement per batch; COPY streams the rows
and is several times faster for the large tables of an import (messages,
transactions). Values are taken through each field's pre_save (auto_now and
defaults as bulk_create applies them) and handed to psycopg's own adapters;
JSON fields go through Django's preparation. The database's constraints
(foreign keys, unique ids) apply as for any insert.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection, models
from psycopg import sql


def insert(model: type[models.Model], objects: Sequence[models.Model]) -> None:
    """Insert `objects` (primary keys given, or left to the database for auto fields)."""
    if not objects:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objects)
        return
    fields = [
        f
        for f in model._meta.concrete_fields
        if not (isinstance(f, models.AutoField | models.BigAutoField) and f.primary_key)
    ]
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
