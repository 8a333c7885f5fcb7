"""The recorder's writer path with a synthetic source: segments, join, pause, device loss,
recovery after an unfinished part, import, exports."""

from __future__ import annotations

import io
import subprocess
import time
from pathlib import Path
from xml.etree import ElementTree

import numpy as np
import pytest
import soundfile as sf

from capture import recorder as rec
from capture.testimony import (
    MarkerKind,
    RecordingSegment,
    TestimonyPart,
    add_marker,
    load_testimony,
    to_ohms_index,
    to_webvtt,
    update_testimony,
)
from capture.vault import Vault
from tests.capture.conftest import VOLUNTEER_PASS
from tests.capture.recording_helpers import RATE, new_testimony, tone


def _decoded(vault, name: str) -> np.ndarray:
    with rec.open_audio(vault, name) as audio:
        return audio.read(dtype="int32", always_2d=True)


def _wait_committed(recorder, frames, timeout=10.0):
    """Until ``frames`` are committed, less what the FLAC encoder holds back until the part ends
    (at most one FLAC frame, 4096 samples)."""
    deadline = time.monotonic() + timeout
    while recorder.frames_committed < frames - 4096 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert recorder.frames_committed >= frames - 4096


def _wait_state(recorder, state, timeout=10.0):
    deadline = time.monotonic() + timeout
    while recorder.state != state and time.monotonic() < deadline:
        time.sleep(0.02)
    assert recorder.state == state


def test_records_segments_then_one_flac_equal_to_the_input(volunteer):
    _, testimony_id = new_testimony(volunteer)
    recorder = rec.Recorder(volunteer, testimony_id)
    source = rec.SyntheticSource(tone, realtime=False, limit_frames=3 * RATE)
    part_id = recorder.start(source)
    _wait_committed(recorder, 3 * RATE)
    with volunteer.reading() as session:
        sizes = [s.frames for s in session.query(RecordingSegment).filter_by(part_id=part_id)]
    # committed while recording, about 0.5 s each (whole FLAC frames of 4096 samples)
    assert 5 <= len(sizes) <= 7 and all(size <= 0.5 * RATE + 4800 for size in sizes), sizes
    recorder.stop()
    view = load_testimony(volunteer, testimony_id)
    (part,) = view.parts
    assert part.state == "complete" and part.end_reason == "stopped"
    assert part.frames == 3 * RATE and part.subtype == "PCM_24"
    audio = _decoded(volunteer, part.object_name)
    # 24-bit FLAC keeps the top 24 bits of each int32 sample, exactly.
    assert np.array_equal(audio >> 8, tone(0, 3 * RATE) >> 8)
    with volunteer.reading() as session:
        assert session.query(RecordingSegment).count() == 0
    # the segments' objects are gone from disk, the joined one is there
    on_disk = set(volunteer.objects.names_on_disk())
    assert part.object_name in on_disk and len(on_disk) == 1


def test_joined_flac_header_says_the_true_length_for_long_parts(volunteer):
    """Past 64 KiB the header leaves before libFLAC's final rewrite: the sink fills in the total
    itself. A wrong total would show as a wrong duration and broken seeking."""
    new_testimony(volunteer)
    noise = np.random.default_rng(1).integers(-2**30, 2**30, 20 * RATE, dtype=np.int32)
    blocks = (noise[i:i + RATE].reshape(-1, 1) for i in range(0, len(noise), RATE))
    name, size, frames = rec.write_flac_object(volunteer, blocks, RATE, 1, "PCM_16", len(noise))
    assert size > 1_000_000 and frames == len(noise)
    with rec.open_audio(volunteer, name) as audio:
        assert audio.frames == len(noise)
        audio.seek(15 * RATE)
        got = audio.read(1000, dtype="int32", always_2d=True)
    assert np.array_equal(got[:, 0] >> 16, noise[15 * RATE:15 * RATE + 1000] >> 16)


def test_pause_and_resume_stay_in_one_part(volunteer):
    _, testimony_id = new_testimony(volunteer)
    recorder = rec.Recorder(volunteer, testimony_id)
    recorder.start(rec.SyntheticSource(tone, realtime=True))
    time.sleep(0.6)
    recorder.pause()
    time.sleep(5.5)  # longer than the silent-device watchdog: a pause is not a lost device
    assert recorder.state == rec.State.PAUSED
    recorder.resume()
    time.sleep(0.6)
    recorder.stop()
    (part,) = load_testimony(volunteer, testimony_id).parts
    assert part.end_reason == "stopped"
    assert 1.0 <= part.duration <= 1.8  # the paused 2.5 s are not in it


