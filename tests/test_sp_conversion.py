"""The SentencePiece BPE -> tokenizer.json conversion counts exactly like ``sentencepiece``.

``normtok.vocab_cache.sentencepiece_to_hf`` lets fastokens count Mistral's SentencePiece model. This
file proves the conversion on its own (the protobuf reader against sentencepiece's view of the model,
the structural check, HF ``tokenizers`` running the converted file) and adds the adversarial input
that matters for BPE merge order: random concatenations of the vocabulary's own pieces, whitespace
runs longer than the longest whitespace piece, user-defined pieces, byte-fallback characters.
``tests/test_engines.py`` runs the fastokens engine on the whole corpus like every other engine.
"""

from __future__ import annotations

import json
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from normtok import engines, vocab_cache
from normtok.adapters import read_verified
from normtok.adapters import tokenizer as reference
from normtok.registry import resolve

from .samples import ALL

SP = resolve("mistral/spm")


pytestmark = pytest.mark.usefixtures("fresh_vocab_cache")  # a fresh vocab cache: the build path runs too


@pytest.fixture(scope="module")
def model() -> vocab_cache.SentencePieceModel:
    return vocab_cache.parse_sentencepiece(read_verified(SP.files[0]).data)


@pytest.fixture(scope="module")
def fast():
    return engines.load(SP, "fastokens")


@pytest.fixture(scope="module")
def hf(model):
    from tokenizers import Tokenizer

    return Tokenizer.from_str(json.dumps(vocab_cache.sentencepiece_to_hf(model)))


def test_protobuf_reader_agrees_with_sentencepiece(model):
    sp = reference(SP).processor
    assert len(model.pieces) == sp.get_piece_size()
    for i, (piece, score, kind) in enumerate(model.pieces):
        assert sp.id_to_piece(i) == piece
        assert sp.get_score(i) == pytest.approx(score)
        assert sp.is_control(i) == (kind == 3) and sp.is_unknown(i) == (kind == 2) and sp.is_byte(i) == (kind == 6)
    assert (model.model_type, model.byte_fallback, model.normalizer) == (2, True, "identity")
    assert model.add_dummy_prefix and not model.remove_extra_whitespaces and model.escape_whitespaces


def test_conversion_is_structurally_exact_and_the_check_catches_changes(model):
    spec = vocab_cache.sentencepiece_to_hf(model)
    vocab_cache.verify_sp_conversion(spec, model)
    assert len(spec["added_tokens"]) == 22  # [REF], [/REF], [REFERENCE_DOC_0..19]
    merges = spec["model"]["merges"]
    swapped = json.loads(json.dumps(spec))
    swapped["model"]["merges"] = [merges[-1], *merges[1:-1], merges[0]]
    with pytest.raises(ValueError, match="score order"):
        vocab_cache.verify_sp_conversion(swapped, model)
    shifted = json.loads(json.dumps(spec))
    shifted["model"]["vocab"]["\u2581the"] += 1
    with pytest.raises(ValueError, match="ids"):
        vocab_cache.verify_sp_conversion(shifted, model)
    short = json.loads(json.dumps(spec))
    short["model"]["merges"] = [m for m in merges if "".join(m) != "\u2581the"]
    assert len(short["model"]["merges"]) < len(merges)
    with pytest.raises(ValueError, match="unreachable"):
        vocab_cache.verify_sp_conversion(short, model)


def test_models_the_conversion_cannot_reproduce_are_refused(model):
    j2 = vocab_cache.parse_sentencepiece(read_verified(resolve("ai21/j2").files[0]).data)
    with pytest.raises(ValueError, match="not BPE"):
        vocab_cache.sentencepiece_to_hf(j2)  # Unigram with an NFKC charsmap
    for change, message in [({"byte_fallback": False}, "byte fallback"), ({"normalizer": "nmt_nfkc"}, "identity"),
                            ({"remove_extra_whitespaces": True}, "whitespace")]:
        bad = vocab_cache.SentencePieceModel(**{**model.__dict__, **change})
        with pytest.raises(ValueError, match=message):
            vocab_cache.sentencepiece_to_hf(bad)
    with pytest.raises(ValueError):
        vocab_cache.parse_sentencepiece(b"\x0a\xff")  # truncated


def test_refused_conversion_falls_back_visibly(monkeypatch):
    engines.unload()

    def refuse(model):
        raise ValueError("model type 1 is not BPE")

    monkeypatch.setattr(vocab_cache, "sentencepiece_to_hf", refuse)
    monkeypatch.setenv(vocab_cache.CACHE_ENV, os.environ[vocab_cache.CACHE_ENV] + "-refused")
    c = engines.choose(SP, "fastokens")
    assert c.reference and c.engine == "sentencepiece" and "not BPE" in c.fallback
    engines.unload()


def test_hf_tokenizers_on_the_converted_file_equals_sentencepiece(hf):
    """The conversion itself is exact, whichever library runs it (here HF ``tokenizers``, not fastokens)."""
    ref = reference(SP)
    texts = [t for t in ALL.values() if t]
    assert [e.ids for e in hf.encode_batch([" " + t for t in texts], add_special_tokens=False)] == \
        [ref.encode(t) for t in texts]


def test_fastokens_encodes_user_defined_pieces_like_sentencepiece(fast):
    ref = reference(SP)
    for text in ["[REF]", "a[REF]b", " [/REF]x", "x [REFERENCE_DOC_10] y[REFERENCE_DOC_1]", "[REF][REF]", "<s>[INST]"]:
        assert fast.encode(text) == ref.encode(text), text
        assert fast.count(text) == ref.count(text)


def _pieces(model) -> list[str]:
    return [p.replace("\u2581", " ") for p, _, k in model.pieces if k == 1]


EXTRA = ["\t", "\n", "\r\n", "\u3000", "\x00", "😀", "𠜎", "e\u0301", "<s>", "[INST]", "[REF]", "\u2581", "\ufeff",
         "\u200d", "0123456789", "ﬁ", "\x85", "\u2028", "<0x41>", "<unk>"]


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_piece_concatenations_match_sentencepiece(model, fast, hf, data):
    """Texts made of the vocabulary's own pieces stress the merge order (ties, competing splits)."""
    pieces = _pieces(model)
    part = st.one_of(st.sampled_from(pieces), st.sampled_from(EXTRA), st.integers(1, 70).map(" ".__mul__),
                     st.characters(blacklist_categories=("Cs",)))
    texts = data.draw(st.lists(st.lists(part, max_size=16).map("".join), min_size=1, max_size=8))
    ref = reference(SP)
    want = ref.count_many(texts)
    assert fast.count_many(texts) == want
    assert [len(e) for e in hf.encode_batch([" " + t if t else t for t in texts], add_special_tokens=False)] == want


def test_whitespace_runs_of_every_length_match_sentencepiece(fast):
    ref = reference(SP)
    texts = [pre + " " * n + post for n in range(1, 140) for pre, post in (("", ""), ("a", "b"), ("\n", "x"))]
    assert fast.count_many(texts) == ref.count_many(texts)
