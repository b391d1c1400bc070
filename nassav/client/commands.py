"""The client commands of ``nassav``: add, download, list, tasks, cookie. Each finds the server and
its key the way the server itself reads them (the config file and NASSAV_* variables), or takes
``--url`` / ``--api-key``; makes its calls through ``api.Client``; prints what came back.

Exit status: 0 all went well; 1 the server refused something, or a download did not complete;
2 no server to talk to (not running, unreachable, a key it does not accept) or a bad config."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from nassav.client.api import Client, Refused, Submitted, TaskState, Unauthorized, Unreachable, base_url_for
from nassav.config import load_settings
from nassav.errors import ConfigError
from nassav.handlers.security import known_key

EXIT_OK, EXIT_FAILED, EXIT_NO_SERVER, EXIT_INTERRUPTED = 0, 1, 2, 130
KEY_HINT = "give the server's key with --api-key, or as [server] api_key in the config"

Command = Callable[..., int]


def connect(config: Path | None, url: str | None, api_key: str | None) -> Client:
    """A client for the server named by the options, else by the config (read only when needed)."""
    if url is None or api_key is None:
        settings = load_settings(config)
        url = base_url_for(settings.server) if url is None else url
        if api_key is None:  # the configured key, else the one the server generated beside its database
            api_key = known_key(settings.server.api_key, settings.paths.database)
    return Client(url, api_key)


def with_client(command: Command) -> Command:
    """The options that say where the server is; the errors that end any command in one line."""

    @click.option("--config", type=Path, help="config file (default: $NASSAV_CONFIG, else ./config.toml)")
    @click.option("--url", metavar="BASE", help="the server, e.g. http://nas:8000 (default: from the config)")
    @click.option("--api-key", metavar="KEY", help="the server's API key (default: [server] api_key)")
    @functools.wraps(command)
    def run(config: Path | None, url: str | None, api_key: str | None, **options: Any) -> int:
        try:
            return command(connect(config, url, api_key), **options)
        except ConfigError as exc:
            return fail(str(exc), EXIT_NO_SERVER)
        except Unreachable as exc:
            return fail(exc.message, EXIT_NO_SERVER)
        except Unauthorized as exc:
            return fail(f"{exc.message} ({KEY_HINT})", EXIT_NO_SERVER)
        except Refused as exc:
            return fail(explained(exc), EXIT_FAILED)

    return run


def fail(message: str, status: int) -> int:
    click.echo(f"nassav: {message}", err=True)
    return status


def explained(exc: Refused) -> str:
    """The envelope's message, and what its data adds: each source's reason, the known sources."""
    lines = [exc.message]
    data = exc.data if isinstance(exc.data, dict) else {}
    if isinstance(data.get("reasons"), dict):
        lines += [f"  {source}: {reason}" for source, reason in data["reasons"].items()]
    if isinstance(data.get("available_sources"), list):
        lines.append(f"  available sources: {', '.join(map(str, data['available_sources']))}")
    return "\n".join(lines)


@click.command()
@click.argument("avids", metavar="AVID...", nargs=-1, required=True)
@click.option("--source", default="any", show_default=True, help="the source to try, or any: each in order")
@with_client
def add(client: Client, avids: tuple[str, ...], source: str) -> int:
    """Add resources to the library.

    Each AVID is looked for on the sources (in their order, or only --source), then its page, cover
    and metadata are saved.
    """
    status = EXIT_OK
    for avid in avids:
        try:
            added = client.add(avid, source)
        except Refused as exc:
            click.echo(f"{avid}: {explained(exc)}", err=True)
            status = EXIT_FAILED
            continue
        if added.created:
            click.echo(f"{added.avid}: added from {added.source} ({added.title})")
        else:
            click.echo(f"{added.avid}: already in the library ({added.source})")
    return status


@click.command()
@click.argument("avids", metavar="AVID...", nargs=-1, required=True)
@click.option("--wait", is_flag=True, help="follow the downloads with a progress bar until they end")
@with_client
def download(client: Client, avids: tuple[str, ...], wait: bool) -> int:
    """Download the videos of resources.

    The downloads are queued on the server (one runs at a time); --wait follows them with a progress
    bar and ends 0 only when every one completed.
    """
    queued, status = submit_all(client, avids, announce=not wait)
    if not (wait and queued):
        return status
    try:
        display = _display()
        finals = display.follow(client, queued, display.Console(stderr=True))
    except KeyboardInterrupt:
        return fail("stopped waiting; the downloads go on (see nassav tasks)", EXIT_INTERRUPTED)
    for task in finals:
        report_final(task)
    return status if all(task.status == "completed" for task in finals) else EXIT_FAILED


def submit_all(client: Client, avids: tuple[str, ...], *, announce: bool) -> tuple[list[Submitted], int]:
    """Submit each AVID; the tasks queued, and EXIT_FAILED if any submit was refused."""
    queued, status = [], EXIT_OK
    for avid in avids:
        try:
            submitted = client.submit(avid)
        except Refused as exc:
            click.echo(f"{avid}: {explained(exc)}", err=True)
            status = EXIT_FAILED
            continue
        if submitted.task_id is None:
            click.echo(f"{submitted.avid}: already downloaded ({_display().size(submitted.file_size)})")
            continue
        queued.append(submitted)
        if announce:
            click.echo(f"{submitted.avid}: queued as task {submitted.task_id}")
    return queued, status


def report_final(task: TaskState) -> None:
    if task.status == "completed":
        click.echo(f"{task.avid}: downloaded ({_display().size(task.file_size)})")
    else:
        click.echo(f"{task.avid}: {task.status}" + (f": {task.error}" if task.error else ""), err=True)


@click.command("list")
@click.option("--downloaded", is_flag=True, help="only the resources whose video is downloaded")
@click.option("--search", metavar="Q", default="", help="only the resources whose AVID, title or actors contain Q")
@with_client
def list_resources(client: Client, downloaded: bool, search: str) -> int:
    """List the library.

    One line per resource: AVID, whether its video is downloaded, source, release date, title.
    """
    resources = list(client.resources(downloaded=downloaded, search=search))
    if not resources:
        click.echo("no resources match" if (downloaded or search) else "the library is empty", err=True)
        return EXIT_OK
    for line in _display().resource_lines(resources):
        click.echo(line)
    return EXIT_OK


@click.command()
@with_client
def tasks(client: Client) -> int:
    """Show the download tasks, live and recent."""
    found = client.tasks()
    if not found:
        click.echo("no download tasks", err=True)
        return EXIT_OK
    display = _display()
    display.Console().print(display.tasks_table(found))
    return EXIT_OK


@click.command()
@click.argument("source")
@click.argument("cookie")
@with_client
def cookie(client: Client, source: str, cookie: str) -> int:
    """Store a source's cookie.

    COOKIE is what the browser sends to the site (at least cf_clearance behind Cloudflare); - reads
    it from standard input, out of the shell's history. It is never printed.
    """
    if cookie == "-":
        cookie = sys.stdin.read().strip()
    click.echo(f"cookie stored for {client.set_cookie(source, cookie)}")
    return EXIT_OK


COMMANDS = (add, download, list_resources, tasks, cookie)


def _display() -> Any:
    """The presentation module, imported when a command shows something: ``nassav serve`` shares this
    entry point and has no use for rich (a few megabytes it would keep all its life)."""
    from nassav.client import display

    return display
