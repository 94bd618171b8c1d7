"""Build the list of everyday words the de-identification detector treats as words.

    python -m training.wordlist [--datasets PATH]

A capitalised word in the middle of a sentence is most often a name or a place, unless it
is an everyday word written with a capital. The detector tells the two apart with this
list: words that people mostly write in lower case. It is counted from the training
splits of GoEmotions (Reddit comments, names already masked by the dataset's authors),
AnnoMI (counselling transcripts) and EPITOME (support posts), keeping words seen at least
three times and written in lower case at least four times as often as capitalised in
mid-sentence. Only the words are kept, not a sentence of the data.

Writes src/attunement/framework/common_words.txt.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from attunement.analysis import datasets as data

OUT = Path(__file__).resolve().parent.parent / "src/attunement/framework/common_words.txt"
WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
MIN_COUNT = 3
LOWER_RATIO = 4


def texts(root: Path) -> Iterable[str]:
    yield from (e.text for e in data.goemotions(root)[2] if e.split == "train")
    for row in data.annomi(root):
        if row["split"] == "train":
            yield row["utterance_text"]
    seen = set()
    for e in data.epitome(root, "emotional_reactions"):
        if e.split == "train":
            yield e.text
            if e.context not in seen:
                seen.add(e.context)
                yield e.context


def count(lines: Iterable[str]) -> tuple[Counter[str], Counter[str]]:
    lower: Counter[str] = Counter()
    capital: Counter[str] = Counter()
    for text in lines:
        for m in WORD.finditer(text):
            word = m.group(0).strip("'’-")
            if not word:
                continue
            before = text[: m.start()].rstrip(" \"'“‘(")
            initial = not before or before[-1] in ".!?:\n"
            if word.islower():
                lower[word] += 1
            elif word[0].isupper() and word[1:].islower() and not initial:
                capital[word.lower()] += 1
    return lower, capital


def common(lower: Counter[str], capital: Counter[str]) -> list[str]:
    return sorted(
        w
        for w, n in lower.items()
        if n + capital[w] >= MIN_COUNT and n >= LOWER_RATIO * capital[w] and len(w) > 1
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=Path, default=data.DEFAULT_DATASETS)
    args = parser.parse_args(argv)
    words = common(*count(texts(args.datasets)))
    header = (
        "# Everyday words, written mostly in lower case (training/wordlist.py builds this\n"
        "# from the training splits of GoEmotions, AnnoMI and EPITOME; words only).\n"
    )
    OUT.write_text(header + "\n".join(words) + "\n", encoding="utf-8")
    print(f"wrote {len(words)} words to {OUT}")


if __name__ == "__main__":
    main()
