"""Search over a user's conversations (a Django app of its own: indexes, tasks, command).

service.py   search(user, query, cursor) -> SearchPage: the one entry point
backends.py  which backend answers: Meilisearch when configured, else the database
meili.py postgres.py sqlite.py database.py   the backends; query.py  input and snippets
sync.py      after-commit hooks the domain functions call; tasks.py and indexing.py feed indexes
"""
