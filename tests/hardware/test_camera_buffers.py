"""FramePool: buffers are reused, never while someone holds them, and stay bounded."""

from __future__ import annotations

import numpy as np
import pytest

from hardware.camera.buffers import FramePool

SHAPE = (48, 64, 3)


def test_a_buffer_nobody_holds_is_handed_out_again():
    pool = FramePool(4)
    first = pool.acquire(SHAPE)
    first_id = id(first)
    del first
    assert id(pool.acquire(SHAPE)) == first_id
    assert pool.allocations == 1


def test_a_held_buffer_or_a_view_of_it_is_never_handed_out():
    pool = FramePool(4)
    held = pool.acquire(SHAPE)
    view = pool.acquire(SHAPE)[:, :10]  # only a read-only slice survives, like a Frame
    view.flags.writeable = False
    third = pool.acquire(SHAPE)
    assert third is not held and not np.shares_memory(third, view)
    assert pool.allocations == 3


def test_held_buffers_beyond_capacity_are_forgotten_not_accumulated():
    pool = FramePool(3)
    held = [pool.acquire(SHAPE) for _ in range(10)]
    assert len(pool) == 3 and pool.allocations == 10
    assert len({id(b) for b in held}) == 10  # none handed out twice


def test_a_new_frame_size_replaces_free_buffers_of_the_old_size():
    pool = FramePool(2)
    pool.acquire(SHAPE)
    pool.acquire(SHAPE)
    bigger = pool.acquire((96, 128, 3))
    assert bigger.shape == (96, 128, 3) and len(pool) == 2


def test_adopt_keeps_the_array_a_read_produced_instead():
    pool = FramePool(2)
    given = pool.acquire(SHAPE)
    produced = np.empty((10, 10, 3), np.uint8)
    pool.adopt(given, produced)
    del given, produced
    assert pool.acquire((10, 10, 3)).shape == (10, 10, 3)
    assert pool.allocations == 1


def test_a_pool_needs_room_for_one_held_and_one_written_buffer():
    with pytest.raises(ValueError):
        FramePool(1)
