"""Settings: defaults, config.toml, NASSAV_* overrides, and one-line errors that name the key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from nassav.config import build_settings, load_settings
from nassav.errors import ConfigError
from nassav.sources.registry import SOURCE_CLASSES
from nassav.sources.scrapers.javbus import MIRRORS

REPO = Path(__file__).resolve().parents[1]


def test_defaults_run_embedded_on_loopback(tmp_path: Path) -> None:
    settings = build_settings({}, {}, tmp_path)
    assert (settings.server.host, settings.server.port) == ("127.0.0.1", 8000)
    assert settings.server.api_key == ""
    assert settings.redis.url == ""
    assert settings.redis.lock_wait_seconds == 1800
    assert settings.paths.resource_dir == tmp_path / "resource"
    assert settings.paths.database == tmp_path / "nassav.db"
    assert settings.paths.tmp_dir == tmp_path / "resource" / ".tmp"
    assert [s.name for s in settings.sources] == [
        "jable",
        "missav",
        "hohoj",
        "memo",
        "kanav",
        "avtoday",
        "netflav",
        "kissav",
    ]
    assert settings.source("missav").cdn_url == "https://surrit.com"
    assert [s.name for s in settings.scrapers] == ["javbus", "busdmm", "dmmsee"]


def test_shipped_config_toml_equals_the_defaults(tmp_path: Path) -> None:
    assert load_settings(REPO / "config.toml", env={}) == build_settings({}, {}, Path.cwd())


def test_environment_overrides_file(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[server]\nport = 9000\n[sources.jable]\nbase_url = "https://a.example/"\n', "utf-8")
    env = {
        "NASSAV_CONFIG": str(config),
        "NASSAV_SERVER_PORT": "9100",
        "NASSAV_SERVER_API_KEY": "k",
        "NASSAV_SOURCES_MISSAV_ENABLED": "false",
        "NASSAV_SOURCES_ORDER": "memo, jable",
    }
    settings = load_settings(None, env)
    assert settings.server.port == 9100
    assert settings.server.api_key == "k"
    assert settings.source("jable").base_url == "https://a.example"
    assert settings.source("missav").enabled is False
    assert [s.name for s in settings.sources][:3] == ["memo", "jable", "missav"]


def test_secrets_stay_out_of_repr(tmp_path: Path) -> None:
    raw = {
        "server": {"api_key": "topsecret"},
        "redis": {"url": "redis://:pw0rd@h:6379"},
        "http": {"proxy": "http://u:pp@p"},
    }
    text = repr(build_settings(raw, {}, tmp_path))
    assert "topsecret" not in text
    assert "pw0rd" not in text
    assert "u:pp" not in text


@pytest.mark.parametrize(
    ("raw", "env", "message"),
    [
        ({"server": {"port": "abc"}}, {}, "config key [server] port: expected a number"),
        ({"server": {"port": 70000}}, {}, "config key [server] port: must be between 0 and 65535"),
        ({"server": {"port": 80.5}}, {}, "config key [server] port: expected an integer"),
        ({}, {"NASSAV_SERVER_PORT": "x"}, "environment variable NASSAV_SERVER_PORT: expected a number"),
        ({"server": {"host": 1}}, {}, "config key [server] host: expected a string"),
        ({"server": {"prot": 1}}, {}, "config key [server] prot: unknown key"),
        ({"srever": {}}, {}, "config key [srever]: unknown section"),
        ({"server": 5}, {}, "config key [server]: expected a table"),
        ({"redis": {"url": "http://x"}}, {}, "config key [redis] url"),
        ({"redis": {"lock_ttl_seconds": 1}}, {}, "config key [redis] lock_ttl_seconds: must be at least 5"),
        ({"download": {"engine": "wget"}}, {}, "config key [download] engine: expected one of"),
        ({"download": {"threads": 0}}, {}, "config key [download] threads"),
        ({"sources": {"order": ["jable", "youtube"]}}, {}, "config key [sources] order: unknown name 'youtube'"),
        ({"sources": {"jable": {"base_url": "jable.tv"}}}, {}, "config key [sources.jable] base_url"),
        ({"sources": {"jable": {"enabled": "maybe"}}}, {}, "config key [sources.jable] enabled"),
        ({"sources": {"jable": {"cdn_url": "https://x"}}}, {}, "config key [sources.jable] cdn_url: unknown key"),
        ({"sources": {"youtube": {}}}, {}, "config key [sources.youtube]: unknown source"),
        ({"scraper": {"order": ["mine"]}}, {}, "config key [scraper.mine] base_url"),
        ({"http": {"timeout_seconds": 0}}, {}, "config key [http] timeout_seconds: must be at least 1"),
        ({"server": {"log_level": "loud"}}, {}, "config key [server] log_level"),
        ({"server": {"port": True}}, {}, "config key [server] port: expected an integer"),
        ({}, {"NASSAV_SCRAPER_JAVBUS_BASE_URL": "ftp://x"}, "environment variable NASSAV_SCRAPER_JAVBUS_BASE_URL: "),
        ({"redis": {"key_prefix": " "}}, {}, "config key [redis] key_prefix: must not be empty"),
    ],
)
def test_bad_values_name_the_key(tmp_path: Path, raw: dict[str, Any], env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        build_settings(raw, env, tmp_path)
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


def test_empty_order_from_environment_means_default(tmp_path: Path) -> None:
    settings = build_settings({"sources": {"order": ["memo"]}}, {"NASSAV_SOURCES_ORDER": ""}, tmp_path)
    assert settings.sources[0].name == "jable"


def test_malformed_toml_is_one_line(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text("[server\nport = ", "utf-8")
    with pytest.raises(ConfigError, match=r"is not valid TOML"):
        load_settings(config, {})


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(tmp_path / "nope.toml", {})


def test_source_and_mirror_defaults_come_from_their_modules(tmp_path: Path) -> None:
    settings = build_settings({}, {}, tmp_path)
    assert [s.name for s in settings.sources] == [cls.NAME.lower() for cls in SOURCE_CLASSES]
    for cls in SOURCE_CLASSES:
        assert settings.source(cls.NAME.lower()).base_url == cls.BASE_URLS[0]
        assert settings.source(cls.NAME.lower()).cdn_url == (cls.CDN_URL or "")
    assert {s.name: s.base_url for s in settings.scrapers} == MIRRORS


def test_environment_names_follow_the_schema(tmp_path: Path) -> None:
    env = {
        "NASSAV_SCRAPER_ORDER": "mine,javbus",
        "NASSAV_SCRAPER_MINE_BASE_URL": "https://mirror.example/bus/",
        "NASSAV_SCRAPER_JAVBUS_BASE_URL": "https://jb.example",
        "NASSAV_SOURCES_MEMO_CDN_URL": "https://cdn.example/memo",
        "NASSAV_SOURCES_KANAV_ENABLED": "off",
        "NASSAV_SOURCES_JABLE_ENABLED": "yes",
        "NASSAV_PATHS_RESOURCE_DIR": "lib",
        "NASSAV_DOWNLOAD_ENGINE": "YT_DLP",
    }
    settings = build_settings({}, env, tmp_path)
    assert [(s.name, s.base_url) for s in settings.scrapers] == [
        ("mine", "https://mirror.example/bus"),
        ("javbus", "https://jb.example"),
    ]
    assert settings.source("memo").cdn_url == "https://cdn.example/memo"
    assert settings.source("kanav").enabled is False
    assert settings.source("jable").enabled is True
    assert settings.paths.tmp_dir == tmp_path / "lib" / ".tmp"
    assert settings.download.engine == "yt_dlp"


def test_settings_are_immutable(tmp_path: Path) -> None:
    settings = build_settings({}, {}, tmp_path)
    with pytest.raises(ValidationError):
        settings.server.port = 1  # type: ignore[misc]
    moved = settings.model_copy(update={"server": settings.server.model_copy(update={"port": 9})})
    assert (moved.server.port, settings.server.port) == (9, 8000)
