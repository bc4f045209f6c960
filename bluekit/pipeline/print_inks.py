"""The inks of a print PDF's content, set right after Typst: the brand's exact CMYK values, and
small text in one ink.

Typst writes a CMYK colour in steps of 1/255 (95% cyan as 0.949); a PDF carries 0.95, so each
colour operator that is a brand colour rounded that way gets the exact value. And text below the
small-text size (at its size on the page) set in a colour of several inks is set in that
colour's one-ink version instead (`small`: navy and blue in pure K): small text in four inks
misregisters on an offset press. Done on the content stream, as a print shop's preflight fix-up
would, so that the templates need not know the size a text ends up at on each A size.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    import pikepdf

Percentages = tuple[int, int, int, int]
Matrix = tuple[float, float, float, float, float, float]
SHOW = {"Tj", "TJ", "'", '"'}
PATH = {"m", "l", "c", "v", "y", "h", "re", "f", "f*", "S", "n"}


@dataclass(frozen=True)
class InkRules:
    """The brand's colours (percentages), each with its one-ink version for small text (or
    None), and the size below which text is small, in points."""

    colours: tuple[tuple[Percentages, Percentages | None], ...]
    small_text_pt: float = 12.0


def _multiply(m: Matrix, n: Matrix) -> Matrix:
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (a * a2 + b * c2, a * b2 + b * d2, c * a2 + d * c2, c * b2 + d * d2,
            e * a2 + f * c2 + e2, e * b2 + f * d2 + f2)


def _exact(values: Sequence[float], rules: InkRules) -> tuple[Decimal, ...] | None:
    """The brand colour `values` are (as Typst rounds it), exactly; None if none is."""
    for colour, _ in rules.colours:
        if all(abs(v - c / 100) <= 0.51 / 255 for v, c in zip(values, colour, strict=True)):
            return tuple(Decimal(c) / 100 for c in colour)
    return None


def _small_version(fill: tuple[Decimal, ...], rules: InkRules) -> tuple[Decimal, ...] | None:
    for colour, small in rules.colours:
        if small is not None and fill == tuple(Decimal(c) / 100 for c in colour):
            return tuple(Decimal(c) / 100 for c in small)
    return None


def set_inks(owner: Any, rules: InkRules) -> bytes | None:
    """The content stream of a page or form with exact brand colours and small text in one
    ink, or None when nothing changed."""
    import pikepdf

    out: list[Any] = []
    changed = False
    ctm: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    text_matrix = ctm
    fill: tuple[Decimal, ...] | None = None
    stack: list[tuple[Matrix, tuple[Decimal, ...] | None]] = []
    size = 0.0
    for item in pikepdf.parse_content_stream(owner):
        # an (operands, operator) pair, which pikepdf supports and its stubs do not say
        operands, operator = cast(Any, item)
        op = str(operator)
        if op in PATH:  # most of a page (a QR code is hundreds of them): nothing to do
            out.append(item)
            continue
        if op == "k" and len(operands) == 4:
            fill = _exact([float(v) for v in operands], rules)
            if fill is not None:
                item, changed = _instruction(list(fill), "k"), True
        elif op in ("sc", "scn", "cs", "g", "rg"):
            fill = None
        elif op == "q":
            stack.append((ctm, fill))
        elif op == "Q" and stack:
            ctm, fill = stack.pop()
        elif op == "cm":
            ctm = _multiply(_matrix(operands), ctm)
        elif op == "Tf":
            size = float(operands[1])
        elif op == "Tm":
            text_matrix = _matrix(operands)
        elif op == "BT":
            text_matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
        elif op in SHOW and fill is not None:
            full = _multiply(text_matrix, ctm)
            on_page = size * math.sqrt(abs(full[0] * full[3] - full[1] * full[2]))
            small = _small_version(fill, rules) if on_page < rules.small_text_pt else None
            if small is not None:
                out += [_instruction(list(small), "k"), item, _instruction(list(fill), "k")]
                changed = True
                continue
        out.append(item)
    return pikepdf.unparse_content_stream(out) if changed else None


def _instruction(operands: list[Any], op: str) -> pikepdf.ContentStreamInstruction:
    import pikepdf

    return pikepdf.ContentStreamInstruction(operands, pikepdf.Operator(op))


def _matrix(values: Any) -> Matrix:
    a, b, c, d, e, f = (float(v) for v in values)
    return (a, b, c, d, e, f)
