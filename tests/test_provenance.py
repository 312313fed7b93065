"""A tokenizer's identity covers every file that changes its counts, and tables for other files are refused."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

import normtok
from normtok import tables as tables_lib
from normtok.errors import NormtokError
from normtok.registry import identity, resolve

J2_MODEL_SHA = "0da75c7b7590806e6eb791ecb2beeb89df79ef2b94728809a91d1349fa9b3d82"


def test_identity_of_one_file_is_its_sha256():
    e = resolve("gpt-4o")
    assert len(e.files) == 1
    assert e.sha256 == e.files[0].sha256 == identity([("vocab", e.files[0].sha256.upper())])


def test_identity_of_several_files_is_the_sha256_of_their_digest_lines():
    e = resolve("j2-ultra")
    assert [f.role for f in e.files] == ["vocab", "config"]
    text = "".join(f"{f.role} {f.sha256}\n" for f in e.files)
    assert e.sha256 == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert e.sha256 != J2_MODEL_SHA
    # what a count reports and what the tables were measured with
    assert normtok.tokenizer("j2-ultra").sha256 == e.sha256
    assert tables_lib.load().tokenizer_sha256("ai21/j2") == e.sha256


def test_count_json_reports_the_composite_identity(cli, tmp_path: Path):
    (tmp_path / "a.txt").write_text("one\ntwo\n", encoding="utf-8")
    rc, out, err = cli("count", "-m", "j2-ultra", "--no-nt", "--format", "json", str(tmp_path / "a.txt"))
    assert rc == 0, err
    assert json.loads(out)["models"][0]["sha256"] == resolve("j2-ultra").sha256


def _copy_tables(tmp_path: Path) -> Path:
    d = tmp_path / "tables"
    d.mkdir()
    for name in ("metadata.json", "ratios.json", "pairs.json"):
        shutil.copy(tables_lib.default_dir() / name, d / name)
    return d


def test_tables_measured_with_the_bare_j2_model_are_refused(cli, tmp_path: Path):
    """Tables of registry 2026-11-28 counted the bare model under its SHA-256: they must not be applied."""
    d = _copy_tables(tmp_path)
    meta = json.loads((d / "metadata.json").read_text(encoding="utf-8"))
    for t in meta["tokenizers"]:
        if t["id"] == "ai21/j2":
            t["sha256"] = J2_MODEL_SHA
    (d / "metadata.json").write_text(json.dumps(meta), encoding="utf-8")
    tables_lib._loaded.clear()
    rc, out, err = cli("convert", "1000", "--from", "j2-ultra", "--to", "nt", "--class", "en", "--tables", str(d))
    assert rc == 2 and out == ""
    assert "tokenizer mismatch for ai21/j2" in err and J2_MODEL_SHA in err
    rc, _, err = cli("convert", "1000", "--from", "gpt-4o", "--to", "nt", "--class", "en", "--tables", str(d))
    assert rc == 0, err  # the other tokenizers' rows are still usable


def test_an_override_without_a_sha256_is_checked_by_hashing_its_file(cli, tmp_path: Path, monkeypatch):
    """A registry override that points o200k at another file with "sha256": null must not get o200k's tables."""
    real = resolve("gpt-4o")
    other = resolve("gpt-4").files[0].locate()  # cl100k's rank file, a real but different vocabulary
    entry = {"id": real.id, "vendor": real.vendor, "format": real.format, "pattern": real.pattern,
             "files": [{"path": str(other), "sha256": None}], "models": ["gpt-4o"]}
    reg = tmp_path / "override.json"
    reg.write_text(json.dumps({"entries": [entry]}), encoding="utf-8")
    monkeypatch.setenv("NORMTOK_REGISTRY", str(reg))
    rc, out, err = cli("convert", "1000", "--from", "gpt-4o", "--to", "nt")
    assert rc == 2 and out == ""
    assert "tokenizer mismatch for openai/o200k_base" in err
    assert resolve("gpt-4").sha256 in err  # the hash of the file actually pointed at
    # the same override pointing at the registered file (no hash given) is accepted
    ref = real.files[0]
    entry["files"] = [{"path": str(ref.locate()), "sha256": None, "compression": ref.compression}]
    reg2 = tmp_path / "override-registered.json"  # a new path: the registry is cached per $NORMTOK_REGISTRY
    reg2.write_text(json.dumps({"entries": [entry]}), encoding="utf-8")
    monkeypatch.setenv("NORMTOK_REGISTRY", str(reg2))
    rc, _, err = cli("convert", "1000", "--from", "gpt-4o", "--to", "nt")
    assert rc == 0, err


def test_evaluation_rows_carry_versions_split_and_identities():
    t = tables_lib.load()
    rows = json.loads((t.dir / "evaluation.json").read_text(encoding="utf-8"))["rows"]
    sha = {x["id"]: x["sha256"] for x in t.metadata["tokenizers"]}
    assert rows
    for r in rows:
        assert (r["nt_version"], r["corpus_version"], r["split"]) == (t.nt_version, t.corpus_version, "evaluation")
        for side in ("from", "to"):
            assert r[f"{side}_sha256"] == (None if r[side] == "nt" else sha[r[side]])


@pytest.mark.parametrize("amount, message", [(True, "must be a number"), (10**400, "too large"),
                                             (float("inf"), "finite"), (-1, ">= 0"), ("12", None)])
def test_api_amounts(amount, message):
    if message is None:
        assert tables_lib.convert(amount, "gpt-4o", "nt").amount == 12.0
        return
    with pytest.raises(NormtokError, match=message):
        tables_lib.convert(amount, "gpt-4o", "nt")


@pytest.mark.parametrize("given, suggested", [("zh-CN", "zh-Hans"), ("zh-TW", "zh-Hant"), ("es-MX", "es")])
def test_region_tags_suggest_the_class_the_tables_use(given, suggested):
    with pytest.raises(NormtokError, match=f"Did you mean: {suggested}[?,]"):
        tables_lib.load().resolve_class(given)
