"""POST /resources/batch: each action answers what its single call would, and the refresh body the
newest front end sends is accepted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.helpers import make_resource, read_envelope

API = "/nassav/api"


async def batch(client: Any, actions: Any, status: int = 200) -> dict[str, Any]:
    return await read_envelope(await client.post(f"{API}/resources/batch", json={"actions": actions}), status)


async def test_each_action_answers_as_its_single_call(web_api: Any, library_root: Path) -> None:
    make_resource(library_root, "IPX-100", video=b"\x00" * 64)
    make_resource(library_root, "ABP-001", video=b"\x00" * 32)
    body = await batch(
        web_api,
        [
            {"action": "add", "avid": "ssis469", "source": "jable"},
            {"action": "add", "avid": "IPX-100"},
            {"action": "delete-video", "avid": "IPX-100"},
            {"action": "delete-all", "avid": "ABP-001"},
            {"action": "refresh", "avid": "NONE-404"},
            {"action": "add", "avid": "NOPE-999", "source": "nosuchsite"},
        ],
    )
    results = body["data"]["results"]
    assert [(item["action"], item["avid"], item["code"]) for item in results] == [
        ("add", "SSIS-469", 201),
        ("add", "IPX-100", 409),
        ("delete-video", "IPX-100", 200),
        ("delete-all", "ABP-001", 200),
        ("refresh", "NONE-404", 404),
        ("add", "NOPE-999", 400),
    ]
    single = await read_envelope(await web_api.post(f"{API}/resource", json={"avid": "SSIS-469"}), 409)
    assert results[0]["data"] == single["data"]  # what the single add put in data
    assert results[1]["message"] == "资源已存在"
    assert results[1]["data"]["avid"] == "IPX-100"
    assert results[2]["data"] == {"avid": "IPX-100", "deleted_file": "IPX-100.mp4", "file_size": 64}
    assert results[3]["data"]["avid"] == "ABP-001"
    assert not (library_root / "ABP-001").exists()
    assert "available_sources" in results[5]["data"]
    assert not (library_root / "IPX-100" / "IPX-100.mp4").exists()


async def test_actions_on_one_avid_keep_their_order(web_api: Any, library_root: Path) -> None:
    actions = [{"action": "add", "avid": "SSIS-469", "source": "jable"}, {"action": "delete-all", "avid": "SSIS-469"}]
    results = (await batch(web_api, actions))["data"]["results"]
    assert [item["code"] for item in results] == [201, 200]
    assert not (library_root / "SSIS-469").exists()


@pytest.mark.parametrize(
    "actions",
    [
        [],
        [{"action": "explode", "avid": "SSIS-469"}],
        [{"action": "add"}],
        "add everything",
        [{"action": "refresh", "avid": "SSIS-469"}] * 101,
    ],
)
async def test_a_bad_batch_is_400_with_the_field(web_api: Any, actions: Any) -> None:
    body = await batch(web_api, actions, 400)
    assert "actions" in body["data"], body


async def test_refresh_accepts_the_front_ends_body(web_api: Any, library_root: Path) -> None:
    await read_envelope(await web_api.post(f"{API}/resource", json={"avid": "SSIS-469", "source": "jable"}), 201)
    options = {"refresh_m3u8": True, "refresh_metadata": False, "retranslate": False}
    body = await read_envelope(await web_api.post(f"{API}/resource/refresh/SSIS-469", json=options), 200)
    assert body["data"]["avid"] == "SSIS-469"


async def test_a_bad_avid_fails_its_own_action_only(web_api: Any, library_root: Path) -> None:
    make_resource(library_root, "IPX-100", video=b"\x00" * 8)
    actions = [{"action": "refresh", "avid": "../x"}, {"action": "delete-video", "avid": "ipx100"}]
    results = (await batch(web_api, actions))["data"]["results"]
    assert results[0]["code"] == 400
    assert results[0]["avid"] == "../x"
    assert "avid" in results[0]["data"]
    assert (results[1]["avid"], results[1]["code"]) == ("IPX-100", 200)
    assert not (library_root / "IPX-100" / "IPX-100.mp4").exists()


async def test_a_resource_added_again_starts_unmarked(web_api: Any, library_root: Path) -> None:
    import shutil

    await read_envelope(await web_api.post(f"{API}/resource", json={"avid": "SSIS-469", "source": "jable"}), 201)
    await read_envelope(await web_api.patch(f"{API}/resource/SSIS-469/status", json={"is_favorite": True}), 200)
    shutil.rmtree(library_root / "SSIS-469")  # gone by hand, not through the API
    await read_envelope(await web_api.post(f"{API}/resource", json={"avid": "SSIS-469", "source": "jable"}), 201)
    metadata = await read_envelope(await web_api.get(f"{API}/resource/metadata", params={"avid": "SSIS-469"}), 200)
    assert metadata["data"]["is_favorite"] is False


async def test_spellings_of_one_avid_share_its_order(web_api: Any, library_root: Path) -> None:
    actions = [{"action": "add", "avid": "ssis469", "source": "jable"}, {"action": "delete-all", "avid": "SSIS-469"}]
    results = (await batch(web_api, actions))["data"]["results"]
    assert [(item["avid"], item["code"]) for item in results] == [("SSIS-469", 201), ("SSIS-469", 200)]
    assert not (library_root / "SSIS-469").exists()
