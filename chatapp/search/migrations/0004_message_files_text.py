"""PostgreSQL: the same text indexes on a message's files' names and text (Message.files_text)
as on its text, so a term is looked up in both (chatapp/search/database.py ORs them)."""

from django.db import migrations

FORWARDS = (
    "CREATE INDEX IF NOT EXISTS search_message_files_trgm"
    " ON chatapp_message USING gin (files_text gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS search_message_files_words"
    " ON chatapp_message USING gin (to_tsvector('simple'::regconfig, files_text))",
)
BACKWARDS = (
    "DROP INDEX IF EXISTS search_message_files_trgm",
    "DROP INDEX IF EXISTS search_message_files_words",
)


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("search", "0003_message_text_statistics"), ("chatapp", "0013_message_files_text")]

    operations = [migrations.RunPython(run(FORWARDS), run(BACKWARDS))]
