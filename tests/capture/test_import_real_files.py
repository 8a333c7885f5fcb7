"""Files as real cameras and phones make them, each made here to show one way the import went
wrong on a real file: a WebP with EXIF, one bad EXIF field, XMP before EXIF, a HEIC turned by
libheif, a clip with tracks longer than its picture, a fade-in, an iPhone MOV's own location
keys, an AVCHD .mts, an MP3 whose header overstates its length, an empty WAV, damage inside a
camera JPEG's scan, and a photo taken in the app."""

from __future__ import annotations

import io
import struct
from datetime import datetime, timedelta, timezone
from fractions import Fraction

import numpy as np
import pytest
import soundfile as sf
from PIL import Image, TiffImagePlugin
from sqlalchemy import func, select

from capture import importer, media, pictures
from capture import recorder as rec
from capture.errors import CaptureError
from capture.importer import IMPORTED, find_media, import_bytes, import_files
from capture.models import ObjectRow
from capture.testimony import TestimonyPart, load_testimony
from tests.capture import mediafiles as mf
from tests.capture.test_import import assert_nothing_partial, new_item

# --- photos ---------------------------------------------------------------------------------


def _meta(vault, page_id: str) -> dict:
    return media.page_meta(vault, page_id)


def _assert_upright(jpeg: bytes) -> None:
    image = Image.open(io.BytesIO(jpeg)).convert("RGB")
    width, height = image.size
    assert width == 2 * height  # upright is wide
    for corner, (x, y) in {"top_left": (0.25, 0.25), "top_right": (0.75, 0.25),
                           "bottom_left": (0.25, 0.75), "bottom_right": (0.75, 0.75)}.items():
        pixel = image.getpixel((int(width * x), int(height * y)))
        expected = mf.UPRIGHT_COLOURS[corner]
        assert all(abs(a - b) < 40 for a, b in zip(pixel, expected, strict=True)), corner


def test_a_phones_webp_keeps_its_exif_and_is_shown_upright(volunteer, tmp_path):
    _, item = new_item(volunteer)
    path = tmp_path / "IMG_20250727_083005.webp"
    mf.stored_for_orientation(6).save(
        path, "WEBP", lossless=True,
        exif=mf.exif(make="samsung", model="SM-A546E", taken="2025:07:27 08:30:05",
                     latitude=16.4637, longitude=-107.5909, orientation=6).tobytes())
    outcome, = import_files(volunteer, item, [path]).outcomes
    assert outcome.status == IMPORTED and outcome.warning is None
    meta = _meta(volunteer, outcome.page_id)
    assert (meta["camera_make"], meta["camera_model"], meta["taken_at"]) == (
        "samsung", "SM-A546E", "2025-07-27T08:30:05")
    assert (meta["latitude"], meta["longitude"], meta["orientation"]) == (
        pytest.approx(16.4637, abs=1e-4), pytest.approx(-107.5909, abs=1e-4), 6)
    assert "exif_unreadable" not in meta
    _assert_upright(media.thumbnail_bytes(volunteer, outcome.page_id))
    _assert_upright(media.preview_bytes(volunteer, outcome.page_id))


def _exif_with_empty_gps() -> bytes:
    """What a phone without a GPS fix wrote: the position fields there, as 0/0 fractions."""
    tags = mf.exif(make="Xiaomi", model="Redmi Note 12", orientation=6,
                   taken="2025:07:27 08:30:05", latitude=1.0, longitude=1.0)
    gps = tags.get_ifd(0x8825)
    empty = TiffImagePlugin.IFDRational(0, 0)
    gps[2] = gps[4] = (empty, empty, empty)
    return tags.tobytes()


