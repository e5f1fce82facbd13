"""PostgreSQL: a larger statistics sample of message text, so the planner can tell a rare
word (collect it through the trigram index) from a common one (walk the newest
conversations): with the default sample every word looks equally common. Not larger:
planning tests each pattern against the whole sample (1000 cost ~10 ms per word)."""

from django.db import migrations

STATEMENTS = {
    "postgresql": (
        "ALTER TABLE chatapp_message ALTER COLUMN text SET STATISTICS 300",
        "ALTER TABLE chatapp_message ALTER COLUMN text SET STATISTICS -1",
    )
}


def run(index: int):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor in STATEMENTS:
            schema_editor.execute(STATEMENTS[schema_editor.connection.vendor][index])

    return apply


class Migration(migrations.Migration):
    dependencies = [("search", "0002_conversation_recent")]

    operations = [migrations.RunPython(run(0), run(1))]
