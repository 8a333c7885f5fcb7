"""Video: stored encrypted like everything, poster frame and duration, and played back through a
seekable decrypting stream that writes nothing to disk."""

from __future__ import annotations

import io
import json
import os
import random

import pytest
from PIL import Image

from capture import media
from capture.errors import ObjectDamaged
from capture.importer import FAILED, IMPORTED, DamagedVideo, import_files
from capture.models import Page
from tests.capture import mediafiles as mf
from tests.capture.test_import import assert_nothing_partial, new_item


def test_a_phone_video_is_imported_with_poster_and_duration_and_plays_back(volunteer, tmp_path):
    _, item = new_item(volunteer)
    clip = mf.mp4(tmp_path / "VID_0001.mp4", seconds=2.0, colour=(200, 30, 30))
    outcome, = import_files(volunteer, item, [clip]).outcomes
    assert outcome.status == IMPORTED and outcome.media == "video"
    with volunteer.reading() as session:
        page = session.get(Page, outcome.page_id)
        meta = json.loads(page.meta)
    assert page.media == "video"
    assert meta["duration"] == pytest.approx(2.0, abs=0.2)
    assert (meta["width"], meta["height"]) == (160, 120)
    poster = Image.open(io.BytesIO(media.thumbnail_bytes(volunteer, outcome.page_id)))
    assert poster.size == (160, 120)
    red, green, blue = poster.convert("RGB").getpixel((150, 60))
    assert red > 150 and green < 90 and blue < 90  # the clip's colour, not a black frame
    original = clip.read_bytes()
    with media.video_stream(volunteer, outcome.page_id) as stream:
        assert stream.seekable() and stream.size == len(original)
        assert stream.read() == original
        stream.seek(len(original) // 2)
        assert stream.read(100) == original[len(original) // 2:len(original) // 2 + 100]
    # PyAV (as QMediaPlayer would) can demux it straight from the decrypting stream
    import av

    with media.video_stream(volunteer, outcome.page_id) as stream, av.open(stream) as container:
        frames = sum(1 for _ in container.decode(video=0))
    assert frames == 20
    assert_nothing_partial(volunteer)


def test_random_reads_across_chunks_match_and_damage_is_named(volunteer, tmp_path):
    data = os.urandom(3 * 1024 * 1024 + 12345)  # four chunks, the last one short
    stored = volunteer.store_bytes(data)
    rng = random.Random(7)
    with volunteer.objects.open_random(stored.name) as reader:
        assert reader.size == len(data)
        for _ in range(200):
            start = rng.randrange(0, len(data))
            length = rng.choice([1, 100, 65536, 1024 * 1024 + 3, 3 * 1024 * 1024])
            reader.seek(start)
            assert reader.read(length) == data[start:start + length]
        reader.seek(0, io.SEEK_END)
        assert reader.read(10) == b""
    empty = volunteer.store_bytes(b"")
    with volunteer.objects.open_random(empty.name) as reader:
        assert reader.size == 0 and reader.read() == b""
    # cut off at a chunk boundary: the reader must not pass the shortened file off as whole
    path = volunteer.objects.path_of(stored.name)
    whole = path.read_bytes()
    path.write_bytes(whole[: 24 + 3 * (1024 * 1024 + 16)])
    with volunteer.objects.open_random(stored.name) as reader:
        reader.seek(2 * 1024 * 1024 + 5)
        with pytest.raises(ObjectDamaged):
            reader.read(10)
    # a flipped bit fails that chunk only
    damaged = bytearray(whole)
    damaged[24 + 5] ^= 1
    path.write_bytes(bytes(damaged))
    with volunteer.objects.open_random(stored.name) as reader:
        reader.seek(1024 * 1024)
        assert reader.read(10) == data[1024 * 1024:1024 * 1024 + 10]
        reader.seek(0)
        with pytest.raises(ObjectDamaged):
            reader.read(10)


def test_a_truncated_video_fails_alone_and_leaves_nothing(volunteer, tmp_path):
    _, item = new_item(volunteer)
    clip = mf.mp4(tmp_path / "whole.mp4", seconds=3.0)
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(clip.read_bytes()[:200])
    good = mf.mp4(tmp_path / "good.mov", seconds=1.0, colour=(20, 200, 20))
    report = import_files(volunteer, item, [broken, good])
    assert [o.status for o in report.outcomes] == [FAILED, IMPORTED]
    assert isinstance(report.outcomes[0].error, DamagedVideo)
    assert_nothing_partial(volunteer)