def _exif_with_garbage_in_make() -> bytes:
    """One IFD entry (Make) whose value offset points far outside the block."""
    block = bytearray(mf.exif(make="Canon EOS with a long name", model="EOS 80D", orientation=6,
                              taken="2025:07:27 08:30:05", latitude=21.0285,
                              longitude=105.8542).tobytes())
    tiff = 6  # after "Exif\0\0"
    order = "<" if block[tiff:tiff + 2] == b"II" else ">"
    first = tiff + struct.unpack(order + "I", block[tiff + 4:tiff + 8])[0]
    for index in range(struct.unpack(order + "H", block[first:first + 2])[0]):
        entry = first + 2 + 12 * index
        if struct.unpack(order + "H", block[entry:entry + 2])[0] == 0x010F:
            block[entry + 8:entry + 12] = struct.pack(order + "I", 0x7FFFFF00)
            return bytes(block)
    raise AssertionError("no Make entry")


def test_one_unreadable_gps_field_costs_the_position_only(volunteer, tmp_path):
    _, item = new_item(volunteer)
    path = tmp_path / "IMG_0001.jpg"
    mf.photo().save(path, "JPEG", exif=_exif_with_empty_gps())
    outcome, = import_files(volunteer, item, [path]).outcomes
    assert outcome.status == IMPORTED and outcome.warning is None  # no "damaged EXIF"
    meta = _meta(volunteer, outcome.page_id)
    assert (meta["camera_make"], meta["camera_model"], meta["taken_at"],
            meta["orientation"]) == ("Xiaomi", "Redmi Note 12", "2025-07-27T08:30:05", 6)
    assert "latitude" not in meta and "longitude" not in meta
    assert meta["exif_skipped"] == ["gps"]


def test_garbage_in_one_exif_entry_costs_that_entry_only(volunteer, tmp_path):
    _, item = new_item(volunteer)
    path = tmp_path / "IMG_0002.jpg"
    mf.photo().save(path, "JPEG", exif=_exif_with_garbage_in_make())
    outcome, = import_files(volunteer, item, [path]).outcomes
    assert outcome.status == IMPORTED and outcome.warning is None
    meta = _meta(volunteer, outcome.page_id)
    assert "camera_make" not in meta
    assert (meta["camera_model"], meta["taken_at"], meta["orientation"]) == (
        "EOS 80D", "2025-07-27T08:30:05", 6)
    assert meta["latitude"] == pytest.approx(21.0285, abs=1e-4)


def test_exif_after_an_xmp_segment_is_found(volunteer, tmp_path):
    _, item = new_item(volunteer)
    plain = io.BytesIO()
    mf.stored_for_orientation(8).save(
        plain, "JPEG", quality=95,
        exif=mf.exif(make="NIKON CORPORATION", model="NIKON D7500", orientation=8,
                     taken="2019:03:02 07:08:09").tobytes())
    data = plain.getvalue()
    # An XMP packet as editors write it: its description, then the padding XMP asks for so
    # it can be edited in place (Lightroom's run to 10 KB and more).
    packet = (b'<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>'
              b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF/></x:xmpmeta>'
              + b" " * 8000 + b'<?xpacket end="w"?>')
    xmp = b"http://ns.adobe.com/xap/1.0/\x00" + packet
    segment = b"\xff\xe1" + (len(xmp) + 2).to_bytes(2, "big") + xmp
    path = tmp_path / "DSC_0001.JPG"
    path.write_bytes(data[:2] + segment + data[2:])  # XMP first, as some editors write it
    outcome, = import_files(volunteer, item, [path]).outcomes
    assert outcome.status == IMPORTED and outcome.warning is None
    meta = _meta(volunteer, outcome.page_id)
    assert (meta["camera_model"], meta["taken_at"], meta["orientation"]) == (
        "NIKON D7500", "2019-03-02T07:08:09", 8)
    _assert_upright(media.thumbnail_bytes(volunteer, outcome.page_id))


def test_a_heic_records_the_cameras_orientation_and_is_turned_once(volunteer, tmp_path):
    _, item = new_item(volunteer)
    path = mf.save_heic(tmp_path / "IMG_0003.HEIC", image=mf.stored_for_orientation(6),
                        make="Apple", model="iPhone 15", orientation=6)
    outcome, = import_files(volunteer, item, [path]).outcomes
    assert outcome.status == IMPORTED
    assert _meta(volunteer, outcome.page_id)["orientation"] == 6  # libheif's EXIF says 1
    _assert_upright(media.thumbnail_bytes(volunteer, outcome.page_id))
    _assert_upright(media.preview_bytes(volunteer, outcome.page_id))


