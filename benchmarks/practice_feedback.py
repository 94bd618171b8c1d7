"""Practice feedback in its own domain: the empathy levels given to replies to the
practice vignettes, against levels labelled by hand (benchmarks/practice/responses.txt).

    python benchmarks/practice_feedback.py [--split dev|test|all]

The empathy models learnt from Reddit replies to posts (EPITOME); practice asks for a
caregiver's spoken reply to a client's words. This prints, per mechanism, the macro-F1
over levels 0/1/2 and the F1 of telling any level from none, for the linear model alone,
the encoder alone, the blend chosen on EPITOME dev (`models.empathy`), the bridge used for
transcript turns (`models.reply_empathy`: a reflection free of power-centred signs counts
as a strong interpretation; designed on this set's dev half), and the move-by-move reading
practice feedback gives (`analysis/replies.py`, learnt from other replies written for the
vignettes by other writers; none of these 180 was read while building it).
The split is fixed by a hash of the vignette id, so one vignette's replies stay together.
"""

from __future__ import annotations

import argparse
import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from attunement.analysis import models
from attunement.analysis.evaluate import macro_f1
from attunement.practice.vignettes import vignette

SET = Path(__file__).resolve().parent / "practice" / "responses.txt"
DIMENSIONS = models.EMPATHY_DIMENSIONS


@dataclass(frozen=True)
class Reply:
    vignette_id: str
    levels: tuple[int, int, int]
    text: str

    @property
    def split(self) -> str:
        return "dev" if hashlib.sha256(self.vignette_id.encode()).digest()[0] % 2 else "test"


def replies(path: Path = SET) -> list[Reply]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        vid, levels, text = (part.strip() for part in line.split("|", 2))
        er, ip, ex = (int(x) for x in levels.split())
        out.append(Reply(vid, (er, ip, ex), text))
    return out


def readings(reply: Reply) -> dict[str, dict[str, np.ndarray]]:
    """Each mechanism's level probabilities (levels 0, 1, 2) by each reader."""
    from attunement.analysis.encoder import encoder

    statement = vignette(reply.vignette_id).statement
    model = models._model("empathy.npz")
    features = model.features(reply.text, statement)
    encoded = models._encoded(reply.text, statement)  # the one pass the readings share
    shipped = models.reply_empathy(reply.text, statement)
    from attunement.practice.feedback import feedback

    practice = feedback(vignette(reply.vignette_id), reply.text).empathy
    out: dict[str, dict[str, np.ndarray]] = {}
    for name in DIMENSIONS:
        head = model.heads[name]
        by_level = np.argsort([int(lab) for lab in head.labels])
        order = [encoder().labels[name].index(lab) for lab in head.labels]
        blend = models.probabilities(model, name, features, reply.text, statement)
        out[name] = {
            "linear": head.scores(*features)[by_level],
            "encoder": encoded[name][order][by_level],
            "blend": blend[by_level],
            "reply reading": np.eye(3)[getattr(shipped, name).level],
            "practice feedback": np.eye(3)[getattr(practice, name).level],
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("dev", "test", "all"), default="test")
    args = parser.parse_args()
    chosen = [r for r in replies() if args.split == "all" or r.split == args.split]
    read = [readings(r) for r in chosen]
    vignettes = len({r.vignette_id for r in chosen})
    print(f"{len(chosen)} replies to {vignettes} vignettes ({args.split})\n")
    print(
        "| mechanism | reader | macro-F1, levels 0/1/2 | F1, any level vs none "
        "| replies given a level (labelled) |"
    )
    print("| --- | --- | ---: | ---: | ---: |")
    for d, name in enumerate(DIMENSIONS):
        truth = np.array([r.levels[d] for r in chosen])
        for reader in ("linear", "encoder", "blend", "reply reading", "practice feedback"):
            pred = np.array([int(x[name][reader].argmax()) for x in read])
            score, _ = macro_f1(truth, pred, 3)
            detect, _ = macro_f1((truth > 0).astype(int), (pred > 0).astype(int), 2)
            print(
                f"| {name} | {reader} | {score:.3f} | {detect:.3f} | "
                f"{int((pred > 0).sum())} ({int((truth > 0).sum())}) |"
            )


if __name__ == "__main__":
    main()
