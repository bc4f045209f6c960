"""Campaign files that are not what they seem: an unquoted time YAML 1.1 would read as a number,
a few hundred bytes of aliases that stand for millions of values, a file of unknown keys."""

from __future__ import annotations

import csv
import io
import resource
import subprocess
import sys
import time
from pathlib import Path

from bluekit.cli import app

from .conftest import CAMPAIGN_2024, line_of

TEXT = CAMPAIGN_2024.read_text("utf-8")


def _validate_within_limits(path: Path) -> subprocess.CompletedProcess[str]:
    """`bluekit validate` in a process of its own, given 20 s and 2 GB: a file that blows up
    fails this test instead of taking the machine down with it."""
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    return subprocess.run([sys.executable, "-m", "bluekit", "validate", str(path)],
                          capture_output=True, text=True, timeout=20, preexec_fn=limit)


def _write(tmp_path: Path, text: str, name: str = "2024.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


def test_an_unquoted_time_is_read_as_written(runner, tmp_path: Path) -> None:
    # YAML 1.1 reads 10:00 as 600 (base 60), which pydantic took for 00:10
    path = _write(tmp_path, TEXT.replace('time: "10:00:00"', "time: 10:00", 1)
                  .replace('time: "22:00:00"', "time: 22:00:00", 1))
    result = runner.invoke(app, ["social", str(path), "--lang", "nl", "--platform", "x",
                                 "--out", str(tmp_path / "dist")])
    assert result.exit_code == 0, result.output
    buffer = (tmp_path / "dist" / "social" / "nl" / "buffer-x.csv").read_text("utf-8-sig")
    times = [row[3] for row in csv.reader(io.StringIO(buffer))][1:]
    assert "2024-07-22 10:00" in times and "2024-07-30 22:00" in times
    assert not any(t.endswith(("00:10", "10:00:00")) for t in times)


def test_a_time_that_is_a_number_is_refused_with_its_line(runner, tmp_path: Path) -> None:
    path = _write(tmp_path, TEXT.replace('time: "10:00:00"', "time: 600", 1))
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 1
    line = line_of(path, "time: 600")
    assert (f"{path}:{line}:13: error: social.posts[0].time: 600 is not a time of day: write it "
            "as HH:MM, e.g. 10:00") in result.output


def test_a_few_hundred_bytes_of_aliases_are_refused_at_once(runner, tmp_path: Path) -> None:
    bomb = ['year: 2024', 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for name, previous in zip("bcdefgh", "abcdefg", strict=True):
        bomb.append(f"{name}: &{name} [{','.join([f'*{previous}'] * 9)}]")
    bomb.append(f"hashtags: [{','.join(['*h'] * 9)}]")  # 9^9: 387 million values
    path = _write(tmp_path, "\n".join(bomb) + "\n")
    assert path.stat().st_size < 600
    result = _validate_within_limits(path)  # it took 21 s and 3.1 GB, then a traceback
    assert result.returncode == 2, result.stderr
    assert "stands for more than 100,000 values, through its aliases (*name)" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_file_far_larger_than_any_campaign_is_refused_unread(runner, tmp_path: Path) -> None:
    path = tmp_path / "2024.yaml"
    with path.open("w", encoding="utf-8") as handle:  # 50 MB of unknown keys
        handle.write(TEXT)
        line = "unknown_key_%07d: some value that nobody wanted here\n"
        for number in range(0, 900_000, 1000):
            handle.write("".join(line % n for n in range(number, number + 1000)))
    assert path.stat().st_size > 50_000_000
    started = time.monotonic()
    result = _validate_within_limits(path)  # it took 96 s and 5.1 GB
    assert time.monotonic() - started < 10
    assert result.returncode == 2, result.stderr
    assert "bytes, more than a campaign file can be (1,000,000)" in result.stderr


def test_thousands_of_problems_are_counted_not_listed(runner, tmp_path: Path) -> None:
    extra = "".join(f"unknown_key_{n}: {n}\n" for n in range(30_000))
    path = _write(tmp_path, TEXT + extra)
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert len(lines) < 250  # 100 problems (each with its hint) and the count of the rest
    assert f"{path}: error: and 29,900 more problems, not listed" in result.output
    assert f"{path}: 30,000 error(s), 0 warning(s)" in result.output
    first = line_of(path, "unknown_key_0:")
    assert lines[0].startswith(f"{path}:{first}:1: error: unknown_key_0: unknown key")
