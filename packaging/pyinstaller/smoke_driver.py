"""The frozen bundle's smoke run, inside the bundle: the real app code, driven as a volunteer
would, to show what freezing can break works frozen. Started by ``launcher.py`` when
``SOHOA_SMOKE=RESULT.json`` is set (packaging/smoke_linux.sh does), in an empty ``SOHOA_HOME``.

1. The app as ``sohoa`` starts it (``ui.app.create_app``: bundled fonts, style, translations),
   the first-start wizard on an empty laptop, filled in and finished: a vault created with the
   real key derivation (SQLCipher), the admin signed in to the workspace. A screenshot of each.
2. A photo (JPEG) and a scan (PNG) imported into a visit: the decoders are spawned processes
   (``multiprocessing.freeze_support`` in the launcher).
3. Three seconds of a testimony recorded through PortAudio from PulseAudio's null sink (the
   smoke script starts it and plays speech into it), checked to be sound, not silence.
4. The visit consented, submitted, approved, then a batch built as the operator: the encryptor
   is ``sohoa -m sync.age_stream`` (the launcher), once through the ``age`` CLI when it is on
   the PATH and once through pyrage; each batch decrypted back with the identity's key.
5. Qt Multimedia's backend (FFmpeg) loaded: the formats it decodes.

Writes one JSON object to RESULT.json; exit code 0 only when every step passed.
"""

from __future__ import annotations

import io
import json
import os
import sys
import tarfile
import time
import traceback
from pathlib import Path
from typing import Any

PASSPHRASE = "quê hương là chùm khế ngọt"  # noqa: S105 - the smoke's throwaway vault
TEMPORARY = "tạm thời 12345"
HANOI, BA_DINH = 1, 4


def _refuse_a_real_home() -> None:
    home = os.environ.get("SOHOA_HOME")
    if not home or (Path(home).exists() and any(Path(home).iterdir())):
        raise SystemExit("smoke: SOHOA_HOME must name an empty folder (the smoke makes a vault)")


