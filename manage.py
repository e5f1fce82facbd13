#!/usr/bin/env python
"""Django's command-line utility for Parley."""

import os
import sys


def main() -> None:
    if sys.argv[1:] == ["generate_secrets"]:
        # Before the settings: they refuse production mode without these very secrets.
        from chatapp.conf.environment import secrets_block

        print(secrets_block(), end="")
        return
    if sys.argv[1:2] == ["serve"]:
        from chatapp.conf.eventloop import choose

        choose()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chatapp.settings")
    from django.core.management import execute_from_command_line

    from chatapp.conf.startup import or_exit

    or_exit(lambda: execute_from_command_line(sys.argv))


if __name__ == "__main__":
    main()
