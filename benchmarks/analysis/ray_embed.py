"""The embedding stage locally and on a Ray cluster (issue 12): wall time, CPU, agreement.

    .venv/bin/python benchmarks/analysis/ray_embed.py [--n 20000] [--actors 2]
        [--embedders transformer,auto] [--address HOST:PORT] [--model-dir DIR]

Texts: n texts of 20-60 words joined from real sentences (embedders.py's synthetic_texts, from
../shared/data). Each embedder runs once locally (the embedding cache off; the transformer on
every core) and once with ``embed_on_ray`` (actors of one CPU each). Without ``--address`` the
script starts a one-node cluster on this machine (`ray start --head --num-cpus=<cores>`) and
ends it afterwards; with it, it uses that cluster (every node: the same venv and model package).
A call on 8 texts is timed first: the fixed cost of a Ray call (actors starting, model loading).
Prints a Markdown table and writes results/ray_embed.json. Needs `pip install 'consulta[ray]'`.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common
from embedders import synthetic_texts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=common.DEFAULT_DATA)
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--actors", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--embedders", default="transformer,auto")
    parser.add_argument("--address", help="an existing cluster (default: start one here)")
    parser.add_argument("--model-dir",
                        help="model cache (default: $CONSULTA_MODEL_DIR or ~/.cache)")
    args = parser.parse_args()
    with local_cluster(args.address) as address:
        results = run(args, address)
    print(report(results))
    common.write_json(common.RESULTS / "ray_embed.json", results)


def run(args, address: str) -> dict:
    from consulta.analysis.embedders import get_embedder
    from consulta.analysis.embedders.models import build_all
    from consulta.analysis.embedders.ray_stage import connect, embed_on_ray

    info = common.machine()
    results = {"command": common.command_line(), "machine": info,
               "machine_line": common.machine_line(info), "date": common.today(),
               "load_before": common.load_average(), "n": args.n, "actors": args.actors,
               "address": address if args.address else "local one-node cluster", "rows": []}
    build_all(args.model_dir, log=lambda message: None)
    texts = synthetic_texts(args.data, args.n, seed=args.n)

    def on_ray(name: str, rows: list[str]) -> np.ndarray:
        return embed_on_ray(rows, address=address, embedder=name, cache_dir=args.model_dir,
                            batch_size=args.batch_size, actors=args.actors)

    _, results["connect_s"], _ = timed(functools.partial(connect, address))
    for name in args.embedders.split(","):
        local_embedder = get_embedder(name, args.model_dir, cache=False)
        local, local_wall, local_cpu = timed(functools.partial(local_embedder.embed, texts))
        _, fixed, _ = timed(functools.partial(on_ray, name, texts[:8]))
        remote, ray_wall, ray_cpu = timed(functools.partial(on_ray, name, texts))
        cosine = np.sum(local * remote, axis=1)[np.linalg.norm(local, axis=1) > 0]
        results["rows"].append({
            "embedder": name, "local_s": local_wall, "local_cpu_s": local_cpu,
            "ray_s": ray_wall, "ray_driver_cpu_s": ray_cpu, "ray_fixed_s": fixed,
            "speedup": local_wall / ray_wall, "cosine_min": float(cosine.min())})
    results["load_after"] = common.load_average()
    return results


def timed(work):
    wall, cpu = time.perf_counter(), time.process_time()
    value = work()
    return value, time.perf_counter() - wall, time.process_time() - cpu


@contextlib.contextmanager
def local_cluster(address: str | None):
    """The cluster given, or a one-node cluster on this machine, ended (by session) after."""
    if address:
        yield address
        return
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    temp = tempfile.mkdtemp(prefix="ray", dir="/tmp")  # short: Ray's socket paths have a limit
    ray = str(Path(sys.executable).with_name("ray"))
    head = subprocess.Popen(
        [ray, "start", "--block", "--head", f"--port={port}", f"--num-cpus={os.cpu_count()}",
         f"--temp-dir={temp}", "--include-dashboard=false", "--disable-usage-stats"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        time.sleep(5)
        yield f"127.0.0.1:{port}"
    finally:
        import ray as ray_module

        ray_module.shutdown()
        for sig in (signal.SIGTERM, signal.SIGKILL):
            for pid in session_members(head.pid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, sig)
            time.sleep(1)
        head.wait(10)
        shutil.rmtree(temp, ignore_errors=True)


def session_members(session: int) -> list[int]:
    members = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError):
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[3]) == session:
                    members.append(int(entry.name))
    return members


def report(results: dict) -> str:
    rows = [(row["embedder"], common.fmt(row["local_s"], 1), common.fmt(row["local_cpu_s"], 1),
             common.fmt(row["ray_s"], 1), common.fmt(row["ray_fixed_s"], 1),
             common.fmt(row["ray_driver_cpu_s"], 1), common.fmt(row["speedup"]),
             common.fmt(row["cosine_min"], 5))
            for row in results["rows"]]
    return "\n".join([
        f"## Embedding locally and on Ray ({results['date']})", "",
        f"Machine: {results['machine_line']}", f"Command: `{results['command']}`",
        f"Load average before: {results['load_before']}; after: {results['load_after']}",
        (f"{results['n']:,} texts of 20-60 words; Ray: {results['actors']} actors of 1 CPU, "
         f"{results['address']} (connecting took {results['connect_s']:.1f} s)."), "",
        common.table(["embedder", "local s", "local CPU s", "Ray s", "Ray fixed cost s (8 texts)",
                      "driver CPU s (Ray)", "local / Ray", "min cosine"], rows)])


if __name__ == "__main__":
    main()
