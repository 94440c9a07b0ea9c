"""Wall time, CPU time and peak memory of the streaming `consulta analyse` at 100k and 1M answers.

    flock /tmp/bench.lock .venv/bin/python benchmarks/analysis/scale.py --sizes 100000 1000000

The inputs are speed.py's (answers of 20-60 words built from ArgKP-2021 and NHS FFT answers,
seed 0, one question; the sizes are prefixes of one list), written to a scratch folder. Each run
is a child process measured as speed.py measures it (wall time end to end, ru_utime + ru_stime,
ru_maxrss from os.wait4), with a fresh embedding cache; the stage times are the analysis.json
timings. ``--in-memory`` adds a run of the in-memory analysis at each size for comparison
(not at 1M: it would need about 18 GB). The issue's targets: 1M in at most 12 times the 100k
time, with peak memory at most 4 GB (2 cores).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import DEFAULT_DATA, RESULTS, command_line, load_average, machine, machine_line, today
from common import write_json as write_results
from speed import build_answers, fresh_cache, timed_child, write_input

SIZES = (100_000, 1_000_000)
MEMORY_TARGET_MB = 4096
TIME_RATIO_TARGET = 12.0


def run(csv_path: Path, models: Path | None, scratch: Path, stream: bool, keep: Path | None,
        extra: list[str]) -> dict:
    cache = fresh_cache(models, scratch)
    out = scratch / f"out-{csv_path.stem}-{'stream' if stream else 'memory'}"
    consulta = Path(sys.executable).with_name("consulta")
    command = [str(consulta), "analyse", str(csv_path), "--text-column", "answer",
               "--id-column", "id", "--out", str(out), "--quiet", "--cache-dir", str(cache),
               *(["--stream"] if stream else []), *extra]
    load = load_average()
    result = timed_child(command)
    result.pop("stdout")
    analysis = json.loads((out / "analysis.json").read_text(encoding="utf-8"))
    question = analysis["questions"][0]
    if keep:
        target = keep / out.name
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        small = csv_path.stat().st_size < 100 * 1024 * 1024  # answers.csv too, up to ~300k
        for name in ("themes.csv", "campaigns.csv", "analysis.json",
                     *(["answers.csv"] if small else [])):
            shutil.copy(out / name, target / name)
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(cache, ignore_errors=True)
    return {**result, "load_average_before": load, "timings": analysis.get("timings", {}),
            "cpu_s": round(result["user_s"] + result["system_s"], 1),
            "themes": len([t for t in question["themes"]
                           if t["theme"] != "other" and not t["parent"]]),
            "other": round(question["other"] / max(question["answers"] - question["empty"], 1),
                           4),
            "campaigns": len(analysis.get("campaigns", [])),
            "command": " ".join({str(csv_path): "INPUT.csv", str(cache): "CACHE",
                                 str(out): "OUT", str(consulta): "consulta"}.get(c, c)
                                for c in command)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--in-memory", action="store_true",
                        help="also run the in-memory analysis (sizes up to 100k)")
    parser.add_argument("--models", type=Path, default=None)
    parser.add_argument("--keep", type=Path, default=None,
                        help="copy each run's themes.csv, campaigns.csv, analysis.json here")
    parser.add_argument("--scratch", type=Path, default=None,
                        help="where inputs and outputs go (default: a temporary folder)")
    parser.add_argument("--out", type=Path, default=RESULTS / "scale.json")
    parser.add_argument("--seed", type=int, default=0)
    args, extra = parser.parse_known_args(argv)
    info, started, runs = machine(), time.perf_counter(), []
    with tempfile.TemporaryDirectory(prefix="consulta-scale-", dir=args.scratch) as scratch:
        scratch = Path(scratch)
        answers = build_answers(args.data, max(args.sizes), args.seed)
        for n in sorted(args.sizes):
            path = scratch / f"answers-{n}.csv"
            write_input(answers[:n], path)
            modes = [True] + ([False] if args.in_memory and n <= 100_000 else [])
            for stream in modes:
                runs.append({"answers": n, "mode": "stream" if stream else "in memory",
                             **run(path, args.models, scratch, stream, args.keep, extra)})
                r = runs[-1]
                print(f"{r['mode']} {n:,}: {r['seconds']} s wall, {r['cpu_s']} s CPU, "
                      f"{r['peak_mb']} MB; stages {r['timings']}", file=sys.stderr, flush=True)
            path.unlink()
    streamed = {r["answers"]: r for r in runs if r["mode"] == "stream"}
    verdict = {}
    if 100_000 in streamed and 1_000_000 in streamed:
        ratio = streamed[1_000_000]["seconds"] / streamed[100_000]["seconds"]
        verdict = {"time_ratio_1m_100k": round(ratio, 2),
                   "time_target_met": ratio <= TIME_RATIO_TARGET,
                   "memory_target_met": streamed[1_000_000]["peak_mb"] <= MEMORY_TARGET_MB}
    payload = {"date": today(), "command": command_line(), "machine": info,
               "seconds": round(time.perf_counter() - started, 1), "runs": runs,
               "targets": {"time_ratio": TIME_RATIO_TARGET, "memory_mb": MEMORY_TARGET_MB},
               **verdict}
    write_results(args.out, payload)
    print(f"Machine: {machine_line(info)}")
    for r in runs:
        print(f"{r['mode']:>9} {r['answers']:>9,}: {r['seconds']:8.1f} s wall "
              f"{r['cpu_s']:8.1f} s CPU {r['peak_mb']:6,} MB peak; load before "
              f"{r['load_average_before']}; {r['themes']} themes, other {100 * r['other']:.1f}%")
    if verdict:
        print(json.dumps(verdict))
    print(f"JSON: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
