"""Read a YAML file with safe_load semantics while remembering where every value stands.

Validation errors must name the line and column of the offending value, so the file is composed
into a node tree (PyYAML's SafeLoader, no Python object tags), every node's position is recorded
under its path, and duplicate keys, which plain PyYAML silently lets the last one win, are
rejected.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bluekit.errors import InputFileError, Location

PathKey = tuple[str | int, ...]


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
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        try:
            return _parse(fast(text), text, path)
        except yaml.YAMLError:
            pass
    try:
        return _parse(yaml.SafeLoader(text), text, path)
    except yaml.YAMLError as exc:
        raise _syntax_error(path, exc) from None


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