def test_device_lost_keeps_audio_and_next_start_is_a_new_part(volunteer):
    """The synthetic source calls the same 'lost' hook PortAudio's finished-callback calls when a
    USB microphone is pulled (the real PulseAudio case is in test_recorder_pulse.py)."""
    _, testimony_id = new_testimony(volunteer)
    recorder = rec.Recorder(volunteer, testimony_id)
    source = rec.SyntheticSource(tone, realtime=False)
    source.fail_after = 2.0
    recorder.start(source)
    _wait_state(recorder, rec.State.STOPPED)
    kinds = [e.kind for e in recorder.events()]
    assert "device_lost" in kinds and "part_ended" in kinds
    recorder.start(rec.SyntheticSource(tone, realtime=False, limit_frames=RATE))
    _wait_committed(recorder, RATE)
    assert recorder.position_seconds() >= 2.9
    add_marker(volunteer, testimony_id, recorder.position_seconds(), "Quảng Trị",
               MarkerKind.PLACE)
    recorder.stop()
    view = load_testimony(volunteer, testimony_id)
    assert [p.end_reason for p in view.parts] == ["device_lost", "stopped"]
    assert view.parts[0].frames == pytest.approx(2 * RATE, abs=960)
    assert view.parts[1].offset_seconds == pytest.approx(2.0, abs=0.03)
    assert view.markers[0].at_seconds >= view.parts[1].offset_seconds


def test_unfinished_part_is_joined_at_next_unlock(volunteer):
    _, testimony_id = new_testimony(volunteer)
    recorder = rec.Recorder(volunteer, testimony_id)
    part_id = recorder.start(rec.SyntheticSource(tone, realtime=False, limit_frames=2 * RATE))
    _wait_committed(recorder, 2 * RATE)
    # Simulate the crash: the writer never gets to join (its finish is made to fail).
    original = rec.finish_part
    rec.finish_part = lambda *a, **k: (_ for _ in ()).throw(rec.RecorderError())
    try:
        recorder.stop()
    finally:
        rec.finish_part = original
    with volunteer.reading() as session:
        assert session.get(TestimonyPart, part_id).state == "recording"
    path = volunteer.path
    volunteer.lock()
    again = Vault(path).unlock("lan", VOLUNTEER_PASS)
    try:
        (found,) = rec.recover_unfinished(again)
        assert found.part_id == part_id and found.seconds == pytest.approx(2.0)
        assert found.speaker_name == "Bà Nguyễn Thị Mai"
        (part,) = load_testimony(again, testimony_id).parts
        assert part.end_reason == "recovered"
        assert np.array_equal(_decoded(again, part.object_name) >> 8, tone(0, 2 * RATE) >> 8)
        assert rec.recover_unfinished(again) == []
    finally:
        again.lock()


@pytest.mark.parametrize("suffix", ["wav", "flac", "mp3", "m4a"])
def test_import_phone_recordings_keeps_the_original_bit_exact(volunteer, tmp_path, suffix):
    _, testimony_id = new_testimony(volunteer)
    wav = tmp_path / "source.wav"
    sf.write(wav, (tone(0, 2 * RATE)[:, 0] >> 16).astype(np.int16), RATE, subtype="PCM_16")
    path = tmp_path / f"phone.{suffix}"
    if suffix == "wav":
        path = wav
    elif suffix == "flac":
        sf.write(path, (tone(0, 2 * RATE)[:, 0] >> 16).astype(np.int16), RATE, subtype="PCM_16")
    else:
        import av  # encode the way a phone would: MP3, or AAC in an M4A box
        _encode_with_av(wav, path, "libmp3lame" if suffix == "mp3" else "aac", av)
    part_id = rec.import_recording(volunteer, testimony_id, path)
    (part,) = load_testimony(volunteer, testimony_id).parts
    assert part.id == part_id and part.source == "imported"
    assert part.duration == pytest.approx(2.0, abs=0.1)
    with volunteer.reading() as session:
        row = session.get(TestimonyPart, part_id)
        original = volunteer.objects.read_bytes(row.original_object)
    assert original == path.read_bytes()
    audio = _decoded(volunteer, part.object_name)[:, 0].astype(float)
    middle = audio[RATE // 2:RATE]
    assert np.sqrt(np.mean(middle ** 2)) > 0.05 * 2**31  # the tone, not silence


def _encode_with_av(source: Path, target: Path, codec: str, av) -> None:
    data, rate = sf.read(source, dtype="int16")
    with av.open(str(target), "w") as out:
        stream = out.add_stream(codec, rate=rate)
        stream.layout = "mono"
        frame_format = "fltp" if codec == "aac" else "s16p"
        samples = data.astype(np.float32) / 32768 if codec == "aac" else data
        step = 1152
        for i in range(0, len(samples), step):
            frame = av.AudioFrame.from_ndarray(samples[i:i + step].reshape(1, -1),
                                               format=frame_format, layout="mono")
            frame.sample_rate = rate
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)


