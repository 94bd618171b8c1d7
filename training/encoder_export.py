"""Export the fine-tuned shared encoder to ONNX, quantised to int8 (build time only).

    python -m training.encoder_export [--run build/encoder] [--epoch 3]

One graph takes token ids (a text paired with its context) and returns every head's
logits; per-channel int8 weights keep it near 23 MB. Writes into
src/attunement/analysis/models/: ``encoder.onnx``, ``encoder-tokenizer.json`` and
``encoder.json`` (the heads' labels, the blend weights chosen on dev, the token limit).
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

import torch

from training.encoder import MAX_TOKENS, Model, encoder_dir
from training.encoder_graph import POOLED

MODELS = Path(__file__).resolve().parent.parent / "src/attunement/analysis/models"


class Exported(torch.nn.Module):
    def __init__(self, model: Model, order: list[str]) -> None:
        super().__init__()
        self.model = model
        self.order = order

    def forward(self, input_ids, attention_mask, token_type_ids):  # type: ignore[no-untyped-def]
        pooled = self.model.pooled(input_ids, attention_mask, token_type_ids)
        heads = tuple(self.model.heads[name](pooled) for name in self.order)
        return (*heads, pooled)  # the pooled sentence vector feeds the in-domain heads


def export(run: Path, epoch: int, out: Path, name: str = "encoder") -> list[str]:
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoTokenizer

    meta = json.loads((run / "meta.json").read_text(encoding="utf-8"))
    order = list(meta["labels"])
    model = Model(encoder_dir(), {k: len(v) for k, v in meta["labels"].items()})
    model.load_state_dict(torch.load(run / f"epoch{epoch}.pt", weights_only=True))
    model.eval()
    tokenizer = AutoTokenizer.from_pretrained(str(encoder_dir()))
    sample = tokenizer(["I hear how tired you are."], ["I can't sleep."], return_tensors="pt")
    with tempfile.TemporaryDirectory() as tmp:
        plain = Path(tmp) / "encoder.onnx"
        torch.onnx.export(
            Exported(model, order),
            (sample["input_ids"], sample["attention_mask"], sample["token_type_ids"]),
            str(plain),
            input_names=["input_ids", "attention_mask", "token_type_ids"],
            output_names=[*order, POOLED],
            dynamic_axes={
                **{
                    n: {0: "batch", 1: "tokens"}
                    for n in ("input_ids", "attention_mask", "token_type_ids")
                },
                **{n: {0: "batch"} for n in (*order, POOLED)},
            },
            opset_version=17,
            dynamo=False,
        )
        quantize_dynamic(
            str(plain), str(out / f"{name}.onnx"), weight_type=QuantType.QInt8, per_channel=True
        )
    # every graph shares all-MiniLM-L6-v2's tokenizer, shipped once
    shutil.copy(encoder_dir() / "tokenizer.json", out / "encoder-tokenizer.json")
    return order


def choose_blend(out: Path, root: Path) -> dict[str, dict[str, float]]:
    """For each head, the share of the encoder (0, 0.1, ... 1) in a blend with the linear
    model that gives the best macro-F1 on dev, using the int8 graph that ships. Ties go
    to the smaller share. Test is not read."""
    import numpy as np
    from sklearn.metrics import f1_score

    from attunement.analysis import datasets as data
    from attunement.analysis.encoder import Encoder
    from attunement.analysis.models import _model

    enc = Encoder(
        (out / "encoder.onnx").read_bytes(),
        (out / "encoder-tokenizer.json").read_text(encoding="utf-8"),
        json.loads((out / "encoder.json").read_text(encoding="utf-8")),
    )
    sources = {
        "therapist": ("mi.npz", lambda: data.annomi_therapist(root)),
        "client": ("mi.npz", lambda: data.annomi_client(root)),
        **{
            name: ("empathy.npz", lambda name=name: data.epitome(root, name))
            for name in ("emotional_reactions", "interpretations", "explorations")
        },
    }
    chosen = {}
    for head, (file, load) in sources.items():
        model = _model(file)
        h = model.heads[head]
        dev = [e for e in load() if e.split == "dev"]
        gold = np.array([h.labels.index(e.labels[0]) for e in dev])
        linear = np.array([h.scores(*model.features(e.text, e.context)) for e in dev])
        order = [enc.labels[head].index(lab) for lab in h.labels]
        encoded = np.array([enc.probabilities(e.text, e.context)[head][order] for e in dev])
        scores = {
            w: float(f1_score(gold, ((1 - w) * linear + w * encoded).argmax(1), average="macro"))
            for w in [round(0.1 * i, 1) for i in range(11)]
        }
        best = max(scores, key=lambda w: (round(scores[w], 4), -w))
        chosen[head] = {
            "weight": best,
            "dev_macro_f1": round(scores[best], 4),
            "dev_linear": round(scores[0.0], 4),
            "dev_encoder": round(scores[1.0], 4),
        }
        print(head, chosen[head], flush=True)
    if "go28" in enc.heads:
        chosen.update(choose_emotion_blend(enc, root))
    return chosen


def choose_emotion_blend(enc: Any, root: Path) -> dict[str, dict[str, Any]]:
    """The same choice for the emotion heads, which give several labels at once: for
    each share of the encoder, per-label thresholds are tuned on dev (as the linear
    model's were) and the share with the best dev macro-F1 is kept, with its thresholds.
    Ekman groups come from the encoder's 28 labels (each group's most likely member)."""
    import numpy as np
    from sklearn.metrics import f1_score

    from attunement.analysis import datasets as data
    from attunement.analysis.models import _model, ekman_from_go28
    from training.models import tune_thresholds

    model = _model("emotions.npz")
    _, mapping, examples = data.goemotions(root)
    dev = [e for e in examples if e.split == "dev"]
    names = enc.labels["go28"]
    encoded = [enc.probabilities(e.text)["go28"] for e in dev]
    chosen = {}
    for head in ("go28", "ekman"):
        h = model.heads[head]
        gold = [e.labels if head == "go28" else data.ekman_labels(e.labels, mapping) for e in dev]
        Y = np.array([[lab in g for lab in h.labels] for g in gold], dtype=int)
        linear = np.array([h.scores(*model.features(e.text)) for e in dev])
        if head == "go28":
            theirs = np.array([p[[names.index(lab) for lab in h.labels]] for p in encoded])
        else:
            theirs = np.array([ekman_from_go28(p, names, h.labels, mapping) for p in encoded])
        results = {}
        for w in [round(0.1 * i, 1) for i in range(11)]:
            blended = (1 - w) * linear + w * theirs
            thresholds = tune_thresholds(blended, Y)
            f1 = float(f1_score(Y, blended >= thresholds, average="macro", zero_division=0))
            results[w] = (f1, thresholds)
        best = max(results, key=lambda w: (round(results[w][0], 4), -w))
        shipped = float(f1_score(Y, linear >= h.thresholds, average="macro", zero_division=0))
        chosen[head] = {
            "weight": best,
            "dev_macro_f1": round(results[best][0], 4),
            "dev_linear": round(shipped, 4),
            "dev_encoder": round(results[1.0][0], 4),
            "thresholds": [round(float(x), 4) for x in results[best][1]],
        }
        print(head, {k: v for k, v in chosen[head].items() if k != "thresholds"}, flush=True)
    return chosen


def score_test(out: Path, root: Path) -> dict[str, dict[str, float]]:
    """Score the blended heads on test, once, through the code users run (the same
    evaluation as `attune eval`), beside the linear figures recorded at build time, and
    record both in encoder.json and scores.json (which the card guard test reads)."""
    from attunement.analysis.evaluate import evaluate

    info = json.loads((out / "encoder.json").read_text(encoding="utf-8"))
    scores_path = out / "scores.json"
    scores = json.loads(scores_path.read_text(encoding="utf-8"))
    test = {}
    for result in evaluate(root):
        if result.head in info["blend"]:
            card = scores[result.head]
            linear = card.get("linear_test_macro_f1", card["test_macro_f1"])
            test[result.head] = {"linear": linear, "blend": round(result.ours, 4)}
            card["linear_test_macro_f1"] = linear
            card["test_macro_f1"] = round(result.ours, 4)
            card["encoder_share"] = info["blend"][result.head]
            print(result.head, test[result.head], flush=True)
    info["test"] = test
    (out / "encoder.json").write_text(json.dumps(info, indent=1) + "\n", encoding="utf-8")
    scores_path.write_text(json.dumps(scores, indent=1) + "\n", encoding="utf-8")
    return test


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", type=Path, default=Path("build/encoder"))
    parser.add_argument("--epoch", type=int, default=3)
    parser.add_argument("--out", type=Path, default=MODELS)
    parser.add_argument("--datasets", type=Path, default=None)
    parser.add_argument(
        "--score-test",
        action="store_true",
        help="Only score the shipped blend on test (once, after choosing on dev).",
    )
    args = parser.parse_args(argv)
    from attunement.analysis import datasets as data

    root = args.datasets or data.DEFAULT_DATASETS
    if args.score_test:
        score_test(args.out, root)
        return
    order = export(args.run, args.epoch, args.out)
    meta = json.loads((args.run / "meta.json").read_text(encoding="utf-8"))
    info = {
        "heads": order,
        "labels": meta["labels"],
        "max_tokens": MAX_TOKENS,
        "multilabel": meta.get("multilabel", []),
        "ekman_mapping": data.goemotions(root)[1] if "go28" in order else {},
        "epoch": args.epoch,
        "epochs": meta.get("epochs"),
        "seed": meta.get("seed"),
        "train_minutes": meta.get("train_minutes"),
        "dev_macro_f1": meta["history"][args.epoch - 1]["dev_macro_f1"],
    }
    (args.out / "encoder.json").write_text(json.dumps(info, indent=1) + "\n", encoding="utf-8")
    blend = choose_blend(args.out, root)
    info["blend"] = {head: b["weight"] for head, b in blend.items()}
    info["thresholds"] = {
        head: b.pop("thresholds") for head, b in blend.items() if "thresholds" in b and b["weight"]
    }
    for b in blend.values():
        b.pop("thresholds", None)
    info["dev"] = blend
    (args.out / "encoder.json").write_text(json.dumps(info, indent=1) + "\n", encoding="utf-8")
    size = (args.out / "encoder.onnx").stat().st_size
    print(f"wrote {args.out / 'encoder.onnx'} ({size / 1e6:.1f} MB) with heads {order}")


if __name__ == "__main__":
    main()
