"""Calls in flight: AIMD (pure), and the gate that applies it on an event loop."""

from __future__ import annotations

import asyncio

import pytest

from ghosttrack.youtube.concurrency import Aimd, Gate


def round_trip(aimd: Aimd) -> None:
    """A full round: as many calls as allowed, each answered while the limit binds."""
    for _ in range(aimd.allowed):
        aimd.succeeded(in_flight=aimd.allowed)


def test_slow_start_doubles_per_round_trip_up_to_the_ceiling() -> None:
    aimd = Aimd(low=2, high=64)
    seen = [aimd.allowed]
    for _ in range(6):
        round_trip(aimd)
        seen.append(aimd.allowed)
    assert seen == [2, 4, 8, 16, 32, 64, 64]


def test_an_overload_halves_then_growth_is_one_call_per_round_trip() -> None:
    aimd = Aimd(low=2, high=64, limit=32)
    assert aimd.overloaded(aimd.epoch)
    assert aimd.allowed == 16
    seen = []
    for _ in range(4):
        round_trip(aimd)
        seen.append(aimd.allowed)
    assert seen == [17, 18, 19, 20]


def test_one_overload_seen_by_many_calls_halves_once() -> None:
    aimd = Aimd(low=2, high=64, limit=40)
    started_in = aimd.epoch  # 40 calls in flight, all started before the trouble
    decreases = [aimd.overloaded(started_in) for _ in range(40)]
    assert decreases.count(True) == 1
    assert aimd.allowed == 20
    assert aimd.overloaded(aimd.epoch)  # a call sent after the decrease may cause the next
    assert aimd.allowed == 10


def test_the_floor_holds_under_repeated_overload() -> None:
    aimd = Aimd(low=3, high=64, limit=64)
    for _ in range(20):
        aimd.overloaded(aimd.epoch)
    assert aimd.allowed == 3


def test_an_idle_client_does_not_grow() -> None:
    aimd = Aimd(low=2, high=64, limit=8)
    for _ in range(100):
        aimd.succeeded(in_flight=3)  # the limit never binds
    assert aimd.allowed == 8


@pytest.mark.parametrize(("low", "high", "decrease"), [(0, 4, 0.5), (5, 4, 0.5), (1, 4, 1.0)])
def test_bad_bounds_are_refused(low: int, high: int, decrease: float) -> None:
    with pytest.raises(ValueError, match=r"low|decrease"):
        Aimd(low=low, high=high, decrease=decrease)


async def test_the_gate_admits_no_more_than_allowed_and_serves_in_order() -> None:
    gate = Gate(Aimd(low=2, high=2))
    order: list[int] = []
    most = 0

    async def call(n: int) -> None:
        nonlocal most
        epoch = await gate.enter()
        order.append(n)
        most = max(most, gate.in_flight)
        await asyncio.sleep(0.001)
        gate.leave(epoch)

    await asyncio.gather(*(call(n) for n in range(10)))
    assert most == 2
    assert order == list(range(10))
    assert gate.in_flight == 0


async def test_the_gate_narrows_after_an_overload_and_widens_as_calls_succeed() -> None:
    gate = Gate(Aimd(low=1, high=8, limit=8))
    epochs = [await gate.enter() for _ in range(8)]
    for epoch in epochs:
        gate.leave(epoch, overloaded=True)
    assert gate.aimd.allowed == 4
    waiting = asyncio.gather(*(gate.enter() for _ in range(5)))
    await asyncio.sleep(0)
    assert gate.in_flight == 4
    assert not waiting.done()
    gate.leave(gate.aimd.epoch)  # one answered: room for the fifth
    await asyncio.wait_for(waiting, 1)
    assert gate.in_flight == 4


async def test_a_cancelled_waiter_passes_its_turn_on() -> None:
    gate = Gate(Aimd(low=1, high=1))
    first = await gate.enter()
    cancelled = asyncio.ensure_future(gate.enter())
    later = asyncio.ensure_future(gate.enter())
    await asyncio.sleep(0)
    gate.leave(first)  # the turn goes to ``cancelled``…
    cancelled.cancel()  # …which is cancelled before it runs
    await asyncio.wait_for(later, 1)
    assert gate.in_flight == 1
