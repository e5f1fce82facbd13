"""The engine's database threads: units run off the event loop, several at once, and
leave no transaction or stale connection behind."""

import asyncio
import threading

import pytest
from django.db import connection, transaction

from accounts.models import User
from chatapp.conf import dbthreads

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def fresh_threads():
    dbthreads.shut_down()  # a pool of the size the test sets
    yield
    dbthreads.shut_down()


def test_a_unit_runs_on_a_database_thread_and_returns_its_value(user):
    def read() -> tuple[str, str]:
        return threading.current_thread().name, User.objects.get(pk=user.pk).email

    name, email = asyncio.run(dbthreads.run(read))
    assert name.startswith("parley-db") and email == user.email


def test_units_wait_for_each_other_on_no_single_thread(settings):
    """Two units that each wait for the other can only finish on two threads."""
    settings.DATABASE_THREADS = 2
    both = threading.Barrier(2)

    def meet() -> str:
        both.wait(timeout=5)
        return threading.current_thread().name

    async def twice() -> list[str]:
        return await asyncio.gather(dbthreads.run(meet), dbthreads.run(meet))

    assert len(set(asyncio.run(twice()))) == 2


def test_a_unit_left_inside_a_transaction_does_not_leak_it(user):
    """A unit that ends with a transaction open (a bug) gets its connection closed,
    so the thread's next unit starts clean."""

    def leave_open() -> None:
        transaction.set_autocommit(False)
        User.objects.filter(pk=user.pk).update(name="half")

    def state() -> tuple[bool, str]:
        return connection.get_autocommit(), User.objects.get(pk=user.pk).name

    async def both() -> tuple[bool, str]:
        await dbthreads.run(leave_open)
        return await dbthreads.run(state)

    assert asyncio.run(both()) == (True, "")


def test_shut_down_closes_every_threads_connection(user, settings):
    settings.DATABASE_THREADS = 2
    both = threading.Barrier(2)

    def open_one() -> None:
        User.objects.filter(pk=user.pk).exists()
        both.wait(timeout=5)  # so that each thread opens one

    async def twice() -> None:
        await asyncio.gather(dbthreads.run(open_one), dbthreads.run(open_one))

    asyncio.run(twice())
    dbthreads.shut_down()
    assert dbthreads._pool is None


def test_a_connection_used_a_moment_ago_is_not_tested_again(user, settings, monkeypatch):
    """The health check (a `SELECT 1`) runs before a unit only when the thread's
    connection has been idle for FRESH seconds or more."""
    settings.DATABASE_THREADS = 1

    def checked() -> bool:
        tested = connection.health_check_done
        User.objects.filter(pk=user.pk).exists()  # opens the connection on the first unit
        return tested

    async def three() -> list[bool]:
        first = await dbthreads.run(checked)
        soon = await dbthreads.run(checked)
        monkeypatch.setattr(dbthreads, "FRESH", 0.0)
        later = await dbthreads.run(checked)
        return [first, soon, later]

    assert asyncio.run(three()) == [False, True, False]
