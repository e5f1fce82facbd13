"""Attachments: uploads checked and stored, served to their owner, swept when never used.

sniff (the type from the bytes), inspection (images and PDFs that open), storage
(local, S3, Azure Blob through django-storages), policy (fileConfig's limits and
the upload rate limits), uploads (one upload, all or nothing), serving (a file's
bytes as a response, for whoever the caller authorised), cleanup (uploads never
attached), listing (the files a user lists and reuses), avatars (the account's
picture). The JSON API is views.py; the Files page and the avatar section are pages.py.
"""
