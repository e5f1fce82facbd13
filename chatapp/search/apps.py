from django.apps import AppConfig


class SearchConfig(AppConfig):
    """Search over a user's conversations; an app of its own for its indexes and tasks."""

    name = "chatapp.search"
    label = "search"
    verbose_name = "Search"

    def ready(self) -> None:
        from accounts import deletion
        from chatapp.search import sync

        deletion.on_account_deleted(sync.owner_deleted)  # the index forgets a deleted account