def test_a_photo_taken_in_the_app_carries_time_camera_and_orientation(volunteer):
    _, item = new_item(volunteer)
    frame = io.BytesIO()
    mf.photo(seed=3).save(frame, "JPEG", quality=92)  # a camera frame: no EXIF at all
    taken = datetime(2026, 7, 27, 8, 30, 5, tzinfo=timezone(timedelta(hours=7)))
    data = pictures.camera_photo(frame.getvalue(), taken, "HD Pro Webcam C920", "Số hóa ký ức")
    outcome = import_bytes(volunteer, item, data, "camera-20260727-083005.jpg")
    assert outcome.status == IMPORTED and outcome.warning is None
    meta = _meta(volunteer, outcome.page_id)
    assert (meta["camera_make"], meta["camera_model"], meta["taken_at"],
            meta["orientation"]) == ("Số hóa ký ức", "HD Pro Webcam C920",
                                     "2026-07-27T08:30:05+07:00", 1)
    # the pixels are the frame's: only an EXIF segment was added
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(data))),
                          np.asarray(Image.open(io.BytesIO(frame.getvalue()))))


def test_damage_inside_a_camera_jpegs_scan_marks_the_page_once(volunteer, tmp_path):
    _, item = new_item(volunteer)
    good = mf.save_camera_jpeg(tmp_path / "good.jpg", image=mf.photo(800, 600))
    data = good.read_bytes()
    scan, end = pictures._scan_start(data), data.rfind(b"\xff\xd9")
    middle = (scan + end) // 2
    bad = tmp_path / "IMG_0004.JPG"  # a stray marker in the scan; its end is still there
    bad.write_bytes(data[:middle] + b"\xff\xc8" + data[middle:])
    outcome, = import_files(volunteer, item, [bad]).outcomes
    assert outcome.status == IMPORTED  # the camera's thumbnail stands in: not decoded yet
    assert media.pages_without_preview(volunteer, item) == [outcome.page_id]
    assert media.make_missing_previews(volunteer) == 0
    assert _meta(volunteer, outcome.page_id)["damaged"] is True
    assert media.pages_without_preview(volunteer) == []  # not tried again by the next pass
    with pytest.raises(pictures.DamagedPhoto):
        media.preview_bytes(volunteer, outcome.page_id)  # the viewer says so
    assert_nothing_partial(volunteer)


# --- video ----------------------------------------------------------------------------------


def _video_stream(container, size=(160, 120), fps: int = 10, codec: str = "mpeg4"):
    stream = container.add_stream(codec, rate=fps)
    stream.width, stream.height = size
    stream.pix_fmt = "yuv420p"
    return stream


def _write_video(container, stream, frames: list[np.ndarray]) -> None:
    import av

    for picture in frames:
        for packet in stream.encode(av.VideoFrame.from_ndarray(picture, format="rgb24")):
            container.mux(packet)
    for packet in stream.encode():
        container.mux(packet)


def _encode_video(container, frames: list[np.ndarray]) -> None:
    height, width = frames[0].shape[:2]
    _write_video(container, _video_stream(container, (width, height)), frames)


def _audio_stream(container, codec: str = "aac", rate: int = 48000):
    return container.add_stream(codec, rate=rate, layout="stereo")


