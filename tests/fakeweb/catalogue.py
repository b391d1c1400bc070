"""The videos the fake web knows, with the catalogue data its metadata mirrors publish."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Video:
    avid: str
    title: str
    release_date: str
    minutes: int
    director: str
    studio: str
    label: str
    series: str
    genres: tuple[str, ...]
    actors: tuple[str, ...]


VIDEOS: dict[str, Video] = {
    video.avid: video
    for video in (
        Video(
            "SSIS-469", "夏日海边的约定与重逢", "2022-07-19", 120, "紋℃", "エスワン ナンバーワンスタイル",
            "S1 NO.1 STYLE", "約束の夏", ("單體作品", "巨乳", "高畫質"), ("葵つかさ", "三上悠亜"),
        ),
        Video(
            "PRED-388", "雨夜便利店的邂逅", "2022-03-08", 150, "嵐山みちる", "PREMIUM", "PREMIUM",
            "", ("單體作品", "戲劇"), ("篠田ゆう",),
        ),
        Video(
            "FC2-PPV-1234567", "個人撮影 春の旅", "2021-04-01", 62, "", "FC2", "", "",
            ("素人",), (),
        ),
    )
}  # fmt: skip

MISSING_AVID = "ABP-999"  # no site has it
