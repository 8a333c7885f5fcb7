"""Audio in and out of the vault without plaintext on disk and with flat memory.

- ``FlacSegments``: one FLAC encoder for a whole recorded part, whose output is taken in pieces
  at frame boundaries (the recorder's segments). Every FLAC frame is independent and carries its
  own sample count, so the committed pieces, concatenated, are always a valid FLAC stream: the
  join at the end is a byte copy, not a decode and a second encode.
- ``FlacObjectSink``: a write-only file for ``soundfile`` that streams a FLAC encoder's output
  straight into an ``ObjectWriter``. libFLAC seeks back at the end to rewrite STREAMINFO; we hold
  the first ``HOLD`` bytes in memory so short files get the exact rewrite, and for longer ones we
  fill in the total sample count ourselves before the header leaves (the MD5 and frame-size
  fields then stay 0, which FLAC defines as "unknown"; the object's HMAC protects the content).
- Reading back goes through ``ObjectStore.open_random`` (seekable, one decrypted chunk in
  memory), so ``soundfile`` can seek in a three-hour recording for playback and the waveform.
- ``decode_blocks``: any recording a phone makes (WAV, FLAC, Ogg through libsndfile; MP3, M4A/AAC
  and the rest through PyAV's bundled ffmpeg, which counts the frames there are where libsndfile
  would trust an MP3's header), as int32 blocks.
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


class EmptyRecording(CaptureError):
    message = ("The recording {name} holds no sound (0 seconds); it was not imported. Check "
               "that it is the right file.")


class _EncoderOutput(io.RawIOBase):
    """The file libsndfile writes a FLAC into: written in order, then sought back into once,
    at the end, for libFLAC's STREAMINFO rewrite. Never read."""

    def __init__(self) -> None:
        super().__init__()
        self._pos = 0
        self._end = 0

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        return b""

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = 0) -> int:
        self._pos = {0: 0, 1: self._pos, 2: self._end}[whence] + offset
        return self._pos


class FlacObjectSink(_EncoderOutput):
    def __init__(self, writer: ObjectWriter, total_frames: int | None) -> None:
        super().__init__()
        self._writer = writer
        self._total = total_frames
        self._held: bytearray | None = bytearray()
        self._flushed = 0  # bytes already handed to the object writer

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
        if self._total is not None:
            set_total_frames(held, self._total)
        self._writer.write(bytes(held))
        self._flushed = len(held)

    def finish(self) -> None:
        if self._held is not None:
            self._release()


def set_total_frames(header: bytearray, total: int) -> None:
    """Write the total sample count into a FLAC stream's STREAMINFO (its first 26 bytes)."""
    if header[:4] == b"fLaC" and len(header) >= 26:
        field = int.from_bytes(header[18:26], "big")
        field = (field & ~((1 << 36) - 1)) | (total & ((1 << 36) - 1))
        header[18:26] = field.to_bytes(8, "big")


def frame_samples(data: bytes | bytearray) -> int:
    """Samples in the FLAC frame that ``data`` starts with (RFC 9639 §9.1), else 0."""
    if len(data) < 6 or data[0] != 0xFF or data[1] & 0xFE != 0xF8:
        return 0
    code = data[2] >> 4
    if code == 1:
        return 192
    if 2 <= code <= 5:
        return 576 << (code - 2)
    if code >= 8:
        return 256 << (code - 8)
    if code not in (6, 7):
        return 0
    first = data[4]  # the coded frame number: as many leading 1 bits as bytes, UTF-8 style
    length = 1 if first < 0x80 else 8 - (~first & 0xFF).bit_length()
    at = 4 + length
    if code == 6:
        return data[at] + 1
    return int.from_bytes(data[at:at + 2], "big") + 1


class FlacSegments(_EncoderOutput):
    """A FLAC encoder whose output is taken piece by piece, each piece ending on a frame.

    ``write`` frames in; ``take()`` returns the bytes and the number of samples encoded since the
    last take. libFLAC hands over one frame per write call (a frame holds 4096 samples here, so
    up to ~85 ms stay in the encoder until the next frame or ``close``). At ``close`` libFLAC
    seeks back to rewrite STREAMINFO (MD5, frame sizes, total): those bytes have already left in
    the first piece, so they are kept as ``patches`` for whoever joins the pieces."""

    def __init__(self, sample_rate: int, channels: int, subtype: str, tag: str) -> None:
        super().__init__()
        self._pending = bytearray()
        self._pending_frames = 0
        self.patches: list[tuple[int, bytes]] = []
        self._encoder = sf.SoundFile(self, "w", sample_rate, channels, subtype, format="FLAC")
        # In the stream's comment, so that no two parts' first pieces are the same object.
        self._encoder.comment = tag

    @property
    def pending_frames(self) -> int:
        return self._pending_frames

    def encode(self, frames: np.ndarray) -> None:
        self._encoder.write(frames)

    def take(self) -> tuple[bytes, int]:
        data, frames = bytes(self._pending), self._pending_frames
        self._pending.clear()
        self._pending_frames = 0
        return data, frames

    def close(self) -> None:
        """Encode what the encoder still holds; ``take()`` then returns the last piece."""
        if not self._encoder.closed:
            self._encoder.close()

    def write(self, data) -> int:  # type: ignore[no-untyped-def, override]
        n = len(data)
        if self._pos < self._end:
            self.patches.append((self._pos, bytes(data)))
        else:
            self._pending += data
            self._pending_frames += frame_samples(data)
            self._end = self._pos + n
        self._pos += n
        return n


def apply_patches(first: bytes, patches: list[tuple[int, bytes]], total: int) -> bytes:
    """The first piece of a joined stream with its STREAMINFO made final: libFLAC's own closing
    rewrite when we have it, else (after a crash) the total sample count alone — MD5 and frame
    sizes 0 then mean "unknown", as FLAC allows."""
    header = bytearray(first)
    for at, data in patches:
        if at + len(data) <= len(header):
            header[at:at + len(data)] = data
    set_total_frames(header, total)
    return bytes(header)


def subtype_for(dtype: str) -> str:
    return "PCM_24" if dtype == "int32" else "PCM_16"


# Compressed formats whose length libsndfile only estimates (from an MP3's Xing header or its
# bit rate): its reader then pads the estimate with silence or stops short of the real end.
# They are decoded with FFmpeg (PyAV), which gives exactly the frames there are.
_ESTIMATED = frozenset({"MPEG_LAYER_I", "MPEG_LAYER_II", "MPEG_LAYER_III"})


def decode_blocks(path: Path, block_frames: int = BLOCK_FRAMES
                  ) -> tuple[int, int, str, Iterator[np.ndarray]]:
    """(sample_rate, channels, subtype, blocks of int32 frames) for any recording a phone makes:
    every frame the file holds, none added."""
    try:
        info = sf.info(str(path))
    except (sf.LibsndfileError, RuntimeError):
        return _decode_with_av(path, block_frames)
    if info.subtype in _ESTIMATED:
        return _decode_with_av(path, block_frames)
    subtype = "PCM_16" if info.subtype in ("PCM_16", "PCM_S8", "PCM_U8") else "PCM_24"

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
            try:
                for frame in container.decode(stream):
                    for converted in resampler.resample(frame):
                        yield converted.to_ndarray().reshape(-1, channels)
                for converted in resampler.resample(None):
                    yield converted.to_ndarray().reshape(-1, channels)
            except av.FFmpegError:
                raise UnreadableRecording(name=path.name) from None

    return rate, channels, "PCM_16", blocks()
