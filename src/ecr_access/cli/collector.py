"""The cyclic garbage collector paused around a bulk load-and-evaluate.

Loading a large dump allocates hundreds of thousands of frozen objects with no reference
cycles, and each allocation burst triggers full collections that scan them all again (a
quarter of `who-can-pull`'s wall time at 5,000 roles: issue "Performance"). Reference
counting still frees everything; the collector is restored, in any case, when the phase ends.
"""

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
