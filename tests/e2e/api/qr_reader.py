"""A small QR code reader for the tests (no decoder is installed: no zbar, zxing or OpenCV).

It finds the symbol in an image by its three finder patterns (the 1:1:3:1:1 dark/light runs,
checked across and down), samples each module at its centre, reads the format information
(error correction level and mask, checked against its BCH code), unmasks, reads the codewords in
the standard zigzag order and decodes numeric, alphanumeric and byte segments. Versions 1 and 2
only (one error-correction block: a verification code needs version 1), and no error correction:
the image is drawn from the PDF exactly, so every module must read as written.
Written from ISO/IEC 18004 independently of the encoder that made the label (reportlab).
"""

from __future__ import annotations

import numpy as np
from PIL import Image

__all__ = ["read_qr"]

_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_LEVELS = {0b01: "L", 0b00: "M", 0b11: "Q", 0b10: "H"}
_DATA_CODEWORDS = {
    (1, "L"): 19, (1, "M"): 16, (1, "Q"): 13, (1, "H"): 9,
    (2, "L"): 34, (2, "M"): 28, (2, "Q"): 22, (2, "H"): 16,
}  # fmt: skip
_MASKS = [
    lambda i, j: (i + j) % 2 == 0,
    lambda i, _j: i % 2 == 0,
    lambda _i, j: j % 3 == 0,
    lambda i, j: (i + j) % 3 == 0,
    lambda i, j: (i // 2 + j // 3) % 2 == 0,
    lambda i, j: (i * j) % 2 + (i * j) % 3 == 0,
    lambda i, j: ((i * j) % 2 + (i * j) % 3) % 2 == 0,
    lambda i, j: ((i + j) % 2 + (i * j) % 3) % 2 == 0,
]


def _runs(line: np.ndarray) -> list[tuple[bool, int, int]]:
    """(dark, start, length) runs of a row or column."""
    edges = np.flatnonzero(np.diff(line.astype(np.int8))) + 1
    starts = [0, *edges.tolist()]
    ends = [*edges.tolist(), len(line)]
    return [(bool(line[s]), s, e - s) for s, e in zip(starts, ends, strict=True)]


def _finder_runs(line: np.ndarray) -> list[tuple[float, float]]:
    """Centres and module sizes of every 1:1:3:1:1 dark-light-dark-light-dark run."""
    runs = _runs(line)
    found = []
    for k in range(len(runs) - 4):
        window = runs[k : k + 5]
        if not window[0][0]:
            continue
        total = sum(r[2] for r in window)
        module = total / 7
        if all(
            abs(r[2] - want * module) <= module * 0.5
            for r, want in zip(window, (1, 1, 3, 1, 1), strict=True)
        ):
            centre = window[2][1] + window[2][2] / 2
            found.append((centre, module))
    return found


def _finders(dark: np.ndarray) -> list[tuple[float, float, float]]:
    """(x, y, module) of the finder patterns: found across rows and confirmed down columns."""
    candidates: list[tuple[float, float, float]] = []
    for y in range(dark.shape[0]):
        for x, module in _finder_runs(dark[y]):
            column = _finder_runs(dark[:, round(x)])
            if any(abs(cy - y) <= module and abs(m - module) <= module * 0.3 for cy, m in column):
                candidates.append((x, float(y), module))
    centres: list[list[tuple[float, float, float]]] = []
    for c in candidates:  # the rows through one pattern: one group each
        for group in centres:
            if abs(group[0][0] - c[0]) <= 3 * c[2] and abs(group[0][1] - c[1]) <= 3 * c[2]:
                group.append(c)
                break
        else:
            centres.append([c])
    return [
        (
            float(np.mean([g[0] for g in group])),
            float(np.mean([g[1] for g in group])),
            float(np.mean([g[2] for g in group])),
        )
        for group in centres
    ]


def _format_code(level_bits: int, mask: int) -> int:
    data = (level_bits << 3) | mask
    remainder = data << 10
    for bit in range(14, 9, -1):
        if remainder & (1 << bit):
            remainder ^= 0x537 << (bit - 10)
    return ((data << 10) | remainder) ^ 0x5412


def _is_function(r: int, c: int, size: int, version: int) -> bool:
    if (r <= 8 and c <= 8) or (r <= 8 and c >= size - 8) or (r >= size - 8 and c <= 8):
        return True  # finders, separators, format information, the dark module
    if r == 6 or c == 6:
        return True  # timing patterns
    if version == 2:
        return abs(r - 18) <= 2 and abs(c - 18) <= 2  # the one alignment pattern
    return False


def _segments(bits: str, version: int) -> str:
    text, i = "", 0
    counts = {"0001": 10, "0010": 9, "0100": 8}  # versions 1-9
    while i + 4 <= len(bits):
        mode = bits[i : i + 4]
        i += 4
        if mode == "0000":
            break
        assert mode in counts, f"QR mode {mode} is not read by the test's reader"
        count = int(bits[i : i + counts[mode]], 2)
        i += counts[mode]
        if mode == "0010":
            for _ in range(count // 2):
                pair = int(bits[i : i + 11], 2)
                text += _ALNUM[pair // 45] + _ALNUM[pair % 45]
                i += 11
            if count % 2:
                text += _ALNUM[int(bits[i : i + 6], 2)]
                i += 6
        elif mode == "0100":
            text += bytes(int(bits[i + 8 * k : i + 8 * k + 8], 2) for k in range(count)).decode()
            i += 8 * count
        else:
            digits = ""
            while len(digits) < count:
                width = {1: 4, 2: 7}.get(count - len(digits), 10)
                digits += str(int(bits[i : i + width], 2)).zfill((width + 2) // 3)
                i += width
            text += digits
    assert version in (1, 2)
    return text


def read_qr(image: Image.Image) -> str:
    """The text of the one QR code in ``image``.

    Raises:
        AssertionError: no symbol with three finder patterns, a format that fails its check, or
            a version above 2.
    """
    dark = np.asarray(image.convert("L")) < 128
    finders = _finders(dark)
    assert len(finders) == 3, f"{len(finders)} finder patterns"
    top_left = min(finders, key=lambda f: f[0] + f[1])
    top_right = max(finders, key=lambda f: f[0] - f[1])
    module = float(np.mean([f[2] for f in finders]))
    size = round((top_right[0] - top_left[0]) / module) + 7
    version = (size - 17) // 4
    assert size == 17 + 4 * version, f"a {size}-module symbol"
    assert version in (1, 2), f"version {version}: the reader reads versions 1 and 2"

    def module_at(r: int, c: int) -> bool:
        x = top_left[0] + (c - 3) * module
        y = top_left[1] + (r - 3) * module
        return bool(dark[round(y), round(x)])

    read = [module_at(8, c) for c in (0, 1, 2, 3, 4, 5, 7, 8)]
    read += [module_at(r, 8) for r in (7, 5, 4, 3, 2, 1, 0)]
    format_bits = int("".join("1" if b else "0" for b in read), 2)
    matches = [
        (level, mask)
        for level in _LEVELS
        for mask in range(8)
        if _format_code(level, mask) == format_bits
    ]
    assert len(matches) == 1, f"format bits {format_bits:015b} fit no level and mask"
    (level_bits, mask) = matches[0]
    bits = []
    upward = True
    col = size - 1
    while col > 0:
        if col == 6:
            col -= 1
        rows = range(size - 1, -1, -1) if upward else range(size)
        bits.extend(
            module_at(r, c) ^ _MASKS[mask](r, c)
            for r in rows
            for c in (col, col - 1)
            if not _is_function(r, c, size, version)
        )
        upward = not upward
        col -= 2
    data = _DATA_CODEWORDS[version, _LEVELS[level_bits]]
    stream = "".join("1" if b else "0" for b in bits[: 8 * data])
    return _segments(stream, version)
