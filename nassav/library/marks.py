"""What the owner notes about a resource (watched, favourite): kept in memory, where browsing filters
by them, and in the database, so that they outlive a restart and a refresh of the metadata."""

from __future__ import annotations

from dataclasses import dataclass

from nassav.store import Store


@dataclass(frozen=True)
class Mark:
    """What the owner noted about a resource."""

    watched: bool = False
    is_favorite: bool = False


NO_MARK = Mark()


class Marks:
    def __init__(self, store: Store, known: dict[str, Mark]) -> None:
        self._store = store
        self._marks = known
        self.version = 0  # bumped on every change: a key for caches of browsed pages

    @classmethod
    async def load(cls, store: Store) -> Marks:
        rows = await store.load_marks()
        return cls(store, {avid: Mark(watched, favorite) for avid, (watched, favorite) in rows.items()})

    def of(self, avid: str) -> Mark:
        return self._marks.get(avid, NO_MARK)

    async def note(self, avid: str, *, watched: bool | None = None, is_favorite: bool | None = None) -> Mark:
        """Change what is given, keep the rest."""
        old = self.of(avid)
        new = Mark(
            old.watched if watched is None else watched,
            old.is_favorite if is_favorite is None else is_favorite,
        )
        if new != old:
            # In memory first: a second change arriving while this one is written builds on it, and
            # the database, writing in order, ends with both.
            self._set(avid, new)
            try:
                await self._store.save_mark(avid, new.watched, new.is_favorite)
            except BaseException:
                if self.of(avid) == new:  # not changed again meanwhile: what is kept is what was
                    self._set(avid, old)
                raise
        return new

    async def forget(self, avid: str) -> None:
        if avid in self._marks:
            self._set(avid, NO_MARK)
            await self._store.save_mark(avid, False, False)

    def _set(self, avid: str, mark: Mark) -> None:
        if mark == NO_MARK:
            self._marks.pop(avid, None)
        else:
            self._marks[avid] = mark
        self.version += 1
