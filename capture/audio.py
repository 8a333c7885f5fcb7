"""Audio in and out of the vault without plaintext on disk and with flat memory.

- ``FlacObjectSink``: a write-only file for ``soundfile`` that streams a FLAC encoder's output
  straight into an ``ObjectWriter``. libFLAC seeks back at the end to rewrite STREAMINFO; we hold
  the first ``HOLD`` bytes in memory so short files get the exact rewrite, and for longer ones we
  fill in the total sample count ourselves before the header leaves (the MD5 and frame-size
  fields then stay 0, which FLAC defines as "unknown"; the object's HMAC protects the content).
- Reading back goes through ``ObjectStore.open_random`` (seekable, one decrypted chunk in
  memory), so ``soundfile`` can seek in a three-hour recording for playback and the waveform.
- ``decode_blocks``: any recording a phone makes (WAV, FLAC, MP3 through libsndfile; M4A/AAC and
  the rest through PyAV's bundled ffmpeg), as int32 blocks.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import soundfile as sf

from capture.errors import CaptureError
from capture.objects import ObjectWriter

HOLD = 64 * 1024
BLOCK_FRAMES = 48_000


class UnreadableRecording(CaptureError):
    message = "This file is not a recording the app can read ({name})."


class FlacObjectSink(io.RawIOBase):
    def __init__(self, writer: ObjectWriter, total_frames: int | None) -> None:
        super().__init__()
        self._writer = writer
        self._total = total_frames
        self._held: bytearray | None = bytearray()
        self._flushed = 0  # bytes already handed to the object writer
        self._pos = 0
        self._end = 0

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = 0) -> int:
        base = {0: 0, 1: self._pos, 2: self._end}[whence]
        self._pos = base + offset
        return self._pos

    def read(self, size: int = -1) -> bytes:
        return b""

    def write(self, data) -> int:  # type: ignore[no-untyped-def, override]
        data = bytes(data)
        n = len(data)
        if self._held is not None:
            if self._pos + n <= HOLD or self._pos < len(self._held):
                held = self._held
                if self._pos > len(held):
                    held.extend(bytes(self._pos - len(held)))
                held[self._pos:self._pos + n] = data
                self._pos += n
                self._end = max(self._end, self._pos)
                if len(held) > HOLD:
                    self._release()
                return n
            self._release()
        if self._pos < self._flushed:
            # libFLAC's closing rewrite of a header that has already left: the fields it
            # would write were filled in (total frames) or are left "unknown" (MD5, sizes).
            self._pos += n
            return n
        if self._pos != self._flushed:
            raise OSError("FLAC sink: unexpected seek")
        self._writer.write(data)
        self._flushed += n
        self._pos += n
        self._end = max(self._end, self._pos)
        return n

    def _release(self) -> None:
        held = self._held
        assert held is not None
        self._held = None
        if self._total is not None and held[:4] == b"fLaC" and len(held) >= 26:
            field = int.from_bytes(held[18:26], "big")
            field = (field & ~((1 << 36) - 1)) | (self._total & ((1 << 36) - 1))
            held[18:26] = field.to_bytes(8, "big")
        self._writer.write(bytes(held))
        self._flushed = len(held)

    def finish(self) -> None:
        if self._held is not None:
            self._release()


def encode_flac(frames: np.ndarray, sample_rate: int, subtype: str, tag: str) -> bytes:
    """One small self-contained FLAC (a recording segment). ``tag`` goes in a comment so that two
    segments of the same silence never share an object (objects are named by content)."""
    buffer = io.BytesIO()
    with sf.SoundFile(buffer, "w", sample_rate, frames.shape[1], subtype, format="FLAC") as out:
        out.comment = tag
        out.write(frames)
    return buffer.getvalue()


def subtype_for(dtype: str) -> str:
    return "PCM_24" if dtype == "int32" else "PCM_16"


def decode_blocks(path: Path, block_frames: int = BLOCK_FRAMES
                  ) -> tuple[int, int, str, Iterator[np.ndarray]]:
    """(sample_rate, channels, subtype, blocks of int32 frames) for any recording a phone makes."""
    try:
        info = sf.info(str(path))
    except (sf.LibsndfileError, RuntimeError):
        return _decode_with_av(path, block_frames)
    subtype = "PCM_16" if info.subtype in ("PCM_16", "PCM_S8", "PCM_U8", "MPEG_LAYER_III") \
        else "PCM_24"

    def blocks() -> Iterator[np.ndarray]:
        with sf.SoundFile(str(path)) as source:
            yield from source.blocks(block_frames, dtype="int32", always_2d=True)

    return info.samplerate, info.channels, subtype, blocks()


def _decode_with_av(path: Path, block_frames: int) -> tuple[int, int, str, Iterator[np.ndarray]]:
    import av  # PyAV: ffmpeg for AAC/M4A, which libsndfile does not read

    try:
        container = av.open(str(path))
        stream = container.streams.audio[0]
    except (av.FFmpegError, IndexError, OSError):
        raise UnreadableRecording(name=path.name) from None
    rate = stream.codec_context.sample_rate or stream.rate
    channels = stream.codec_context.channels if hasattr(stream.codec_context, "channels") \
        else stream.codec_context.layout.nb_channels
    resampler = av.AudioResampler(format="s32", layout=stream.codec_context.layout, rate=rate)

    def blocks() -> Iterator[np.ndarray]:
        with container:
            for frame in container.decode(stream):
                for converted in resampler.resample(frame):
                    yield converted.to_ndarray().reshape(-1, channels)
            for converted in resampler.resample(None):
                yield converted.to_ndarray().reshape(-1, channels)

    return rate, channels, "PCM_16", blocks()
