"""The one routes table. Handlers are thin: parse, call one service, answer the envelope.

Fixed paths come before parametrized ones, and ``{avid}`` under ``/downloads/`` never matches a fixed
name: a method a fixed path does not have is a 405 there, not a bad AVID (aiohttp falls through to
the next route whose pattern matches when a path exists but not for that method).
"""

from __future__ import annotations

from aiohttp import web

from nassav.handlers import API, PAGE, PAGE_FILES, browse, downloads, live, resources, sources, ui

WS_TASKS = "/nassav/ws/tasks/"
# Every fixed name under /downloads/ (abspath included: it is served by another part of the API).
DOWNLOADS_FIXED = ("list", "tasks", "events", "batch_submit", "abspath")
AVID_IN_DOWNLOADS = f"{{avid:(?!(?:{'|'.join(DOWNLOADS_FIXED)})$)[^/]+}}"

ROUTES = [
    web.get(f"{API}/source/list", sources.list_sources),
    web.get(f"{API}/source/cookie", sources.list_cookies),
    web.post(f"{API}/source/cookie", sources.set_cookie),
    web.delete(f"{API}/source/cookie", sources.delete_cookie),
    web.get(f"{API}/resource/list", resources.list_resources),
    web.get(f"{API}/resources/", browse.browse_resources),
    web.post(f"{API}/resources/batch", browse.batch),
    web.get(f"{API}/actors/", browse.list_actors),
    web.get(f"{API}/genres/", browse.list_genres),
    web.patch(f"{API}/resource/{{avid}}/status", browse.mark_resource),
    web.get(f"{API}/setting", browse.get_preferences),
    web.put(f"{API}/setting", browse.put_preferences),
    web.get(f"{API}/resource/metadata", resources.resource_metadata),
    web.get(f"{API}/resource/cover", resources.resource_cover),
    web.get(f"{API}/resource/video", resources.resource_video, name=resources.VIDEO_ROUTE),
    web.post(f"{API}/resource", resources.add_resource),
    web.post(f"{API}/resource/refresh/{{avid}}", resources.refresh_resource),
    web.delete(f"{API}/resource/{{avid}}", resources.delete_resource),
    web.get(f"{API}/downloads/list", downloads.list_downloads),
    web.get(f"{API}/downloads/abspath", downloads.video_path),
    web.post(f"{API}/downloads", downloads.submit_download),
    web.post(f"{API}/downloads/batch_submit", downloads.batch_submit),
    web.get(f"{API}/downloads/tasks", downloads.list_tasks),
    web.get(f"{API}/downloads/tasks/{{task_id}}", downloads.get_task),
    web.delete(f"{API}/downloads/tasks/{{task_id}}", downloads.cancel_task),
    web.post(f"{API}/downloads/tasks/{{task_id}}/retry", downloads.retry_task),
    web.get(f"{API}/downloads/events", downloads.task_events, allow_head=False),
    web.post(f"{API}/downloads/{AVID_IN_DOWNLOADS}", downloads.submit_download_by_path),
    web.delete(f"{API}/downloads/{AVID_IN_DOWNLOADS}", downloads.delete_download),
    web.get(f"{API}/tasks/queue/status", live.queue_status),
    web.get(WS_TASKS, live.task_socket, allow_head=False),
    web.get(PAGE, ui.page),
    web.get(PAGE.rstrip("/"), ui.to_page),
    web.get(PAGE_FILES + "{name}", ui.page_file),
]
