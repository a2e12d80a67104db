"""gc_paused: the collector is off inside a build phase and back on afterwards,
also when the phase raises; an outer pause stays in charge of a nested one."""
import gc

import pytest

from xlbilling.gc_pause import gc_paused


def test_collector_off_inside_and_restored_after_an_error():
    seen = []

    @gc_paused
    def phase():
        seen.append(gc.isenabled())
        raise ValueError("boom")

    assert gc.isenabled()
    with pytest.raises(ValueError):
        phase()
    assert seen == [False]
    assert gc.isenabled()


def test_nested_pause_leaves_the_outer_one_in_charge():
    @gc_paused
    def inner():
        return gc.isenabled()

    @gc_paused
    def outer():
        return inner(), gc.isenabled()

    assert outer() == (False, False)   # the inner call did not switch it back on early
    assert gc.isenabled()
