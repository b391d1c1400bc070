"""The index as it stood when NASSAV last stopped, kept in a file beside the database, so that a start
reads only the {AVID}.json files that changed meanwhile (50,000 of them take seconds to read).

The snapshot is only a hint: a row is used only for a folder whose fingerprint (index.py) is what it
was, and a snapshot that is missing, damaged or of another format is no snapshot at all.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

from nassav.library.index import Entry

log = logging.getLogger(__name__)

FORMAT = 2  # 2: a cover's version
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
Known = dict[str, tuple[int, Entry]]


def snapshot_path(database: Path) -> Path:
    return database.with_name(f"{database.stem}.index.json")


def save(path: Path, known: Known) -> None:
    """One JSON line per row after a header line, written whole or not at all (a temp file renamed
    over the old one); no fsync: losing it costs a slower start, nothing more."""
    tmp = path.with_name(f".{path.name}.tmp")  # one name: a save cut short is overwritten by the next
    try:
        with tmp.open("w", encoding="utf-8") as fh:
            fh.write(json.dumps({"format": FORMAT}) + "\n")
            fh.writelines(_dumps([fingerprint, *_row(entry)]) + "\n" for fingerprint, entry in known.values())
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        log.warning("could not keep the library index in %s: %s", path, exc.strerror or exc)


def load(path: Path) -> Known:
    """Read a line at a time: the whole file parsed at once would take several times its size in
    memory, and the process would keep that memory."""
    known: Known = {}
    try:
        with path.open("rb") as fh:
            if json.loads(fh.readline() or b"{}").get("format") != FORMAT:
                return {}
            for line in fh:
                row = json.loads(line)
                known[row[1]] = (row[0], _entry(row[1:]))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
        log.warning("ignoring the library index in %s: %s", path, exc)
        return {}
    return known


def _row(entry: Entry) -> list[Any]:
    return [
        entry.avid, entry.title, entry.source, entry.release_date, entry.has_video, entry.actors, entry.genres,
        entry.added_at, entry.updated_at, entry.video_added_at, entry.cover_version,
    ]  # fmt: skip


def _entry(row: list[Any]) -> Entry:
    avid, title, source, release_date, has_video, actors, genres, added_at, updated_at, video_added_at, cover = row
    if not all(isinstance(text, str) for text in (avid, title, source, release_date, *actors, *genres)):
        raise TypeError(f"a row of {avid!r} has a field of the wrong type")
    intern = sys.intern  # as the index does: one copy of each recurring name
    return Entry(
        avid, title, intern(source), intern(release_date), bool(has_video), tuple(map(intern, actors)),
        tuple(map(intern, genres)), added_at, updated_at, video_added_at, cover,
    )  # fmt: skip
