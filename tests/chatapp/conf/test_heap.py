import gc
import weakref

from chatapp.conf import heap


class Node:
    me: object = None


def test_what_lives_is_left_out_of_collections_and_garbage_is_not_kept():
    alive, dropped = Node(), Node()
    alive.me, dropped.me = alive, dropped  # cycles: only the collector frees them
    gone = weakref.ref(dropped)
    del dropped
    try:
        heap.freeze()
        assert gone() is None  # collected first, not frozen for the life of the process
        assert not any(found is alive for found in gc.get_objects())  # collections skip it
    finally:
        gc.unfreeze()
