"""A trigram index for searching answers' text on PostgreSQL (Responses list, workbench).

Django's ``text__icontains`` is ``UPPER(text) LIKE UPPER('%words%')``: without an index each
search read every answer (3.6 s at a million answers); with a GIN trigram index on the same
expression it takes milliseconds. pg_trgm is a trusted extension (PostgreSQL 13+): the
database's owner may create it. SQLite has no such index and is left as it was.
"""

from django.db import migrations

CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    ("CREATE INDEX IF NOT EXISTS responses_answer_text_trgm ON responses_answer "
     "USING gin ((UPPER(text::text)) gin_trgm_ops)"),
]
DROP = ["DROP INDEX IF EXISTS responses_answer_text_trgm"]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)
    return apply


class Migration(migrations.Migration):
    dependencies = [("responses", "0002_issue8_fields")]

    operations = [migrations.RunPython(run(CREATE), run(DROP))]
