"""A whole visit in the app, from an empty list to submitted for review: household, martyr,
an item with photos, the family's consent drawn on the pad, the checklist, the submission.
Screenshots of each step go to screenshots/guided-*.png."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from capture import importer, visits
from capture.visits import VisitStatus

from .test_consent_ui import fill_and_sign, record_consent
from .visit_helpers import photos, visits_page

SHOTS = Path(__file__).resolve().parents[2] / "screenshots"


def _shot(widget, name: str) -> None:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(exist_ok=True)
    widget.grab().save(str(SHOTS / f"guided-{name}.png"))


def _type(edit, text: str) -> None:  # type: ignore[no-untyped-def]
    edit.setText(text)
    edit.textEdited.emit(text)


def test_a_visit_from_empty_to_submitted(app, qtbot, volunteer, tmp_path) -> None:  # type: ignore[no-untyped-def]
    shell, page = visits_page(qtbot, volunteer)
    qtbot.mouseClick(page.new_button, Qt.MouseButton.LeftButton)
    editor = page.editor
    qtbot.waitUntil(lambda: editor.record is not None, timeout=10_000)
    visit_id = editor.record.id

    _type(editor.household.contact, "Nguyễn Thị Mai")
    _type(editor.household.village, "Thôn Đông")
    editor.household.save_now()
    _shot(shell, "1-household")

    qtbot.mouseClick(editor.next_step, Qt.MouseButton.LeftButton)
    assert editor.tabs.currentWidget() is editor.martyrs
    qtbot.mouseClick(editor.martyrs.add_button, Qt.MouseButton.LeftButton)
    form = editor.martyrs.form.widgets
    _type(form["full_name"], "Nguyễn Văn Hùng")
    _type(form["home_town"], "Thanh Hóa")
    _type(form["death_place"], "Thành cổ Quảng Trị")
    editor.martyrs.save_now()
    qtbot.waitUntil(lambda: len(visits.load_visit(volunteer, visit_id).martyrs) == 1,
                    timeout=10_000)
    _shot(shell, "2-martyr")

    qtbot.mouseClick(editor.next_step, Qt.MouseButton.LeftButton)
    assert editor.tabs.currentWidget() is editor.people
    qtbot.mouseClick(editor.people.add_button, Qt.MouseButton.LeftButton)
    _type(editor.people.form.widgets["full_name"], "Nguyễn Thị Mai")
    _type(editor.people.form.widgets["relationship"], "con gái")
    editor.people.save_now()
    qtbot.waitUntil(lambda: len(visits.load_visit(volunteer, visit_id).people) == 1,
                    timeout=10_000)
    _shot(shell, "2b-people")

    qtbot.mouseClick(editor.next_step, Qt.MouseButton.LeftButton)
    assert editor.tabs.currentWidget() is editor.items
    qtbot.mouseClick(editor.items.add_button, Qt.MouseButton.LeftButton)
    _type(editor.items.form.widgets["title"], "Thư gửi mẹ, 1971")
    editor.items.save_now()
    qtbot.waitUntil(lambda: len(visits.load_visit(volunteer, visit_id).items) == 1,
                    timeout=10_000)
    item_id = visits.load_visit(volunteer, visit_id).items[0].id
    report = importer.import_files(volunteer, item_id, photos(tmp_path / "dcim", 2))
    assert report.imported == 2
    editor.open_visit(visit_id)  # coming back to the visit shows the photos
    qtbot.waitUntil(lambda: editor.record is not None and bool(editor.record.items)
                    and len(editor.record.items[0].pages) == 2, timeout=10_000)
    editor.tabs.setCurrentWidget(editor.items)
    qtbot.waitUntil(lambda: editor.pages.model.rowCount() == 2, timeout=10_000)
    qtbot.wait(500)  # the thumbnails, decrypted off the GUI thread
    _shot(shell, "3a-items-photos")

    # The testimony step: a recording the family's daughter made on her phone, imported.
    from capture import recorder as rec
    from capture import testimony

    from .test_review_ui import _wav

    testimony_id = testimony.create_testimony(volunteer, visit_id, speaker_name="Nguyễn Thị Mai")
    rec.import_recording(volunteer, testimony_id, _wav(tmp_path / "loi-ke.wav", 2.5))
    testimony.add_marker(volunteer, testimony_id, 1.5, "Thành cổ Quảng Trị", "place")
    editor.open_visit(visit_id)
    qtbot.waitUntil(lambda: editor.record is not None and editor.recorder is not None,
                    timeout=10_000)
    editor.tabs.setCurrentWidget(editor.testimony)
    qtbot.wait(500)
    _shot(shell, "3b-testimony")

    # The checklist first: the photos are not covered by a consent, so nothing can be sent.
    editor.tabs.setCurrentWidget(editor.submit_tab)
    step = editor.submit_step
    qtbot.waitUntil(lambda: step is not None and not step.submit_button.isEnabled(),
                    timeout=10_000)
    _shot(shell, "3c-checklist-blocked")

    editor.tabs.setCurrentWidget(editor.consent_tab)
    consent_step = editor.consent_step
    fill_and_sign(qtbot, consent_step)
    _shot(shell, "4-consent-signed")
    record_consent(qtbot, consent_step)
    _shot(shell, "5-receipt")

    qtbot.mouseClick(editor.next_step, Qt.MouseButton.LeftButton)
    assert editor.tabs.currentWidget() is editor.submit_tab
    assert not editor.next_step.isVisible()  # the last step
    step = editor.submit_step
    qtbot.waitUntil(lambda: step.submit_button.isEnabled(), timeout=10_000)
    _shot(shell, "6-checklist-ready")
    qtbot.mouseClick(step.submit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: visits.load_visit(volunteer, visit_id).status
                    == VisitStatus.SUBMITTED, timeout=10_000)
    qtbot.waitUntil(lambda: editor.read_only_note.isVisible(), timeout=10_000)
    assert not editor.submit_step.submit_button.isEnabled()  # nothing to send twice
    qtbot.wait(300)  # let the reopened checklist fill in for the picture
    _shot(shell, "7-submitted")


def _open_app(qtbot, path, username: str, passphrase: str):  # type: ignore[no-untyped-def]
    from capture.keyslots import KdfParams
    from ui.app import AppWindow
    from ui.viewmodels import Page

    window = AppWindow(path, kdf=KdfParams.for_tests())
    qtbot.addWidget(window)
    window.show()
    window.login.username.setText(username)
    window.login.passphrase.setText(passphrase)
    qtbot.mouseClick(window.login.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.shell is not None, timeout=20_000)
    window.shell.show_page(Page.VISITS)
    return window, window.shell.page_widgets[Page.VISITS]


def _new_visit_in_app(qtbot, volunteer):  # type: ignore[no-untyped-def]
    """The volunteer's vault opened in the real app, a new visit started in it."""
    from tests.conftest import VOLUNTEER_PASS

    volunteer.lock()
    window, page = _open_app(qtbot, volunteer.path, "lan", VOLUNTEER_PASS)
    qtbot.mouseClick(page.new_button, Qt.MouseButton.LeftButton)
    editor = page.editor
    qtbot.waitUntil(lambda: editor.record is not None, timeout=10_000)
    return window, page, editor, editor.record.id


