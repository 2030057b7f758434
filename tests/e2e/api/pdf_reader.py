"""A small PDF reader for the tests: the text a page shows and the page drawn as a PNG.

The venv has no PDF rasterizer (no pypdfium2, poppler or MuPDF; reportlab's renderPM needs a
Cairo backend that is not installed), so this reads what reportlab writes: objects with Flate /
ASCII85 streams, TrueType subsets with a ToUnicode map, and a content stream of ``q Q cm rg g re
f f* n BT Tm Tf Tj ET``. Filled rectangles are drawn exactly (the QR code's modules and the black
band); a text run is drawn as a filled box the height of its font size and the width of its
characters at 0.55 em each (enough to see that text is there, not to read it back from pixels —
the text is read from the content stream through the fonts' ToUnicode maps). Anything else in a
content stream fails loudly, so a change in how labels are drawn cannot pass unread.
"""

from __future__ import annotations

import base64
import re
import zlib
from dataclasses import dataclass, field

from PIL import Image, ImageDraw

__all__ = ["PdfPage", "read_pdf"]

_OBJECT = re.compile(rb"(\d+) 0 obj\s*(.*?)endobj", re.DOTALL)
_REF = rb"(\d+) 0 R"
_TOKEN = re.compile(
    rb"\((?:\\.|[^\\)])*\)|<[0-9A-Fa-f\s]*>|\[|\]|/[^\s/\[\]()<>]+|[^\s/\[\]()<>]+", re.DOTALL
)
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}
_IGNORED = {b"w", b"J", b"j", b"d", b"RG", b"G", b"TL", b"T*", b"BT", b"ET"}


@dataclass
class _Object:
    head: bytes
    stream: bytes | None


@dataclass
class PdfPage:
    width: float  # points
    height: float
    # x, y, size, text, font (its base name: "DejaVuSans-Bold", a subset's prefix dropped)
    texts: list[tuple[float, float, float, str, str]] = field(default_factory=list)
    rects: list[tuple[float, float, float, float, tuple[float, float, float]]] = field(
        default_factory=list
    )  # filled: x, y, w, h (page points, y up), colour

    @property
    def text(self) -> str:
        return "\n".join(t[3] for t in self.texts)

    def png(self, scale: float = 8.0) -> Image.Image:
        """The page drawn at ``scale`` pixels per point, white background (an RGB image)."""
        image = Image.new("RGB", (round(self.width * scale), round(self.height * scale)), "white")
        draw = ImageDraw.Draw(image)

        def box(x: float, y: float, w: float, h: float, colour: tuple[int, int, int]) -> None:
            left, right = sorted((x * scale, (x + w) * scale))
            top, bottom = sorted(((self.height - y) * scale, (self.height - y - h) * scale))
            draw.rectangle((round(left), round(top), round(right) - 1, round(bottom) - 1), colour)

        for x, y, w, h, rgb in self.rects:
            box(x, y, w, h, tuple(round(255 * c) for c in rgb))  # type: ignore[arg-type]
        for x, y, size, text, _ in self.texts:
            box(x, y, 0.55 * size * len(text), 0.7 * size, (64, 64, 64))
        return image


def _objects(pdf: bytes) -> dict[int, _Object]:
    found = {}
    for match in _OBJECT.finditer(pdf):
        body = match.group(2)
        stream = None
        if b"stream" in body:
            head, rest = body.split(b"stream", 1)
            stream = _decoded(head, rest.lstrip(b"\r\n").rsplit(b"endstream", 1)[0])
        else:
            head = body
        found[int(match.group(1))] = _Object(head=head, stream=stream)
    return found


def _decoded(head: bytes, data: bytes) -> bytes:
    filters = re.findall(rb"/(ASCII85Decode|FlateDecode)", head)
    for name in filters:
        if name == b"ASCII85Decode":
            data = base64.a85decode(data.strip().removesuffix(b"~>"))
        else:
            data = zlib.decompress(data)
    return data


def _to_unicode(cmap: bytes) -> dict[int, str]:
    mapping = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.DOTALL):
        for code, text in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            mapping[int(code, 16)] = bytes.fromhex(text.decode()).decode("utf-16-be")
    return mapping


def _fonts(
    objects: dict[int, _Object], page: _Object
) -> dict[bytes, tuple[str, dict[int, str] | None]]:
    """Each font resource name → its base name and ToUnicode map (None: text as Latin-1)."""
    fonts_ref = re.search(rb"/Font " + _REF, page.head)
    assert fonts_ref, page.head
    names = objects[int(fonts_ref.group(1))].head
    fonts: dict[bytes, tuple[str, dict[int, str] | None]] = {}
    for name, ref in re.findall(rb"/([^\s/]+) " + _REF, names):
        font = objects[int(ref)].head
        base = re.search(rb"/BaseFont /(?:[A-Z]{6}\+)?([^\s/]+)", font)
        assert base, font
        cmap = re.search(rb"/ToUnicode " + _REF, font)
        stream = objects[int(cmap.group(1))].stream if cmap else None
        fonts[name] = (base.group(1).decode(), None if stream is None else _to_unicode(stream))
    return fonts


