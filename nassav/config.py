"""Settings, declared: embedded defaults, overlaid by config.toml, overlaid by NASSAV_* environment variables.

Each key is one typed line below, with its default and, where the name is not enough, a comment; a new
key is one more line (a new section, one more ``Table`` and one field of ``Settings``). The defaults of
the sources and of the metadata mirrors are declared by their own modules (nassav/sources/registry.py
and nassav/sources/scrapers/javbus.py). A wrong value stops the start with one line naming the key
(``ConfigError``, worded in nassav/config_errors.py), never a traceback.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePath
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    create_model,
    field_validator,
    model_validator,
)

from nassav.config_errors import describe
from nassav.config_source import EnvironmentSource
from nassav.errors import ConfigError as ConfigError  # re-exported: its old home
from nassav.sources.base import Source
from nassav.sources.registry import SOURCE_CLASSES
from nassav.sources.scrapers.javbus import MIRRORS

CONFIG_ENV = "NASSAV_CONFIG"
DEFAULT_CONFIG_NAME = "config.toml"


# --- value types: what a key holds, and how a TOML value or an environment string becomes it ---------


def _not_bool(what: str) -> BeforeValidator:
    """Python counts True as 1; a config file that says ``port = true`` is a mistake, not port 1."""

    def check(value: Any) -> Any:
        if isinstance(value, bool):
            raise ValueError(f"expected {what}")
        return value

    return BeforeValidator(check)


def _lowered(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


def _http_url(value: str) -> str:
    if not value.startswith(("http://", "https://")):
        raise ValueError("expected an http:// or https:// URL")
    return value.rstrip("/")  # an address may keep a path; the sources join below it


def _redis_url(value: str) -> str:
    if value and not value.startswith(("redis://", "rediss://", "unix://")):
        raise ValueError("expected redis://, rediss:// or unix:// (or empty)")
    return value


def _under_base_dir(path: Path, info: ValidationInfo) -> Path:
    """Relative paths are taken relative to the working directory (``base_dir`` in the validation
    context): the systemd unit sets it to the state directory, a shell user runs from the data folder."""
    path = path.expanduser()
    base_dir = (info.context or {}).get("base_dir")
    return base_dir / path if base_dir is not None and not path.is_absolute() else path


def _names(value: Any) -> Any:
    """A TOML array of names, or one string of names separated by spaces or commas (the environment's)."""
    if isinstance(value, str):
        value = value.replace(",", " ").split()
    if isinstance(value, list | tuple) and all(isinstance(item, str) and item.strip() for item in value):
        return tuple(dict.fromkeys(item.strip().lower() for item in value))
    raise ValueError("expected a list of names")


Integer = Annotated[int, _not_bool("an integer")]
Number = Annotated[float, _not_bool("a number")]
Url = Annotated[str, AfterValidator(_http_url)]
LocalPath = Annotated[
    Path, BeforeValidator(lambda v: v.strip() if isinstance(v, str) else v), AfterValidator(_under_base_dir)
]
Names = Annotated[tuple[str, ...], BeforeValidator(_names)]
Engine = Annotated[Literal["auto", "n_m3u8dl_re", "yt_dlp", "ffmpeg"], BeforeValidator(_lowered)]
LogLevel = Annotated[Literal["debug", "info", "warning", "error"], BeforeValidator(_lowered)]


class Table(BaseModel):
    """A config table: immutable, typo-proof (an unknown key is an error), its text trimmed."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True, validate_default=True)


# --- the sections ----------------------------------------------------------------------------------


class ServerSettings(Table):
    host: str = "127.0.0.1"  # "0.0.0.0" serves the LAN: then set api_key
    port: Integer = Field(8000, ge=0, le=65535)
    api_key: str = Field("", repr=False)  # never in a log line through a settings dump
    max_body_bytes: Integer = Field(1024 * 1024, ge=1024)
    log_level: LogLevel = "info"


class PathSettings(Table):
    resource_dir: LocalPath = Path("resource")  # the library
    database: LocalPath = Path("nassav.db")
    tmp_dir: LocalPath = Path("resource/.tmp")  # unset: {resource_dir}/.tmp, on the library's disk
    # Cover thumbnails, a cache: outside the AVID folders, which media servers read.
    thumbnail_dir: LocalPath = Path("thumbnails")

    @model_validator(mode="before")
    @classmethod
    def _tmp_beside_the_library(cls, data: Any) -> Any:
        if not isinstance(data, Mapping):
            return data
        data = {key: value for key, value in data.items() if value != ""}  # an empty path is the default
        resource_dir = data.get("resource_dir", "resource")
        if "tmp_dir" not in data and isinstance(resource_dir, str | PurePath):
            data["tmp_dir"] = Path(resource_dir.strip() if isinstance(resource_dir, str) else resource_dir) / ".tmp"
        return data


class RedisSettings(Table):
    url: Annotated[str, AfterValidator(_redis_url)] = Field("", repr=False)  # empty: embedded mode
    key_prefix: str = Field("nassav:", min_length=1)
    lock_ttl_seconds: Integer = Field(60, ge=5)
    lock_wait_seconds: Integer = Field(1800, ge=0)


class DownloadSettings(Table):
    engine: Engine = "auto"
    ffmpeg_path: str = ""  # empty: PATH, else the bundled one
    n_m3u8dl_re_path: str = ""  # empty: PATH, if installed
    threads: Integer = Field(8, ge=1, le=64)
    retries: Integer = Field(3, ge=0, le=20)


class HttpSettings(Table):
    proxy: str = Field("", repr=False)  # may carry credentials
    timeout_seconds: Number = Field(20.0, ge=1)
    retries: Integer = Field(2, ge=0, le=3)


# --- sources: one table per registered source, its defaults declared by the source class --------------


class SourceSettings(Table):
    """One source as the rest of the service sees it: name, addresses, whether it is tried."""

    name: str
    base_url: Url
    enabled: bool = True
    cdn_url: str = ""  # only for the sources that build their stream URL on a CDN


class SourceTable(Table):
    """``[sources.<name>]``."""

    base_url: Url
    enabled: bool = True


class CdnSourceTable(SourceTable):
    """``[sources.<name>]`` of a source that declares ``CDN_URL``."""

    cdn_url: Url


class SourcesTableBase(Table):
    """``[sources]``: the priority order, then one table per registered source (fields made below)."""

    TABLE_KIND: ClassVar[str] = "source"
    order: Names = ()  # unlisted sources follow the listed ones, in the registry's order

    @classmethod
    def known(cls) -> list[str]:
        return [name for name in cls.model_fields if name != "order"]

    @field_validator("order")
    @classmethod
    def _complete_order(cls, order: tuple[str, ...]) -> tuple[str, ...]:
        known = cls.known()
        unknown = [name for name in order if name not in known]
        if unknown:
            raise ValueError(f"unknown name {unknown[0]!r}; known: {', '.join(known)}")
        return (*order, *(name for name in known if name not in order))

    def in_order(self) -> tuple[SourceSettings, ...]:
        return tuple(SourceSettings(name=name, **getattr(self, name).model_dump()) for name in self.order)


def _source_table(cls: type[Source]) -> Any:
    defaults: dict[str, Any] = {"base_url": (Url, cls.BASE_URLS[0])}
    if cls.CDN_URL is None:
        return create_model(f"{cls.NAME}Table", __base__=SourceTable, **defaults)
    return create_model(f"{cls.NAME}Table", __base__=CdnSourceTable, cdn_url=(Url, cls.CDN_URL), **defaults)


def _source_tables(classes: Iterable[type[Source]]) -> dict[str, Any]:
    tables = {cls.NAME.lower(): _source_table(cls) for cls in classes}
    return {name: (table, Field(default_factory=table)) for name, table in tables.items()}


SourcesTable = create_model("SourcesTable", __base__=SourcesTableBase, **_source_tables(SOURCE_CLASSES))


# --- metadata mirrors: the known ones by default, any other by name -----------------------------------


class ScraperSettings(Table):
    name: str
    base_url: Url


class MirrorTable(Table):
    """``[scraper.<name>]``: one JavBus-style mirror."""

    base_url: Url


class ScraperTable(Table):
    """``[scraper]``: ``order`` names the mirrors tried; each has a ``[scraper.<name>]`` table."""

    model_config = ConfigDict(extra="allow")
    __pydantic_extra__: dict[str, MirrorTable] = Field(init=False)
    TABLE: ClassVar[type[Table]] = MirrorTable
    order: Names = tuple(MIRRORS)

    @classmethod
    def table_names(cls, data: Mapping[str, Any]) -> list[str]:
        """The mirrors a table may hold: the known ones, the configured ones, the ordered ones."""
        tables = [name for name, value in data.items() if isinstance(value, Mapping)]
        try:
            ordered = list(_names(data.get("order", ())))
        except ValueError:  # reported by the order field itself
            ordered = []
        return list(dict.fromkeys([*MIRRORS, *tables, *ordered]))

    @model_validator(mode="before")
    @classmethod
    def _known_mirrors(cls, data: Any) -> Any:
        """Fill in the known mirrors' addresses; an ordered mirror with no table is reported as such."""
        if not isinstance(data, Mapping):
            return data
        filled = dict(data)
        for name in cls.table_names(data):
            table = filled.get(name, {})
            if isinstance(table, Mapping) and name in MIRRORS:
                filled[name] = {"base_url": MIRRORS[name], **table}
            filled.setdefault(name, {})
        return filled

    def in_order(self) -> tuple[ScraperSettings, ...]:
        extra = self.__pydantic_extra__ or {}
        return tuple(ScraperSettings(name=name, base_url=extra[name].base_url) for name in self.order)


# --- the whole ---------------------------------------------------------------------------------------


class Settings(Table):
    """Everything configurable; ``load_settings`` and ``build_settings`` make it from the config file
    and the environment. A plain model, not a pydantic-settings ``BaseSettings``: that one reads the
    process environment whenever it is validated, and build_settings is given its environment."""

    server: ServerSettings = Field(default_factory=ServerSettings)
    paths: PathSettings = Field(default_factory=PathSettings)
    redis: RedisSettings = Field(default_factory=RedisSettings)
    download: DownloadSettings = Field(default_factory=DownloadSettings)
    http: HttpSettings = Field(default_factory=HttpSettings)
    source_tables: SourcesTable = Field(default_factory=SourcesTable, alias="sources")  # type: ignore[valid-type]
    scraper: ScraperTable = Field(default_factory=ScraperTable)

    @model_validator(mode="before")
    @classmethod
    def _every_table(cls, data: Any) -> Any:
        """An absent section is validated as an empty one, so that its paths are resolved too."""
        if not isinstance(data, Mapping):
            return data
        return {**{field.alias or name: {} for name, field in cls.model_fields.items()}, **data}

    @property
    def sources(self) -> tuple[SourceSettings, ...]:
        """Every known source in priority order, enabled or not."""
        return self.source_tables.in_order()

    @property
    def scrapers(self) -> tuple[ScraperSettings, ...]:
        """The metadata mirrors in the order they are tried."""
        return self.scraper.in_order()

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
    """Parsed TOML plus environment overrides, validated; relative paths taken under ``base_dir``."""
    environment = EnvironmentSource(Settings, env, raw)
    values = _overlaid(raw, environment())
    try:
        return Settings.model_validate(values, context={"base_dir": base_dir})
    except ValidationError as exc:
        raise ConfigError(describe(Settings, exc.errors()[0], environment.origins)) from None


def _overlaid(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in over.items():
        below = base.get(key)
        merged[key] = _overlaid(below, value) if isinstance(value, Mapping) and isinstance(below, Mapping) else value
    return merged
