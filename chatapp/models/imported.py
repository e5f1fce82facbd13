"""What an import of another deployment's data already brought in (chatapp/importer).

Rows whose id is kept (conversations, messages, shared links) need no record;
this maps the source ids of the rest (users, presets, balances, transactions)
so that a second run imports nothing twice and an interrupted run resumes.
"""

from __future__ import annotations

from django.db import models


class ImportedRecord(models.Model):
    collection = models.CharField(max_length=40)  # the dump's collection: users, presets…
    source_id = models.CharField(max_length=64)  # the document's id in the dump
    target_id = models.CharField(max_length=64, blank=True)  # the Parley row's pk ("" if none)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["collection", "source_id"], name="imported_once"),
        ]

    def __str__(self) -> str:
        return f"{self.collection}/{self.source_id} → {self.target_id}"
