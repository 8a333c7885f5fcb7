"""The recorder: PortAudio frames → a ring → a writer thread → one FLAC stream in committed pieces.

States (named, as a recording is a state machine): IDLE → RECORDING ⇄ PAUSED → FINISHING →
STOPPED. A lost device or a nearly full disk goes RECORDING → FINISHING → STOPPED by itself,
keeping everything; ``start()`` again continues the same testimony as a new part.

- The audio callback only copies the raw bytes PortAudio hands it into a preallocated ring and
  counts overflows: no numpy conversion, no lock, no Python object that grows (Friture's rule).
- The writer thread wakes every ``segment_seconds`` (0.5 s), feeds what the ring holds to one
  FLAC encoder for the whole part, and commits the encoder's new output (whole FLAC frames) as a
  segment: the object is made durable, then its object row and segment row commit in one
  transaction. A kill loses the audio since the last commit plus what the encoder still holds
  (< 0.6 s; the crash test measures it).
- When a part ends, its segments are concatenated — a byte copy, as they are pieces of one FLAC
  stream — into one object with a final STREAMINFO; the segments go only after that object's row
  has committed. At the next unlock ``recover_unfinished`` joins the segments of any part a
  crash left behind and says how much it kept.
- Reading back: ``TimelineReader`` plays the parts of a testimony end to end as one seekable
  stream (playback, the waveform and marker jumps span every part), decrypting one chunk at a
  time; nothing is written anywhere.
"""

from __future__ import annotations

import io
import math
import queue
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

import numpy as np
import soundfile as sf
from sqlalchemy import bindparam, delete, func, insert, select, update

from capture.audio import (
    EmptyRecording,
    FlacObjectSink,
    FlacSegments,
    UnreadableRecording,
    apply_patches,
    decode_blocks,
    subtype_for,
)
from capture.errors import CaptureError, DiskFull
from capture.models import ObjectRow
from capture.objects import StoredObject
from capture.roles import Action
from capture.testimony import (
    PartState,
    RecordingSegment,
    Testimony,
    TestimonyPart,
    TestimonyView,
)
from capture.vault import UnlockedVault

SAMPLE_RATE = 48_000
SEGMENT_SECONDS = 0.5
RING_SECONDS = 20
# PortAudio's ALSA thread wakes once per block: 0.1 s blocks cost 0.9 % of a core here where
# PortAudio's own choice (~60 blocks a second) cost 1.3 % (bench/record_bench.py, the floor).
# The level meter still gets 10 updates a second.
BLOCK_FRAMES = 4800
PULL_MIN_FRAMES = 4800
SILENT_DEVICE_SECONDS = 5.0  # no audio this long while recording: the device is gone (PulseAudio
# may take ~2 s to start an idle source, so less would misfire)
DISK_RESERVE_BYTES = 64 * 1024 * 1024
DISK_WARN_SECONDS = 15 * 60
FLAC_BYTES_PER_SECOND_GUESS = SAMPLE_RATE * 3 * 0.7  # until the first segments say otherwise


class RecorderError(CaptureError):
    message = "The recording could not continue. What was recorded until now is kept."


class NoInputDevice(RecorderError):
    message = "No microphone was found. Plug one in and choose it in the list."


class DeviceFailed(RecorderError):
    message = "The microphone could not be opened ({reason}). Choose another one and try again."


class State(StrEnum):
    IDLE = "idle"
    RECORDING = "recording"
    PAUSED = "paused"
    FINISHING = "finishing"
    STOPPED = "stopped"


class EndReason(StrEnum):
    STOPPED = "stopped"
    DEVICE_LOST = "device_lost"
    DISK_FULL = "disk_full"
    RECOVERED = "recovered"
    ERROR = "error"


@dataclass(frozen=True)
class Event:
    """What the writer thread tells the screen; drained by ``Recorder.events()``."""

    kind: str  # segment | device_lost | disk_low | part_ended | error
    detail: dict[str, Any] = field(default_factory=dict)


