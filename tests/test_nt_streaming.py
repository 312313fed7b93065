"""NT-1 as a column of ``normtok count``: its values add up across the engine's cuts, and the column is exact."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

import normtok
from normtok import chunking, engine
from normtok.cli import count as count_cli
from normtok.nt import NT_VERSION, Counter, nt_milli

from .samples import ALL
from .test_streaming import ATOMS

TEXTS = st.one_of(
    st.lists(st.sampled_from(ATOMS + ["a b", "1 2", "x\ny", "ﬁ", "Å", "A\u030a", "\u1100\u1161", "가 나"]),
             max_size=60).map("".join),
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=80),
    st.sampled_from(list(ALL.values())),
)


@settings(max_examples=400)
@given(text=TEXTS, target=st.integers(1, 40))
def test_nt_pieces_cut_by_the_engine_rule_add_up_to_the_whole(text, target):
    rule = Counter().cut_rule
    pieces = chunking.split_text(text, rule.policy, target)
    assert "".join(p for p, _ in pieces) == text
    assert sum(chunking.count_pieces(Counter().count_many, rule, pieces)) == nt_milli(text)


class _Spy(Counter):
    def __init__(self) -> None:
        super().__init__()
        self.pieces = 0

    def count_many(self, texts):
        self.pieces += len(texts)
        return super().count_many(texts)


def test_streamed_large_file_nt_equals_whole_text(tmp_path):
    unit = "\n".join(v for k, v in ALL.items() if k != "edge:control") + "\n"
    text = unit * (engine.WHOLE_FILE_BYTES // len(unit.encode()) + 2)
    p = tmp_path / "big.txt"
    p.write_text(text, encoding="utf-8")
    spy = _Spy()
    (fc,) = list(engine.count_sources([engine.Source(str(p), p)], [spy], piece_chars=5000))
    assert spy.pieces > 10  # really cut
    assert fc.tokens["nt"] == nt_milli(text)


def test_count_reports_nt_per_file_and_total(cli, tmp_path):
    (tmp_path / "a.txt").write_text("Hello, world!", encoding="utf-8")
    (tmp_path / "b.txt").write_text("你好，世界。", encoding="utf-8")
    code, out, _ = cli("count", str(tmp_path), "-m", "gpt-4o", "--format", "json")
    doc = json.loads(out)
    assert code == 0 and doc["nt_version"] == NT_VERSION == count_cli.NT_VERSION
    by_name = {f["path"].rsplit("/", 1)[-1]: f for f in doc["files"]}
    assert by_name["a.txt"]["nt_milli"] == 3914 == nt_milli("Hello, world!")
    assert by_name["b.txt"]["nt_milli"] == nt_milli("你好，世界。")
    assert doc["totals"]["nt_milli"] == 3914 + nt_milli("你好，世界。")
    assert "nt" not in by_name["a.txt"]["tokens"]
    code, out, _ = cli("count", str(tmp_path / "a.txt"), "-m", "gpt-4o")
    assert "NT-1" in out and "3.914" in out
    code, out, _ = cli("count", str(tmp_path / "a.txt"), "-m", "gpt-4o", "--no-nt", "--format", "json")
    assert "nt_milli" not in json.loads(out)["files"][0] and json.loads(out)["nt_version"] is None
    code, out, _ = cli("count", str(tmp_path), "-m", "gpt-4o", "--format", "csv", "-q")
    assert out.splitlines()[0].split(",")[-1] == "nt_milli"


def test_package_api_names_the_same_function():
    assert normtok.nt.nt_milli("Hello, world!") == 3914