def _literal(token: bytes) -> bytes:
    body, out, i = token[1:-1], bytearray(), 0
    while i < len(body):
        char = body[i : i + 1]
        if char != b"\\":
            out += char
            i += 1
            continue
        nxt = body[i + 1 : i + 2]
        octal = re.match(rb"[0-7]{1,3}", body[i + 1 : i + 4])
        if octal:
            out.append(int(octal.group(0), 8))
            i += 1 + len(octal.group(0))
        else:
            out += _ESCAPES.get(nxt, nxt)
            i += 2
    return bytes(out)


def _multiply(a: list[float], b: list[float]) -> list[float]:
    """The product of two PDF matrices [a b c d e f] (``a`` applied first)."""
    return [
        a[0] * b[0] + a[1] * b[2],
        a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2],
        a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4],
        a[4] * b[1] + a[5] * b[3] + b[5],
    ]


_NUMBER = re.compile(rb"[-+.\d]+")


@dataclass
class _Painter:
    """The graphics and text state while a content stream runs."""

    page: PdfPage
    fonts: dict[bytes, tuple[str, dict[int, str] | None]]
    ctm: list[float] = field(default_factory=lambda: [1.0, 0, 0, 1, 0, 0])
    fill: tuple[float, float, float] = (0.0, 0.0, 0.0)
    stack: list[tuple[list[float], tuple[float, float, float]]] = field(default_factory=list)
    path: list[tuple[float, float, float, float]] = field(default_factory=list)
    text_matrix: list[float] = field(default_factory=lambda: [1.0, 0, 0, 1, 0, 0])
    font: bytes = b""
    size: float = 0.0

    def graphics(self, op: bytes, numbers: list[float]) -> bool:
        if op == b"q":
            self.stack.append((self.ctm, self.fill))
        elif op == b"Q":
            self.ctm, self.fill = self.stack.pop()
        elif op == b"cm":
            self.ctm = _multiply(numbers, self.ctm)
        elif op == b"rg":
            self.fill = (numbers[0], numbers[1], numbers[2])
        elif op == b"g":
            self.fill = (numbers[0],) * 3
        elif op == b"re":
            self.path.append((numbers[0], numbers[1], numbers[2], numbers[3]))
        elif op in {b"f", b"f*"}:
            a, b, c, d, e, f = self.ctm
            assert b == c == 0, "a rotated or skewed fill"
            for x, y, w, h in self.path:
                self.page.rects.append((a * x + e, d * y + f, a * w, d * h, self.fill))
            self.path = []
        elif op == b"n":
            self.path = []
        else:
            return False
        return True

    def text(self, op: bytes, operands: list[bytes], numbers: list[float]) -> bool:
        if op == b"Tm":
            self.text_matrix = numbers
        elif op == b"Tf":
            self.font, self.size = operands[0][1:], numbers[-1]
        elif op == b"Tj":
            raw = _literal(operands[-1])
            base, cmap = self.fonts[self.font]
            text = raw.decode("latin-1") if cmap is None else "".join(cmap[b] for b in raw)
            at = _multiply(self.text_matrix, self.ctm)
            self.page.texts.append((at[4], at[5], self.size * at[3], text, base))
        else:
            return False
        return True


def _run(
    content: bytes, page: PdfPage, fonts: dict[bytes, tuple[str, dict[int, str] | None]]
) -> None:
    painter = _Painter(page=page, fonts=fonts)
    operands: list[bytes] = []
    for token in _TOKEN.findall(content):
        if token[:1] in b"(</[]" or _NUMBER.fullmatch(token):
            operands.append(token)
            continue
        numbers = [float(t) for t in operands if _NUMBER.fullmatch(t)]
        known = (
            painter.graphics(token, numbers)
            or painter.text(token, operands, numbers)
            or token in _IGNORED
        )
        assert known, f"PDF operator {token!r} is not read by the test's reader"
        operands = []


def read_pdf(pdf: bytes) -> list[PdfPage]:
    """The pages of ``pdf`` with their text runs and filled rectangles."""
    assert pdf.startswith(b"%PDF-"), pdf[:20]
    objects = _objects(pdf)
    pages = []
    for obj in objects.values():
        if not re.search(rb"/Type /Page\b(?!s)", obj.head):
            continue
        box = re.search(rb"/MediaBox \[ ([-.\d]+) ([-.\d]+) ([-.\d]+) ([-.\d]+) \]", obj.head)
        assert box, obj.head
        page = PdfPage(width=float(box.group(3)), height=float(box.group(4)))
        for ref in re.findall(rb"/Contents " + _REF, obj.head):
            content = objects[int(ref)].stream
            assert content is not None
            _run(content, page, _fonts(objects, obj))
        pages.append(page)
    return pages
