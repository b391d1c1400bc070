"""OpenAPI 3 document and the offline Swagger UI."""

from __future__ import annotations

import re
from typing import Any

from nassav.downloads.tasks import PROGRESS_FIELDS, Task
from nassav.handlers import views
from nassav.handlers.routes import ROUTES, WS_TASKS

API = "/nassav/api"
SUCCESS = {
    ("POST", f"{API}/resource"): "201",
    ("POST", f"{API}/downloads"): "202",
    ("POST", f"{API}/downloads/{{avid}}"): "202",
    ("POST", f"{API}/downloads/tasks/{{task_id}}/retry"): "202",
    ("GET", WS_TASKS): "101",
}
NOT_ENVELOPES = ("/cover", "/video", "/events", WS_TASKS)  # an image, a video, an event stream, a WebSocket


def documented_path(path: str) -> str:
    """A route's path as OpenAPI spells it: ``{avid:regex}`` is ``{avid}``."""
    return re.sub(r"\{(\w+):[^}]*\}", r"{\1}", path)


async def test_every_endpoint_is_documented_with_schemas(api: Any) -> None:
    response = await api.get(f"{API}/openapi.json")
    assert response.status == 200
    spec = await response.json()
    assert spec["openapi"].startswith("3.")
    schemas = spec["components"]["schemas"]
    for route in ROUTES:
        if not route.path.startswith((API, WS_TASKS)):
            continue  # the web page and its files: not part of the API
        path = documented_path(route.path)
        operation = spec["paths"][path][route.method.lower()]
        assert operation["summary"], path
        ok_answer = operation["responses"][SUCCESS.get((route.method, path), "200")]
        if path.endswith(NOT_ENVELOPES):
            assert ok_answer["description"]
        else:
            ref = ok_answer["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
            paged = path.endswith(("/resources/", "/actors/", "/genres/"))
            expected = {"code", "message", "data", "pagination"} if paged else {"code", "message", "data"}
            assert set(schemas[ref]["properties"]) == expected, path
        if route.method == "POST" and "{" not in path:
            assert "requestBody" in operation, path
        if "{avid}" in path or path.endswith(("metadata", "cover", "video", "abspath")):
            names = [param["name"] for param in operation["parameters"]]
            assert "avid" in names, path
            assert "400" in operation["responses"], path


async def test_swagger_ui_is_served_offline(api: Any) -> None:
    page = await api.get(f"{API}/docs")
    assert page.status == 200
    html = await page.text()
    assert "/nassav/api/docs/static/swagger-ui-bundle.js" in html
    assert "http://" not in html.split("<body")[1].split("</body>")[0].replace("http://127.0.0.1", "")
    bundle = await api.get(f"{API}/docs/static/swagger-ui-bundle.js")
    assert bundle.status == 200
    assert len(await bundle.read()) > 100_000


async def test_the_task_schema_is_the_task(api: Any) -> None:
    """A task's documented fields are the ones it answers with, in the same order, nullable where None can be."""
    spec = await (await api.get(f"{API}/openapi.json")).json()
    properties = spec["components"]["schemas"]["Task"]["properties"]
    answered = views.task(Task(avid="SSIS-469"))
    assert list(properties) == list(answered)
    assert [name for name, doc in properties.items() if doc.get("nullable")] == [
        *PROGRESS_FIELDS,
        "file_size",
        "started_at",
        "finished_at",
    ]
    assert properties["status"]["enum"] == ["pending", "running", "completed", "failed", "cancelled"]
    assert properties["percent"]["type"] == "number"
    assert properties["attempts"]["type"] == "integer"
