"""Reference corpus (v2 = v1 + evaluation-only Sphinx UI documents; v3 = v2 + calibration-only Wagtail UI
documents; v4 = v3 + calibration-only Horizon and django-oscar UI documents): the shipped files verify,
tampering is detected, each version is kept unchanged inside the next, coverage holds."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from normtok import corpus
from normtok.cli import main

REQUIRED_LANGUAGES = [
    "en", "zh-Hans", "zh-Hant", "ja", "ko", "ru", "ar", "hi", "es", "fr", "de", "pt", "vi",
    "th", "id", "tr", "fa", "he", "bn", "ta", "uk", "pl", "it", "nl", "sw",
]
CODE_LANGUAGES = ["python", "javascript", "typescript", "rust", "go", "java", "c", "cpp",
                  "sql", "shell"]
STRUCTURED = ["json", "csv", "yaml", "html", "markdown"]
FAMILIES = ["prose", "ui", "code", "math", "structured", "agent", "edge"]


def base_language(tag: str) -> str:
    """``pt-BR`` -> ``pt``, but keep the script for Chinese (``zh-Hans``)."""
    parts = tag.split("-")
    if parts[0] == "zh" and len(parts) > 1:
        return "-".join(parts[:2])
    return parts[0]


@pytest.fixture(scope="module")
def docs() -> list[corpus.Document]:
    return corpus.load_manifest()


@pytest.fixture()
def copy(tmp_path: Path) -> Path:
    """A private copy of the shipped corpus that a test may damage."""
    root = corpus.default_root()
    dst = tmp_path / "corpora"
    dst.mkdir()
    shutil.copytree(root / "LICENSES", dst / "LICENSES")
    for version in corpus.VERSIONS:
        shutil.copytree(root / version, dst / version)
    return dst


def in_copy(copy: Path, doc: corpus.Document) -> Path:
    """The file of the shipped document ``doc`` inside ``copy``."""
    return copy / doc.file.relative_to(corpus.default_root())


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def edit_manifest(root: Path, fn) -> None:  # noqa: ANN001
    path = corpus.manifest_path(root)
    data = json.loads(path.read_text(encoding="utf-8"))
    fn(data)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


# --- the shipped corpus --------------------------------------------------------------

def test_shipped_corpus_verifies() -> None:
    assert corpus.verify() == []


def test_cli_verify_shipped_corpus_exit_0() -> None:
    result = run("corpus", "verify")
    assert result.exit_code == 0, result.output
    assert "OK" in result.output


def test_cli_verify_json_ok() -> None:
    result = run("corpus", "verify", "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.output) == {"ok": True, "problems": []}


def test_default_root_and_env_override(monkeypatch, copy: Path) -> None:  # noqa: ANN001
    assert corpus.CORPUS_VERSION == "v4"
    for version in ("v1", "v2", "v3", "v4"):
        assert (corpus.default_root() / version / "manifest.json").is_file()
    monkeypatch.setenv("NORMTOK_CORPUS", str(copy))
    assert corpus.default_root() == copy.resolve()
    assert len(corpus.load_manifest()) > 0


# --- tampering is detected -------------------------------------------------------------

def test_tampered_file_detected(copy: Path, docs) -> None:  # noqa: ANN001
    target = next(d for d in docs if d.language == "ja" and d.domain == "prose")
    path = in_copy(copy, target)
    raw = bytearray(path.read_bytes())
    raw[10] = ord("X") if raw[10] != ord("X") else ord("Y")
    path.write_bytes(bytes(raw))
    problems = corpus.verify(copy)
    assert any(p.kind == "hash" and p.subject == target.id for p in problems)
    result = run("corpus", "verify", "--root", str(copy))
    assert result.exit_code == 1
    assert target.id in result.output and "sha256" in result.output


def test_same_size_tamper_with_invalid_utf8_detected(copy: Path, docs) -> None:  # noqa: ANN001
    target = next(d for d in docs if d.language == "en" and d.domain == "prose")
    path = in_copy(copy, target)
    raw = bytearray(path.read_bytes())
    raw[0] = 0xFF
    path.write_bytes(bytes(raw))
    kinds = {p.kind for p in corpus.verify(copy) if p.subject == target.id}
    assert {"hash", "encoding"} <= kinds


def test_missing_file_detected(copy: Path, docs) -> None:  # noqa: ANN001
    target = next(d for d in docs if d.domain == "code:rust")
    in_copy(copy, target).unlink()
    problems = corpus.verify(copy)
    assert [p.kind for p in problems] == ["missing"]
    result = run("corpus", "verify", "--root", str(copy))
    assert result.exit_code == 1
    assert target.id in result.output and "does not exist" in result.output


def test_unlisted_file_detected(copy: Path) -> None:
    (copy / "v1" / "prose" / "stray.txt").write_text("not in the manifest\n", encoding="utf-8")
    problems = corpus.verify(copy)
    assert [(p.kind, p.subject) for p in problems] == [("unlisted", "v1/prose/stray.txt")]
    assert [(p.kind, p.subject) for p in corpus.verify(copy, "v1")] == [("unlisted", "prose/stray.txt")]
    assert run("corpus", "verify", "--root", str(copy)).exit_code == 1
    assert run("corpus", "verify", "--root", str(copy), "--version", "v1").exit_code == 1
    (copy / "v1" / "prose" / "stray.txt").unlink()
    (copy / "v2" / "ui" / "stray.txt").write_text("not in the manifest\n", encoding="utf-8")
    assert [(p.kind, p.subject) for p in corpus.verify(copy)] == [("unlisted", "v2/ui/stray.txt")]
    assert corpus.verify(copy, "v1") == []


def test_entry_without_licence_text_detected(copy: Path) -> None:
    def drop(data: dict) -> None:
        data["documents"][0]["license"] = "LicenseRef-Unknown"

    edit_manifest(copy, drop)
    problems = corpus.verify(copy)
    assert len(problems) == 1 and problems[0].kind == "license"
    assert "LICENSES/LicenseRef-Unknown.txt" in problems[0].message
    result = run("corpus", "verify", "--root", str(copy), "--format", "json")
    assert result.exit_code == 1
    assert json.loads(result.output)["problems"][0]["kind"] == "license"


def test_entry_with_empty_licence_detected(copy: Path) -> None:
    def drop(data: dict) -> None:
        del data["documents"][5]["license"]
        data["documents"][6]["license"] = " "

    edit_manifest(copy, drop)
    assert [p.kind for p in corpus.verify(copy)] == ["license", "license"]


def test_deleted_licence_text_detected(copy: Path) -> None:
    (copy / "LICENSES" / "BSD-3-Clause.txt").unlink()
    problems = corpus.verify(copy)
    assert problems and all(p.kind == "license" for p in problems)


def test_wrong_size_and_split_mix_detected(copy: Path) -> None:
    def damage(data: dict) -> None:
        docs = data["documents"]
        docs[0]["bytes"] += 1
        grouped = next(d for d in docs[1:] if d["parallel_group"])
        grouped["split"] = "evaluation" if grouped["split"] == "calibration" else "calibration"

    edit_manifest(copy, damage)
    kinds = {p.kind for p in corpus.verify(copy)}
    assert {"size", "split"} <= kinds


def test_missing_manifest_is_input_error(tmp_path: Path) -> None:
    result = run("corpus", "verify", "--root", str(tmp_path))
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    result = run("corpus", "verify", "--root", str(tmp_path / "nope"))
    assert result.exit_code == 2
    assert corpus.verify(tmp_path)[0].kind == "manifest"


# --- coverage (what the issue asks the corpus to contain) ------------------------------

def test_size_and_utf8(docs) -> None:  # noqa: ANN001
    v1_total = sum(d.bytes for d in corpus.load_manifest(version="v1"))
    assert 2_000_000 <= v1_total <= 5_000_000
    total = sum(d.bytes for d in docs)  # v4: v1 + 0.75 MB Sphinx + 1.7 MB Wagtail + 1.35 MB Horizon/Oscar UI
    assert v1_total < total <= 9_000_000
    for d in docs[:50]:
        assert len(d.text()) == d.characters


def test_language_coverage(docs) -> None:  # noqa: ANN001
    by_lang: dict[str, int] = {}
    count: dict[str, int] = {}
    for d in docs:
        if d.language != "zxx":
            key = base_language(d.language)
            by_lang[key] = by_lang.get(key, 0) + d.bytes
            count[key] = count.get(key, 0) + 1
    assert len(by_lang) >= 30
    for lang in REQUIRED_LANGUAGES:
        assert by_lang.get(lang, 0) >= 20_000, lang
        assert count[lang] >= 4, lang


def test_both_splits_have_every_major_language_and_domain(docs) -> None:  # noqa: ANN001
    for split in corpus.SPLITS:
        side = [d for d in docs if d.split == split]
        langs = {base_language(d.language) for d in side}
        assert set(REQUIRED_LANGUAGES) <= langs, (split, set(REQUIRED_LANGUAGES) - langs)
        assert set(FAMILIES) <= {d.family for d in side}
        assert {f"code:{c}" for c in CODE_LANGUAGES} <= {d.domain for d in side}
        # every required language has parallel text on this side
        parallel = {base_language(d.language) for d in side if d.parallel_group}
        assert set(REQUIRED_LANGUAGES) <= parallel, set(REQUIRED_LANGUAGES) - parallel


def test_domains(docs) -> None:  # noqa: ANN001
    domains = {d.domain for d in docs}
    assert {f"code:{c}" for c in CODE_LANGUAGES} <= domains
    assert {f"structured:{s}" for s in STRUCTURED} <= domains
    assert {"prose", "ui", "math", "agent", "edge"} <= domains


def test_parallel_groups(docs) -> None:  # noqa: ANN001
    groups: dict[str, list[corpus.Document]] = {}
    for d in docs:
        if d.parallel_group:
            groups.setdefault(d.parallel_group, []).append(d)
    assert {"udhr.a01-15", "udhr.a16-30", "django-ui.a", "django-ui.b",
            "install-guide.ch01", "install-guide.ch02"} <= set(groups)
    for name, members in groups.items():
        assert len({d.split for d in members}) == 1, name
        langs = [d.language for d in members]
        assert len(langs) == len(set(langs)), name  # one document per language
    assert len(groups["udhr.a01-15"]) >= 30


def test_edge_content_present(docs) -> None:  # noqa: ANN001
    text = "".join(t for _, t in corpus.iter_documents(domain="edge"))
    assert "\u200d" in text  # ZWJ sequences
    assert any(ord(c) > 0x1F000 for c in text)  # emoji
    assert "   " in text  # whitespace runs
    assert "Ã" in text  # mojibake


def test_prose_documents_have_calibration_length(docs) -> None:  # noqa: ANN001
    prose = [d for d in docs if d.family == "prose"]
    ok = [d for d in prose if 1_000 <= d.characters <= 20_000]
    assert len(ok) / len(prose) >= 0.9


def test_sources_and_attribution(docs) -> None:  # noqa: ANN001
    for d in docs:
        assert d.source.registry in {"pypi", "npm", "debian"}
        assert d.source.version and d.source.path and d.attribution
        assert corpus.license_ids(d.license)


# --- the API ------------------------------------------------------------------------------

def test_iter_documents_filters() -> None:
    items = list(corpus.iter_documents(split="evaluation", language="ko", domain="prose"))
    assert items
    for doc, text in items:
        assert doc.split == "evaluation" and doc.language == "ko" and doc.domain == "prose"
        assert len(text) == doc.characters
    code = list(corpus.iter_documents(domain="code"))
    assert {d.domain for d, _ in code} >= {"code:python", "code:rust"}
    with pytest.raises(ValueError):
        list(corpus.iter_documents(split="train"))


def test_license_ids() -> None:
    assert corpus.license_ids("GPL-2.0-or-later OR CC-BY-SA-3.0") == [
        "GPL-2.0-or-later", "CC-BY-SA-3.0"]
    assert corpus.license_ids("(MIT OR Apache-2.0)") == ["MIT", "Apache-2.0"]


def test_stats_api_totals(docs) -> None:  # noqa: ANN001
    rows = corpus.stats(by=("family",))
    assert sum(r["documents"] for r in rows) == len(docs)
    assert sum(r["bytes"] for r in rows) == sum(d.bytes for d in docs)
    assert corpus.stats(by=())[0]["documents"] == len(docs)
    with pytest.raises(ValueError):
        corpus.stats(by=("colour",))


# --- the CLI stats ------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["table", "json", "csv", "jsonl"])
def test_cli_stats_formats(fmt: str) -> None:
    result = run("corpus", "stats", "--format", fmt)
    assert result.exit_code == 0, result.output
    if fmt == "json":
        rows = json.loads(result.output)
        assert {"language", "domain", "documents", "bytes"} <= set(rows[0])
        assert {r["language"] for r in rows} >= set(REQUIRED_LANGUAGES) - {"pt"}
    elif fmt == "jsonl":
        assert all(json.loads(line) for line in result.output.splitlines())
    elif fmt == "csv":
        assert result.output.splitlines()[0].startswith("language,domain,documents,bytes")
    else:
        assert "TOTAL" in result.output and "zh-Hant" in result.output


def test_cli_stats_by_and_split() -> None:
    result = run("corpus", "stats", "--by", "family", "--split", "evaluation", "--format", "json")
    assert result.exit_code == 0
    assert {r["family"] for r in json.loads(result.output)} == set(FAMILIES)
    bad = run("corpus", "stats", "--by", "colour")
    assert bad.exit_code == 2 and "colour" in bad.output


# --- versions: v1 frozen inside v2, v2 inside v3, each version's own documents ----------------

@pytest.fixture(scope="module")
def docs_v2() -> list[corpus.Document]:
    return corpus.load_manifest(version="v2")


def test_v1_and_v2_still_verify() -> None:
    assert corpus.verify(version="v1") == [] and corpus.verify(version="v2") == []
    result = run("corpus", "verify", "--version", "v1")
    assert result.exit_code == 0 and "corpus v1 OK: 348 documents" in result.output, result.output
    result = run("corpus", "verify", "--version", "v2")
    assert result.exit_code == 0 and "corpus v2 OK: 383 documents" in result.output, result.output


def test_v2_contains_every_v1_document_unchanged(docs_v2) -> None:  # noqa: ANN001
    docs = docs_v2
    v1 = corpus.load_manifest(version="v1")
    v2 = {d.id: d for d in docs}
    assert len(v1) == 348 and [d.id for d in docs[: len(v1)]] == [d.id for d in v1]  # same ids, same order
    for old in v1:
        new = v2[old.id]
        assert new.path == f"v1/{old.path}" and new.file == old.file  # the v1 file itself, not a copy
        for field in ("sha256", "bytes", "characters", "language", "domain", "parallel_group", "split",
                      "source", "license", "attribution", "derived", "nfc", "notes"):
            assert getattr(new, field) == getattr(old, field), (old.id, field)


def test_v2_documents_are_independent_evaluation_only_ui_with_licence(docs_v2) -> None:  # noqa: ANN001
    docs = docs_v2
    v1_ids = {d.id for d in corpus.load_manifest(version="v1")}
    v1_langs = {d.language for d in corpus.load_manifest(version="v1")}
    added = [d for d in docs if d.id not in v1_ids]
    assert len(added) >= 30
    langs = {d.language for d in added}
    assert {"en", "zh-Hans", "zh-Hant", "ja", "ko", "ru", "es", "fr", "de", "pt-BR", "hi", "ar"} <= langs
    assert langs <= v1_langs  # only languages v1 has
    assert len(langs) == len(added)  # one document per language
    for d in added:
        assert d.id == f"sphinx-ui.{d.language}" and d.path.startswith("v2/ui/sphinx/")
        assert (d.split, d.domain, d.parallel_group) == ("evaluation", "ui", None)
        assert (d.source.registry, d.source.package, d.source.version) == ("pypi", "sphinx", "9.0.4")
        assert d.license == "BSD-2-Clause" and "Sphinx" in d.attribution
        assert d.notes and d.notes.startswith("independent source: evaluation only")
    assert (corpus.default_root() / "LICENSES" / "BSD-2-Clause.txt").read_text(encoding="utf-8").startswith(
        "BSD-2-Clause")
    assert (corpus.default_root() / "LICENSES" / "notices" / "pypi-sphinx-9.0.4.txt").is_file()
    # the calibration split is exactly v1's: the tables' fitted values cannot change
    assert [d.id for d in docs if d.split == "calibration"] == [
        d.id for d in corpus.load_manifest(version="v1") if d.split == "calibration"]


def test_tampered_v2_only_file_detected(copy: Path, docs) -> None:  # noqa: ANN001
    target = next(d for d in docs if d.id == "sphinx-ui.ja")
    path = in_copy(copy, target)
    assert path.parent.parent.parent.name == "v2"
    path.write_bytes(path.read_bytes().replace("ファイル".encode(), "ファイヌ".encode(), 1))
    assert [(p.kind, p.subject) for p in corpus.verify(copy)] == [("hash", "sphinx-ui.ja")]
    assert corpus.verify(copy, "v1") == []  # v1 does not contain it
    assert [(p.kind, p.subject) for p in corpus.verify(copy, "v2")] == [("hash", "sphinx-ui.ja")]
    result = run("corpus", "verify", "--root", str(copy))
    assert result.exit_code == 1 and "sphinx-ui.ja" in result.output


def test_tampered_v1_file_detected_by_both_versions(copy: Path, docs) -> None:  # noqa: ANN001
    target = next(d for d in docs if d.id == "udhr.a16-30.fr")
    path = in_copy(copy, target)
    path.write_bytes(path.read_bytes() + b"x")
    for version in corpus.VERSIONS:
        assert {p.kind for p in corpus.verify(copy, version)} == {"hash", "size"}, version


def test_v2_path_outside_the_corpus_rejected(copy: Path) -> None:
    def escape(data: dict) -> None:
        data["documents"][-1]["path"] = "../outside.txt"

    edit_manifest(copy, escape)
    assert ("path", "oscar-ui.zh-Hant") in {(p.kind, p.subject) for p in corpus.verify(copy)}


def test_unknown_version_is_an_error() -> None:
    with pytest.raises(ValueError, match="v1, v2, v3, v4"):
        corpus.load_manifest(version="v5")
    with pytest.raises(ValueError):
        corpus.verify(version="v0")
    result = run("corpus", "verify", "--version", "v5")
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_stats_per_version() -> None:
    v1 = corpus.stats(by=(), version="v1")[0]
    v2 = corpus.stats(by=(), version="v2")[0]
    v3 = corpus.stats(by=(), version="v3")[0]
    v4 = corpus.stats(by=())[0]
    added = [d for d in corpus.load_manifest() if d.id.startswith("sphinx-ui.")]
    assert v2["documents"] - v1["documents"] == len(added)
    assert v2["bytes"] - v1["bytes"] == sum(d.bytes for d in added)
    added = [d for d in corpus.load_manifest() if d.id.startswith("wagtail-ui.")]
    assert v3["documents"] - v2["documents"] == len(added) == 30
    assert v3["bytes"] - v2["bytes"] == sum(d.bytes for d in added)
    added = [d for d in corpus.load_manifest() if d.source.package in ("horizon", "django-oscar")]
    assert v4["documents"] - v3["documents"] == len(added) == 53
    assert v4["bytes"] - v3["bytes"] == sum(d.bytes for d in added)
    result = run("corpus", "stats", "--version", "v1", "--by", "none", "--format", "json")
    assert result.exit_code == 0 and json.loads(result.output)[0]["documents"] == 348


# --- v3: v2 unchanged + a second UI calibration source ------------------------------------

@pytest.fixture(scope="module")
def docs_v3() -> list[corpus.Document]:
    return corpus.load_manifest(version="v3")


def test_v3_contains_every_v2_document_unchanged(docs_v3, docs_v2) -> None:  # noqa: ANN001
    docs = docs_v3
    assert len(docs_v2) == 383 and [d.id for d in docs[: len(docs_v2)]] == [d.id for d in docs_v2]
    v3 = {d.id: d for d in docs}
    for old in docs_v2:
        new = v3[old.id]
        assert new.path == old.path and new.file == old.file  # the v1/v2 file itself, not a copy
        for field in ("sha256", "bytes", "characters", "language", "domain", "parallel_group", "split",
                      "source", "license", "attribution", "derived", "nfc", "notes"):
            assert getattr(new, field) == getattr(old, field), (old.id, field)
    assert not any((corpus.default_root() / "v3" / d.path).exists() for d in docs_v2)


def test_v3_documents_are_calibration_ui_from_wagtail_one_per_ui_language(docs_v3, docs_v2) -> None:  # noqa: ANN001
    docs = docs_v3
    v2_ids = {d.id for d in docs_v2}
    added = [d for d in docs if d.id not in v2_ids]
    ui_cal_langs = {d.language for d in docs_v2 if d.domain == "ui" and d.split == "calibration"}
    langs = [d.language for d in added]
    assert len(langs) == len(set(langs)) == 30  # one document per language
    # every language with a v1 UI calibration document, except the four Wagtail has (almost) nothing for
    assert set(langs) == ui_cal_langs - {"hi", "ta", "sw", "ur"}
    for d in added:
        assert d.id == f"wagtail-ui.{d.language}" and d.path == f"v3/ui/wagtail/{d.language}.txt"
        assert (d.split, d.domain, d.parallel_group, d.derived) == ("calibration", "ui", None, False)
        assert (d.source.registry, d.source.package, d.source.version) == ("pypi", "wagtail", "8.0.1")
        assert d.license == "BSD-3-Clause" and "Wagtail" in d.attribution
        assert d.notes and d.notes.startswith("second UI source: calibration only")
        assert d.characters >= 1500
    assert (corpus.default_root() / "LICENSES" / "BSD-3-Clause.txt").is_file()
    notice = corpus.default_root() / "LICENSES" / "notices" / "pypi-wagtail-8.0.1.txt"
    assert "Torchbox" in notice.read_text(encoding="utf-8")
    # the evaluation split is exactly v2's: v3 changes only what the tables are fitted on
    assert [d.id for d in docs if d.split == "evaluation"] == [d.id for d in docs_v2 if d.split == "evaluation"]


def test_tampered_v3_only_file_detected_by_v3_alone(copy: Path, docs) -> None:  # noqa: ANN001
    target = next(d for d in docs if d.id == "wagtail-ui.de")
    path = in_copy(copy, target)
    path.write_bytes(path.read_bytes() + b"x")
    for version in ("v3", "v4"):
        assert {(p.kind, p.subject) for p in corpus.verify(copy, version)} == {
            ("hash", "wagtail-ui.de"), ("size", "wagtail-ui.de")}
    assert corpus.verify(copy, "v2") == [] and corpus.verify(copy, "v1") == []
    (copy / "v3" / "ui" / "stray.txt").write_text("not in the manifest\n", encoding="utf-8")
    assert ("unlisted", "v3/ui/stray.txt") in {(p.kind, p.subject) for p in corpus.verify(copy, "v3")}
    assert corpus.verify(copy, "v2") == []


# --- v4: v3 unchanged + two more UI calibration sources -----------------------------------

V4_SOURCES = {"horizon": ("horizon", "27.0.0", "Apache-2.0"), "oscar": ("django-oscar", "4.2.1", "BSD-3-Clause")}


def test_v4_contains_every_v3_document_unchanged(docs, docs_v3) -> None:  # noqa: ANN001
    assert len(docs_v3) == 413 and [d.id for d in docs[: len(docs_v3)]] == [d.id for d in docs_v3]
    v4 = {d.id: d for d in docs}
    for old in docs_v3:
        new = v4[old.id]
        assert new.path == old.path and new.file == old.file  # the v1/v2/v3 file itself, not a copy
        for field in ("sha256", "bytes", "characters", "language", "domain", "parallel_group", "split",
                      "source", "license", "attribution", "derived", "nfc", "notes"):
            assert getattr(new, field) == getattr(old, field), (old.id, field)
    assert not any((corpus.default_root() / "v4" / d.path).exists() for d in docs_v3)
    result = run("corpus", "verify", "--version", "v3")
    assert result.exit_code == 0 and "corpus v3 OK: 413 documents" in result.output, result.output


def test_v4_documents_are_capped_calibration_ui_from_two_more_projects(docs, docs_v3) -> None:  # noqa: ANN001
    v3_ids = {d.id for d in docs_v3}
    added = [d for d in docs if d.id not in v3_ids]
    ui_cal_langs = {d.language for d in docs_v3 if d.domain == "ui" and d.split == "calibration"}
    by_project: dict[str, set[str]] = {}
    for d in added:
        project = d.id.split("-ui.")[0]
        package, version, lic = V4_SOURCES[project]
        assert d.id == f"{project}-ui.{d.language}" and d.path == f"v4/ui/{project}/{d.language}.txt"
        assert (d.split, d.domain, d.parallel_group, d.derived) == ("calibration", "ui", None, False)
        assert (d.source.registry, d.source.package, d.source.version) == ("pypi", package, version)
        assert d.license == lic and d.notes and d.notes.startswith("v4 UI source: calibration only")
        assert d.characters <= 20_001  # the cap (UI_CAP) plus the final newline
        assert d.language not in by_project.get(project, set())  # one document per project and language
        by_project.setdefault(project, set()).add(d.language)
        notice = corpus.default_root() / "LICENSES" / "notices" / f"pypi-{package}-{version}.txt"
        assert notice.is_file()
    assert len(added) == 53 and {p: len(v) for p, v in by_project.items()} == {"horizon": 23, "oscar": 30}
    for langs in by_project.values():
        assert "en" in langs and langs <= ui_cal_langs  # only languages with a UI cell
    # the languages with a Django document only in v3 get a second project where one exists
    assert {"hi", "ta", "ur"} <= by_project["horizon"] and "hi" in by_project["oscar"]
    # mostly copied catalogues are left out (Horizon id: 29 % msgstr == msgid, Oscar ar: 30 %)
    assert "id" not in by_project["horizon"] and "ar" not in by_project["oscar"]
    assert "sw" not in by_project["horizon"] | by_project["oscar"]
    capped = [d for d in added if "capped at 20000" in (d.notes or "")]
    assert capped and all(d.characters >= 19_000 for d in capped)
    # the evaluation split is exactly v2's: v4 changes only what the tables are fitted on
    assert [d.id for d in docs if d.split == "evaluation"] == [d.id for d in docs_v3 if d.split == "evaluation"]


def test_tampered_v4_only_file_detected_by_v4_alone(copy: Path, docs) -> None:  # noqa: ANN001
    target = next(d for d in docs if d.id == "horizon-ui.hi")
    path = in_copy(copy, target)
    assert path.relative_to(copy).parts[:3] == ("v4", "ui", "horizon")
    path.write_bytes(path.read_bytes() + b"x")
    assert {(p.kind, p.subject) for p in corpus.verify(copy)} == {("hash", "horizon-ui.hi"), ("size", "horizon-ui.hi")}
    assert corpus.verify(copy, "v3") == [] and corpus.verify(copy, "v2") == [] and corpus.verify(copy, "v1") == []
    (copy / "v4" / "ui" / "stray.txt").write_text("not in the manifest\n", encoding="utf-8")
    assert ("unlisted", "v4/ui/stray.txt") in {(p.kind, p.subject) for p in corpus.verify(copy)}
    assert corpus.verify(copy, "v3") == []


def _build_script():  # noqa: ANN202
    """corpora/build_corpus.py as a module (it is a script, not part of the package)."""
    import importlib.util

    path = corpus.default_root() / "build_corpus.py"
    spec = importlib.util.spec_from_file_location("build_corpus_under_test", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def test_v4_cap_keeps_catalogue_order_and_the_same_messages_in_every_language() -> None:
    bc = _build_script()
    keys = [("app", "django.po", "", f"message {i}", "") for i in range(200)]
    en = [(k, [f"English text number {i:03d}"]) for i, k in enumerate(keys)]
    de = [(k, [f"Deutscher Text Nummer {i:03d}, etwas länger"]) for i, k in enumerate(keys)]
    small = en[:5]
    assert bc.cap_messages(small, 1000) == small  # under the cap: unchanged
    for messages, cap in ((en, 1000), (de, 1000), (en, 2500)):
        kept = bc.cap_messages(messages, cap)
        text = "\n".join(s for _, strs in kept for s in strs)
        assert 0 < len(text) <= cap and len(kept) < len(messages)
        assert kept == [m for m in messages if m in kept]  # catalogue order
        assert bc.cap_messages(messages, cap) == kept  # deterministic
    # chosen by the key's hash, not the text: the shorter English keeps a superset of the German messages
    assert {k for k, _ in bc.cap_messages(de, 1000)} <= {k for k, _ in bc.cap_messages(en, 1000)}
    # a sample of the whole catalogue, not its first messages
    assert max(int(k[3].split()[1]) for k, _ in bc.cap_messages(en, 1000)) > 100