class Ring:
    """Single producer (the audio callback), single consumer (the writer). Counters only grow;
    each side writes only its own counter, so no lock is needed. The producer side copies raw
    bytes (memoryview slices), so the callback builds no numpy array."""

    def __init__(self, frames: int, channels: int, dtype: str) -> None:
        self.buffer = np.zeros((frames, channels), dtype=dtype)
        self._bytes = memoryview(self.buffer).cast("B")
        self.frame_bytes = self.buffer.itemsize * channels
        self.capacity = frames
        self.written = 0
        self.read = 0
        self.dropped = 0

    def push(self, block: Any) -> int:
        """Copy one block (any buffer of whole frames). Returns the frames that still fit."""
        data = memoryview(block).cast("B")
        size = self.frame_bytes
        n = len(data) // size
        room = self.capacity - (self.written - self.read)
        if n > room:
            self.dropped += n  # the writer fell 20 s behind: count it, never block the callback
            return room
        start = self.written % self.capacity
        first = min(n, self.capacity - start)
        self._bytes[start * size:(start + first) * size] = data[:first * size]
        if first < n:
            self._bytes[:(n - first) * size] = data[first * size:n * size]
        self.written += n
        return room - n

    def pull(self, out: np.ndarray) -> int:
        n = min(len(out), self.written - self.read)
        start = self.read % self.capacity
        first = min(n, self.capacity - start)
        out[:first] = self.buffer[start:start + first]
        if first < n:
            out[first:n] = self.buffer[:n - first]
        self.read += n
        return n

    def latest(self, n: int) -> np.ndarray:
        """The last ``n`` frames the callback left (for the level meter on the GUI thread)."""
        end = self.written
        n = min(n, end, self.capacity)
        stop = end % self.capacity or self.capacity
        if n <= stop:
            return self.buffer[stop - n:stop]
        return np.concatenate((self.buffer[self.capacity - (n - stop):], self.buffer[:stop]))


Push = Callable[[Any, bool], int]


class InputSource(Protocol):
    name: str
    dtype: str

    def start(self, push: Push, lost: Callable[[str], None]) -> None: ...
    def stop(self) -> None: ...


_open_streams = 0  # PortAudio streams open in this process; a device rescan would break them
_open_streams_lock = threading.Lock()  # opened and closed from the GUI, writer and player threads


def input_devices(rescan: bool = False) -> list[str]:
    """Names of the input devices PortAudio sees, the system default first. PortAudio lists
    devices once, when it starts; ``rescan`` restarts it to see a microphone plugged in since
    (skipped while any stream of ours is open, which the restart would close)."""
    import sounddevice as sd

    if rescan and _open_streams == 0:
        sd._terminate()  # sounddevice's documented way to refresh the device list
        sd._initialize()
    try:
        devices = sd.query_devices()
        default = sd.default.device[0]
    except sd.PortAudioError:
        return []
    names = [d["name"] for d in devices if d["max_input_channels"] > 0]
    if isinstance(default, int) and 0 <= default < len(devices):
        first = devices[default]["name"]
        if first in names:
            names.remove(first)
            names.insert(0, first)
    return names


def streams_open() -> bool:
    """A sound stream of ours (a recording or a playback) is open: heavy background work
    (previews after an import) waits, so the recording never competes for the CPU."""
    return _open_streams > 0


def stream_opened(opened: bool) -> None:
    """Count a PortAudio stream as open (True) or closed (False), for ``input_devices``."""
    global _open_streams
    with _open_streams_lock:
        _open_streams = max(0, _open_streams + (1 if opened else -1))


class DeviceSource:
    """A real input device through PortAudio (sounddevice)."""

    def __init__(self, device: str | int | None = None, sample_rate: int = SAMPLE_RATE,
                 channels: int = 1, latency: float = 0.1, blocksize: int = BLOCK_FRAMES
                 ) -> None:
        import sounddevice as sd

        self._sd = sd
        self.device = device
        self.sample_rate = sample_rate
        self.channels = channels
        self.latency = latency  # explicit: 'low' took 2 s to start on PulseAudio here
        self.blocksize = blocksize
        try:
            info = sd.query_devices(device, "input")
        except (sd.PortAudioError, ValueError):
            # PortAudio lists devices once, when it starts: look again for one plugged in since
            input_devices(rescan=True)
            try:
                info = sd.query_devices(device, "input")
            except (sd.PortAudioError, ValueError) as error:
                raise NoInputDevice() if device is None else DeviceFailed(reason=str(error)) \
                    from None
        self.name = str(info["name"])
        self.dtype = "int16"
        try:  # 24-bit where the device path offers it (carried in int32), else 16-bit
            sd.check_input_settings(device, channels=channels, dtype="int32",
                                    samplerate=sample_rate)
            self.dtype = "int32"
        except sd.PortAudioError:
            pass
        self._stream: Any = None
        self._stopping = False

    def start(self, push: Push, lost: Callable[[str], None]) -> None:
        sd = self._sd

        def callback(indata: Any, frames: int, when: Any, status: Any) -> None:
            push(indata, status.input_overflow)  # raw bytes: no numpy array per block

        def finished() -> None:
            if not self._stopping:
                lost("stream finished")

        try:
            self._stream = sd.RawInputStream(device=self.device, samplerate=self.sample_rate,
                                             channels=self.channels, dtype=self.dtype,
                                             latency=self.latency,
                                             blocksize=self.blocksize, callback=callback,
                                             finished_callback=finished)
            self._stream.start()
        except sd.PortAudioError as error:
            self._stream = None
            raise DeviceFailed(reason=str(error)) from None
        stream_opened(True)

    def stop(self) -> None:
        self._stopping = True
        stream, self._stream = self._stream, None
        if stream is not None:
            try:
                stream.abort()
                stream.close()
            except self._sd.PortAudioError:
                pass  # a device that is gone cannot be closed cleanly; what we have is kept
            stream_opened(False)


