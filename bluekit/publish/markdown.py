"""Campaign texts in a Trello card's description, which Trello reads as Markdown: a text must
show as written ("#EndHumanTrafficking" at the start of a line is not a heading, "*" is not
emphasis), and its web addresses must stay links, so characters are escaped outside addresses.
"""

from __future__ import annotations

import re

# What Trello's Markdown gives a meaning anywhere in a line, and at the start of one.
_INLINE = re.compile(r"([\\`*_~\[\]<>|])")
_LINE_START = re.compile(r"^(\s*)([#>+=-]|\d+[.)])", re.MULTILINE)
_ADDRESS = re.compile(r"(https?://\S+|www\.\S+)")


def escape(text: str) -> str:
    """`text` as Markdown that shows exactly `text`, its web addresses left as they are."""
    parts = _ADDRESS.split(text)
    # the odd parts are addresses; a trailing full stop or bracket is no part of an address
    escaped = [
        part if index % 2 else _INLINE.sub(r"\\\1", part) for index, part in enumerate(parts)
    ]
    return _LINE_START.sub(lambda m: f"{m.group(1)}\\{m.group(2)}", "".join(escaped))
