"""``normtok count`` end to end: formats, inputs, and every error path."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pytest

import normtok
from normtok import engine

REPO = Path(__file__).resolve().parents[1]
HELLO = "Hello, world! 你好，世界。\n"


@pytest.fixture
def tree(tmp_path):
    (tmp_path / "a.txt").write_text(HELLO, encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.py").write_text("print('hi')\n", encoding="utf-8")
    (tmp_path / "sub" / "empty.md").write_text("", encoding="utf-8")
    (tmp_path / "img.bin").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    return tmp_path


def test_json_document_has_models_rows_and_totals(cli, tree):
    code, out, err = cli("count", str(tree), "-m", "gpt-4o", "-m", "llama-3.1-8b", "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["schema"] == "normtok.count/1"
    assert [m["tokenizer_id"] for m in doc["models"]] == ["openai/o200k_base", "meta/llama3"]
    assert all(len(m["sha256"]) == 64 and m["exact"] for m in doc["models"])
    rows = {Path(f["path"]).name: f for f in doc["files"]}
    assert set(rows) == {"a.txt", "b.py", "empty.md"}
    assert rows["a.txt"]["tokens"]["openai/o200k_base"] == normtok.count(HELLO, "gpt-4o")
    assert rows["a.txt"]["chars"] == len(HELLO) and rows["a.txt"]["bytes"] == len(HELLO.encode())
    assert rows["empty.md"]["tokens"] == {"openai/o200k_base": 0, "meta/llama3": 0}
    assert [Path(s["path"]).name for s in doc["skipped"]] == ["img.bin"]
    assert doc["totals"]["tokens"]["meta/llama3"] == sum(r["tokens"]["meta/llama3"] for r in doc["files"])
    assert "img.bin" in err and "binary" in err


def test_same_tokenizer_requested_twice_is_counted_once(cli, tree):
    code, out, _ = cli("count", str(tree / "a.txt"), "-m", "gpt-4o", "-m", "gpt-4.1", "--format", "json")
    assert [m["tokenizer_id"] for m in json.loads(out)["models"]] == ["openai/o200k_base"]


def test_default_model_set_and_table(cli, tree):
    code, out, _ = cli("count", str(tree / "a.txt"))
    assert code == 0
    for tid in ("openai/o200k_base", "meta/llama3", "deepseek/v3"):
        assert tid in out
    assert "a.txt" in out


def test_csv_and_jsonl_rows_end_with_a_total(cli, tree):
    code, out, _ = cli("count", str(tree), "-m", "gpt-4o", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["kind"] for r in rows] == ["file", "file", "file", "total"]
    assert int(rows[-1]["openai/o200k_base"]) == sum(int(r["openai/o200k_base"]) for r in rows[:-1])
    code, out, _ = cli("count", str(tree), "-m", "gpt-4o", "--format", "jsonl")
    lines = [json.loads(line) for line in out.splitlines()]
    assert lines[-1]["kind"] == "total" and len(lines) == 4


def test_stdin(cli):
    code, out, _ = cli("count", "-", "-m", "gpt-4o", "--format", "json", input=HELLO.encode())
    doc = json.loads(out)
    assert doc["files"][0]["path"] == "-"
    assert doc["files"][0]["tokens"]["openai/o200k_base"] == normtok.count(HELLO, "gpt-4o")


def test_include_and_exclude_globs(cli, tree):
    _, out, _ = cli("count", str(tree), "-m", "gpt-4o", "--include", "*.py", "--format", "json")
    assert [Path(f["path"]).name for f in json.loads(out)["files"]] == ["b.py"]
    _, out, _ = cli("count", str(tree), "-m", "gpt-4o", "--exclude", "sub", "--format", "json")
    assert [Path(f["path"]).name for f in json.loads(out)["files"]] == ["a.txt"]


def test_invalid_utf8_names_file_and_offset_and_exits_2(cli, tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"good text \xff\xfe more")
    good = tmp_path / "good.txt"
    good.write_text("fine", encoding="utf-8")
    code, out, err = cli("count", str(bad), str(good), "-m", "gpt-4o", "--format", "json")
    assert code == 2
    assert "bad.txt" in err and "byte offset 10" in err
    doc = json.loads(out)
    assert [Path(f["path"]).name for f in doc["files"]] == ["good.txt"]  # the good file is still counted
    assert "byte offset 10" in doc["errors"][0]["reason"]
    code, out, _ = cli("count", str(bad), "-m", "gpt-4o", "--errors", "replace", "--format", "json")
    assert code == 0 and json.loads(out)["files"][0]["chars"] == len("good text \ufffd\ufffd more")


def test_missing_path_is_an_error(cli, tmp_path):
    code, _, err = cli("count", str(tmp_path / "nope.txt"), "-m", "gpt-4o")
    assert code == 2 and "no such file" in err


def test_unreadable_file_is_reported(cli, tree, monkeypatch):
    real = engine.read_source

    def deny(src):
        if src.name.endswith("a.txt"):
            raise PermissionError(13, "Permission denied")
        return real(src)

    monkeypatch.setattr(engine, "read_source", deny)
    code, out, err = cli("count", str(tree), "-m", "gpt-4o", "--format", "json")
    assert code == 2 and "Permission denied" in err
    assert len(json.loads(out)["files"]) == 2


def test_symlink_loop_terminates_and_is_reported(cli, tree):
    os.symlink(tree, tree / "sub" / "loop")
    code, out, err = cli("count", str(tree), "-m", "gpt-4o", "--format", "json")
    assert code == 0
    assert len(json.loads(out)["files"]) == 3
    assert "symlink loop" in err


def test_unknown_model_exit_2_with_suggestion(cli, tree):
    code, out, err = cli("count", str(tree), "-m", "gpt4o")
    assert code == 2 and out == ""
    assert "did you mean" in err.lower() and "gpt-4o" in err and "Traceback" not in err


def test_model_without_vocab_exit_2_no_substitute(cli, tree):
    code, out, err = cli("count", str(tree), "-m", "claude-sonnet-4")
    assert code == 2 and out == "" and "no vocab available" in err


def test_tokenizer_file_needs_one_model(cli, tree):
    code, _, err = cli("count", str(tree), "--tokenizer-file", str(tree / "a.txt"))
    assert code == 2 and "exactly one" in err


def test_models_lists_every_entry(cli):
    code, out, _ = cli("models", "--format", "json")
    doc = json.loads(out)
    ids = {t["id"]: t for t in doc["tokenizers"]}
    assert ids["anthropic/claude"]["status"] == "unpublished"
    assert ids["openai/o200k_base"]["sha256"].startswith("446a9538")
    assert "gpt-4o" in ids["openai/o200k_base"]["models"]


def test_version(cli):
    code, out, _ = cli("--version")
    assert code == 0 and normtok.__version__ in out


def test_count_on_the_repository_itself(cli):
    code, out, _ = cli("count", str(REPO / "normtok"), "-m", "gpt-4o", "--format", "json")
    doc = json.loads(out)
    assert code == 0
    assert doc["totals"]["files"] >= 8
    # source code: between 2 and 6 bytes per token
    assert 2 < doc["totals"]["bytes"] / doc["totals"]["tokens"]["openai/o200k_base"] < 6
