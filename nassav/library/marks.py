"""What the owner notes about a resource (watched, favourite): kept in memory, where browsing filters
by them, and in the database, so that they outlive a restart and a refresh of the metadata."""

from __future__ import annotations

from nassav.library.browse import NO_MARK, Mark
from nassav.store import Store


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
            await self._store.save_mark(avid, new.watched, new.is_favorite)
            self._set(avid, new)
        return new

    async def forget(self, avid: str) -> None:
        if avid in self._marks:
            await self._store.save_mark(avid, False, False)
            self._set(avid, NO_MARK)

    def _set(self, avid: str, mark: Mark) -> None:
        if mark == NO_MARK:
            self._marks.pop(avid, None)
        else:
            self._marks[avid] = mark
        self.version += 1
