"""Fine-tune a second MiniLM encoder on caregivers' own words (build time only).

    python -m training.caregiver_encoder [--epochs 4] [--out build/caregiver-encoder]
    python -m training.caregiver_encoder --export EPOCH [--out build/caregiver-encoder]

The same all-MiniLM-L6-v2 start and training loop as the shared encoder
(``training.encoder.fine_tune``), with heads for the in-domain tasks of
training/caregiver/ (GUIDELINE.md): the framework markers of a sentence (multi-label),
the move a part of a practice reply makes (paired with the client's statement), and a
whole reply's empathy levels and assumption. Train writers only; every head is scored on
the dev writers after each epoch. ``--export`` writes the chosen epoch as int8 ONNX
(``caregiver-encoder.onnx``, heads and pooled vector) beside the shipped models, for
``training.caregiver`` to blend with its linear heads. Needs torch (CPU), as the shared
encoder does.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from attunement.analysis.datasets import Example
from training.caregiver_data import PART_CODES, load
from training.encoder import Task, fine_tune

OUT = Path("build/caregiver-encoder")
NAME = "caregiver-encoder"


def tasks() -> list[Task]:
    from attunement.analysis.markers import lexicon
    from attunement.practice.vignettes import vignettes

    ids = [m.id for m in lexicon().markers]
    statements = {v.id: v.statement for v in vignettes()}
    sentences = [
        Example(i.text, tuple(i.data["markers"]), i.split, group=i.data["writer"])
        for i in load("sentences")
        if i.split != "test"
    ]
    replies = [i for i in load("replies") if i.split != "test"]
    moves = [
        Example(p["text"], (p["code"],), i.split, statements[i.data["vignette"]])
        for i in replies
        for p in i.data["parts"]
    ]

    def levels(name: str) -> list[Example]:
        return [
            Example(i.text, (str(i.data[name]),), i.split, statements[i.data["vignette"]])
            for i in replies
        ]

    assumption = [
        Example(
            i.text,
            ("assumption",) if "assumption" in i.data.get("power", []) else (),
            i.split,
            statements[i.data["vignette"]],
        )
        for i in replies
    ]
    return [
        Task("markers", ids, sentences, multilabel=True),
        Task("moves", list(PART_CODES), moves),
        Task("reply_er", ["0", "1", "2"], levels("er")),
        Task("reply_ip", ["0", "1", "2"], levels("ip")),
        Task("reply_ex", ["0", "1", "2"], levels("ex")),
        Task("assumption", ["assumption"], assumption, multilabel=True),
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--lr", type=float, default=5e-5)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--export", type=int, metavar="EPOCH", help="Export this epoch.")
    args = parser.parse_args(argv)
    if args.export:
        from training.encoder_export import MODELS, export

        order = export(args.out, args.export, MODELS, name=NAME)
        meta = json.loads((args.out / "meta.json").read_text(encoding="utf-8"))
        info = {
            "heads": order,
            "labels": meta["labels"],
            "multilabel": meta["multilabel"],
            "max_tokens": meta["max_tokens"],
            "epoch": args.export,
            "dev_macro_f1": meta["history"][args.export - 1]["dev_macro_f1"],
            "train_minutes": meta["train_minutes"],
        }
        (MODELS / f"{NAME}.json").write_text(json.dumps(info, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {MODELS / (NAME + '.onnx')}")
        return
    fine_tune(tasks(), args.out, epochs=args.epochs, lr=args.lr)


if __name__ == "__main__":
    main()