def test_exports_webvtt_and_ohms(volunteer, tmp_path):
    _, testimony_id = new_testimony(volunteer)
    recorder = rec.Recorder(volunteer, testimony_id)
    recorder.start(rec.SyntheticSource(tone, realtime=False, limit_frames=5 * RATE))
    _wait_committed(recorder, 5 * RATE)
    recorder.stop()
    add_marker(volunteer, testimony_id, 1.25, "Đại đội 3, Tiểu đoàn 8", MarkerKind.UNIT)
    add_marker(volunteer, testimony_id, 3.5, "16.7463, 107.1856", MarkerKind.COORDINATE,
               note="gốc cây đa")
    update_testimony(volunteer, testimony_id, notes="ghi chú")
    view = load_testimony(volunteer, testimony_id)
    vtt = to_webvtt(view)
    assert vtt.startswith("WEBVTT\n\n")
    assert "00:00:01.250 --> 00:00:03.500\n[unit] Đại đội 3, Tiểu đoàn 8" in vtt
    assert "00:00:03.500 --> 00:00:05.000" in vtt
    vtt_file = tmp_path / "index.vtt"
    vtt_file.write_text(vtt, encoding="utf-8")
    _check_webvtt_with_ffmpeg(vtt_file)
    root = ElementTree.fromstring(to_ohms_index(view, "Lời kể"))  # noqa: S314 - our own output
    points = root.findall("./record/index/point")
    assert [p.findtext("time") for p in points] == ["1", "3"]
    assert points[1].findtext("gpspoints/gps") == "16.7463, 107.1856"
    assert points[1].findtext("synopsis") == "gốc cây đa"
    assert points[0].findtext("keywords") == "unit"


def _check_webvtt_with_ffmpeg(path: Path) -> None:
    """An outside parser: PyAV's ffmpeg reads the file as WebVTT and finds both cues."""
    import av

    with av.open(str(path), format="webvtt") as container:
        cues = list(container.demux(container.streams.subtitles[0]))
    assert len([c for c in cues if c.size]) == 2


def test_disk_estimate_is_positive(volunteer):
    assert rec.disk_seconds_left(volunteer) > 0
    _ = io, subprocess


def test_timeline_reads_every_part_in_order_and_seeks_across_them(volunteer):
    """Two parts (as after a device change) read back as one stream: the first part's samples,
    then the second's, each exact; a seek past the first part lands in the second."""
    _, testimony_id = new_testimony(volunteer)
    recorder = rec.Recorder(volunteer, testimony_id)
    later = 7 * RATE  # the second part is the tone from second 7 on, so the two differ

    def second_part(start, frames):
        return tone(later + start, frames)

    for make in (tone, second_part):
        recorder.start(rec.SyntheticSource(make, realtime=False, limit_frames=RATE))
        _wait_committed(recorder, RATE)
        recorder.stop()
    parts = rec.timeline(load_testimony(volunteer, testimony_id))
    assert [(p.offset, p.duration) for p in parts] == [(0.0, 1.0), (1.0, 1.0)]
    expected = np.concatenate([tone(0, RATE), tone(later, RATE)]) >> 8 << 8
    with rec.TimelineReader(volunteer, parts) as reader:
        blocks = []
        while (got := reader.read(0.3)) is not None:
            blocks.append(got[0])
            assert got[1] == RATE
        assert reader.position == pytest.approx(2.0) and reader.part_index == 1
        played = np.concatenate(blocks)
        assert np.array_equal(np.round(played * 2**31).astype(np.int64), expected)
        reader.seek(1.25)
        assert reader.part_index == 1 and reader.position == pytest.approx(1.25)
        block, _ = reader.read(0.1)
        start = RATE + RATE // 4
        assert np.array_equal(np.round(block * 2**31).astype(np.int64),
                              expected[start:start + len(block)])
        reader.seek(0.5)
        assert reader.part_index == 0
    peaks = rec.timeline_waveform(volunteer, parts, columns=200)
    assert len(peaks) == 200 and peaks.min() > 0.1  # both halves drawn, no gap


def test_an_imported_recording_longer_than_the_held_header_reads_back_whole(volunteer, tmp_path):
    # Noise compresses badly, so the FLAC is far past the 64 KiB the encoder's header is held
    # for: the total frame count must be in the header all the same, or libsndfile reports an
    # absurd length and the waveform cannot be drawn.
    _, testimony_id = new_testimony(volunteer)
    seconds = 6
    noise = np.random.default_rng(7).integers(-20000, 20000, seconds * RATE, dtype=np.int16)
    path = tmp_path / "phone.wav"
    sf.write(path, noise, RATE, subtype="PCM_16")
    rec.import_recording(volunteer, testimony_id, path)
    (part,) = load_testimony(volunteer, testimony_id).parts
    with rec.open_audio(volunteer, part.object_name) as audio:
        assert audio.frames == seconds * RATE
    peaks = rec.waveform(volunteer, part.object_name, columns=100)
    assert len(peaks) == 100 and peaks.min() > 0.3
    assert np.array_equal(_decoded(volunteer, part.object_name)[:, 0] >> 16, noise)