class SyntheticSource:
    """Frames from a function, on a thread, through the same push as a device (tests, bench).
    ``realtime=False`` feeds as fast as the writer keeps up: when the ring is nearly full it
    waits (a device never does; this is what lets a test record three hours in a minute)."""

    def __init__(self, make: Callable[[int, int], np.ndarray], *, realtime: bool = True,
                 block: int = 960, name: str = "synthetic", dtype: str = "int32",
                 limit_frames: int | None = None, speed: float = 1.0) -> None:
        self._make = make
        self.speed = speed  # with realtime: this many seconds of audio per second
        self.realtime = realtime
        self.block = block
        self.name = name
        self.dtype = dtype
        self.limit_frames = limit_frames
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.started_at: float | None = None
        self.fail_after: float | None = None  # seconds; then behave like a pulled-out device

    def start(self, push: Push, lost: Callable[[str], None]) -> None:
        nothing = b""

        def run() -> None:
            sent = 0
            self.started_at = time.monotonic()
            while not self._stop.is_set():
                if self.limit_frames is not None and sent >= self.limit_frames:
                    return
                if self.fail_after is not None and sent >= self.fail_after * SAMPLE_RATE:
                    lost("device removed")
                    return
                room = push(self._make(sent, self.block), False)
                sent += self.block
                if self.realtime:
                    delay = (self.started_at + sent / SAMPLE_RATE / self.speed
                             - time.monotonic())
                    if delay > 0:
                        self._stop.wait(delay)
                else:
                    while room < 2 * self.block and not self._stop.is_set():
                        self._stop.wait(0.005)  # the writer catches up
                        room = push(nothing, False)  # an empty block only asks for the room

        self._thread = threading.Thread(target=run, name="synthetic-audio", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()


class Recorder:
    """Records one testimony, part after part. Thread use: construct, start, pause, resume, stop,
    levels and events from one thread (the GUI's); the writer thread does the rest."""

    def __init__(self, vault: UnlockedVault, testimony_id: str, *,
                 sample_rate: int = SAMPLE_RATE, channels: int = 1,
                 segment_seconds: float = SEGMENT_SECONDS,
                 disk_reserve_bytes: int = DISK_RESERVE_BYTES,
                 disk_warn_seconds: float = DISK_WARN_SECONDS,
                 on_segment: Callable[[int], None] | None = None) -> None:
        vault.require(Action.CAPTURE)
        self._vault = vault
        self.testimony_id = testimony_id
        self.sample_rate = sample_rate
        self.channels = channels
        self.segment_seconds = segment_seconds
        self.segment_frames = max(1, int(segment_seconds * sample_rate))
        self.disk_reserve_bytes = disk_reserve_bytes
        self.disk_warn_seconds = disk_warn_seconds
        self._on_segment = on_segment
        self.state = State.IDLE
        self._events: queue.SimpleQueue[Event] = queue.SimpleQueue()
        self._source: InputSource | None = None
        self._ring: Ring | None = None
        self._thread: threading.Thread | None = None
        self._stop_requested = threading.Event()
        self._wake = threading.Event()
        self._lost_reason: str | None = None
        self._paused = False
        self.part_id: str | None = None
        self.overflows = 0
        self.frames_committed = 0  # in the current part
        self._part_bytes = 0
        self._last_push = 0.0
        self._offset_seconds = 0.0  # earlier parts, on the testimony's timeline
        self.end_reason: str | None = None
        self.disk_seconds_left: float | None = None
        self._disk_warned = False
        self.writer_cpu_seconds = 0.0  # the writer thread's CPU time in the last part (bench)
        self.join_cpu_seconds = 0.0  # of which the join at the end

    # -- control (GUI thread) ----------------------------------------------------------------

    def start(self, source: InputSource) -> str:
        """Begin a new part with this source. Returns the part id."""
        if self.state in (State.RECORDING, State.PAUSED, State.FINISHING):
            raise RecorderError()
        self._wait_for_writer()
        part_id = str(uuid.uuid4())
        subtype = subtype_for(source.dtype)
        with self._vault.writing() as session:
            testimony = session.get(Testimony, self.testimony_id)
            if testimony is None:
                raise RecorderError()
            position = session.scalar(select(func.count()).select_from(TestimonyPart).where(
                TestimonyPart.testimony_id == self.testimony_id)) or 0
            self._offset_seconds = sum(
                p.duration for p in session.scalars(select(TestimonyPart).where(
                    TestimonyPart.testimony_id == self.testimony_id)))
            session.add(TestimonyPart(id=part_id, testimony_id=self.testimony_id,
                                      position=position, source="recorded",
                                      device_name=source.name, sample_rate=self.sample_rate,
                                      channels=self.channels, subtype=subtype,
                                      started_at=self._vault.clock(), frames=0,
                                      state=PartState.RECORDING.value))
            self._vault.audit(session, "create", "testimony_part", part_id,
                              testimony=self.testimony_id, device=source.name)
        self.part_id = part_id
        self._source = source
        self._ring = Ring(RING_SECONDS * self.sample_rate, self.channels, source.dtype)
        self._subtype = subtype
        self._stop_requested.clear()
        self._lost_reason = None
        self._paused = False
        self.overflows = 0
        self.frames_committed = 0
        self._part_bytes = 0
        self._disk_warned = False
        self.end_reason = None
        self._last_push = time.monotonic()
        self.state = State.RECORDING
        self._thread = threading.Thread(target=self._write_loop, name="recorder-writer",
                                        daemon=False)
        self._thread.start()
        try:
            source.start(self._push, self._lost)
        except CaptureError:
            self._lost_reason = "could not start"
            self._wake.set()
            self._wait_for_writer()
            raise
        return part_id

    def pause(self) -> None:
        if self.state == State.RECORDING:
            self._paused = True
            self.state = State.PAUSED
            self._wake.set()

    def resume(self) -> None:
        if self.state == State.PAUSED:
            self._last_push = time.monotonic()
            self._paused = False
            self.state = State.RECORDING

    def stop(self) -> None:
        """End the part: stop the device, commit what is left, join the segments. Blocks until
        done (under a second even for hours: the join is a byte copy): call it off the GUI
        thread."""
        if self.state in (State.RECORDING, State.PAUSED):
            self.state = State.FINISHING
            self._stop_requested.set()
            self._wake.set()
        self._wait_for_writer()

    def _wait_for_writer(self) -> None:
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    # -- what the screen shows ---------------------------------------------------------------

    def events(self) -> list[Event]:
        out = []
        while True:
            try:
                out.append(self._events.get_nowait())
            except queue.Empty:
                return out

    @property
    def frames_captured(self) -> int:
        """Frames of the current part the callback has delivered (committed or not yet)."""
        ring = self._ring
        if ring is not None and self.state in (State.RECORDING, State.PAUSED):
            return ring.written
        return self.frames_committed if self.state == State.FINISHING else 0

    def position_seconds(self) -> float:
        """Now, on the testimony's timeline (where a marker added now belongs)."""
        return self._offset_seconds + self.frames_captured / self.sample_rate

    def part_seconds(self) -> float:
        return self.frames_captured / self.sample_rate

    def levels(self, window: int = 2400) -> tuple[float, float, bool]:
        """(peak dBFS, RMS dBFS, clipped) of the last 50 ms the callback left in the ring.
        Computed here, at the meter's refresh rate, never on the audio thread."""
        ring = self._ring
        if ring is None or ring.written == 0 or self.state != State.RECORDING:
            return -120.0, -120.0, False
        frames = ring.latest(window).astype(np.float32)
        full = 2.0 ** 31 if ring.buffer.dtype == np.int32 else 2.0 ** 15
        peak = float(np.abs(frames).max()) / full
        rms = math.sqrt(float(np.dot(frames.ravel(), frames.ravel())) / frames.size) / full
        return (20 * math.log10(max(peak, 1e-6)), 20 * math.log10(max(rms, 1e-6)),
                peak >= 0.999)

    # -- audio thread ------------------------------------------------------------------------

    def _push(self, block: Any, overflow: bool) -> int:
        if overflow:
            self.overflows += 1
        ring = self._ring
        if ring is None:
            return 0
        if self._paused:
            return ring.capacity - (ring.written - ring.read)
        self._last_push = time.monotonic()
        room = ring.push(block)
        if room < ring.capacity // 2 and not self._wake.is_set():
            # Only when the writer is 10 s behind (a fast test source, a stalled disk): the one
            # case the callback touches a lock, and the one case waking the writer is the point.
            self._wake.set()
        return room

    def _lost(self, reason: str) -> None:
        self._lost_reason = reason
        self._wake.set()

    # -- writer thread -----------------------------------------------------------------------

    def _write_loop(self) -> None:
        # A witness may speak for an hour while nobody touches the laptop: the idle lock waits
        # for the part to end (the Lock button still stops it, committed to the last 0.5 s).
        with self._vault.held_open():
            self._write_part()

    def _write_part(self) -> None:
        started_cpu = time.thread_time()
        ring = self._ring
        assert ring is not None and self.part_id is not None
        chunk = np.empty((self.segment_frames + PULL_MIN_FRAMES, self.channels),
                         dtype=ring.buffer.dtype)
        encoder: FlacSegments | None = None
        seq = 0
        reason = EndReason.STOPPED
        last_commit = time.monotonic()
        try:
            encoder = FlacSegments(self.sample_rate, self.channels, self._subtype,
                                   f"sohoa part {self.part_id}")
            while True:
                self._wake.wait(max(0.0, last_commit + self.segment_seconds - time.monotonic()))
                self._wake.clear()
                stopping = self._stop_requested.is_set()
                if self._lost_reason is None and not self._paused and not stopping and \
                        time.monotonic() - self._last_push > SILENT_DEVICE_SECONDS:
                    self._lost_reason = "no audio from the device"
                lost = self._lost_reason is not None
                if lost or stopping:
                    self._stop_source()
                disk_full = False
                # In real time one pull takes all the ring holds; from a source faster than
                # real time, pulls stop near a segment's worth, so segments keep their length.
                while not disk_full and (got := ring.pull(chunk[:max(
                        PULL_MIN_FRAMES, self.segment_frames - encoder.pending_frames)])):
                    encoder.encode(chunk[:got])
                    if encoder.pending_frames >= self.segment_frames:  # faster than real time
                        seq, disk_full = self._commit_segment(encoder, seq)
                        last_commit = time.monotonic()
                due = self._paused or time.monotonic() - last_commit >= self.segment_seconds
                if due and not (lost or stopping or disk_full):
                    seq, disk_full = self._commit_segment(encoder, seq)
                    last_commit = time.monotonic()
                if disk_full:
                    reason = EndReason.DISK_FULL
                    self._stop_source()
                    # At most one more segment: the reserve is sized for it and its joined
                    # copy. In real time the ring holds no more than that anyway.
                    encoder.encode(chunk[:ring.pull(chunk[:self.segment_frames])])
                    break
                if lost or stopping:
                    reason = EndReason.DEVICE_LOST if lost else EndReason.STOPPED
                    break
            encoder.close()  # the last frame, which the encoder held back
            self._commit_segment(encoder, seq)
        except DiskFull:
            reason = EndReason.DISK_FULL
            self._stop_source()
        except Exception as error:
            reason = EndReason.ERROR
            self._stop_source()
            self._events.put(Event("error", {"error": error}))
        self.state = State.FINISHING
        join_started = time.thread_time()
        try:
            joined = finish_part(self._vault, self.part_id, reason, overflows=self.overflows,
                                 streaminfo=encoder.patches if encoder is not None else None)
        except CaptureError as error:
            # The segments stay; the next unlock joins them (recover_unfinished).
            joined = None
            self._events.put(Event("error", {"error": error}))
        self.join_cpu_seconds = time.thread_time() - join_started
        self.writer_cpu_seconds = time.thread_time() - started_cpu
        self.end_reason = reason.value
        if reason == EndReason.DEVICE_LOST:
            self._events.put(Event("device_lost", {"reason": self._lost_reason or "",
                                                   "seconds": self.frames_committed
                                                   / self.sample_rate}))
        self._events.put(Event("part_ended", {"reason": reason.value, "part": self.part_id,
                                              "seconds": self.frames_committed / self.sample_rate,
                                              "joined": joined is not None,
                                              "overflows": self.overflows}))
        self._offset_seconds += self.frames_committed / self.sample_rate
        self.state = State.STOPPED

    def _stop_source(self) -> None:
        source = self._source
        if source is not None:
            self._source = None
            source.stop()

    def _commit_segment(self, encoder: FlacSegments, seq: int) -> tuple[int, bool]:
        """Make what the encoder gave since the last segment durable. Returns the next seq and
        whether the disk is now too full to go on."""
        assert self.part_id is not None
        if not encoder.pending_frames:
            return seq, not self._disk_ok()
        data, frames = encoder.take()
        stored = self._vault.objects.put_bytes(data)  # durable before its row commits
        # Core statements on the session's connection: a third of the ORM's CPU per segment.
        with self._vault.writing() as session:
            connection = session.connection()
            connection.execute(_ADD_OBJECT, {
                "name": stored.name, "size": stored.size, "media_type": "audio/flac",
                "label": "recording segment", "created_at": self._vault.clock(),
                "created_by": self._vault.actor.user_id})
            connection.execute(_ADD_SEGMENT, {"part_id": self.part_id, "seq": seq,
                                              "object_name": stored.name, "frames": frames})
            connection.execute(_GROW_PART, {"b_part": self.part_id, "b_frames": frames,
                                            "b_overflows": self.overflows})
        self.frames_committed += frames
        self._part_bytes += stored.size
        self._events.put(Event("segment", {"frames": self.frames_committed}))
        if self._on_segment is not None:
            self._on_segment(self.frames_committed)
        return seq + 1, not self._disk_ok()

    def _disk_ok(self) -> bool:
        """Warn while there is still time; stop while the join still fits."""
        free = shutil.disk_usage(self._vault.path).free
        seconds = self.frames_committed / self.sample_rate
        rate = self._part_bytes / seconds if seconds >= 5 else FLAC_BYTES_PER_SECOND_GUESS
        # Each further second costs a segment now and its share of the joined file later.
        spare = free - self.disk_reserve_bytes - self._part_bytes
        self.disk_seconds_left = max(0.0, spare / (2 * rate))
        if self.disk_seconds_left <= self.disk_warn_seconds and not self._disk_warned:
            self._disk_warned = True
            self._events.put(Event("disk_low", {"seconds_left": self.disk_seconds_left}))
        return spare > 0


_PARTS = TestimonyPart.__table__
_ADD_OBJECT = insert(ObjectRow.__table__).prefix_with("OR IGNORE")
_ADD_SEGMENT = insert(RecordingSegment.__table__)
_GROW_PART = (update(_PARTS).where(_PARTS.c.id == bindparam("b_part"))
              .values(frames=_PARTS.c.frames + bindparam("b_frames"),
                      overflows=bindparam("b_overflows")))


def disk_seconds_left(vault: UnlockedVault, reserve: int = DISK_RESERVE_BYTES) -> float:
    """Recording time left on the vault's disk before anything is recorded."""
    free = shutil.disk_usage(vault.path).free
    return max(0.0, (free - reserve) / (2 * FLAC_BYTES_PER_SECOND_GUESS))


# -- joining and recovery ------------------------------------------------------------------------


def _segment_frames(vault: UnlockedVault, names: list[str]) -> Iterator[np.ndarray]:
    """Segments of the first format (each one a whole FLAC file), decoded in order."""
    for name in names:
        data = vault.objects.read_bytes(name)
        frames, _ = sf.read(io.BytesIO(data), dtype="int32", always_2d=True)
        yield frames


def write_flac_object(vault: UnlockedVault, blocks: Iterator[np.ndarray], sample_rate: int,
                      channels: int, subtype: str, total_frames: int | None,
                      ) -> tuple[str, int, int]:
    """Stream int32 blocks into one FLAC object. Returns (object name, size, frames); the object
    is durable and its row committed (label 'testimony')."""
    frames = 0
    with vault.objects.writer() as writer:
        sink = FlacObjectSink(writer, total_frames)
        with sf.SoundFile(sink, "w", sample_rate, channels, subtype, format="FLAC") as out:
            for block in blocks:
                out.write(block)
                frames += len(block)
        sink.finish()
    stored = writer.result
    assert stored is not None
    _commit_testimony_object(vault, stored)
    return stored.name, stored.size, frames


def _concatenate_segments(vault: UnlockedVault, names: list[str], total_frames: int,
                          streaminfo: list[tuple[int, bytes]] | None) -> tuple[str, int]:
    """The segments are pieces of one FLAC stream: copy them, in order, into one object, with
    the first piece's STREAMINFO made final. One segment in memory at a time."""
    with vault.objects.writer() as writer:
        for index, name in enumerate(names):
            data = vault.objects.read_bytes(name)
            if index == 0:
                data = apply_patches(data, streaminfo or [], total_frames)
            writer.write(data)
    stored = writer.result
    assert stored is not None
    _commit_testimony_object(vault, stored)
    return stored.name, stored.size


def _commit_testimony_object(vault: UnlockedVault, stored: StoredObject) -> None:
    with vault.writing() as session:
        if session.get(ObjectRow, stored.name) is None:
            session.add(ObjectRow(name=stored.name, size=stored.size, media_type="audio/flac",
                                  label="testimony", created_at=vault.clock(),
                                  created_by=vault.actor.user_id))
            vault.audit(session, "create", "object", stored.name, size=stored.size,
                        media_type="audio/flac")


def finish_part(vault: UnlockedVault, part_id: str, reason: EndReason | str,
                overflows: int | None = None,
                streaminfo: list[tuple[int, bytes]] | None = None) -> str | None:
    """Join a part's segments into one FLAC object, then drop the segments. Returns the object
    name, or None when the part had no audio at all (then the part is removed). ``streaminfo``:
    the encoder's closing STREAMINFO rewrite, when the part ended cleanly (MD5, frame sizes)."""
    with vault.reading() as session:
        part = session.get(TestimonyPart, part_id)
        if part is None or part.state != PartState.RECORDING.value:
            return None
        segments = session.execute(select(RecordingSegment.object_name, RecordingSegment.frames)
                                   .where(RecordingSegment.part_id == part_id)
                                   .order_by(RecordingSegment.seq)).all()
        names = [name for name, _ in segments]
        total = sum(frames for _, frames in segments)
        rate, channels, subtype = part.sample_rate, part.channels, part.subtype
    if not names:
        with vault.writing() as session:
            part = session.get(TestimonyPart, part_id)
            if part is not None:
                session.delete(part)
                vault.audit(session, "delete", "testimony_part", part_id, reason="empty")
        return None
    if len(names) > 1 and vault.objects.read_bytes(names[1])[:4] == b"fLaC":
        # Segments written before the recorder kept one encoder per part: whole files.
        name, _, total = write_flac_object(vault, _segment_frames(vault, names), rate,
                                           channels, subtype, total)
    else:
        name, _ = _concatenate_segments(vault, names, total, streaminfo)
    with vault.writing() as session:
        part = session.get(TestimonyPart, part_id)
        assert part is not None
        part.object_name = name
        part.frames = total
        part.state = PartState.COMPLETE.value
        part.end_reason = str(reason)
        if overflows is not None:
            part.overflows = overflows
        session.execute(delete(RecordingSegment).where(RecordingSegment.part_id == part_id))
        # Objects are named by content: one a finished part or another part's segment still
        # uses must stay. Whole-table selects, not IN lists: a long part has tens of thousands.
        still_used = set(session.scalars(select(TestimonyPart.object_name)
                                         .where(TestimonyPart.object_name.is_not(None))))
        still_used.update(session.scalars(select(RecordingSegment.object_name)))
        unused = [n for n in dict.fromkeys(names) if n not in still_used]
        for start in range(0, len(unused), 500):
            session.execute(delete(ObjectRow).where(ObjectRow.name.in_(unused[start:start + 500])))
        vault.audit(session, "complete", "testimony_part", part_id, reason=str(reason),
                    seconds=round(total / rate, 3), object=name)
    for segment_name in unused:  # after the commit; a crash here leaves orphans the unlock sweeps
        vault.objects.remove(segment_name)
    return name


@dataclass(frozen=True)
class Recovered:
    testimony_id: str
    part_id: str
    speaker_name: str
    seconds: float


def recover_unfinished(vault: UnlockedVault, busy_part_ids: set[str] | frozenset[str] = frozenset()
                       ) -> list[Recovered]:
    """Join the segments of every part a crash left unfinished. Call after unlocking."""
    with vault.reading() as session:
        rows = session.execute(
            select(TestimonyPart.id, TestimonyPart.testimony_id, Testimony.speaker_name)
            .join(Testimony, Testimony.id == TestimonyPart.testimony_id)
            .where(TestimonyPart.state == PartState.RECORDING.value)).all()
    recovered = []
    for part_id, testimony_id, speaker in rows:
        if part_id in busy_part_ids:
            continue
        finish_part(vault, part_id, EndReason.RECOVERED)
        with vault.reading() as session:
            part = session.get(TestimonyPart, part_id)
            seconds = part.duration if part is not None else 0.0
        recovered.append(Recovered(testimony_id, part_id, speaker, seconds))
    return recovered


# -- import and reading back ---------------------------------------------------------------------


def import_recording(vault: UnlockedVault, testimony_id: str, path: Any) -> str:
    """Add a phone's recording as a new part: the original file bit-exact, and a FLAC of it for
    playback and the waveform. Returns the part id."""
    from pathlib import Path

    vault.require(Action.CAPTURE)
    path = Path(path)
    # A first decoding pass counts the frames: the FLAC header leaves for the vault after its
    # first 64 KiB, and a header without the total makes libsndfile report an absurd length.
    total = sum(len(block) for block in decode_blocks(path)[3])
    if total == 0:  # a FLAC of nothing would not open again: refused before anything is stored
        raise EmptyRecording(name=path.name)
    rate, channels, subtype, blocks = decode_blocks(path)
    with open(path, "rb") as handle:
        original = vault.store_object(handle, media_type="application/octet-stream",
                                      label="original recording")
    name, _, frames = write_flac_object(vault, blocks, rate, channels, subtype, total)
    if frames != total:  # the file changed between the two passes
        raise UnreadableRecording(name=path.name)
    part_id = str(uuid.uuid4())
    with vault.writing() as session:
        if session.get(Testimony, testimony_id) is None:
            raise RecorderError()
        position = session.scalar(select(func.count()).select_from(TestimonyPart).where(
            TestimonyPart.testimony_id == testimony_id)) or 0
        session.add(TestimonyPart(id=part_id, testimony_id=testimony_id, position=position,
                                  source="imported", device_name="", sample_rate=rate,
                                  channels=channels, subtype=subtype,
                                  started_at=vault.clock(), frames=frames,
                                  state=PartState.COMPLETE.value, end_reason="imported",
                                  object_name=name, original_object=original.name,
                                  original_filename=path.name))
        vault.audit(session, "create", "testimony_part", part_id, testimony=testimony_id,
                    imported=True, seconds=round(frames / rate, 3))
    return part_id


def open_audio(vault: UnlockedVault, object_name: str) -> sf.SoundFile:
    """A seekable decoded view of a stored FLAC; one encrypted chunk in memory at a time."""
    return sf.SoundFile(vault.objects.open_random(object_name))


def waveform(vault: UnlockedVault, object_name: str, columns: int = 2000) -> np.ndarray:
    """Peak per column (0..1), for drawing; computed in one streamed pass."""
    with open_audio(vault, object_name) as audio:
        total = max(1, audio.frames)
        per = max(1, math.ceil(total / columns))
        peaks = np.zeros(math.ceil(total / per), dtype=np.float32)
        index = 0
        for block in audio.blocks(per * 64, dtype="float32", always_2d=True):
            mono = np.abs(block).max(axis=1)
            usable = len(mono) // per * per
            if usable:
                chunk = mono[:usable].reshape(-1, per).max(axis=1)
                peaks[index:index + len(chunk)] = chunk
                index += len(chunk)
            if usable < len(mono):
                peaks[index] = mono[usable:].max()
                index += 1
    return peaks[:index]


# -- a testimony's parts as one timeline ---------------------------------------------------------


@dataclass(frozen=True)
class TimelinePart:
    object_name: str
    offset: float  # where the part starts on the testimony's timeline, in seconds
    duration: float


def timeline(view: TestimonyView) -> list[TimelinePart]:
    """The playable parts of a testimony, in order (parts still being recorded are left out;
    their place on the timeline stays, so markers keep their times)."""
    return [TimelinePart(p.object_name, p.offset_seconds, p.duration)
            for p in view.parts if p.object_name]


class TimelineReader:
    """The parts of a testimony end to end as one seekable stream of float32 blocks, one part
    open at a time, each through ``open_audio`` (one decrypted chunk in memory, nothing on disk).
    Parts may differ in rate and channels (an imported phone recording): each block says its
    own, and the player reopens its output when they change."""

    def __init__(self, vault: UnlockedVault, parts: list[TimelinePart]) -> None:
        self._vault = vault
        self.parts = parts
        self.duration = parts[-1].offset + parts[-1].duration if parts else 0.0
        self.part_index = -1
        self._audio: sf.SoundFile | None = None
        self.position = 0.0

    def seek(self, seconds: float) -> None:
        seconds = min(max(0.0, seconds), self.duration)
        index = next((i for i, part in enumerate(self.parts)
                      if seconds < part.offset + part.duration), len(self.parts) - 1)
        self._open(index)
        if self._audio is not None:
            part = self.parts[index]
            within = max(0.0, seconds - part.offset)
            self._audio.seek(min(int(within * self._audio.samplerate), self._audio.frames))
            self.position = part.offset + self._audio.tell() / self._audio.samplerate

    def read(self, seconds: float) -> tuple[np.ndarray, int] | None:
        """The next block (frames × channels, float32) and its sample rate; None at the end."""
        while self._audio is not None or self.part_index < len(self.parts) - 1:
            if self._audio is None:
                self._open(self.part_index + 1)
                continue
            audio = self._audio
            block = audio.read(max(1, int(seconds * audio.samplerate)), dtype="float32",
                               always_2d=True)
            if len(block):
                self.position = self.parts[self.part_index].offset \
                    + audio.tell() / audio.samplerate
                return block, audio.samplerate
            if self.part_index == len(self.parts) - 1:
                break
            self._open(self.part_index + 1)
        return None

    def _open(self, index: int) -> None:
        if index == self.part_index and self._audio is not None:
            return
        self.close()
        if 0 <= index < len(self.parts):
            self.part_index = index
            self._audio = open_audio(self._vault, self.parts[index].object_name)
            self.position = self.parts[index].offset

    def close(self) -> None:
        if self._audio is not None:
            self._audio.close()
            self._audio = None

    def __enter__(self) -> TimelineReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def timeline_waveform(vault: UnlockedVault, parts: list[TimelinePart], columns: int = 2000
                      ) -> np.ndarray:
    """Peaks (0..1) across the whole testimony, each part in its share of the columns."""
    total = parts[-1].offset + parts[-1].duration if parts else 0.0
    peaks = np.zeros(columns if total > 0 else 0, dtype=np.float32)
    for part in parts:
        first = min(columns - 1, int(part.offset / total * columns))
        width = max(1, int((part.offset + part.duration) / total * columns) - first)
        own = waveform(vault, part.object_name, width)[:width]
        peaks[first:first + len(own)] = own
    return peaks
