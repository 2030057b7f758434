"""Just enough PDF reading to check what a reportlab PDF says (no PDF library in the test deps).

reportlab writes TrueType text as byte codes of font subsets, each subset with a ``/ToUnicode``
CMap; this decodes every ``Tj``/``TJ`` string through the CMap of the font selected by ``Tf``.
Lines are joined with spaces, so a sentence wrapped across lines still reads as one.
"""

from __future__ import annotations

import base64
import re
import zlib

_OBJECT = re.compile(rb"(\d+) 0 obj\s*(.*?)endobj", re.DOTALL)
_STREAM = re.compile(rb">>\s*stream\r?\n")
_LENGTH = re.compile(rb"/Length (\d+)")
_FONT = re.compile(rb"/Name\s*/([\w+]+).*?/ToUnicode\s+(\d+) 0 R", re.DOTALL)
_FONT_REVERSED = re.compile(rb"/ToUnicode\s+(\d+) 0 R.*?/Name\s*/([\w+]+)", re.DOTALL)
_BFCHAR = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")
_TOKEN = re.compile(rb"/([\w+]+)\s+[\d.]+\s+Tf|\((?:\\.|[^\\)])*\)|\[|\]|T[Jj]|T\*|Td|TD|'")


def _stream(body: bytes) -> bytes:
    start = _STREAM.search(body)
    length = _LENGTH.search(body)
    if start is None or length is None:
        return b""
    data = body[start.end() : start.end() + int(length.group(1))]
    header = body[: start.start()]
    if b"/ASCII85Decode" in header:
        data = base64.a85decode(data.strip(), adobe=True)
    if b"/FlateDecode" in header:
        return zlib.decompress(data)
    return data


def _unescape(literal: bytes) -> bytes:
    out = bytearray()
    index = 1
    while index < len(literal) - 1:
        byte = literal[index]
        if byte == 0x5C:  # backslash
            nxt = literal[index + 1 : index + 4]
            if nxt[:1].isdigit():
                digits = re.match(rb"[0-7]{1,3}", nxt)
                assert digits is not None
                out.append(int(digits.group(0), 8))
                index += 1 + len(digits.group(0))
                continue
            out.append({b"n": 10, b"r": 13, b"t": 9}.get(nxt[:1], nxt[0]))
            index += 2
            continue
        out.append(byte)
        index += 1
    return bytes(out)


def pdf_text(data: bytes) -> str:
    """All text of the PDF, in content-stream order, as one whitespace-normalised string."""
    objects = {int(m.group(1)): m.group(2) for m in _OBJECT.finditer(data)}
    cmaps: dict[bytes, dict[int, str]] = {}
    for body in objects.values():
        if b"/ToUnicode" not in body:
            continue
        match = _FONT.search(body)
        name, ref = (match.group(1), match.group(2)) if match else (None, None)
        if match is None:
            reversed_match = _FONT_REVERSED.search(body)
            if reversed_match is None:
                continue
            ref, name = reversed_match.group(1), reversed_match.group(2)
        assert name is not None
        assert ref is not None
        cmap = _stream(objects[int(ref)]).split(b"beginbfchar", 1)[-1]
        cmaps[name] = {
            int(code, 16): bytes.fromhex(text.decode()).decode("utf-16-be")
            for code, text in _BFCHAR.findall(cmap)
        }
    pieces: list[str] = []
    for body in objects.values():
        header = body.split(b"stream", 1)[0]
        if b"stream" not in body or any(
            marker in header for marker in (b"/Length1", b"/Subtype /Image", b"/ToUnicode")
        ):
            continue
        content = _stream(body)
        if b"BT" not in content or b"Tf" not in content:
            continue
        font: dict[int, str] = {}
        for token in _TOKEN.finditer(content):
            if token.group(1) is not None:
                font = cmaps.get(token.group(1), {})
            elif token.group(0).startswith(b"("):
                raw = _unescape(token.group(0))
                pieces.append("".join(font.get(code, chr(code)) for code in raw))
            elif token.group(0) in {b"T*", b"Td", b"TD", b"'"}:
                pieces.append(" ")
    return " ".join("".join(pieces).split())
