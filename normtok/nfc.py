"""NFC of long texts, checked in blocks of lines so that text already in NFC costs only a quick check.

Shared by the fast engines (vendors that normalise input, e.g. Qwen) and NT-1's numpy path.
"""

from __future__ import annotations

import unicodedata

__all__ = ["nfc"]


def nfc(text: str, block: int = 1 << 12) -> str:
    """``unicodedata.normalize("NFC", text)``, checked in blocks of lines so that clean text costs a quick check.

    CPython's NFC check answers "maybe" at the first combining mark and then normalises the whole
    string: one accent in a 1 MB piece of code made Qwen's NFC cost more than counting (40 MB/s).
    A line break is never changed or combined by NFC, so blocks cut after a newline normalise
    independently; only the blocks the check does not clear are normalised.
    """
    if text.isascii():
        return text
    parts: list[str] = []
    changed = False
    start, n = 0, len(text)
    while start < n:
        end = text.find("\n", min(start + block, n))
        end = n if end < 0 else end + 1
        part = text[start:end]
        if not unicodedata.is_normalized("NFC", part):
            part = unicodedata.normalize("NFC", part)
            changed = True
        parts.append(part)
        start = end
    return "".join(parts) if changed else text
