"""Process set-up, a leaf: environment parsing, logging, Sentry, start-up checks and
background dispatch (Celery, or in-process threads on the embedded default).

`accounts/` and `endpoints/` import only this package from chatapp.
"""
