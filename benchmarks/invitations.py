"""Benchmark the invitations: letters, calendar files and e-mails for all 565 municipalities.

Run: python benchmarks/invitations.py
Uses a generated contacts file (every municipality, made-up addresses at example.org). Prints
the cold build (parallel), the no-op rebuild, ms per letter through bluekit against a bare Typst
compile of the same template and data, and peak memory.
"""

from __future__ import annotations

import json
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import typst

from bluekit.campaign.load import load_campaign
from bluekit.kit.invitations.invitees import select_invitees
from bluekit.kit.invitations.letters import letter_job
from bluekit.kit.invitations.plan import plan_invitations
from bluekit.municipalities import registry
from bluekit.municipalities.contacts import contacts_csv, read_contacts
from bluekit.pipeline.outputs import write_outputs
from bluekit.pipeline.render import _compiler, render, template_source

ROOT = Path(__file__).resolve().parent.parent


def all_contacts(folder: Path) -> Path:
    rows = [
        {"refnis": m.code, "municipality": m.local_name,
         "email": f"college-{m.code}@example.org", "street": "Voorbeeldstraat 1",
         "postcode": "1000", "city": m.local_name}
        for m in registry.municipalities()
    ]
    path = folder / "contacts.csv"
    path.write_bytes(contacts_csv(rows))
    return path


def main() -> int:
    campaign = load_campaign(ROOT / "campaigns" / "2024.yaml")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        invitees = select_invitees(campaign, read_contacts(all_contacts(folder)))
        start = time.perf_counter()
        planned = plan_invitations(campaign, invitees)
        plan_s = time.perf_counter() - start
        letters = sum(1 for p in planned if p.path.endswith(".pdf"))
        start = time.perf_counter()
        report = write_outputs(planned, folder / "dist")
        cold = time.perf_counter() - start
        start = time.perf_counter()
        again = write_outputs(plan_invitations(campaign, invitees), folder / "dist")
        noop = time.perf_counter() - start
    print(f"{len(invitees)} municipalities, {letters} letters, {len(planned)} files")
    print(f"planning: {plan_s:.2f} s; cold build (parallel): {cold:.2f} s "
          f"({len(report.rendered)} files); no-op rebuild: {noop:.2f} s "
          f"({len(again.unchanged)} unchanged)")

    # Per letter: bluekit's render (glyph check, JSON, compile, warnings) against a bare Typst
    # compile of the same template. Each letter is compiled once only (Typst caches results),
    # alternating between the two, so neither side profits from the other's cache.
    sample = [letter_job(campaign, i, i.languages[0]) for i in invitees[:200]]
    render(sample[0])
    ours, bare = [], []
    for n, job in enumerate(sample[1:]):
        start = time.perf_counter()
        if n % 2:
            render(job)
            ours.append(time.perf_counter() - start)
        else:
            inputs = {"data": json.dumps(job.data, ensure_ascii=False)}
            # the same PDF standard as bluekit's letter (PDF/UA-1): its checks are Typst's
            _compiler().compile(input=template_source(job.template), format="pdf",
                                sys_inputs=inputs, pdf_standards=list(job.pdf_standards))
            bare.append(time.perf_counter() - start)
    o, b = statistics.median(ours) * 1000, statistics.median(bare) * 1000
    print(f"per letter: bluekit {o:.1f} ms, bare Typst {b:.1f} ms, ratio {o / b:.2f} "
          f"(typst {getattr(typst, '__version__', '?')})")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak memory: {peak:.0f} MB (main), {children:.0f} MB (largest worker)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
