"""Mutations of valid samples: a fuzzer finds more starting near valid input than from noise."""

from __future__ import annotations

from hypothesis import strategies as st

INTERESTING_BYTES = [0x00, 0x01, 0x7F, 0x80, 0xFF, 0xAA, 0x96, 0x69, 0x0A, 0x0D, 0x22, 0x5B]


@st.composite
def mutated_bytes(draw, sample: bytes, max_mutations: int = 6) -> bytes:
    """`sample` with a few byte-level edits: flip, set, insert, delete, duplicate, truncate."""
    data = bytearray(sample)
    for _ in range(draw(st.integers(1, max_mutations))):
        op = draw(st.sampled_from(["flip", "set", "insert", "delete", "dup", "truncate"]))
        pos = draw(st.integers(0, max(len(data) - 1, 0)))
        if op == "flip" and data:
            data[pos] ^= 1 << draw(st.integers(0, 7))
        elif op == "set" and data:
            data[pos] = draw(st.sampled_from(INTERESTING_BYTES) | st.integers(0, 255))
        elif op == "insert":
            data[pos:pos] = draw(st.binary(min_size=1, max_size=16))
        elif op == "delete" and data:
            del data[pos:pos + draw(st.integers(1, 16))]
        elif op == "dup" and data:
            data[pos:pos] = data[pos:pos + draw(st.integers(1, 64))]
        elif op == "truncate":
            del data[pos:]
    return bytes(data)


@st.composite
def mutated_text(draw, sample: str, max_mutations: int = 4) -> str:
    """`sample` with a few character-level edits (lines duplicated, cut, characters changed)."""
    text = sample
    for _ in range(draw(st.integers(1, max_mutations))):
        op = draw(st.sampled_from(["insert", "delete", "dup_line", "drop_line", "replace"]))
        pos = draw(st.integers(0, len(text)))
        if op == "insert":
            text = text[:pos] + draw(st.text(min_size=1, max_size=12) | st.sampled_from(
                ['"', "'", "[", "]", "=", "\n", "#", "\\", "{", "}", ",", "-1", "1e400",
                 "true", "nan", "inf", '"""', "[[", "\x00", "9" * 40])) + text[pos:]
        elif op == "delete":
            text = text[:pos] + text[pos + draw(st.integers(1, 20)):]
        else:
            lines = text.split("\n")
            n = draw(st.integers(0, max(len(lines) - 1, 0)))
            if op == "dup_line":
                lines.insert(n, lines[n])
            elif op == "drop_line":
                del lines[n]
            else:
                lines[n] = draw(st.text(max_size=30))
            text = "\n".join(lines)
    return text