def _write_tone(container, stream, seconds: float) -> None:
    import av

    rate = stream.codec_context.sample_rate
    size = stream.codec_context.frame_size or 1024
    fmt = stream.codec_context.format.name
    total = int(seconds * rate)
    for start in range(0, total, size):
        count = min(size, total - start)
        t = (start + np.arange(count)) / rate
        wave = (0.2 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
        planes = np.stack([wave, wave]) if fmt.endswith("p") else np.repeat(wave, 2)[None, :]
        frame = av.AudioFrame.from_ndarray(planes, format=fmt, layout="stereo")
        frame.sample_rate, frame.pts = rate, start
        for packet in stream.encode(frame):
            container.mux(packet)
    for packet in stream.encode():
        container.mux(packet)


def _red(count: int, size=(160, 120)) -> list[np.ndarray]:
    return [np.full((size[1], size[0], 3), (200, 30, 30), np.uint8) for _ in range(count)]


def test_a_clips_duration_is_its_pictures_not_its_longest_track(volunteer, tmp_path):
    import av

    path = tmp_path / "GX010001.MP4"
    with av.open(str(path), "w") as container:
        video = _video_stream(container)
        data = container.add_mux_stream("bin_data")  # a GoPro's telemetry, 4 s of it
        data.time_base = Fraction(1, 1000)
        sound = _audio_stream(container)
        _write_video(container, video, _red(20))  # 2.0 s of picture
        for second in range(4):
            packet = av.Packet(b"GPS5" * 8)
            packet.stream, packet.time_base = data, data.time_base
            packet.pts = packet.dts = second * 1000
            packet.duration = 1000
            container.mux(packet)
        _write_tone(container, sound, 3.0)  # sound that runs on past the picture
    with av.open(str(path)) as probe:  # what the file says, as ffprobe would
        assert probe.duration / av.time_base == pytest.approx(3.0, abs=0.1)
    _, item = new_item(volunteer)
    outcome, = import_files(volunteer, item, [path]).outcomes
    assert outcome.status == IMPORTED
    assert _meta(volunteer, outcome.page_id)["duration"] == pytest.approx(2.0, abs=0.15)


def test_a_clip_that_fades_in_gets_a_poster_that_is_not_black(volunteer, tmp_path):
    import av

    path = tmp_path / "fade.mp4"
    frames = [np.zeros((120, 160, 3), np.uint8) for _ in range(10)] + _red(15)
    with av.open(str(path), "w") as container:
        _encode_video(container, frames)
    _, item = new_item(volunteer)
    outcome, = import_files(volunteer, item, [path]).outcomes
    poster = np.asarray(Image.open(io.BytesIO(
        media.thumbnail_bytes(volunteer, outcome.page_id))).convert("RGB"), dtype=float)
    red, green, _blue = poster.reshape(-1, 3).mean(axis=0)
    assert red > 150 and green < 80  # the first picture after the black, not the black


def test_an_iphone_movs_location_make_model_and_time_are_kept(volunteer, tmp_path):
    import av

    mov = tmp_path / "IMG_0042.MOV"
    with av.open(str(mov), "w", format="mov",
                 options={"movflags": "use_metadata_tags"}) as container:
        # the keys an iPhone writes in the MOV's metadata (mdta) box
        container.metadata.update({
            "com.apple.quicktime.location.ISO6709": "+16.4637-107.5909+012.500/",
            "com.apple.quicktime.make": "Apple", "com.apple.quicktime.model": "iPhone 13",
            "com.apple.quicktime.creationdate": "2025-07-27T08:30:05+0700"})
        _encode_video(container, _red(10))
    mp4 = tmp_path / "VID_20250727_083005.mp4"
    with av.open(str(mp4), "w") as container:  # Android: ©xyz and creation_time (UTC)
        container.metadata.update({"location": "+21.0285+105.8542/",
                                   "creation_time": "2025-07-27T01:30:05Z"})
        _encode_video(container, _red(10))
    _, item = new_item(volunteer)
    from_iphone, from_android = import_files(volunteer, item, [mov, mp4]).outcomes
    meta = _meta(volunteer, from_iphone.page_id)
    assert (meta["camera_make"], meta["camera_model"], meta["taken_at"]) == (
        "Apple", "iPhone 13", "2025-07-27T08:30:05+07:00")
    assert (meta["latitude"], meta["longitude"], meta["altitude"]) == (16.4637, -107.5909, 12.5)
    meta = _meta(volunteer, from_android.page_id)
    assert (meta["latitude"], meta["longitude"], meta["taken_at"]) == (
        21.0285, 105.8542, "2025-07-27T01:30:05+00:00")


def test_an_avchd_mts_from_a_camcorder_is_found_and_imported(volunteer, tmp_path):
    import av

    card = tmp_path / "card" / "PRIVATE" / "AVCHD" / "BDMV" / "STREAM"
    card.mkdir(parents=True)
    (tmp_path / "card" / "DCIM").mkdir()
    path = card / "00001.MTS"
    # AVCHD: H.264 and AC-3 in an MPEG transport stream of 192-byte packets
    with av.open(str(path), "w", format="mpegts", options={"mpegts_m2ts_mode": "1"}) as out:
        video = _video_stream(out, (320, 240), fps=25, codec="libx264")
        sound = _audio_stream(out, "ac3")
        _write_video(out, video, _red(25, (320, 240)))
        _write_tone(out, sound, 1.0)
    head = path.read_bytes()[:400]
    assert head[4] == head[196] == 0x47  # 192-byte packets, as a camcorder writes them
    assert ".mts" in importer.MEDIA_SUFFIXES and ".m2ts" in importer.MEDIA_SUFFIXES
    assert path in find_media([tmp_path / "card" / "PRIVATE"])
    _, item = new_item(volunteer)
    outcome, = import_files(volunteer, item, [path]).outcomes
    assert outcome.status == IMPORTED and outcome.media == "video"
    meta = _meta(volunteer, outcome.page_id)
    assert meta["media_type"] == "video/mp2t" and meta["video_codec"] == "h264"
    assert meta["duration"] == pytest.approx(1.0, abs=0.15)
    poster = Image.open(io.BytesIO(media.thumbnail_bytes(volunteer, outcome.page_id)))
    assert poster.convert("RGB").getpixel((10, 10))[0] > 150


# --- recordings -----------------------------------------------------------------------------

RATE = 44_100


def _testimony(vault):
    from tests.capture.recording_helpers import new_testimony

    return new_testimony(vault)[1]


def test_an_mp3_whose_header_overstates_its_length_gets_no_added_silence(volunteer, tmp_path):
    import av

    t = np.arange(2 * RATE) / RATE
    whole = tmp_path / "whole.mp3"
    sf.write(whole, (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32), RATE, format="MP3")
    path = tmp_path / "ghi-am.mp3"  # a copy cut short: its Xing header still says 2 s
    data = whole.read_bytes()
    path.write_bytes(data[:len(data) * 6 // 10])
    claimed = sf.info(str(path)).frames
    with av.open(str(path)) as container:  # every frame FFmpeg can decode, as ffprobe counts
        there = sum(frame.samples for frame in container.decode(audio=0))
    assert claimed == 2 * RATE and there < claimed * 0.7
    testimony_id = _testimony(volunteer)
    part_id = rec.import_recording(volunteer, testimony_id, path)
    with volunteer.reading() as session:
        part = session.get(TestimonyPart, part_id)
    assert part.frames == there
    with rec.open_audio(volunteer, part.object_name) as audio:
        assert audio.frames == there
        sound = audio.read(dtype="float32")
    assert np.abs(sound[-RATE // 20:]).max() > 0.2  # the tone to the end, no silence added


def test_an_empty_wav_is_refused_with_a_message_and_nothing_else_is_lost(volunteer, tmp_path):
    testimony_id = _testimony(volunteer)
    good = tmp_path / "phan-1.wav"
    sf.write(good, (np.sin(np.arange(RATE) / 20) * 8000).astype(np.int16), RATE)
    rec.import_recording(volunteer, testimony_id, good)
    with volunteer.reading() as session:
        objects = session.scalar(select(func.count()).select_from(ObjectRow))
    empty = tmp_path / "phan-2.wav"
    sf.write(empty, np.zeros((0, 1), np.int16), RATE)
    with pytest.raises(CaptureError) as refused:  # its words: tests/ui
        rec.import_recording(volunteer, testimony_id, empty)
    assert type(refused.value).__name__ == "EmptyRecording"
    assert refused.value.details["name"] == "phan-2.wav"
    (part,) = load_testimony(volunteer, testimony_id).parts  # the first is still there, whole
    assert part.duration == pytest.approx(1.0)
    with volunteer.reading() as session:
        assert session.scalar(select(func.count()).select_from(ObjectRow)) == objects
