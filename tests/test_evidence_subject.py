"""`safeguard evidence subject`: every case naming an adult, as adult at risk or alleged source,
across several cases (and none of anyone else's); the export is recorded."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from bootstrap import open_records
from cli.main import app
from configuration.settings import get_settings
from evidence.exports import exports
from tests.conftest import concern
from tests.pure_case import PureCase

pytestmark = pytest.mark.unit


def raise_case(records, case_id: str, at: str, adult: str, source: str) -> None:
    case = PureCase(concern(at, case_id=case_id, adult_at_risk={"id": adult}, alleged_source={"id": source}))
    records.record(case_id, 1, case.facts)


def test_subject_access_across_several_cases(tmp_path, monkeypatch):
    monkeypatch.setenv("SAFEGUARD_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    try:
        records = open_records(get_settings())
        raise_case(records, "SA-1", "2026-11-02T09:30:00+00:00", "A-500", "A-600")
        raise_case(records, "SA-2", "2026-11-03T09:30:00+00:00", "A-601", "A-500")  # A-500 as the alleged source
        raise_case(records, "SA-3", "2026-11-04T09:30:00+00:00", "A-601", "A-602")  # not A-500's
        raise_case(records, "SA-4", "2026-11-05T09:30:00+00:00", "A-500", "A-603")
        out = tmp_path / "sar"
        result = CliRunner().invoke(app, ["evidence", "subject", "A-500", "--out", str(out), "--by", "DPO-1"])
        assert result.exit_code == 0, result.output
        assert result.stdout.splitlines()[0] == f"3 cases naming A-500 written to {out}:"
        index = json.loads((out / "A-500.json").read_text())
        assert [(c["case_id"], c["appears_as"]) for c in index["cases"]] == [
            ("SA-1", "adult at risk"), ("SA-2", "alleged source"), ("SA-4", "adult at risk")]
        for case_id in ("SA-1", "SA-2", "SA-4"):
            pack = json.loads((out / case_id / f"{case_id}.json").read_text())
            assert "A-500" in (pack["concern"]["adult_at_risk"], pack["concern"]["alleged_source"])
            assert (out / case_id / f"{case_id}.pdf").stat().st_size > 1000
        assert not (out / "SA-3").exists()
        assert out.stat().st_mode & 0o777 == 0o700  # personal data: the owner's only
        assert {p.stat().st_mode & 0o777 for p in out.rglob("*")} == {0o700, 0o600}
        assert {p.stat().st_mode & 0o777 for p in out.rglob("*") if p.is_file()} == {0o600}
        (export,) = exports(records)
        assert (export.kind, export.subject, export.cases, export.generated_by) == (
            "subject_access", "A-500", ["SA-1", "SA-2", "SA-4"], "DPO-1")
        assert set(export.files) == {"A-500.json", *(f"{c}/{c}.{x}" for c in ("SA-1", "SA-2", "SA-4")
                                                      for x in ("pdf", "html", "json"))}
        nobody = CliRunner().invoke(app, ["evidence", "subject", "A-999", "--out", str(tmp_path / "none")])
        assert nobody.exit_code == 2 and "no case in the event store names A-999" in nobody.stderr
        assert len(exports(records)) == 1
    finally:
        get_settings.cache_clear()


def test_a_bad_out_path_is_refused_and_nothing_recorded(offline, tmp_path):
    records = open_records(get_settings())
    raise_case(records, "SA-9", "2026-11-02T09:30:00+00:00", "A-117", "A-600")
    afile = tmp_path / "afile"
    afile.write_text("")
    for out, says in ((str(afile), f"--out {afile} is a file, not a directory"),
                      (str(afile / "sub"), f"--out {afile}/sub: {afile} is a file, so no directory can be made under it"),
                      ("", "--out is empty: name a directory")):
        refused = CliRunner().invoke(app, ["evidence", "subject", "A-117", "--out", out, "--by", "DPO-1"])
        assert refused.exit_code == 2 and refused.stderr.splitlines() == [f"error: {says}"], refused.output
    assert exports(records) == []


def test_a_case_folder_planted_as_a_link_is_refused_and_nothing_written_through_it(offline, tmp_path):
    """The trial's: a link planted where a case's folder will be would send the export elsewhere."""
    records = open_records(get_settings())
    raise_case(records, "SA-8", "2026-11-02T09:30:00+00:00", "A-117", "A-600")
    out, elsewhere = tmp_path / "sar", tmp_path / "elsewhere"
    out.mkdir()
    elsewhere.mkdir()
    (out / "SA-8").symlink_to(elsewhere)
    refused = CliRunner().invoke(app, ["evidence", "subject", "A-117", "--out", str(out), "--by", "DPO-1"])
    assert refused.exit_code != 0 and "is a link" in refused.output
    assert list(elsewhere.iterdir()) == [] and exports(records) == []