def _wait(app: Any, done: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {timeout} s for {what}")
        app.processEvents()
        time.sleep(0.01)


def _wizard(result: dict[str, Any], shots: Path) -> Any:
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QWizard

    from capture import paths
    from ui import app as app_module

    qt = app_module.create_app([])
    window = app_module.AppWindow(paths.default_vault())
    window.show()
    _wait(qt, window.isVisible, 10, "the window")
    qt.processEvents()
    import psutil

    result["startup_to_window_s"] = round(time.time() - psutil.Process().create_time(), 2)
    wizard = window.wizard
    assert wizard is not None and window.current() is wizard, "no wizard on an empty laptop"
    window.grab().save(str(shots / "1-wizard.png"))
    result["wizard_next_label"] = wizard.button(QWizard.WizardButton.NextButton).text()
    wizard.next()
    page = wizard.station_page
    page.name.insert("Đoàn Thanh niên phường Ba Đình")
    page.province.select_code(HANOI)
    page.ward.select_code(BA_DINH)
    wizard.next()
    admin = wizard.admin_page
    admin.full_name.insert("Nguyễn Thị Lan")
    admin.username.setText("lan")
    admin.passphrase.first.setText(PASSPHRASE)
    admin.passphrase.second.setText(PASSPHRASE)
    started = time.monotonic()
    wizard.next()
    _wait(qt, lambda: wizard.currentPage() is wizard.recovery_page, 120, "the vault")
    result["vault_created_s"] = round(time.monotonic() - started, 2)
    recovery = wizard.recovery_page
    window.grab().save(str(shots / "2-recovery.png"))
    pdf = shots / "recovery-key.pdf"
    recovery.save_pdf_to(pdf)
    result["recovery_pdf_bytes"] = pdf.stat().st_size
    QTest.mouseClick(recovery.confirm, Qt.MouseButton.LeftButton,
                     pos=QPoint(12, recovery.confirm.height() // 2))
    QTest.mouseClick(wizard.button(QWizard.WizardButton.FinishButton), Qt.MouseButton.LeftButton)
    _wait(qt, lambda: window.shell is not None and window.current() is window.shell, 30,
          "the workspace")
    _wait(qt, lambda: "Ba Đình" in window.shell.station_label.text(), 10, "the station's name")
    window.grab().save(str(shots / "3-workspace.png"))
    return qt, window


def _people(path: Path) -> dict[str, Any]:
    from capture import accounts
    from capture.roles import Role
    from capture.vault import NewUser, Vault

    manager = Vault(path).unlock("lan", PASSPHRASE)
    for name, role in (("hoa", Role.VOLUNTEER), ("minh", Role.COORDINATOR),
                       ("tuan", Role.OPERATOR)):
        accounts.create_user(manager, NewUser(name, name, TEMPORARY, role))
    manager.lock()
    for name in ("hoa", "minh", "tuan"):
        first = Vault(path).unlock(name, TEMPORARY)
        first.set_new_passphrase(f"mật khẩu của {name}")
        first.lock()
    return {name: f"mật khẩu của {name}" for name in ("hoa", "minh", "tuan")}


def _photos(folder: Path) -> list[Path]:
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(7)
    pixels = (rng.random((900, 1200, 3)) * 255).astype("uint8")
    jpeg, png = folder / "IMG_0001.JPG", folder / "scan-0002.png"
    Image.fromarray(pixels).save(jpeg, quality=90)
    Image.fromarray(pixels[:600, :800]).save(png)
    return [jpeg, png]


def _record(volunteer: Any, visit_id: str, seconds: float) -> dict[str, Any]:
    import numpy as np

    from capture import recorder as rec
    from capture.testimony import create_testimony, load_testimony

    testimony_id = create_testimony(volunteer, visit_id, speaker_name="Bà Nguyễn Thị Mai")
    recorder = rec.Recorder(volunteer, testimony_id)
    recorder.start(rec.DeviceSource(os.environ.get("SOHOA_SMOKE_DEVICE", "pulse")))
    deadline = time.monotonic() + seconds + 10
    while recorder.frames_captured < seconds * rec.SAMPLE_RATE and time.monotonic() < deadline:
        time.sleep(0.02)
    recorder.stop()
    view = load_testimony(volunteer, testimony_id)
    part = view.parts[0]
    with rec.open_audio(volunteer, part.object_name) as audio:
        samples = audio.read(dtype="float64")
    rms = float(np.sqrt(np.mean(samples ** 2))) if len(samples) else 0.0
    assert part.duration >= seconds * 0.9, f"recorded {part.duration} s of {seconds}"
    assert rms > 0.005, "the recording is silence"
    return {"recorded_s": round(part.duration, 2), "recorded_rms": round(rms, 4),
            "input_devices": len(rec.input_devices())}


def _batches(path: Path, passphrases: dict[str, str], visit_id: str, out: Path
             ) -> dict[str, Any]:
    import pyrage

    from capture import review
    from capture.vault import Vault
    from sync import batch

    coordinator = Vault(path).unlock("minh", passphrases["minh"])
    review.approve(coordinator, visit_id)
    coordinator.lock()
    identity = pyrage.x25519.Identity.generate()
    found: dict[str, Any] = {}
    for encryptor in ("age", "pyrage"):
        if encryptor == "age" and not _which("age"):
            found["age_cli"] = "not on the PATH: pyrage only"
            continue
        os.environ["SOHOA_AGE_ENCRYPTOR"] = encryptor  # the encryptor process inherits it
        operator = Vault(path).unlock("tuan", passphrases["tuan"])
        target = out / f"batch-{encryptor}.age"
        summary = batch.build(operator, target, str(identity.to_public()))
        operator.lock()
        plain = pyrage.decrypt(target.read_bytes(), [identity])
        with tarfile.open(fileobj=io.BytesIO(plain)) as bag:
            names = bag.getnames()
        assert any(n.endswith("bagit.txt") for n in names), names[:5]
        found[f"batch_{encryptor}_bytes"] = target.stat().st_size
        found[f"batch_{encryptor}_files"] = summary.files
    return found


def _which(name: str) -> str | None:
    import shutil

    return shutil.which(name)


def _visit(path: Path, passphrases: dict[str, str], folder: Path) -> tuple[str, dict[str, Any]]:
    from capture import consent, importer, review, visits
    from capture.consent import DrawnSignature, Scopes, Signer
    from capture.vault import Vault
    from capture.visits import Household, ItemData, ItemKind, MartyrData

    volunteer = Vault(path).unlock("hoa", passphrases["hoa"])
    visit_id = visits.create_visit(volunteer, Household(HANOI, BA_DINH, village="Thôn Đông",
                                                        contact_name="Nguyễn Thị Hoa"))
    visits.add(volunteer, visit_id, MartyrData("Nguyễn Văn Hùng", home_town="Thanh Hóa",
                                               death_place="Quảng Trị"))
    item = visits.add(volunteer, visit_id, ItemData(ItemKind.DIARY, title="Nhật ký 1971"))
    started = time.monotonic()
    report = importer.import_files(volunteer, item, _photos(folder))
    found: dict[str, Any] = {"import_s": round(time.monotonic() - started, 2)}
    # The decoders are this executable started by multiprocessing's spawn: on Linux with
    # --multiprocessing-fork (freeze_support's cue), on Windows with its own pipe arguments.
    import psutil

    children = psutil.Process().children()
    found["decoder_processes"] = sum(
        1 for c in children if any("multiprocessing" in a for a in c.cmdline()))
    assert found["decoder_processes"] >= 1, [c.cmdline() for c in children]
    statuses = [o.status for o in report.outcomes]
    assert statuses == ["imported", "imported"], [(o.status, o.error) for o in report.outcomes]
    found["imported"] = len(statuses)
    seconds = float(os.environ.get("SOHOA_SMOKE_SECONDS", "3"))
    if seconds > 0:  # 0: a machine with no audio input at all (the Windows CI runner)
        found.update(_record(volunteer, visit_id, seconds))
    else:
        found["recorded_s"] = "skipped"
    consent.record(volunteer, visit_id, Scopes(share_with_authorities=True),
                   Signer("Nguyễn Thị Hoa", "em gái"),
                   DrawnSignature([[(1.0, 2.0, 0, 0.5), (3.0, 4.0, 50, 0.5)]],
                                  b"\x89PNG signature"))
    review.submit(volunteer, visit_id)
    volunteer.lock()
    return visit_id, found


def _multimedia() -> dict[str, Any]:
    from PySide6.QtMultimedia import QMediaFormat

    decodes = QMediaFormat().supportedFileFormats(QMediaFormat.ConversionMode.Decode)
    names = sorted(QMediaFormat.fileFormatName(f) for f in decodes)
    assert names, "Qt Multimedia has no backend (no FFmpeg plugin)"
    return {"qt_multimedia_decodes": names}


def run(result_path: Path) -> int:
    _refuse_a_real_home()
    shots = result_path.parent / "smoke-shots"
    shots.mkdir(parents=True, exist_ok=True)
    result: dict[str, Any] = {"frozen": bool(getattr(sys, "frozen", False)), "steps": []}
    code = 1
    try:
        qt, window = _wizard(result, shots)
        result["steps"].append("wizard")
        vault_path = window.vault_path
        from ui.i18n import current_language

        result["language"] = current_language()
        result.update(_multimedia())
        window.close()
        qt.processEvents()
        result["steps"].append("window closed")
        passphrases = _people(vault_path)
        visit_id, found = _visit(vault_path, passphrases, shots)
        result.update(found)
        result["steps"].append("import and record")
        result.update(_batches(vault_path, passphrases, visit_id, shots))
        result["steps"].append("batch")
        code = 0
    except BaseException as error:  # the smoke reports whatever failed, then fails
        result["error"] = "".join(traceback.format_exception(error))
    result["exit"] = code
    result_path.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    return code
