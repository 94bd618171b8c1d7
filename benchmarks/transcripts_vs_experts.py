"""Transcript coding against MI experts, on AnnoMI's test transcripts.

    python benchmarks/transcripts_vs_experts.py

Each test transcript (../shared/datasets/annomi/split.csv) is written out as a plain
`Speaker: words` file and read back through the same import path a user's file takes
(format detection, caregiver guess, coding). Printed:
- utterance-level macro-F1 of the caregiver codes against the experts' codes;
- per transcript, Spearman correlation of our reflection-to-question ratio, % complex
  reflections and caregiver word share with the same figures from the experts' codes
  (target >= 0.8 for R:Q);
- ROC AUC of each figure for telling high- from low-quality MI sessions, ours beside the
  experts' (target: within 0.05);
- what R:Q Spearman codes this accurate can be expected to give: the errors our coding
  makes on the dev transcripts, drawn at random into the experts' codes of 27 training
  transcripts at a time (as many as the test split has), 400 times; and the same with
  half and a quarter of those errors;
- speed: a 600-turn session, and all 133 transcripts (targets < 2 s and < 60 s).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from attunement.analysis import datasets
from attunement.analysis.evaluate import macro_f1
from attunement.transcripts import service
from attunement.transcripts.parse import Turn

CODES = ["input", "other", "question", "reflection"]
MAIN = datasets.THERAPIST_MAIN


def ranks(values: np.ndarray) -> np.ndarray:
    order = values.argsort(kind="mergesort")
    r = np.empty(len(values))
    r[order] = np.arange(len(values))
    for value in np.unique(values):  # average ranks for ties
        mask = values == value
        r[mask] = r[mask].mean()
    return r


def spearman(a: list[float], b: list[float]) -> float:
    x, y = ranks(np.array(a, dtype=float)), ranks(np.array(b, dtype=float))
    return float(np.corrcoef(x, y)[0, 1])


def auc(scores: list[float], positive: list[bool]) -> float:
    """Probability that a high-quality session scores above a low-quality one."""
    pos = [s for s, p in zip(scores, positive, strict=True) if p]
    neg = [s for s, p in zip(scores, positive, strict=True) if not p]
    wins = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg)
    return wins / (len(pos) * len(neg))


def figures(codes: list[tuple[str, str | None]], words: list[int], caregiver: list[bool]):
    refl = [s for c, s in codes if c == "reflection"]
    rq = rq_ratio([c for c, _ in codes])
    cr = sum(1 for s in refl if s == "complex") / len(refl) if refl else 0.0
    share = sum(w for w, c in zip(words, caregiver, strict=True) if c) / max(sum(words), 1)
    return rq, cr, share


def expert_codes(utterances: list[dict[str, str]]) -> list[str]:
    return [
        MAIN[u["main_therapist_behaviour"]] for u in utterances if u["interlocutor"] == "therapist"
    ]


def rq_ratio(codes: list[str]) -> float:
    reflections, questions = codes.count("reflection"), codes.count("question")
    return reflections / questions if questions else float(reflections)


def expected_spearman(by_transcript: dict[str, list[dict[str, str]]], draws: int = 400) -> None:
    """How well per-transcript R:Q ratios can agree with the experts' when utterance codes
    carry errors like ours: a simulation that reads no test transcript."""
    confusion = np.zeros((len(CODES), len(CODES)))
    for utterances in (u for u in by_transcript.values() if u[0]["split"] == "dev"):
        session = service.analyse("dev", as_turns(utterances), "Therapist")
        ours = [c.code for c in session.coded if c.role == "caregiver"]
        for truth, pred in zip(expert_codes(utterances), ours, strict=True):
            confusion[CODES.index(truth), CODES.index(pred)] += 1
    rates = confusion / confusion.sum(axis=1, keepdims=True)
    train = [
        [CODES.index(c) for c in expert_codes(u)]
        for u in by_transcript.values()
        if u[0]["split"] == "train" and expert_codes(u)
    ]
    size = sum(1 for u in by_transcript.values() if u[0]["split"] == "test")
    rng = np.random.default_rng(7)
    print(
        f"\nWhat R:Q Spearman to expect from codes this accurate ({draws} draws of {size} "
        f"training transcripts, errors drawn from our dev confusion):\n"
    )
    print("| errors | utterance macro-F1 | Spearman median | 10th-90th percentile | P(>= 0.8) |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for scale in (1.0, 0.5, 0.25):
        noisy = scale * rates + (1 - scale) * np.eye(len(CODES))
        rhos, f1s = [], []
        for _ in range(draws):
            truth_all, pred_all, ours, theirs = [], [], [], []
            for i in rng.choice(len(train), size, replace=False):
                truth = train[i]
                pred = [int(rng.choice(len(CODES), p=noisy[y])) for y in truth]
                ours.append(rq_ratio([CODES[c] for c in pred]))
                theirs.append(rq_ratio([CODES[c] for c in truth]))
                truth_all += truth
                pred_all += pred
            rhos.append(spearman(ours, theirs))
            f1s.append(macro_f1(np.array(truth_all), np.array(pred_all), len(CODES))[0])
        label = "ours (dev)" if scale == 1 else f"{scale:g} of ours"
        print(
            f"| {label} | {np.mean(f1s):.3f} | {np.median(rhos):.3f} | "
            f"{np.percentile(rhos, 10):.3f}-{np.percentile(rhos, 90):.3f} | "
            f"{np.mean(np.array(rhos) >= 0.8):.2f} |"
        )


def as_turns(utterances: list[dict[str, str]]) -> list[Turn]:
    return [
        Turn(i, "Therapist" if u["interlocutor"] == "therapist" else "Client", u["utterance_text"])
        for i, u in enumerate(utterances)
    ]


def main() -> None:
    root = datasets.default_datasets()
    rows = datasets.annomi(root)
    by_transcript = defaultdict(list)
    for row in rows:
        by_transcript[row["transcript_id"]].append(row)
    test_ids = sorted((t for t, r in by_transcript.items() if r[0]["split"] == "test"), key=int)

    truth, pred = [], []
    ours, experts, quality = defaultdict(list), defaultdict(list), []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for tid in test_ids:
            utterances = by_transcript[tid]
            path = Path(tmp) / f"session-{tid}.txt"
            path.write_text(
                "\n".join(
                    f"{'Therapist' if u['interlocutor'] == 'therapist' else 'Client'}: "
                    f"{' '.join(u['utterance_text'].split())}"
                    for u in utterances
                )
                + "\n",
                encoding="utf-8",
            )
            turns, _ = service.read(path)
            session = service.analyse(path.stem, turns, service.choose_caregiver(turns, None))
            is_caregiver = [c.role == "caregiver" for c in session.coded]
            words = [c.turn.words for c in session.coded]
            our_codes = [(c.code, c.subtype) for c in session.coded if c.role == "caregiver"]
            experts_coded = []
            for u in utterances:
                if u["interlocutor"] != "therapist":
                    continue
                code = MAIN[u["main_therapist_behaviour"]]
                sub = {
                    "reflection": u["reflection_subtype"],
                    "question": u["question_subtype"],
                }.get(code)
                experts_coded.append((code, sub))
            truth += [CODES.index(c) for c, _ in experts_coded]
            pred += [CODES.index(c) for c, _ in our_codes]
            expert_caregiver = [u["interlocutor"] == "therapist" for u in utterances]
            for name, value in zip(
                ("rq", "cr", "share"), figures(our_codes, words, is_caregiver), strict=True
            ):
                ours[name].append(value)
            for name, value in zip(
                ("rq", "cr", "share"), figures(experts_coded, words, expert_caregiver), strict=True
            ):
                experts[name].append(value)
            quality.append(utterances[0]["mi_quality"] == "high")
    elapsed_test = time.perf_counter() - started

    score, per = macro_f1(np.array(truth), np.array(pred), len(CODES))
    print(
        f"AnnoMI test split: {len(test_ids)} transcripts ({sum(quality)} high-, "
        f"{len(quality) - sum(quality)} low-quality), {len(truth)} caregiver utterances\n"
    )
    print(
        f"Utterance-level macro-F1 of caregiver codes vs experts: {score:.3f} "
        f"({', '.join(f'{c} {f:.2f}' for c, f in zip(CODES, per, strict=True))})\n"
    )
    print(
        "| figure | Spearman (ours vs experts) | target | AUC high vs low: ours | experts | "
        "within 0.05 |"
    )
    print("| --- | ---: | ---: | ---: | ---: | --- |")
    for name, label in (
        ("rq", "reflection-to-question ratio"),
        ("cr", "% complex reflections"),
        ("share", "caregiver word share"),
    ):
        rho = spearman(ours[name], experts[name])
        a_ours, a_exp = auc(ours[name], quality), auc(experts[name], quality)
        if name == "share":  # a lower caregiver share is the better MI session
            a_ours, a_exp = 1 - a_ours, 1 - a_exp
        target = ">= 0.8" if name == "rq" else ""
        print(
            f"| {label} | {rho:.3f} | {target} | {a_ours:.3f} | {a_exp:.3f} | "
            f"{'yes' if abs(a_ours - a_exp) <= 0.05 else 'no'} |"
        )

    # Speed: a 600-turn session, and every AnnoMI transcript.
    all_rows = [r for t in sorted(by_transcript, key=int) for r in by_transcript[t]]
    expected_spearman(by_transcript)

    long_turns = as_turns(all_rows[:600])
    long_times = []
    for _ in range(5):
        started = time.perf_counter()
        service.analyse("long", long_turns, "Therapist")
        long_times.append(time.perf_counter() - started)
    started = time.perf_counter()
    for tid in sorted(by_transcript, key=int):
        service.analyse(tid, as_turns(by_transcript[tid]), "Therapist")
    all_time = time.perf_counter() - started
    print(
        f"\nSpeed: a 600-turn session in {statistics.median(long_times):.2f} s, median of 5 "
        f"(slowest {max(long_times):.2f} s; target < 2 s); all "
        f"{len(by_transcript)} transcripts ({len(all_rows):,} turns) in {all_time:.1f} s "
        f"(target < 60 s); the test split with file round trips in {elapsed_test:.1f} s."
    )


if __name__ == "__main__":
    main()
