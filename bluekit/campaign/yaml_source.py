"""Read a YAML file with safe_load semantics while remembering where every value stands.

Validation errors must name the line and column of the offending value, so the file is composed
into a node tree (PyYAML's SafeLoader, no Python object tags), every node's position is recorded
under its path, and duplicate keys, which plain PyYAML silently lets the last one win, are
rejected.

Two things of YAML 1.1, which PyYAML follows, are not taken from it. Digits separated by colons
are numbers in base 60 there: an unquoted `time: 10:00` is 600, and a post would be scheduled at
00:10. Here, as in YAML 1.2, `10:00` is the text it looks like. And a file may not blow up: a
campaign file is some 30 KB with a few thousand values, so a file of more than a megabyte, or
one whose aliases (`*name`) stand for more than 100,000 values (476 bytes of nested aliases
stand for hundreds of millions), is refused before anything else is done with it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bluekit.errors import InputFileError, Location

PathKey = tuple[str | int, ...]

MAX_BYTES = 1_000_000
MAX_VALUES = 100_000

# YAML 1.1's int and float without the base-60 forms (1:30 is 90 there)
_INT = re.compile(r"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)"
                  r"|[-+]?0x[0-9a-fA-F_]+)$")
_FLOAT = re.compile(r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?"
                    r"|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$")
_NUMBERS = {"tag:yaml.org,2002:int": _INT, "tag:yaml.org,2002:float": _FLOAT}


def _without_base_60(loader: type[Any]) -> type[Any]:
    """A loader class that resolves plain scalars as `loader` does, except base-60 numbers."""
    resolvers = {
        first: [(tag, _NUMBERS.get(tag, pattern)) for tag, pattern in entries]
        for first, entries in loader.yaml_implicit_resolvers.items()
    }
    return type(loader.__name__ + "Without60", (loader,), {"yaml_implicit_resolvers": resolvers})


_SAFE = _without_base_60(yaml.SafeLoader)
_FAST = _without_base_60(yaml.CSafeLoader) if hasattr(yaml, "CSafeLoader") else None


@dataclass
class YamlSource:
    """The plain data of a YAML document plus the position of every key and value in it."""

    path: Path
    data: Any
    text: str
    values: dict[PathKey, yaml.Node] = field(default_factory=dict)
    keys: dict[PathKey, yaml.Node] = field(default_factory=dict)

    def location(self, path: PathKey, *, key: bool = False) -> Location:
        """Where the value at `path` (or its key) stands; falls back to the nearest parent."""
        table = self.keys if key else self.values
        probe = tuple(path)
        while probe:
            node = table.get(probe) or self.values.get(probe)
            if node is not None:
                return Location(self.path, node.start_mark.line + 1, node.start_mark.column + 1)
            probe = probe[:-1]
        root = self.values.get(())
        if root is not None:
            return Location(self.path, root.start_mark.line + 1, root.start_mark.column + 1)
        return Location(self.path)


def _syntax_error(path: Path, exc: yaml.YAMLError) -> InputFileError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    location = Location(path, mark.line + 1, mark.column + 1) if mark else Location(path)
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    message = f"YAML syntax error: {problem}" + (f" ({context})" if context else "")
    hint = "check the indentation on this line and the one before it"
    if "'\\t'" in problem or "\t" in problem:
        message = "YAML syntax error: a tab character where YAML expects spaces"
        hint = "YAML does not allow tabs for indentation: replace the tab with spaces"
    return InputFileError(message, hint=hint, location=location)


def load_plain(text: str) -> Any:
    """Plain data from YAML text bluekit ships itself (its word lists): safe_load, with
    libyaml when PyYAML has it."""
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def parse_yaml(text: str, path: Path) -> YamlSource:
    """Parse YAML text into plain data (safe types only) with positions; raise on bad syntax.

    libyaml's parser is used when PyYAML has it (several times faster); a file it refuses is
    read again by the pure-Python parser, whose messages explain more (tabs, for one)."""
    if _FAST is not None:
        try:
            return _parse(_FAST(text), text, path)
        except (yaml.YAMLError, RecursionError):
            pass
    try:
        return _parse(_SAFE(text), text, path)
    except yaml.YAMLError as exc:
        raise _syntax_error(path, exc) from None
    except RecursionError:
        raise InputFileError(
            "the file nests lists and mappings thousands of levels deep",
            hint="a campaign file nests a few levels: is this the right file?",
            location=Location(path),
        ) from None


def _parse(loader: yaml.SafeLoader, text: str, path: Path) -> YamlSource:
    try:
        root = loader.get_single_node()
        source = YamlSource(path=path, data=None, text=text)
        if root is not None:
            _index(root, (), source, path)
            source.data = loader.construct_document(root)
    finally:
        loader.dispose()
    return source


def load_yaml(path: Path) -> YamlSource:
    """Read and parse a YAML file, turning every way it can fail into an InputFileError."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise InputFileError(
                f"{path}: {size:,} bytes, more than a campaign file can be ({MAX_BYTES:,})",
                hint="a campaign file is some 30 KB: is this the right file?",
            )
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputFileError(
            f"{path}: no such file", hint="check the path; campaign files live in campaigns/"
        ) from None
    except OSError as exc:
        raise InputFileError(f"{path}: cannot be read ({exc.strerror})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputFileError(
            "the file is not UTF-8 text",
            hint="save it as UTF-8 (in Notepad: Save as > Encoding > UTF-8)",
            location=Location(path, line),
        ) from None
    return parse_yaml(text, path)


def _index(node: yaml.Node, where: PathKey, source: YamlSource, path: Path) -> None:
    source.values[where] = node
    if len(source.values) > MAX_VALUES:
        raise InputFileError(
            f"the file stands for more than {MAX_VALUES:,} values, through its aliases (*name)",
            hint="a campaign file has a few thousand: write the values out, or use fewer aliases",
            location=Location(path, node.start_mark.line + 1, node.start_mark.column + 1),
        )
    if isinstance(node, yaml.MappingNode):
        seen: dict[object, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node)
            if key in seen:
                first = seen[key].start_mark.line + 1
                raise InputFileError(
                    f"duplicate key {key!r} (first defined on line {first})",
                    hint="a key may appear only once in a mapping: remove or rename one of them",
                    location=Location(
                        path, key_node.start_mark.line + 1, key_node.start_mark.column + 1
                    ),
                )
            seen[key] = key_node
            source.keys[where + (key,)] = key_node
            _index(value_node, where + (key,), source, path)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _index(item, where + (i,), source, path)
