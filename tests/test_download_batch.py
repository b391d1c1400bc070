"""Batch submit, retry, and the fixed paths under /downloads/ that ``{avid}`` must never swallow."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from nassav.handlers.routes import DOWNLOADS_FIXED
from tests.downloads_helpers import follow, submit
from tests.helpers import make_resource, read_envelope

API = "/nassav/api"
AVID = "SSIS-469"
BATCH = f"{API}/downloads/batch_submit"


async def add_resource(client: Any, avid: str = AVID) -> None:
    await read_envelope(await client.post(f"{API}/resource", json={"avid": avid, "source": "jable"}), 201)


async def single_answer(client: Any, avid: str, status: int) -> dict[str, Any]:
    """What POST /downloads answers for ``avid`` (with the same state of the queue)."""
    return await read_envelope(await client.post(f"{API}/downloads", json={"avid": avid}), status)


async def test_batch_submit_answers_each_avid_as_the_single_submit(
    web_api: Any, fakeweb: Any, library_root: Path
) -> None:
    fakeweb["cdn"].segment_delay_s = 0.5  # the first download stays under way
    await add_resource(web_api)
    make_resource(library_root, "PRED-388", video=b"\x00" * 1000)
    avids = ["ssis469", "SSIS-469", "bad avid!!", "ABP-001", "pred388"]
    body = await read_envelope(await web_api.post(BATCH, json={"avids": avids}), 200)
    assert body["message"] == "success"
    results = body["data"]["results"]
    assert [item["avid"] for item in results] == [AVID, AVID, "bad avid!!", "ABP-001", "PRED-388"]
    assert [item["code"] for item in results] == [202, 409, 400, 404, 409]
    submitted = results[0]
    assert submitted["message"] == "下载任务已提交"
    assert submitted["data"]["avid"] == AVID
    assert submitted["data"]["status"] == "pending"
    assert len(submitted["data"]["task_id"]) == 32
    # Every other item is, word for word, what the single submit answers now.
    for item, raw in zip(results[1:], avids[1:], strict=True):
        single = await single_answer(web_api, raw, item["code"])
        assert {key: item[key] for key in ("code", "message", "data")} == single, raw
    assert results[1]["message"] == "下载任务已存在"
    assert "avid" in results[2]["data"]  # the failed field, as the single submit names it
    assert results[4]["data"] == {"avid": "PRED-388", "task_id": None, "status": "completed", "file_size": 1000}
    task = await read_envelope(await web_api.get(f"{API}/downloads/tasks/{submitted['data']['task_id']}"), 200)
    assert task["data"]["avid"] == AVID


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"avids": []},
        {"avids": "SSIS-469"},
        {"avids": None},
        {"avids": {"0": "SSIS-469"}},
        {"avids": [1, 2]},
        {"avids": ["SSIS-469", None]},
        {"avids": [f"ABC-{n:03d}" for n in range(101)]},
        {"avids": ["A"] * 100_000},
    ],
    ids=["missing", "empty", "string", "null", "object", "numbers", "null item", "101 items", "100000 items"],
)
async def test_a_malformed_batch_is_400_naming_the_field(api: Any, payload: dict[str, Any]) -> None:
    response = await api.post(BATCH, json=payload)
    body = await read_envelope(response, 400)
    assert list(body["data"]) == ["avids"]
    assert len(await response.read()) < 1000  # a huge list is one short error, not one per item


async def test_a_batch_that_is_not_an_object_is_400(api: Any) -> None:
    body = await read_envelope(await api.post(BATCH, json=["SSIS-469"]), 400)
    assert body["data"]
    body = await read_envelope(await api.post(BATCH, data=b"{not json"), 400)
    assert body["message"] == "请求体不是有效的 JSON"


async def test_retry_of_a_failed_task_completes(web_api: Any, fakeweb: Any, library_root: Path) -> None:
    fakeweb["cdn"].variant = "broken"
    await add_resource(web_api)
    failed_id = await submit(web_api, AVID)
    assert (await follow(web_api, failed_id))[-1]["status"] == "failed"
    fakeweb["cdn"].variant = "plain"
    body = await read_envelope(await web_api.post(f"{API}/downloads/tasks/{failed_id}/retry"), 202)
    assert body["message"] == "下载任务已提交"
    retried = body["data"]
    assert (retried["avid"], retried["status"], retried["file_size"]) == (AVID, "pending", None)
    assert retried["task_id"] != failed_id  # a new task; the failed one stays in the history
    final = (await follow(web_api, retried["task_id"]))[-1]
    assert final["status"] == "completed", final["error"]
    assert (library_root / AVID / f"{AVID}.mp4").stat().st_size > 0
    old = await read_envelope(await web_api.get(f"{API}/downloads/tasks/{failed_id}"), 200)
    assert old["data"]["status"] == "failed"
    # A completed task, and a failed one whose video is there now, are conflicts.
    done = await read_envelope(await web_api.post(f"{API}/downloads/tasks/{retried['task_id']}/retry"), 409)
    assert "completed" in done["message"]
    again = await read_envelope(await web_api.post(f"{API}/downloads/tasks/{failed_id}/retry"), 409)
    assert again == await single_answer(web_api, AVID, 409)


async def test_retry_of_a_live_task_is_409(web_api: Any, fakeweb: Any) -> None:
    fakeweb["cdn"].segment_delay_s = 0.5
    await add_resource(web_api)
    await add_resource(web_api, "PRED-388")
    running = await submit(web_api, AVID)
    await follow(web_api, running, until=("running",))
    pending = await submit(web_api, "PRED-388")
    for task_id, status in ((running, "running"), (pending, "pending")):
        body = await read_envelope(await web_api.post(f"{API}/downloads/tasks/{task_id}/retry"), 409)
        assert body["message"] == f"任务 {task_id} 的状态为 {status}，只有失败或已取消的任务可以重试"
        assert body["data"]["id"] == task_id
        assert body["data"]["status"] == status
    cancelled = await read_envelope(await web_api.delete(f"{API}/downloads/tasks/{pending}"), 200)
    assert cancelled["data"]["status"] == "cancelled"
    requeued = await read_envelope(await web_api.post(f"{API}/downloads/tasks/{pending}/retry"), 202)
    assert requeued["data"]["avid"] == "PRED-388"


async def test_retry_of_an_unknown_or_malformed_id(api: Any) -> None:
    unknown = await read_envelope(await api.post(f"{API}/downloads/tasks/{'0' * 32}/retry"), 404)
    assert unknown["message"] == f"任务 {'0' * 32} 不存在"
    bad = await read_envelope(await api.post(f"{API}/downloads/tasks/not-an-id/retry"), 400)
    assert "task_id" in bad["data"]


async def test_fixed_paths_are_not_taken_for_an_avid(api: Any) -> None:
    """Before, ``POST /downloads/batch_submit`` reached ``POST /downloads/{avid}`` and was a bad AVID."""
    body = await read_envelope(await api.post(BATCH, json={"avids": ["ABP-001"]}), 200)
    assert body["data"]["results"][0]["code"] == 404  # no metadata: the batch handler answered
    for name in DOWNLOADS_FIXED:
        for method in ("POST", "DELETE"):
            response = await api.request(method, f"{API}/downloads/{name}")
            body = await response.json()
            if (method, name) == ("POST", "batch_submit"):
                assert (response.status, list(body["data"])) == (400, ["avids"])  # its own validation
            else:  # a method the fixed path does not have, or a path another part of the API serves
                assert response.status in (404, 405), (method, name, body)
            assert "视频编号" not in body["message"], (method, name, body)
    # Names that merely start like a fixed one are still AVIDs.
    missing = await read_envelope(await api.delete(f"{API}/downloads/list-001"), 404)
    assert missing["message"] == "视频 LIST-001 不存在"
    unknown = await read_envelope(await api.post(f"{API}/downloads/abspath-7"), 404)
    assert unknown["message"] == "ABSPATH-7 的元数据不存在，请先调用 /api/resource/new 添加资源"
