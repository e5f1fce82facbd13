import gc
import weakref

import pytest

from chatapp.conf import heap


class Node:
    me: object = None


@pytest.fixture
def restored():
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


@pytest.mark.usefixtures("restored")
def test_what_lives_is_left_out_of_collections_and_garbage_is_not_kept():
    alive, dropped = Node(), Node()
    alive.me, dropped.me = alive, dropped  # cycles: only the collector frees them
    gone = weakref.ref(dropped)
    del dropped
    heap.settle()
    assert gone() is None  # collected first, not frozen for the life of the process
    assert not any(found is alive for found in gc.get_objects())  # collections skip it


@pytest.mark.usefixtures("restored")
def test_the_young_generation_is_collected_less_often():
    older = gc.get_threshold()[1:]
    heap.settle()
    assert gc.get_threshold() == (heap.YOUNG, *older)
