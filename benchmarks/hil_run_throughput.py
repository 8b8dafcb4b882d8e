"""HIL streaming throughput on hostsim: images/s, golden match, share of the link's wire limit.

Runs the harness's own streaming (harness.run.hil_run.HilRun, real hostsim over a pty, the real
protocol client) on FER2013 PublicTest:

1. unthrottled, all 3,589 images (or --limit);
2. hostsim throttled to 921600 baud, all images;
3. hostsim throttled to 115200 baud, a subset (--subset-115200, default 300: the whole set
   would take ~12 minutes).

Wire limit = (baud / 10) bytes/s / (bytes per image round trip), where the bytes per round
trip are the actual request + reply bytes the client's frame link counted (COBS framing, CRC,
delimiters included). The brief's formula adds both directions; a UART is full duplex, so the
request direction alone (printed as well) is the hard bound when replies overlap requests.

Usage: .venv/bin/python benchmarks/hil_run_throughput.py [--model REF] [--limit N]
       [--subset-115200 N] [--window N] [--skip-throttled]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from bench_model import pick_model

from fixtures.paths import fer2013_file
from golden.format import load, save
from harness.run.hil_run import HilRun
from harness.suite.config import FerhilConfig
from harness.suite.option_table import load_option_providers


def model_ref(requested: str | None, scratch: Path) -> tuple[str, str]:
    """Return ``(model file for the harness, description)`` of the model ``pick_model`` chooses."""
    model, description = pick_model(requested)
    return str(save(model, scratch / "model.qmodel.npz")), description


def scenario(model: str, baud: int | None, limit: int | None, window: int, out: Path) -> dict:
    cfg = FerhilConfig.defaults(
        board="hostsim",
        model=model,
        baud=baud,
        limit=limit,
        report_dir=out,
        progress=False,
        window=window,
        sample_timeout=30.0,
    )
    run = HilRun(cfg, load_model=lambda ref: load(ref))
    try:
        run.prepare()
        device = run.start()
        link = device.client.link
        sent0, recv0 = link.bytes_sent, link.bytes_received
        t0 = time.perf_counter()
        records = run.stream()
        wall = time.perf_counter() - t0
        sent, recv = link.bytes_sent - sent0, link.bytes_received - recv0
    finally:
        run.close()
    n = len(records)
    row = {
        "baud": baud,
        "images": n,
        "wall_s": wall,
        "ips": n / wall,
        "matched": sum(r.match for r in records),
        "failed": sum(r.status != "ok" for r in records),
        "req_bytes": sent / n,
        "reply_bytes": recv / n,
    }
    if baud:
        wire = baud / 10.0
        row["limit_ips"] = wire / (row["req_bytes"] + row["reply_bytes"])
        row["limit_full_duplex_ips"] = wire / row["req_bytes"]
        row["share"] = row["ips"] / row["limit_ips"]
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model")
    parser.add_argument("--limit", type=int, help="images for the unthrottled and 921600 runs")
    parser.add_argument("--subset-115200", type=int, default=300)
    parser.add_argument("--window", type=int, default=4)
    parser.add_argument("--skip-throttled", action="store_true")
    args = parser.parse_args()
    load_option_providers()
    if fer2013_file("publictest") is None:
        print("note: FER2013 not found; the runs use the generated stand-in set")
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        model, label = model_ref(args.model, scratch)
        print(f"model: {label}; board: hostsim (SIMULATED); window {args.window}")
        plans = [(None, args.limit)]
        if not args.skip_throttled:
            plans += [(921600, args.limit), (115200, args.subset_115200)]
        print(
            f"{'baud':>8} {'images':>6} {'wall s':>8} {'img/s':>9} {'golden':>13} "
            f"{'B/img (req+rep)':>16} {'limit img/s':>11} {'share':>6} {'duplex lim':>10}"
        )
        for baud, limit in plans:
            r = scenario(model, baud, limit, args.window, scratch / f"run-{baud}")
            golden = f"{r['matched']}/{r['images']}"
            size = f"{r['req_bytes']:.0f}+{r['reply_bytes']:.0f}"
            lim = f"{r['limit_ips']:.2f}" if baud else "-"
            share = f"{100 * r['share']:.1f}%" if baud else "-"
            duplex = f"{r['limit_full_duplex_ips']:.2f}" if baud else "-"
            print(
                f"{baud or 'none':>8} {r['images']:>6} {r['wall_s']:>8.2f} {r['ips']:>9.1f} "
                f"{golden:>13} {size:>16} {lim:>11} {share:>6} {duplex:>10}"
            )
            if r["matched"] != r["images"]:
                print(
                    f"  GOLDEN MISMATCH: {r['images'] - r['matched']} images, {r['failed']} failed"
                )


if __name__ == "__main__":
    main()
