"""Batches of single calls: each item answers what its single call would have (its code, message and
data), and one item's failure is that item's, never the batch's."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from nassav.avid import normalize_avid
from nassav.errors import InvalidAvid, printable_excerpt
from nassav.handlers.envelope import outcome_of
from nassav.handlers.parsing import load
from nassav.handlers.schemas import AvidSchema

T = TypeVar("T")
R = TypeVar("R")

# Adds and refreshes fetch from the sites: a batch of 100 must not open 100 at once.
CONCURRENCY = 4
_AVID = AvidSchema()


async def answer_for(
    raw_avid: str,
    doing: str,
    call: Callable[[str], Awaitable[Any]],
    *,
    code: int = 200,
    message: str = "success",
    view: Callable[[Any], Any] = lambda data: data,
) -> dict[str, Any]:
    """One item: ``{avid, code, message, data}`` as the single call of ``raw_avid`` would answer. The
    AVID is checked as the single call checks it (a bad one fails this item alone), then ``call`` runs
    with it; ``doing`` names the call in the log."""
    avid = raw_avid  # as sent, until it is known to be one
    try:
        avid = str(load(_AVID, {"avid": raw_avid})["avid"])
        data = view(await call(avid))
    except Exception as exc:  # the item's answer, as the single call would have given it
        code, message, data = outcome_of(exc, f"{doing} {printable_excerpt(avid)}")
    return {"avid": avid, "code": code, "message": message, "data": data}


def _lane(raw_avid: str) -> str:
    try:
        return normalize_avid(raw_avid)
    except InvalidAvid:  # answered as a failed item; a lane of its own
        return raw_avid


async def per_avid(items: list[T], avid_of: Callable[[T], str], run: Callable[[T], Awaitable[R]]) -> list[R]:
    """Run every item and answer in the order given. Items of one AVID, however spelled (ssis469,
    SSIS-469), run one after another, in that order (an add then a delete means just that); different
    AVIDs run side by side, ``CONCURRENCY`` at most."""
    slots = asyncio.Semaphore(CONCURRENCY)
    results: dict[int, R] = {}
    lanes: dict[str, list[int]] = {}
    for index, item in enumerate(items):
        lanes.setdefault(_lane(avid_of(item)), []).append(index)

    async def lane(indexes: list[int]) -> None:
        async with slots:
            for index in indexes:
                results[index] = await run(items[index])

    async with asyncio.TaskGroup() as group:
        for indexes in lanes.values():
            group.create_task(lane(indexes))
    return [results[index] for index in range(len(items))]
