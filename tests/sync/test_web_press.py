"""Consent binds at the command: a press export carries only what the family allowed for the
media, named or anonymous as they chose, and its report names everything it left out."""

from __future__ import annotations

import io
import json
import re
import zipfile

import pytest
from PIL import Image
from sqlalchemy import update
from starlette.testclient import TestClient

from sync.server import accounts
from sync.server import index as ix
from sync.server.web.app import WebConfig, create_web_app
from tests.sync import workbench_world as ww


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    folder = tmp_path_factory.mktemp("press")
    built = ww.build(folder, f"sqlite:///{folder / 'server.db'}")
    second = built.ids["pages"][1]
    # The family's choices as the consent scopes say them: the first photo with their name
    # (as signed), the second anonymously, the recording not for the media at all, the video
    # with their name but not before 2099.
    with built.store.begin() as conn:
        scopes = {"archive_and_search": True, "share_with_authorities": True,
                  "dna_contact": False, "embargo_until": ""}
        conn.execute(update(ix.index_pages).where(ix.index_pages.c.id == second).values(
            scopes=json.dumps({**scopes, "media_use": "anonymous"})))
        conn.execute(update(ix.index_parts).values(
            scopes=json.dumps({**scopes, "media_use": "none"})))
        conn.execute(update(ix.index_pages).where(ix.index_pages.c.id == built.ids["video"])
                     .values(scopes=json.dumps({**scopes, "media_use": "named",
                                                "embargo_until": "2099-01-01"})))
    yield built
    built.store.engine.dispose()


def _signed_in(app, name: str) -> TestClient:  # type: ignore[no-untyped-def]
    client = TestClient(app, follow_redirects=False)
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/signin").text).group(1)
    client.post("/signin", data={"username": name, "password": ww.PASSWORDS[name],
                                 "csrf": csrf})
    return client


def test_the_press_gets_only_what_the_family_allowed_as_they_allowed_it(world):
    policy = accounts.Policy(argon2_memory_kib=8 * 1024, argon2_iterations=1)
    app = create_web_app(WebConfig(world.data, policy=policy), world.store)
    analyst = _signed_in(app, "binh")
    page = analyst.get(f"/visits/{world.visit_id}").text
    assert 'id="press-form"' in page
    assert "Dùng trên báo chí: có nêu tên" in page and "Dùng trên báo chí: ẩn danh" in page
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    choices = re.findall(r'name="capture" value="([^"]+)"', page)
    assert len(choices) == 4  # two photos, a video and the recording's one part
    answer = analyst.post(f"/visits/{world.visit_id}/press-export",
                          data={"csrf": csrf, "capture": [*choices, "page:not-of-this-visit"]})
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(answer.content))
    manifest = json.loads(archive.read("manifest.json"))
    first, second = world.ids["pages"]
    assert [(e["id"], e["media_use"]) for e in manifest["included"]] == [
        (first, "named"), (second, "anonymous")]
    named, anonymous = manifest["included"]
    assert "Nguyễn Văn Hùng" in named["caption"] and "Nguyễn Thị Hoa" in named["caption"]
    for name in ("Nguyễn Văn Hùng", "Nguyễn Thị Hoa", "Trần Văn Bảy", "Thôn Đông"):
        assert name not in anonymous["caption"]
        assert name not in anonymous["file"]
    refused = {(e["kind"], e["id"]): e["reason"] for e in manifest["refused"]}
    part = next(c.split(":")[1] for c in choices if c.startswith("part:"))
    assert set(refused) == {("part", part), ("video", world.ids["video"]),
                            ("page", "not-of-this-visit")}
    assert "did not allow its use in the media" in refused[("part", part)]
    assert refused[("video", world.ids["video"])] == "embargoed until 2099-01-01"
    report = archive.read("report.txt").decode()
    assert "refused: 3" in report and "did not allow" in report and "embargoed" in report
    # The photos are there, without their metadata, and nothing else is.
    assert sorted(archive.namelist()) == ["001-page.jpg", "002-page.jpg", "captions.txt",
                                          "manifest.json", "report.txt"]
    assert Image.open(io.BytesIO(world.ids["photos"][0])).getexif().get_ifd(0x8825)  # GPS
    photo = Image.open(io.BytesIO(archive.read("001-page.jpg")))
    assert photo.size == (900, 600) and not photo.getexif()
    assert not (world.data / "exports").exists() or list((world.data / "exports").iterdir()) \
        == []

    # A reader may not export; a form without a token exports nothing.
    reader = _signed_in(app, "dung")
    page = reader.get(f"/visits/{world.visit_id}").text
    assert 'id="press-form"' not in page
    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    refused_reader = reader.post(f"/visits/{world.visit_id}/press-export",
                                 data={"csrf": token, "capture": choices})
    assert refused_reader.status_code == 403
    assert analyst.post(f"/visits/{world.visit_id}/press-export",
                        data={"capture": choices}).status_code == 403
    nothing = analyst.post(f"/visits/{world.visit_id}/press-export", data={"csrf": csrf})
    assert nothing.status_code == 400 and "Chưa chọn mục nào" in nothing.text
