"""Importing another deployment's data into Parley.

LibreChat's mongodump (`manage.py import_librechat DIR`): `steps.py` reads the
collections in dependency order, each through its own module (users,
conversations, extras, keys) over the run's state (`run.py`), streaming BSON in
bounded batches with one transaction per batch, and `report.py` tallies what
was imported or skipped and why. The single-file exports people bring (ChatGPT,
Chatbot UI) have their readers in `chatgpt.py` and `chatbotui.py` (the rows
they make: `rows.py`), used by chatapp/transfer.py.
"""
