"""The per-chat gate on its own: albums count once, a quick exit drops what waits before it."""

from __future__ import annotations

import asyncio

from resource_bot.channels.telegram.chats import ChatGate, Verdict


def test_a_ten_photo_album_uses_one_place_in_the_burst() -> None:
    gate = ChatGate(burst=2, clock=lambda: 0.0)
    verdicts = [gate.admit(1, album="a1") for _ in range(10)]
    assert verdicts == [Verdict.SERVE] + [Verdict.DROP] * 9
    assert gate.admit(1) is Verdict.SERVE, "the album took one place; the next message still fits"
    assert gate.admit(1) is Verdict.SLOW_DOWN


def test_the_gate_knows_the_newest_message_of_each_chat() -> None:
    gate = ChatGate()
    assert gate.newest(1) is None
    gate.note(1, [5, 3])
    gate.note(1, [4])
    gate.note(2, [9])
    assert (gate.newest(1), gate.newest(2)) == (5, 9)


def test_a_quick_exit_drops_the_updates_waiting_before_it_and_runs_after_the_current_one() -> None:
    served: list[str] = []

    async def update(name: str, seconds: float = 0.0) -> None:
        await asyncio.sleep(seconds)
        served.append(name)

    async def scenario() -> None:
        gate = ChatGate()
        first = asyncio.create_task(gate.serialized(1, update("first", 0.05)))
        await asyncio.sleep(0)
        waiting = [asyncio.create_task(gate.serialized(1, update(f"tap {n}"))) for n in range(3)]
        await asyncio.sleep(0)
        exit_ = asyncio.create_task(gate.serialized(1, update("exit"), quick_exit=True))
        await asyncio.sleep(0)
        after = asyncio.create_task(gate.serialized(1, update("after")))
        await asyncio.gather(first, *waiting, exit_, after)

    asyncio.run(scenario())
    assert served == ["first", "exit", "after"]


def test_a_quick_exit_cuts_short_an_update_stuck_longer_than_exit_wait() -> None:
    served: list[str] = []

    async def update(name: str, seconds: float = 0.0) -> None:
        await asyncio.sleep(seconds)
        served.append(name)

    async def scenario() -> None:
        gate = ChatGate(exit_wait=0.05)
        stuck = asyncio.create_task(gate.serialized(1, update("stuck", 3600)))
        await asyncio.sleep(0)
        await gate.serialized(1, update("exit"), quick_exit=True)
        await stuck  # returns quietly: it was cut short, not failed
        assert gate.cuts(1) == 0, "the lane is gone once nobody uses it"

    asyncio.run(scenario())
    assert served == ["exit"]
