"""The bounded queues of the provisioning events: a full queue drops its oldest item, counted, and never
grows past its limit; items put back after a failed write stay older than those that came meanwhile."""

from sonata.adapters.drop_oldest import DropOldestQueue


def test_a_full_queue_drops_its_oldest_items_and_counts_them() -> None:
    queue: DropOldestQueue[int] = DropOldestQueue(3)
    for item in range(5):
        queue.put(item)
    assert len(queue) == 3
    assert queue.take_dropped() == 2 and queue.take_dropped() == 0
    assert queue.take_all() == [2, 3, 4] and len(queue) == 0


def test_items_put_back_go_before_the_newer_ones_and_are_the_first_dropped() -> None:
    queue: DropOldestQueue[int] = DropOldestQueue(4)
    for item in range(3):
        queue.put(item)
    taken = queue.take_all()
    queue.put(3)
    queue.put(4)
    queue.put_back(taken)
    assert queue.take_all() == [1, 2, 3, 4]
    assert queue.take_dropped() == 1


def test_room_enough_drops_nothing() -> None:
    queue: DropOldestQueue[str] = DropOldestQueue(10)
    queue.put("a")
    queue.put_back(["z"])
    assert queue.take_all() == ["z", "a"] and queue.take_dropped() == 0
