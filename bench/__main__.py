"""``python -m bench``: run the benchmarks and write ``bench/results/foundation.json``."""

import argparse
import json
import os
import sys
import time

from bench import RESULTS_DIR, machine_info, peak_rss_mib, timestamp


def _print_summary(report, path):
    print()
    print(
        f"{'benchmark':<38} {'n':>4} {'mean ms':>10} {'median ms':>10} {'p95 ms':>10}"
    )
    for record in report["benchmarks"]:
        print(
            f"{record['name']:<38} {record['iterations']:>4} "
            f"{record['mean_ms']:>10.2f} {record['median_ms']:>10.2f} "
            f"{record['p95_ms']:>10.2f}"
        )
    machine = report["machine"]
    print()
    print(
        f"peak RSS {report['peak_rss_mib']} MiB · "
        f"{machine['cpu_count']} CPU ({machine['cpu_model']}) · "
        f"Python {machine['python']} · total {report['total_seconds']} s"
    )
    print(f"结果已写入 {path}")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--quick", action="store_true", help="few iterations (smoke run)"
    )
    parser.add_argument(
        "--out",
        default=os.path.join(RESULTS_DIR, "foundation.json"),
        help="where to write the JSON report",
    )
    args = parser.parse_args(argv)

    from bench import foundation

    start = time.perf_counter()
    plan = "quick" if args.quick else "full"
    records, setup = foundation.run(plan, progress=lambda m: print(m, flush=True))
    report = {
        "suite": "foundation",
        "plan": plan,
        "timestamp": timestamp(),
        "machine": machine_info(),
        "setup": setup,
        "benchmarks": records,
        "peak_rss_mib": peak_rss_mib(),
        "total_seconds": round(time.perf_counter() - start, 2),
        "units": "milliseconds (time.perf_counter); p95 by linear interpolation",
    }
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as handle:
        json.dump(report, handle, ensure_ascii=False, indent=2)
        handle.write("\n")
    _print_summary(report, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
