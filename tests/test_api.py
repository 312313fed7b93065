"""The Python API (``normtok.count``/``count_many``): the engine that counts never changes a count."""

from __future__ import annotations

import pytest

import normtok
from normtok.errors import NormtokError, UnknownModelError
from normtok.registry import entries
from tests.samples import ALL

AVAILABLE = sorted(e.id for e in entries().values() if e.available)
TEXTS = list(ALL.values())


@pytest.mark.parametrize("tid", AVAILABLE)
def test_count_with_the_chosen_engine_equals_the_reference_adapter(tid):
    ref = normtok.tokenizer(tid)
    assert normtok.count_many(TEXTS, model=tid) == [ref.count(t) for t in TEXTS]
    text = "\n\n".join(TEXTS)
    assert normtok.count(text, model=tid) == normtok.count(text, model=tid, engine="reference") == ref.count(text)


def test_auto_engine_is_a_fast_loading_one_for_gpt_4o():
    from normtok import engines
    from normtok.registry import resolve

    choice = engines.choose(resolve("gpt-4o"), "auto", nbytes=13)
    assert not choice.reference and choice.fallback is None, choice
    assert normtok.count("Hello, world!", model="gpt-4o") == 4


def test_api_errors():
    with pytest.raises(UnknownModelError) as exc:
        normtok.count("x", model="gpt4o")
    assert "gpt-4o" in exc.value.suggestions
    with pytest.raises(NormtokError, match="unknown engine"):
        normtok.count("x", model="gpt-4o", engine="turbo")


def test_discover_refuses_an_empty_path(tmp_path, monkeypatch):
    """``Path("")`` is the current directory; an empty argument (unset variable) must not count it all."""
    from normtok.engine import discover

    (tmp_path / "a.txt").write_text("a", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    found = discover(["", "a.txt"])
    assert [s.name for s in found.sources] == ["a.txt"]
    assert [(p.name, p.kind) for p in found.problems] == [("''", "error")]
