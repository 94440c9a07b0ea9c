"""A BERT sentence encoder written as an ONNX graph from its weights, without torch.

The graph is what sentence-transformers runs for all-MiniLM-L6-v2: token and position
embeddings, N encoder layers (self-attention, GELU feed-forward, post-layer-norm), mean pooling
over the attention mask, then L2 normalisation. It is built node by node with ``onnx.helper``
from numpy arrays, so deriving it needs only the safetensors file and its config.json.

Inputs ``input_ids`` and ``attention_mask`` (int64, batch x tokens); outputs
``sentence_embedding`` (float32, batch x hidden, unit rows) and ``mean_pooled`` (the same
before normalisation, which the static distillation uses as model2vec does). Token type ids are always 0 for a single
sentence, so the type-0 embedding is folded into the position table.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

OPSET = 17  # LayerNormalization is in the standard domain from 17; onnxruntime >= 1.14 runs it


class _Graph:
    """Collects nodes and initialisers; names are made unique with a counter."""

    def __init__(self):
        self.nodes: list = []
        self.initialisers: list = []
        self._count = 0

    def name(self, stem: str) -> str:
        self._count += 1
        return f"{stem}_{self._count}"

    def const(self, stem: str, array: np.ndarray) -> str:
        from onnx import numpy_helper

        name = self.name(stem)
        self.initialisers.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def op(self, op_type: str, inputs: list[str], **attributes) -> str:
        from onnx import helper

        output = self.name(op_type.lower())
        self.nodes.append(helper.make_node(op_type, inputs, [output], name=output, **attributes))
        return output


def build_bert_graph(weights: Mapping[str, np.ndarray], config: Mapping):
    """An ``onnx.ModelProto`` of the sentence encoder for ``weights`` (HF BertModel names)."""
    from onnx import TensorProto, checker, helper

    graph = _Graph()
    hidden = int(config["hidden_size"])
    eps = float(config.get("layer_norm_eps", 1e-12))
    w = {key.removeprefix("bert."): np.asarray(value, dtype=np.float32)
         for key, value in weights.items() if value.dtype.kind == "f"}

    mask = graph.op("Cast", ["attention_mask"], to=TensorProto.FLOAT)
    x = _embeddings(graph, w, eps)
    bias = _attention_bias(graph, mask)
    for layer in range(int(config["num_hidden_layers"])):
        x = _encoder_layer(graph, w, f"encoder.layer.{layer}.", x, bias,
                           int(config["num_attention_heads"]), hidden, eps)
    _mean_pool(graph, x, mask, "mean_pooled")
    _l2_normalise(graph, "mean_pooled", "sentence_embedding")

    inputs = [helper.make_tensor_value_info(name, TensorProto.INT64, ["batch", "tokens"])
              for name in ("input_ids", "attention_mask")]
    outputs = [helper.make_tensor_value_info(name, TensorProto.FLOAT, ["batch", hidden])
               for name in ("sentence_embedding", "mean_pooled")]
    model = helper.make_model(
        helper.make_graph(graph.nodes, "sentence_encoder", inputs, outputs, graph.initialisers),
        opset_imports=[helper.make_opsetid("", OPSET)],
        producer_name="consulta",
    )
    model.ir_version = 8  # readable by every onnxruntime release that supports opset 17
    checker.check_model(model)
    return model


def _embeddings(graph: _Graph, w: dict, eps: float) -> str:
    words = graph.op("Gather", [graph.const("word_embeddings", w["embeddings.word_embeddings.weight"]),
                                "input_ids"], axis=0)
    positions_table = (w["embeddings.position_embeddings.weight"]
                       + w["embeddings.token_type_embeddings.weight"][0])
    tokens = graph.op("Shape", ["input_ids"], start=1, end=2)
    positions = graph.op("Slice", [graph.const("positions", positions_table),
                                   graph.const("zero", np.array([0], np.int64)), tokens,
                                   graph.const("axis0", np.array([0], np.int64))])
    summed = graph.op("Add", [words, positions])
    return _layer_norm(graph, w, "embeddings.LayerNorm.", summed, eps)


def _attention_bias(graph: _Graph, mask: str) -> str:
    """0 where a token may be attended to, a large negative number at padding (batch,1,1,T)."""
    inverted = graph.op("Sub", [graph.const("one", np.array(1.0, np.float32)), mask])
    scaled = graph.op("Mul", [inverted, graph.const("neg", np.array(-1e4, np.float32))])
    return graph.op("Unsqueeze", [scaled, graph.const("axes", np.array([1, 2], np.int64))])


def _encoder_layer(graph: _Graph, w: dict, prefix: str, x: str, bias: str,
                   heads: int, hidden: int, eps: float) -> str:
    head_size = hidden // heads
    split = graph.const("split_heads", np.array([0, 0, heads, head_size], np.int64))

    def heads_of(kind: str, perm: list[int]) -> str:
        projected = _linear(graph, w, f"{prefix}attention.self.{kind}.", x)
        return graph.op("Transpose", [graph.op("Reshape", [projected, split])], perm=perm)

    query = heads_of("query", [0, 2, 1, 3])
    key = heads_of("key", [0, 2, 3, 1])
    value = heads_of("value", [0, 2, 1, 3])
    scores = graph.op("Mul", [graph.op("MatMul", [query, key]),
                              graph.const("scale", np.array(1 / math.sqrt(head_size), np.float32))])
    probabilities = graph.op("Softmax", [graph.op("Add", [scores, bias])], axis=-1)
    context = graph.op("Transpose", [graph.op("MatMul", [probabilities, value])], perm=[0, 2, 1, 3])
    merged = graph.op("Reshape", [context, graph.const("merge_heads",
                                                       np.array([0, 0, hidden], np.int64))])
    attended = _linear(graph, w, f"{prefix}attention.output.dense.", merged)
    x = _layer_norm(graph, w, f"{prefix}attention.output.LayerNorm.",
                    graph.op("Add", [attended, x]), eps)
    inner = _gelu(graph, _linear(graph, w, f"{prefix}intermediate.dense.", x))
    out = _linear(graph, w, f"{prefix}output.dense.", inner)
    return _layer_norm(graph, w, f"{prefix}output.LayerNorm.", graph.op("Add", [out, x]), eps)


def _linear(graph: _Graph, w: dict, prefix: str, x: str) -> str:
    # torch stores (out, in); MatMul wants (in, out). MatMul + Add is the pattern that
    # onnxruntime fuses and that dynamic quantisation turns into MatMulInteger.
    weight = graph.const(prefix + "weight", w[prefix + "weight"].T)
    return graph.op("Add", [graph.op("MatMul", [x, weight]), graph.const(prefix + "bias",
                                                                         w[prefix + "bias"])])


def _layer_norm(graph: _Graph, w: dict, prefix: str, x: str, eps: float) -> str:
    return graph.op("LayerNormalization", [x, graph.const(prefix + "weight", w[prefix + "weight"]),
                                           graph.const(prefix + "bias", w[prefix + "bias"])],
                    axis=-1, epsilon=eps)


def _gelu(graph: _Graph, x: str) -> str:
    """Exact GELU, 0.5 x (1 + erf(x / sqrt 2)): BERT's activation, fused by onnxruntime."""
    erf = graph.op("Erf", [graph.op("Div", [x, graph.const("sqrt2",
                                                           np.array(math.sqrt(2), np.float32))])])
    one_plus = graph.op("Add", [erf, graph.const("one", np.array(1.0, np.float32))])
    return graph.op("Mul", [graph.op("Mul", [x, one_plus]),
                            graph.const("half", np.array(0.5, np.float32))])


def _mean_pool(graph: _Graph, x: str, mask: str, output: str) -> None:
    from onnx import helper

    weights = graph.op("Unsqueeze", [mask, graph.const("axis", np.array([2], np.int64))])
    axis1 = graph.const("axis1", np.array([1], np.int64))
    total = graph.op("ReduceSum", [graph.op("Mul", [x, weights]), axis1], keepdims=0)
    count = graph.op("ReduceSum", [weights, axis1], keepdims=0)
    floor = graph.const("floor", np.array(1e-9, np.float32))
    graph.nodes.append(helper.make_node("Div", [total, graph.op("Max", [count, floor])], [output],
                                        name=output))


def _l2_normalise(graph: _Graph, x: str, output: str) -> None:
    from onnx import helper

    squares = graph.op("ReduceSumSquare", [x], axes=[-1], keepdims=1)  # axes: attribute in 17
    norm = graph.op("Max", [graph.op("Sqrt", [squares]),
                            graph.const("tiny", np.array(1e-12, np.float32))])
    graph.nodes.append(helper.make_node("Div", [x, norm], [output], name=output))
