"""The station app (PySide6), the only package that imports Qt. Where a screen's file is:

    pages/       one file per screen: visits, visit_editor (+ visit_sections, item_pages), review,
                 check_and_submit, consent, recorder, operator (+ operator_texts), reports,
                 settings, login, setup_wizard
    dialogs/     windows over a page: importing (files, drives, camera), enrol, withdrawal, usb,
                 help, photo_viewer, page_viewer
    widgets/     pieces of screens: common (headings, banners, pickers), gallery, audio (level,
                 waveform, testimony player), coordinates, signature_pad, practice_banner
    documents/   what is printed or saved as PDF: receipt_pdf, recovery_pdf, practice_mark
    cli/         the operators' command line (`sohoa vault|import|sync|report|guide|coords`)

Beside them: app.py (the window, the entry point's target), shell.py (navigation around the
pages), and what every layer uses — tasks (workers), errors, i18n, viewmodels, visit_forms,
consent_records, settings, resources. `python -m ui` and `sohoa` start at ui/__main__.py. The
import-linter contracts in pyproject.toml keep the layers: app > shell > pages > dialogs >
widgets | documents > the shared modules.
"""
