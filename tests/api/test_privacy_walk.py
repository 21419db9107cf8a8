"""No answer lets a caller rebuild an ID number or a phone number (issue #18).

Every role (the accounts of tests/api/conftest.py: one per role, scoped at each level) walks
every read route of the API over the tiny demo county (tests/api/scope_sweep.py, the scope
sweep's route list, which test_scope_property keeps complete) and every answer is searched for
the real ID numbers and phones of the county, read from the roster files the demo wrote (not
from orgraph):

- no full ID number and no full phone anywhere (without reveal), in any field or export cell;
- no combination rebuilds an ID number: every masked ID (first 6 and last 4) a role sees is
  tried with every full date it sees anywhere (the 8 hidden digits of an ID are the birth
  date); a combination that is a real ID number fails the test;
- with reveal=true (only the roles that may), phones may be full, ID numbers still never.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import httpx
import pytest
from openpyxl import load_workbook

from orgraph.roster.idnumber import check_digit
from orgraph.security import can_reveal
from orgraph.store import GraphStore
from tests.api.conftest import AS_OF, USERS
from tests.api.scope_sweep import Sweep, strings, sweep
from tests.api.scope_truth import Truth

ID_RE = re.compile(r"(?<![0-9])[0-9]{17}[0-9X](?![0-9])")
PHONE_RE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")
MASKED_ID_RE = re.compile(r"(?<![0-9*])([0-9]{6})\*{8}([0-9]{3}[0-9Xx])(?![0-9])")
DATE_RE = re.compile(r"(?<![0-9])((?:18|19|20)[0-9]{2})-?([01][0-9])-?([0-3][0-9])(?![0-9])")


def _cells(path: Path) -> list[str]:
    if path.suffix == ".xlsx":
        wb = load_workbook(path, read_only=True)
        return [
            str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row
        ]
    text = path.read_bytes().decode("utf-8-sig", errors="replace")
    return [c for row in csv.reader(io.StringIO(text)) for c in row]


@pytest.fixture(scope="module")
def secrets_of_the_county(demo_dir: Path) -> tuple[set[str], set[str]]:
    """(ID numbers, mobile phones) in the demo's roster files."""
    ids: set[str] = set()
    phones: set[str] = set()
    for path in sorted(demo_dir.iterdir()):
        if path.suffix not in (".xlsx", ".csv"):
            continue
        for cell in _cells(path):
            ids.update(m for m in ID_RE.findall(cell.upper()) if check_digit(m[:17]) == m[17])
            phones.update(PHONE_RE.findall(cell))
    assert len(ids) > 50 and len(phones) > 50, (len(ids), len(phones))
    return ids, phones


def _rebuilt(sw: Sweep, ids: set[str]) -> list[str]:
    """Real ID numbers that a masked ID and a full date seen by this caller combine into."""
    masked: set[tuple[str, str]] = set()
    dates: set[str] = set()
    for _, body in sw.answers:
        for _, s in strings(body):
            masked.update(MASKED_ID_RE.findall(s.upper()))
            dates.update("".join(m) for m in DATE_RE.findall(s))
    return sorted({head + d + tail for head, tail in masked for d in dates} & ids)


def _full(sw: Sweep, secrets: set[str]) -> list[str]:
    found = []
    for request, body in sw.answers:
        for where, s in strings(body):
            for m in (*ID_RE.findall(s.upper()), *PHONE_RE.findall(s)):
                if m in secrets:
                    found.append(f"{request} {where} = {s!r}")
    return found


@pytest.fixture(scope="module")
def truth(demo_store: GraphStore) -> Truth:
    return Truth.read(demo_store)


@pytest.mark.parametrize("account", sorted(USERS))
def test_no_answer_rebuilds_an_id_number_or_a_phone(
    clients: dict[str, httpx.Client],
    truth: Truth,
    secrets_of_the_county: tuple[set[str], set[str]],
    account: str,
) -> None:
    role, ref = USERS[account]
    ids, phones = secrets_of_the_county
    sw = sweep(clients[account], truth, ref, reveal=False, as_of=AS_OF.isoformat())
    assert sw.calls > 40
    full = _full(sw, ids | phones)
    assert not full, f"{role} at {ref} saw full ID numbers or phones:\n" + "\n".join(full[:10])
    rebuilt = _rebuilt(sw, ids)
    assert not rebuilt, (
        f"{role} at {ref}: masked ID + a full date rebuild {len(rebuilt)} ID numbers"
    )
    if can_reveal(role):
        # Revealed answers (audited) may carry full phones; an ID number is never revealed.
        shown = sweep(clients[account], truth, ref, reveal=True, as_of=AS_OF.isoformat())
        full = _full(shown, ids)
        assert not full, f"{role} at {ref} saw full ID numbers:\n" + "\n".join(full[:10])


def test_the_walk_sees_masked_ids_and_birth_years(
    clients: dict[str, httpx.Client], truth: Truth
) -> None:
    """The walk is not vacuous: the county account sees masked IDs and birth years."""
    sw = sweep(clients["county"], truth, USERS["county"][1], reveal=False, as_of=AS_OF.isoformat())
    seen = [s for _, body in sw.answers for _, s in strings(body)]
    assert sum(bool(MASKED_ID_RE.fullmatch(s)) for s in seen) > 3
    members = [b for _, b in sw.answers if isinstance(b, dict) and "birth_date" in b]
    assert members and all(re.fullmatch(r"\d{4}", m["birth_date"] or "0000") for m in members)
