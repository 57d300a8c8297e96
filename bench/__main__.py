"""``python -m bench``: run the benchmarks and write ``bench/results/<suite>.json``."""

import argparse
import json
import os
import sys
import time

from bench import RESULTS_DIR, machine_info, peak_rss_mib, timestamp

# exams-load (gunicorn + PostgreSQL + locust, ~20 min at full scale) runs last.
SUITES = [
    "foundation",
    "nlp",
    "exams",
    "cases",
    "review-queue",
    "consistency",
    "autosave-profile",
    "exams-load",
]


def _print_summary(report, path):
    if report["suite"] == "exams-load":
        from bench.exams_load import summary_lines

        print("\n".join(summary_lines(report)))
        print(f"结果已写入 {path}")
        return
    if report["suite"] != "foundation":
        print(json.dumps(report["benchmarks"], ensure_ascii=False, indent=2))
        print(f"结果已写入 {path}")
        return
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
        "suite_arg",
        nargs="?",
        choices=SUITES + ["all"],
        metavar="SUITE",
        help="which suite to run (same as --suite): " + ", ".join(SUITES),
    )
    parser.add_argument(
        "--suite",
        choices=SUITES + ["all"],
        default="all",
        help="which suite to run",
    )
    parser.add_argument(
        "--plan",
        help="a named plan of the suite instead of full/quick "
        "(exams-load: spike = the start spike alone at full scale)",
    )
    parser.add_argument("--out", help="where to write the JSON report (one suite)")
    args = parser.parse_args(argv)
    chosen = args.suite_arg or args.suite
    suites = SUITES if chosen == "all" else [chosen]
    for suite in suites:
        out = args.out or os.path.join(RESULTS_DIR, f"{suite.replace('-', '_')}.json")
        _run_suite(suite, args.plan or ("quick" if args.quick else "full"), out)
    return 0


def _run_suite(suite, plan, out):
    import importlib

    module = importlib.import_module(f"bench.{suite.replace('-', '_')}")
    start = time.perf_counter()
    records, setup = module.run(plan, progress=lambda m: print(m, flush=True))
    report = {
        "suite": suite,
        "plan": plan,
        "timestamp": timestamp(),
        "machine": machine_info(),
        "setup": setup,
        "benchmarks": records,
        "peak_rss_mib": peak_rss_mib(),
        "total_seconds": round(time.perf_counter() - start, 2),
        "units": "milliseconds (time.perf_counter); p95 by linear interpolation",
    }
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    with open(out, "w", encoding="utf-8") as handle:
        json.dump(report, handle, ensure_ascii=False, indent=2)
        handle.write("\n")
    _print_summary(report, out)


if __name__ == "__main__":
    sys.exit(main())
