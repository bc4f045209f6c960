"""Benchmark how fast bluekit's commands start, against Python itself and a bare `import typer`.

Run: python benchmarks/startup.py [--rounds 15]
Every command runs as staff run it, a fresh process each time; the commands take turns, round
after round, so that the machine's drift touches them all alike. Printed per command: the median
wall time of the process; its start-up, the same command with --help (its module loaded, its
options parsed, no work done); and the median of its work alone, imports done (the same command
invoked again inside one warm process). What remains, process - start-up - work, is loading
what the work needs: the campaign model (pydantic), the database (SQLAlchemy).

Targets (issue 12): `--version` and `--help` at most 0.15 s; a command that renders nothing
(`validate`, `orders show`, `stock`, `lighting status`) at most 0.25 s plus its own work; a no-op
rebuild of the full kit with 565 invitations at most 0.35 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CAMPAIGN = ROOT / "campaigns" / "2024.yaml"
_SCRIPT = Path(sys.executable).with_name("bluekit")
BLUEKIT = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "bluekit"]


def prepare(work: Path) -> dict[str, list[str]]:
    """The commands to time, with what they need: a ledger with one order and one reply, and a
    built kit with invitations for all 565 municipalities."""
    sys.path.insert(0, str(Path(__file__).parent))
    from build import write_all_contacts  # the same contacts as benchmarks/build.py

    db = work / "bluekit.db"
    contacts = write_all_contacts(work / "contacts.csv")
    out = work / "dist"
    run([*BLUEKIT, "-q", "build", str(CAMPAIGN), "--contacts", str(contacts), "--out", str(out)])
    run([*BLUEKIT, "-q", "orders", "add", str(CAMPAIGN), "--db", str(db), "--organisation",
         "Stad Kortrijk", "--contact", "An Peeters", "--email", "an@kortrijk.example.org",
         "--street", "Grote Markt 54", "--postcode", "8500", "--city", "Kortrijk",
         "--language", "nl", "--item", "PIN-BLUEHEART=100"])
    run([*BLUEKIT, "-q", "lighting", "record", str(CAMPAIGN), "Kortrijk", "--accepted",
         "--building", "Stadhuis", "--db", str(db)])
    campaign = str(CAMPAIGN)
    return {
        "python -c pass": [sys.executable, "-c", "pass"],
        "python -c 'import typer'": [sys.executable, "-c", "import typer"],
        "bluekit --version": [*BLUEKIT, "--version"],
        "bluekit --help": [*BLUEKIT, "--help"],
        "bluekit validate": [*BLUEKIT, "validate", campaign],
        "bluekit orders show": [*BLUEKIT, "orders", "show", campaign, "2024-0001", "--db", str(db)],
        "bluekit stock": [*BLUEKIT, "stock", campaign, "--db", str(db)],
        "bluekit lighting status": [*BLUEKIT, "lighting", "status", campaign, "--db", str(db)],
        "bluekit build (no-op, 565 invitations)": [
            *BLUEKIT, "-q", "build", campaign, "--contacts", str(contacts), "--out", str(out)
        ],
    }


def run(command: list[str]) -> float:
    """Seconds one process takes; fails loudly if the command fails."""
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, cwd=ROOT)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr.decode()}")
    return seconds


def with_help(commands: dict[str, list[str]]) -> dict[str, list[str]]:
    """Each bluekit command that works, also as `--help` of the same command."""
    more = dict(commands)
    for name, command in commands.items():
        if name.startswith("bluekit ") and "--version" not in command and "--help" not in command:
            words = [w for w in command[len(BLUEKIT):] if not w.startswith("-")][:2]
            group = words[:2] if words[0] in ("orders", "lighting") else words[:1]
            more[f"{name} --help"] = [*BLUEKIT, *group, "--help"]
    return more


def own_work(commands: dict[str, list[str]], rounds: int) -> dict[str, float]:
    """The median seconds of each bluekit command's work, imports done: the command invoked
    again and again in this one process (what remains of a fresh process is start-up)."""
    from typer.testing import CliRunner

    from bluekit.cli import app

    runner = CliRunner()
    result: dict[str, float] = {}
    for name, command in commands.items():
        if not name.startswith("bluekit ") or "--version" in command or "--help" in command:
            continue
        args = command[len(BLUEKIT):]
        timings = []
        for _ in range(rounds + 1):  # the first one loads what the command loads
            start = time.perf_counter()
            outcome = runner.invoke(app, args, catch_exceptions=False)
            timings.append(time.perf_counter() - start)
            if outcome.exit_code != 0:
                raise SystemExit(f"{name} failed in process: {outcome.output}")
        result[name] = statistics.median(timings[1:])
    return result


def measure(commands: dict[str, list[str]], rounds: int,
            timer: Callable[[list[str]], float] = run) -> dict[str, list[float]]:
    for command in commands.values():  # a warm-up round: files in the page cache
        timer(command)
    timings: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(rounds):
        for name, command in commands.items():
            timings[name].append(timer(command))
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bluekit-startup-") as folder:
        os.environ.setdefault("USER", "benchmark")
        commands = prepare(Path(folder))
        timings = measure(with_help(commands), args.rounds)
        work = own_work(commands, args.rounds)
    print(f"{'command':40} {'median':>7} {'min':>6} {'max':>6} {'start-up':>8} {'work':>6}")
    for name in commands:
        values = timings[name]
        line = f"{name:40} {statistics.median(values):7.3f} {min(values):6.3f} {max(values):6.3f}"
        if name in work:
            line += f" {statistics.median(timings[f'{name} --help']):8.3f} {work[name]:6.3f}"
        print(line)
    print(f"({args.rounds} rounds; seconds; start-up: the command with --help; work: the command "
          "run again in a warm process)")


if __name__ == "__main__":
    main()
