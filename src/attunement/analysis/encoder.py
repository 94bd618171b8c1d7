"""The shared sentence encoder: all-MiniLM-L6-v2 fine-tuned on the caregiver tasks
(training/encoder.py), shipped as one int8 ONNX graph with a head per task and run with
onnxruntime and tokenizers; no torch at run time.

Loaded on first use, never at import. onnxruntime reports usage unless told not to
before it is imported, so ``ORT_DISABLE_TELEMETRY`` is set first. It writes no files.

One text is one pass on one thread. Many texts (a transcript's turns) run as passes side
by side on a few worker threads, one per core this process may use (onnxruntime lets go of
the GIL, so the caller's own work goes on meanwhile): 1.3 to 1.4 times the speed of one pass at a
time on two threads each, with identical results. Batching several texts into one pass
was no faster and changed results, because the int8 graph scales its activations over the
whole batch. ``ATTUNE_ENCODER_THREADS`` sets the number of workers, e.g. 1 for several
worker processes.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from functools import cache
from importlib import resources
from typing import Any

import numpy as np

from attunement.errors import StorageError

FILES = ("encoder.onnx", "encoder-tokenizer.json", "encoder.json")
SENTENCE_FILES = ("sentence-encoder.onnx", "sentence-encoder.json")
POOLED = "pooled"
_LOADING = threading.Lock()  # threads reading side by side load each graph once


def workers() -> int:
    """How many passes run side by side: the cores this process may use, at most four."""
    chosen = os.environ.get("ATTUNE_ENCODER_THREADS", "")
    if chosen.isdigit() and int(chosen) > 0:
        return int(chosen)
    if hasattr(os, "sched_getaffinity"):
        return min(4, len(os.sched_getaffinity(0)))
    return min(4, os.cpu_count() or 1)


class Encoder:
    def __init__(self, graph: bytes, tokenizer_json: str, info: dict[str, Any]) -> None:
        os.environ["ORT_DISABLE_TELEMETRY"] = "1"
        import onnxruntime
        from tokenizers import Tokenizer

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1  # passes run side by side instead (see above)
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self.session = onnxruntime.InferenceSession(
            graph, options, providers=["CPUExecutionProvider"]
        )
        self.tokenizer = Tokenizer.from_str(tokenizer_json)
        self.tokenizer.enable_truncation(int(info["max_tokens"]), strategy="longest_first")
        self.tokenizer.no_padding()
        self.heads: list[str] = list(info["heads"])
        names = {output.name for output in self.session.get_outputs()}
        # The mean-pooled vector the heads share, which the in-domain heads read too
        # (analysis/caregiver.py); graphs exported before it was an output lack it.
        self.outputs = [*self.heads, *([POOLED] if POOLED in names else [])]
        self.labels: dict[str, list[str]] = info["labels"]
        self.multilabel = frozenset(info.get("multilabel", ()))
        self.ekman_mapping: dict[str, list[str]] = info.get("ekman_mapping", {})
        self._pool: ThreadPoolExecutor | None = None

    def ahead(self, pairs: Iterable[tuple[str, str]]) -> list[Future[dict[str, np.ndarray]]]:
        """Start the passes for these (text, context) pairs on the worker threads, in
        order; each future holds what ``probabilities`` would return."""
        if self._pool is None:
            self._pool = ThreadPoolExecutor(workers(), thread_name_prefix="attune-encoder")
        return [self._pool.submit(self.probabilities, text, context) for text, context in pairs]

    def probabilities(self, text: str, context: str = "") -> dict[str, np.ndarray]:
        """Every head's class probabilities for ``text`` read after ``context``, and under
        ``"pooled"`` the sentence vector they were read from."""
        encoded = self.tokenizer.encode(text, context) if context else self.tokenizer.encode(text)
        feed = {
            "input_ids": np.array([encoded.ids], dtype=np.int64),
            "attention_mask": np.array([encoded.attention_mask], dtype=np.int64),
            "token_type_ids": np.array([encoded.type_ids], dtype=np.int64),
        }
        outputs = self.session.run(self.outputs, feed)
        result = {}
        if len(outputs) > len(self.heads):
            result[POOLED] = outputs[-1][0]
        for name, logits in zip(self.heads, outputs, strict=False):
            if name in self.multilabel:  # several labels at once: one sigmoid each
                result[name] = 1.0 / (1.0 + np.exp(-logits[0]))
                continue
            z = logits[0] - logits[0].max()
            e = np.exp(z)
            result[name] = e / e.sum()
        return result


def encoder() -> Encoder:
    """The shared encoder, fine-tuned on MI and empathy (AnnoMI, EPITOME)."""
    with _LOADING:
        return _shared_encoder()


@cache
def _shared_encoder() -> Encoder:
    return _load(FILES[0], _info(), "`python -m training.encoder` and `training.encoder_export`")


def sentence_encoder() -> Encoder:
    """all-MiniLM-L6-v2 as published, mean-pooled, no heads: a sentence's meaning as a
    vector, for the heads learnt from caregivers' own words (``analysis/features.py``)."""
    with _LOADING:
        return _sentence_encoder()


@cache
def _sentence_encoder() -> Encoder:
    folder = resources.files("attunement.analysis") / "models"
    try:
        info = dict(json.loads((folder / SENTENCE_FILES[1]).read_text("utf-8")))
    except FileNotFoundError:
        info = {}
    return _load(SENTENCE_FILES[0], info, "`python -m training.sentence_encoder`")


def _load(graph_file: str, info: dict[str, Any], rebuild: str) -> Encoder:
    folder = resources.files("attunement.analysis") / "models"
    try:
        if not info:
            raise FileNotFoundError(graph_file)
        graph = (folder / graph_file).read_bytes()
        tokenizer_json = (folder / FILES[1]).read_text("utf-8")
    except FileNotFoundError as exc:
        raise StorageError(
            f"The analysis model {graph_file} is missing from this installation; reinstall "
            f"Attunement, or rebuild it with {rebuild}."
        ) from exc
    return Encoder(graph, tokenizer_json, info)


@cache
def _info() -> dict[str, Any]:
    """encoder.json (heads, labels, blend shares, thresholds), or {} if none ships."""
    folder = resources.files("attunement.analysis") / "models"
    try:
        return dict(json.loads((folder / FILES[2]).read_text("utf-8")))
    except FileNotFoundError:
        return {}


def blend_thresholds() -> dict[str, list[float]]:
    """Per-label thresholds tuned on dev for blended multi-label heads (emotions)."""
    return {k: [float(x) for x in v] for k, v in _info().get("thresholds", {}).items()}


def blend_weights() -> dict[str, float]:
    """How much each head leans on the encoder (0 to 1, chosen on dev); read without
    loading the graph, so heads that do not use it never pay for it."""
    return {k: float(v) for k, v in _info().get("blend", {}).items()}
