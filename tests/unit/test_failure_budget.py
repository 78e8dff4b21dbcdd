"""The failure budget of client addresses, counted against a clock the test moves."""

import pytest

from sonata.domain.failure_budget import Block, FailureBudget

PHONE = "203.0.113.7"
OTHER = "198.51.100.9"


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def budget(clock: Clock, failures: int = 5, window: float = 100.0, block: float = 60.0) -> FailureBudget:
    return FailureBudget(failures, window, block, clock=clock)


def fail(budget: FailureBudget, address: str, times: int) -> None:
    for _ in range(times):
        budget.failed(address)


def test_the_failure_that_spends_the_budget_blocks_the_address_and_only_it(clock: Clock) -> None:
    failures = budget(clock)
    fail(failures, PHONE, 4)
    assert not failures.blocked(PHONE)
    fail(failures, PHONE, 1)
    assert failures.blocked(PHONE)
    assert not failures.blocked(OTHER)
    assert failures.take_new_blocks() == {PHONE: Block(clock.now, clock.now + 60, 5)}
    assert failures.take_new_blocks() == {}


def test_failures_count_for_the_whole_window_and_no_longer_than_a_tenth_beyond(clock: Clock) -> None:
    failures = budget(clock)
    fail(failures, PHONE, 4)
    clock.now += 99.9
    fail(failures, PHONE, 1)
    assert failures.blocked(PHONE)

    later = budget(clock)
    fail(later, PHONE, 4)
    clock.now += 110.0
    fail(later, PHONE, 1)
    assert not later.blocked(PHONE)


def test_a_block_lasts_its_cool_down_and_ends_once(clock: Clock) -> None:
    failures = budget(clock, window=10.0)
    fail(failures, PHONE, 5)
    clock.now += 59.9
    assert failures.blocked(PHONE)
    assert failures.take_ended() == []
    clock.now += 0.1
    assert not failures.blocked(PHONE)
    assert failures.take_ended() == [PHONE]
    assert failures.take_ended() == []
    fail(failures, PHONE, 4)  # the window of the failures that spent the budget is over
    assert not failures.blocked(PHONE)


def test_failures_still_in_the_window_after_a_short_cool_down_block_again_at_the_next(clock: Clock) -> None:
    failures = budget(clock, window=100.0, block=10.0)
    fail(failures, PHONE, 5)
    failures.take_new_blocks()
    clock.now += 10.0
    assert not failures.blocked(PHONE)
    fail(failures, PHONE, 1)
    assert failures.blocked(PHONE)
    assert failures.take_new_blocks() == {PHONE: Block(clock.now, clock.now + 10, 6)}


def test_counts_being_shared_keep_counting_until_the_sums_come_back(clock: Clock) -> None:
    failures = budget(clock)
    fail(failures, PHONE, 3)
    sent = failures.take_unsent()
    slot = failures.slot(clock.now)
    assert sent == {PHONE: {slot: 3}}
    assert failures.take_unsent() == {}
    fail(failures, PHONE, 1)
    failures.learn(sent, [(PHONE, slot, 3)])  # the database's sum holds what was sent, not the 4th
    assert failures.count(PHONE) == 4
    fail(failures, PHONE, 1)
    assert failures.blocked(PHONE)


def test_counts_that_could_not_be_shared_are_sent_again(clock: Clock) -> None:
    failures = budget(clock)
    fail(failures, PHONE, 2)
    sent = failures.take_unsent()
    fail(failures, PHONE, 1)
    failures.put_back(sent)
    assert failures.count(PHONE) == 3
    assert failures.take_unsent() == {PHONE: {failures.slot(clock.now): 3}}


def test_the_sums_of_other_processes_spend_the_budget_too(clock: Clock) -> None:
    failures = budget(clock)
    fail(failures, PHONE, 1)
    sent = failures.take_unsent()
    earlier = failures.slot(clock.now - 50)
    failures.learn(sent, [(PHONE, failures.slot(clock.now), 2), (PHONE, earlier, 3)])
    assert failures.count(PHONE) == 5
    assert failures.blocked(PHONE)
    assert failures.take_new_blocks()[PHONE].failures == 5


def test_sums_only_grow_so_an_older_answer_changes_nothing(clock: Clock) -> None:
    failures = budget(clock)
    fail(failures, PHONE, 1)
    slot = failures.slot(clock.now)
    failures.learn(failures.take_unsent(), [(PHONE, slot, 4)])
    failures.learn({}, [(PHONE, slot, 2)])
    assert failures.count(PHONE) == 4


def test_blocks_decided_elsewhere_are_adopted_and_end_here_too(clock: Clock) -> None:
    failures = budget(clock)
    failures.adopt(PHONE, clock.now + 30)
    assert failures.blocked(PHONE)
    assert failures.take_new_blocks() == {}
    failures.adopt(PHONE, clock.now + 10)  # read again, or an older one: the later end stands
    clock.now += 29.9
    assert failures.blocked(PHONE)
    clock.now += 0.1
    assert failures.take_ended() == [PHONE]


def test_a_block_that_could_not_be_shared_is_sent_again_unless_a_newer_one_came(clock: Clock) -> None:
    failures = budget(clock)
    fail(failures, PHONE, 5)
    blocks = failures.take_new_blocks()
    failures.put_back_blocks(blocks)
    assert failures.take_new_blocks() == blocks


def test_memory_holds_a_bounded_number_of_addresses_forgetting_the_least_recent(clock: Clock) -> None:
    failures = FailureBudget(10, 100.0, 60.0, clock=clock, max_addresses=2)
    fail(failures, "192.0.2.1", 2)
    fail(failures, "192.0.2.2", 2)
    fail(failures, "192.0.2.1", 1)
    fail(failures, "192.0.2.3", 2)
    assert failures.tracked() == 2
    assert failures.count("192.0.2.1") == 3
    assert failures.count("192.0.2.2") == 0
    assert failures.take_unsent().keys() == {"192.0.2.1", "192.0.2.3"}


def test_forgetting_drops_only_addresses_with_nothing_left_in_the_window(clock: Clock) -> None:
    failures = budget(clock)
    fail(failures, PHONE, 2)
    failures.learn(failures.take_unsent(), [(PHONE, failures.slot(clock.now), 2)])
    clock.now += 50
    fail(failures, OTHER, 1)
    failures.forget_idle()
    assert failures.tracked() == 2
    clock.now += 100
    failures.forget_idle()
    assert failures.tracked() == 1
    assert failures.count(PHONE) == 0 and failures.count(OTHER) == 1


def test_memory_holds_a_bounded_number_of_blocks_forgetting_the_oldest(clock: Clock) -> None:
    failures = FailureBudget(1, 100.0, 60.0, clock=clock, max_blocked=2)
    for address in ("192.0.2.1", "192.0.2.2", "192.0.2.3"):
        failures.failed(address)
        clock.now += 1
    assert [failures.blocked(a) for a in ("192.0.2.1", "192.0.2.2", "192.0.2.3")] == [False, True, True]
