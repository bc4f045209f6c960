"""The exceptions bluekit raises; the CLI turns each into one clear message and an exit code.

Every error says what is wrong, where (file, line, column when known) and how to fix it, so
campaign staff never need to read a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# Exit codes, documented in the README.
EXIT_OK = 0
EXIT_PROBLEMS = 1  # a check ran and found problems (invalid campaign, overflowing text, ...)
EXIT_BAD_INPUT = 2  # the input could not be used at all (missing file, YAML syntax, usage)


@dataclass(frozen=True)
class Location:
    """A place in a file: 1-based line and column, either may be unknown."""

    path: Path | None
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        text = str(self.path) if self.path is not None else "<input>"
        if self.line is not None:
            text += f":{self.line}"
            if self.column is not None:
                text += f":{self.column}"
        return text


@dataclass(frozen=True)
class Problem:
    """One finding of a check: where, which field, what is wrong and how to fix it."""

    location: Location
    message: str
    field: str = ""
    hint: str = ""
    kind: str = "error"  # "error" or "warning"
    count: int = 1  # how many problems it stands for: more than 1 for "and N more, not listed"

    def __str__(self) -> str:
        where = f"{self.location}: "
        what = f"{self.field}: " if self.field else ""
        text = f"{where}{self.kind}: {what}{self.message}"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text

    def as_dict(self) -> dict[str, object]:
        return {
            "file": str(self.location.path) if self.location.path else None,
            "line": self.location.line,
            "column": self.location.column,
            "field": self.field,
            "kind": self.kind,
            "message": self.message,
            "hint": self.hint,
            "count": self.count,
        }


class BluekitError(Exception):
    """Base of every error bluekit reports to its users."""

    exit_code = EXIT_BAD_INPUT

    def __init__(self, message: str, *, hint: str = "", location: Location | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.location = location

    def __str__(self) -> str:
        where = f"{self.location}: " if self.location else ""
        text = f"{where}{self.message}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text

    def __reduce__(self) -> tuple[object, ...]:
        # Errors travel back from worker processes; subclasses have their own __init__
        # signatures, so rebuild from the instance state instead of calling __init__.
        return (_rebuild_error, (type(self), self.args, self.__dict__))


def _rebuild_error(
    cls: type[BluekitError], args: tuple[object, ...], state: dict[str, object]
) -> BluekitError:
    error = cls.__new__(cls)
    Exception.__init__(error, *args)
    error.__dict__.update(state)
    return error


class InputFileError(BluekitError):
    """A file is missing, unreadable, or not well-formed (YAML or CSV syntax)."""


class ValidationFailed(BluekitError):
    """A file was read but its content breaks one or more rules; carries every problem found."""

    exit_code = EXIT_PROBLEMS

    def __init__(self, path: Path, problems: list[Problem], *, what: str = "campaign file"):
        errors = sum(p.count for p in problems if p.kind == "error")
        super().__init__(
            f"{path}: {errors:,} problem{'s' if errors != 1 else ''} in the {what}",
            # only campaign files have a command of their own to check them
            hint="fix the lines above and run "
            + ("`bluekit validate` again" if what == "campaign file" else "the command again"),
        )
        self.path = path
        self.problems = problems

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems) + "\n" + super().__str__()


class NotFound(BluekitError):
    """A name or code given on the command line matches nothing (a municipality, an item...)."""


class OutputError(BluekitError):
    """Something that should be produced cannot be: a text overflows, a file cannot be written."""

    exit_code = EXIT_PROBLEMS
