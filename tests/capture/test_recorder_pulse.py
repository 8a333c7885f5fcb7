"""Through real PortAudio: Vietnamese speech from espeak-ng, played by paplay into a PulseAudio
null sink, recorded by the app's recorder from the sink's monitor (tests/capture/pulse.py).

How these could fail: if the stream opened but delivered nothing (wrong source, muted monitor)
the FLAC would be silence and the envelope correlation ~0 (the RMS check catches it first); if
frames were dropped, duplicated or reordered in the ring or the segments, the envelope would
drift against the source and the best-lag correlation would fall; if the recorder wrote noise
or the wrong sample format, the envelope would not follow the syllables of the speech."""

from __future__ import annotations

import time

import numpy as np
import soundfile as sf

from capture import recorder as rec
from capture.testimony import load_testimony
from tests.capture.recording_helpers import new_testimony


def envelope(signal: np.ndarray, rate: int, step: float = 0.01) -> np.ndarray:
    """RMS in 10 ms windows: the shape of the syllables, independent of sample rate."""
    hop = int(rate * step)
    usable = len(signal) // hop * hop
    frames = signal[:usable].reshape(-1, hop).astype(np.float64)
    return np.sqrt((frames ** 2).mean(axis=1))


def best_correlation(source: np.ndarray, recorded: np.ndarray, max_lag: int = 100
                     ) -> tuple[float, int]:
    """Pearson correlation of the two envelopes where they overlap, at the best lag within
    ±1 s (either may start first: PulseAudio delivers nothing until the sink plays)."""
    best, best_lag = -1.0, 0
    for lag in range(-max_lag, max_lag + 1):
        a = source[max(0, -lag):]
        b = recorded[max(0, lag):]
        n = min(len(a), len(b))
        if n < len(source) // 2 or a[:n].std() == 0 or b[:n].std() == 0:
            continue
        value = float(np.corrcoef(a[:n], b[:n])[0, 1])
        if value > best:
            best, best_lag = value, lag
    return best, best_lag


def test_recording_through_portaudio_matches_the_speech(volunteer, pulse, tmp_path):
    speech = pulse.speech(tmp_path / "speech.wav")
    source_audio, source_rate = sf.read(speech, dtype="float64")
    _, testimony_id = new_testimony(volunteer)
    recorder = rec.Recorder(volunteer, testimony_id)
    device = rec.DeviceSource("pulse")
    recorder.start(device)
    time.sleep(0.3)
    pulse.play(speech).wait(30)
    time.sleep(0.5)
    recorder.stop()
    (part,) = load_testimony(volunteer, testimony_id).parts
    assert part.end_reason == "stopped" and part.device_name.startswith("pulse")
    with rec.open_audio(volunteer, part.object_name) as audio:
        assert audio.samplerate == 48_000 and audio.subtype == "PCM_24"
        recorded = audio.read(dtype="float64")
    assert np.sqrt(np.mean(recorded ** 2)) > 0.01, "the recording is silence"
    correlation, lag = best_correlation(envelope(source_audio, source_rate),
                                        envelope(recorded, 48_000))
    print(f"envelope correlation {correlation:.3f} at lag {lag * 10} ms; "
          f"overflows {recorder.overflows}")
    assert correlation >= 0.7


def test_unloading_the_sink_mid_recording_keeps_what_was_said(volunteer, pulse, tmp_path):
    """Device removal, honestly: `pactl unload-module` removes the null sink and with it the
    monitor source the stream records from, as unplugging a USB microphone removes its source.
    The recorder notices (PortAudio's stream ends or stops delivering; the 2 s watchdog), keeps
    the audio up to that moment as a finished part, and after the sink is back records on as a
    second part of the same testimony."""
    speech = pulse.speech(tmp_path / "speech.wav")
    _, testimony_id = new_testimony(volunteer)
    recorder = rec.Recorder(volunteer, testimony_id)
    recorder.start(rec.DeviceSource("pulse"))
    player = pulse.play(speech)
    # PulseAudio starts the idle monitor only as the sink plays (~1-2 s here): wait for audio.
    deadline = time.monotonic() + 10
    while recorder.frames_captured < 1.5 * 48_000 and time.monotonic() < deadline:
        time.sleep(0.01)
    heard = recorder.frames_captured / 48_000
    assert heard >= 1.5, "no audio reached the recorder"
    pulse.remove_sink()
    player.wait(10)
    deadline = time.monotonic() + 15
    while recorder.state != rec.State.STOPPED and time.monotonic() < deadline:
        time.sleep(0.05)
    assert recorder.state == rec.State.STOPPED, "the lost device was not noticed"
    events = recorder.events()
    assert any(e.kind == "device_lost" for e in events)
    pulse.add_sink()
    recorder.start(rec.DeviceSource("pulse"))
    pulse.play(speech).wait(30)  # an idle null sink's monitor delivers nothing: play again
    recorder.stop()
    view = load_testimony(volunteer, testimony_id)
    assert [p.end_reason for p in view.parts] == ["device_lost", "stopped"]
    first = view.parts[0]
    # kept up to the removal: what the writer had pulled then, plus what was in flight
    assert heard - 0.05 <= first.duration <= heard + 0.6
    with rec.open_audio(volunteer, first.object_name) as audio:
        said = audio.read(dtype="float64")
    assert np.sqrt(np.mean(said ** 2)) > 0.01  # speech, not silence
