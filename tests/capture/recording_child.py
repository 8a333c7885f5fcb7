"""Child process for test_recorder_crash.py: records a synthetic real-time tone through the real
recorder (ring, writer thread, segments) and prints each commit, until it is killed."""

import sys
import time
from pathlib import Path

from capture import recorder as rec
from capture.vault import Vault
from tests.capture.recording_helpers import tone


def main() -> None:
    path, testimony_id, passphrase = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
    vault = Vault(path).unlock("lan", passphrase)
    recorder = rec.Recorder(vault, testimony_id,
                            on_segment=lambda frames: print(f"committed {frames}", flush=True))
    source = rec.SyntheticSource(tone, realtime=True)
    part_id = recorder.start(source)
    while source.started_at is None:
        time.sleep(0.001)
    print(f"started {part_id} {source.started_at!r}", flush=True)
    while True:
        time.sleep(1)


if __name__ == "__main__":
    main()
