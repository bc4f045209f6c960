"""Benchmark the complete build of the 2024 kit, with invitations for all 565 municipalities.

Run: python benchmarks/build.py
Runs `bluekit build` as staff do (a fresh process, every core) on a generated contacts file
(every municipality, made-up addresses at example.org), and measures:
- the cold build, the rebuild with nothing changed, and the rebuild after one text change (the
  German closing of the invitation letter: only German letters and e-mails should be made again);
- the peak memory of the whole build: the largest sum of the resident memory of bluekit and its
  rendering processes, sampled every 20 ms from /proc (Linux).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import yaml

from bluekit.municipalities import registry
from bluekit.municipalities.contacts import contacts_csv

ROOT = Path(__file__).resolve().parent.parent
# The console script staff run, next to this Python (else `python -m bluekit`).
_SCRIPT = Path(sys.executable).with_name("bluekit")
BLUEKIT = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "bluekit"]


def tree_rss_mb(pid: int) -> dict[int, float]:
    """Resident memory of a process and each of its descendants, in MB (Linux /proc)."""
    found = {}
    todo = [pid]
    while todo:
        current = todo.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                found[current] = int(line.split()[1]) / 1024
        todo += [int(c) for c in children]
    return found


def run_build(campaign: Path, contacts: Path, out: Path) -> tuple[float, float, dict]:
    """(seconds, peak MB of the process tree, the --json report) of one `bluekit build`."""
    command = [*BLUEKIT, "build", str(campaign), "--contacts", str(contacts), "--out", str(out),
               "--json"]
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    peak = [0.0]
    each: dict[int, float] = {}

    def sample() -> None:
        while process.poll() is None:
            now = tree_rss_mb(process.pid)
            peak[0] = max(peak[0], sum(now.values()))
            for pid, mb in now.items():
                each[pid] = max(each.get(pid, 0.0), mb)
            time.sleep(0.02)

    sampler = threading.Thread(target=sample)
    sampler.start()
    stdout, stderr = process.communicate()
    seconds = time.perf_counter() - start
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"build failed: {stderr.decode()}")
    PEAKS[:] = sorted((round(mb) for mb in each.values()), reverse=True)
    return seconds, peak[0], json.loads(stdout)


PEAKS: list[int] = []  # the peak of each process of the last build, largest first


def write_all_contacts(path: Path) -> Path:
    """A contacts file of every municipality, with made-up addresses at example.org."""
    path.write_bytes(contacts_csv([
        {"refnis": m.code, "municipality": m.local_name,
         "email": f"college-{m.code}@example.org", "street": "Voorbeeldstraat 1",
         "postcode": "1000", "city": m.local_name}
        for m in registry.municipalities()
    ]))
    return path


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        contacts = write_all_contacts(folder / "contacts.csv")
        data = yaml.safe_load((ROOT / "campaigns" / "2024.yaml").read_text("utf-8"))
        campaign = folder / "2024.yaml"
        campaign.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
        out = folder / "dist"

        cold, cold_peak, report = run_build(campaign, contacts, out)
        cold_each = list(PEAKS)
        files = len(report["rendered"])
        noop, _, again = run_build(campaign, contacts, out)
        data["invitation"]["signatory"]["role"]["de"] = (
            "Koordinatorin für die Bekämpfung des Menschenhandels"
        )
        campaign.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
        changed, _, after = run_build(campaign, contacts, out)
        start = time.perf_counter()
        subprocess.run([*BLUEKIT, "--version"], check=True, stdout=subprocess.DEVNULL)
        startup = time.perf_counter() - start

    letters = sum(1 for p in report["rendered"] if p.startswith("invitations/")
                  and p.endswith(".pdf"))
    remade = after["rendered"]
    print(f"cold build: {cold:.1f} s, {files} files ({letters} letters); peak memory "
          f"{cold_peak:.0f} MB (bluekit and its rendering processes together; each process at "
          f"its own peak: {', '.join(map(str, cold_each))} MB)")
    print(f"rebuild, nothing changed: {noop:.2f} s ({len(again['rendered'])} made, "
          f"{len(again['unchanged'])} up to date; start-up of the command alone {startup:.2f} s)")
    kinds = sorted({Path(p).suffix for p in remade})
    print(f"rebuild after one text change (invitation.signatory.role.de): {changed:.1f} s, "
          f"{len(remade)} files made again ({', '.join(kinds)}), e.g. {remade[:2]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
