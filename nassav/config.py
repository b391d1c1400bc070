"""Settings: embedded defaults, overlaid by config.toml, overlaid by NASSAV_* environment variables.

Every key has a default, so the service runs with no config file at all. A wrong value stops the
start with one line naming the key (``ConfigError``), never a traceback.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CONFIG_ENV = "NASSAV_CONFIG"
DEFAULT_CONFIG_NAME = "config.toml"

DEFAULT_BASE_URLS: dict[str, str] = {
    "jable": "https://jable.tv",
    "missav": "https://missav.ai",
    "hohoj": "https://hohoj.tv",
    "memo": "https://memojav.com",
    "kanav": "https://kanav.info",
    "avtoday": "https://avtoday.io",
    "netflav": "https://netflav.com",
    "kissav": "https://f15.bzraizy.cc",
}
DEFAULT_CDN_URLS: dict[str, str] = {
    "missav": "https://surrit.com",
    "memo": "https://video10.memojav.net",
}
DEFAULT_SCRAPERS: dict[str, str] = {
    "javbus": "https://www.javbus.com",
    "busdmm": "https://www.busdmm.ink",
    "dmmsee": "https://www.dmmsee.bond",
}
ENGINES = ("auto", "n_m3u8dl_re", "yt_dlp", "ffmpeg")
LOG_LEVELS = ("debug", "info", "warning", "error")


class ConfigError(Exception):
    """A config value is missing, malformed or out of range; the message names the key."""


@dataclass(frozen=True, kw_only=True)
class ServerSettings:
    host: str = "127.0.0.1"
    port: int = 8000
    # repr=False: the key must never reach a log line through a settings dump.
    api_key: str = field(default="", repr=False)
    max_body_bytes: int = 1024 * 1024
    log_level: str = "info"


@dataclass(frozen=True, kw_only=True)
class PathSettings:
    resource_dir: Path = Path("resource")
    database: Path = Path("nassav.db")
    tmp_dir: Path = Path("resource/.tmp")


@dataclass(frozen=True, kw_only=True)
class RedisSettings:
    url: str = field(default="", repr=False)  # may carry a password
    key_prefix: str = "nassav:"
    lock_ttl_seconds: int = 60
    lock_wait_seconds: int = 1800


@dataclass(frozen=True, kw_only=True)
class DownloadSettings:
    engine: str = "auto"
    ffmpeg_path: str = ""
    n_m3u8dl_re_path: str = ""
    threads: int = 8
    retries: int = 3


@dataclass(frozen=True, kw_only=True)
class HttpSettings:
    proxy: str = field(default="", repr=False)  # may carry credentials
    timeout_seconds: float = 20.0
    retries: int = 2


@dataclass(frozen=True, kw_only=True)
class SourceSettings:
    name: str
    base_url: str
    enabled: bool = True
    cdn_url: str = ""


@dataclass(frozen=True, kw_only=True)
class ScraperSettings:
    name: str
    base_url: str


@dataclass(frozen=True, kw_only=True)
class Settings:
    server: ServerSettings = ServerSettings()
    paths: PathSettings = PathSettings()
    redis: RedisSettings = RedisSettings()
    download: DownloadSettings = DownloadSettings()
    http: HttpSettings = HttpSettings()
    sources: tuple[SourceSettings, ...] = ()  # in priority order, enabled or not
    scrapers: tuple[ScraperSettings, ...] = ()  # in the order they are tried

    def source(self, key: str) -> SourceSettings:
        return next(s for s in self.sources if s.name == key)


def load_settings(path: Path | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """Read the config file (explicit path, else $NASSAV_CONFIG, else ./config.toml if present)."""
    env = os.environ if env is None else env
    if path is None and env.get(CONFIG_ENV):
        path = Path(env[CONFIG_ENV])
    if path is None and Path(DEFAULT_CONFIG_NAME).is_file():
        path = Path(DEFAULT_CONFIG_NAME)
    raw = _read_toml(path) if path is not None else {}
    return build_settings(raw, env, Path.cwd())


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist") from None
    except OSError as exc:
        raise ConfigError(f"config file {path} cannot be read: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None


def build_settings(raw: Mapping[str, Any], env: Mapping[str, str], base_dir: Path) -> Settings:
    """Turn parsed TOML plus environment overrides into validated Settings.

    Relative paths are taken relative to ``base_dir``, the working directory: the systemd unit sets
    it to the state directory, and a shell user runs the server from the folder that holds the data.
    """
    reader = _Reader(raw, env)
    server = ServerSettings(
        host=reader.text("server", "host", ServerSettings.host),
        port=reader.integer("server", "port", ServerSettings.port, low=0, high=65535),
        api_key=reader.text("server", "api_key", ""),
        max_body_bytes=reader.integer("server", "max_body_bytes", ServerSettings.max_body_bytes, low=1024),
        log_level=reader.choice("server", "log_level", ServerSettings.log_level, LOG_LEVELS),
    )
    resource_dir = reader.path("paths", "resource_dir", base_dir, PathSettings.resource_dir)
    tmp_default = resource_dir / ".tmp"
    paths = PathSettings(
        resource_dir=resource_dir,
        database=reader.path("paths", "database", base_dir, PathSettings.database),
        tmp_dir=reader.path("paths", "tmp_dir", base_dir, tmp_default),
    )
    redis = RedisSettings(
        url=reader.text("redis", "url", ""),
        key_prefix=reader.text("redis", "key_prefix", RedisSettings.key_prefix, allow_empty=False),
        lock_ttl_seconds=reader.integer("redis", "lock_ttl_seconds", RedisSettings.lock_ttl_seconds, low=5),
        lock_wait_seconds=reader.integer("redis", "lock_wait_seconds", RedisSettings.lock_wait_seconds, low=0),
    )
    if redis.url and not redis.url.startswith(("redis://", "rediss://", "unix://")):
        raise ConfigError("config key [redis] url: expected redis://, rediss:// or unix:// (or empty)")
    download = DownloadSettings(
        engine=reader.choice("download", "engine", DownloadSettings.engine, ENGINES),
        ffmpeg_path=reader.text("download", "ffmpeg_path", ""),
        n_m3u8dl_re_path=reader.text("download", "n_m3u8dl_re_path", ""),
        threads=reader.integer("download", "threads", DownloadSettings.threads, low=1, high=64),
        retries=reader.integer("download", "retries", DownloadSettings.retries, low=0, high=20),
    )
    http = HttpSettings(
        proxy=reader.text("http", "proxy", ""),
        timeout_seconds=reader.number("http", "timeout_seconds", HttpSettings.timeout_seconds, low=1),
        retries=reader.integer("http", "retries", HttpSettings.retries, low=0, high=3),
    )
    reader.reject_unknown()
    return Settings(
        server=server,
        paths=paths,
        redis=redis,
        download=download,
        http=http,
        sources=_read_sources(reader),
        scrapers=_read_scrapers(reader),
    )


def _read_sources(reader: _Reader) -> tuple[SourceSettings, ...]:
    known = list(DEFAULT_BASE_URLS)  # the sources this version knows, in default priority order
    order = reader.name_list("sources", "order", known, allowed=known)
    order += [name for name in known if name not in order]  # unlisted sources go last
    return tuple(
        SourceSettings(
            name=name,
            base_url=reader.url(f"sources.{name}", "base_url", DEFAULT_BASE_URLS[name]),
            enabled=reader.boolean(f"sources.{name}", "enabled", True),
            cdn_url=reader.url(f"sources.{name}", "cdn_url", DEFAULT_CDN_URLS[name])
            if name in DEFAULT_CDN_URLS
            else "",
        )
        for name in order
    )


def _read_scrapers(reader: _Reader) -> tuple[ScraperSettings, ...]:
    names = reader.name_list("scraper", "order", list(DEFAULT_SCRAPERS))
    scrapers = []
    for name in names:
        default = DEFAULT_SCRAPERS.get(name)
        base_url = reader.url(f"scraper.{name}", "base_url", default)
        scrapers.append(ScraperSettings(name=name, base_url=base_url))
    return tuple(scrapers)


_MISSING = object()


class _Reader:
    """Looks a key up in the environment first, then in the TOML tables, and checks its type."""

    def __init__(self, raw: Mapping[str, Any], env: Mapping[str, str]) -> None:
        self._raw = raw
        self._env = env
        self._seen: set[tuple[str, str]] = set()

    def _lookup(self, section: str, key: str) -> tuple[Any, str]:
        self._seen.add((section, key))
        env_name = "NASSAV_" + f"{section}_{key}".replace(".", "_").upper()
        if env_name in self._env:
            return self._env[env_name], f"environment variable {env_name}"
        table: Any = self._raw
        for part in section.split("."):
            table = table.get(part, {}) if isinstance(table, Mapping) else {}
        if not isinstance(table, Mapping):
            raise ConfigError(f"config key [{section}]: expected a table")
        return table.get(key, _MISSING), f"config key [{section}] {key}"

    def text(self, section: str, key: str, default: str, *, allow_empty: bool = True) -> str:
        value, where = self._lookup(section, key)
        if value is _MISSING:
            return default
        if not isinstance(value, str):
            raise ConfigError(f"{where}: expected a string, got {type(value).__name__}")
        if not allow_empty and not value.strip():
            raise ConfigError(f"{where}: must not be empty")
        return value.strip()

    def url(self, section: str, key: str, default: str | None) -> str:
        value = self.text(section, key, default or "")
        if not value.startswith(("http://", "https://")):
            raise ConfigError(f"config key [{section}] {key}: expected an http:// or https:// URL")
        return value.rstrip("/")

    def integer(self, section: str, key: str, default: int, *, low: int, high: int | None = None) -> int:
        return int(self._numeric(section, key, default, int, low, high))

    def number(self, section: str, key: str, default: float, *, low: float) -> float:
        return float(self._numeric(section, key, default, float, low, None))

    def _numeric(self, section: str, key: str, default: float, kind: type, low: float, high: float | None) -> float:
        value, where = self._lookup(section, key)
        if value is _MISSING:
            return default
        if isinstance(value, str):
            try:
                value = kind(value.strip())
            except ValueError:
                raise ConfigError(f"{where}: expected a number, got {value!r}") from None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (kind is int and isinstance(value, float)):
            raise ConfigError(f"{where}: expected {'an integer' if kind is int else 'a number'}")
        if value < low or (high is not None and value > high):
            bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
            raise ConfigError(f"{where}: must be {bounds}, got {value}")
        return value

    def boolean(self, section: str, key: str, default: bool) -> bool:
        value, where = self._lookup(section, key)
        if value is _MISSING:
            return default
        if isinstance(value, str) and value.strip().lower() in ("1", "true", "yes", "on", "0", "false", "no", "off"):
            return value.strip().lower() in ("1", "true", "yes", "on")
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: expected true or false")
        return value

    def choice(self, section: str, key: str, default: str, choices: tuple[str, ...]) -> str:
        value = self.text(section, key, default).lower()
        if value not in choices:
            raise ConfigError(f"config key [{section}] {key}: expected one of {', '.join(choices)}, got {value!r}")
        return value

    def path(self, section: str, key: str, base_dir: Path, default: Path) -> Path:
        value = self.text(section, key, "")
        path = Path(value).expanduser() if value else default
        return path if path.is_absolute() else base_dir / path

    def name_list(self, section: str, key: str, default: list[str], allowed: list[str] | None = None) -> list[str]:
        value, where = self._lookup(section, key)
        if value is _MISSING:
            return list(default)
        if isinstance(value, str):
            value = [part for part in value.replace(",", " ").split() if part]
        if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
            raise ConfigError(f"{where}: expected a list of names")
        names = list(dict.fromkeys(item.strip().lower() for item in value))
        unknown = [name for name in names if allowed is not None and name not in allowed]
        if unknown:
            raise ConfigError(f"{where}: unknown name {unknown[0]!r}; known: {', '.join(allowed or [])}")
        return names

    def reject_unknown(self) -> None:
        """A typo in a key name would otherwise be silently ignored; name it instead."""
        for section, table in self._raw.items():
            if section not in _SECTION_KEYS:
                raise ConfigError(f"config key [{section}]: unknown section")
            if not isinstance(table, Mapping):
                raise ConfigError(f"config key [{section}]: expected a table")
            for key, value in table.items():
                if isinstance(value, Mapping) and section in _SUBTABLE_KEYS:
                    self._reject_unknown_subtable(section, key, value)
                elif key not in _SECTION_KEYS[section]:
                    raise ConfigError(f"config key [{section}] {key}: unknown key")

    def _reject_unknown_subtable(self, section: str, name: str, table: Mapping[str, Any]) -> None:
        if section == "sources" and name not in DEFAULT_BASE_URLS:
            raise ConfigError(f"config key [sources.{name}]: unknown source; known: {', '.join(DEFAULT_BASE_URLS)}")
        for key in table:
            cdn_without_cdn = key == "cdn_url" and name not in DEFAULT_CDN_URLS
            if key not in _SUBTABLE_KEYS[section] or cdn_without_cdn:
                raise ConfigError(f"config key [{section}.{name}] {key}: unknown key")


def _field_names(cls: type) -> frozenset[str]:
    return frozenset(f.name for f in dataclasses.fields(cls))


_SECTION_KEYS: dict[str, frozenset[str]] = {
    "server": _field_names(ServerSettings),
    "paths": _field_names(PathSettings),
    "redis": _field_names(RedisSettings),
    "download": _field_names(DownloadSettings),
    "http": _field_names(HttpSettings),
    "sources": frozenset({"order"}),
    "scraper": frozenset({"order"}),
}
_SUBTABLE_KEYS: dict[str, frozenset[str]] = {
    "sources": frozenset({"base_url", "enabled", "cdn_url"}),
    "scraper": frozenset({"base_url"}),
}