def test_a_draft_survives_closing_the_app(app, qtbot, volunteer) -> None:  # type: ignore[no-untyped-def]
    """Typed in the real app, the app closed (the vault locks), opened again: the draft is in
    the list and opens where it was left."""
    from tests.conftest import VOLUNTEER_PASS

    path = volunteer.path
    window, page, editor, visit_id = _new_visit_in_app(qtbot, volunteer)
    _type(editor.household.contact, "Nguyễn Thị Mai")
    _type(editor.household.village, "Thôn Đông")
    editor.tabs.setCurrentWidget(editor.martyrs)
    qtbot.mouseClick(editor.martyrs.add_button, Qt.MouseButton.LeftButton)
    _type(editor.martyrs.form.widgets["full_name"], "Nguyễn Văn Hùng")
    _type(editor.martyrs.form.widgets["home_town"], "Thanh Hóa")
    qtbot.waitUntil(lambda: editor.martyrs.list.count() == 1, timeout=10_000)
    # Closed at once, before the typing's own save (0.7 s after the last key) has run.
    assert editor.household.timer.isActive() or editor.martyrs.timer.isActive()
    window.close()
    assert window.vault is None  # closing locked the vault

    window, page = _open_app(qtbot, path, "lan", VOLUNTEER_PASS)
    qtbot.waitUntil(lambda: any(row.id == visit_id for row in page.rows), timeout=10_000)
    page.open_visit(visit_id)
    editor = page.editor
    qtbot.waitUntil(lambda: editor.record is not None and editor.record.id == visit_id,
                    timeout=10_000)
    assert editor.record.status == VisitStatus.DRAFT
    assert editor.household.contact.text() == "Nguyễn Thị Mai"
    assert editor.household.village.text() == "Thôn Đông"
    ((_, martyr),) = editor.record.martyrs
    assert (martyr.full_name, martyr.home_town) == ("Nguyễn Văn Hùng", "Thanh Hóa")
    window.close()


def test_a_draft_survives_the_lock_button(app, qtbot, volunteer) -> None:  # type: ignore[no-untyped-def]
    """Typed, then Lock pressed at once (before the typing's own save): what was typed is in
    the vault when the same person signs in again."""
    from capture.visits import load_visit
    from tests.conftest import VOLUNTEER_PASS

    window, _page, editor, visit_id = _new_visit_in_app(qtbot, volunteer)
    _type(editor.household.contact, "Trần Thị Lan")
    assert editor.household.timer.isActive()
    qtbot.mouseClick(window.shell.lock_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.vault is None, timeout=10_000)

    window.login.passphrase.setText(VOLUNTEER_PASS)
    qtbot.mouseClick(window.login.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.vault is not None, timeout=20_000)
    assert load_visit(window.vault, visit_id).household.contact_name == "Trần Thị Lan"
    window.close()
