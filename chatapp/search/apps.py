from django.apps import AppConfig


class SearchConfig(AppConfig):
    """Search over a user's conversations; an app of its own for its indexes and tasks."""

    name = "chatapp.search"
    label = "search"
    verbose_name = "Search"
