"""Analysis speed: Attunement's numpy runtime vs a scikit-learn TF-IDF + logistic
regression pipeline of the same shape, in one run.

    pip install -e '.[build]'   # scikit-learn, for the baseline only
    python benchmarks/analysis_speed.py

Measures (targets from the analysis issue):
- all analyses of one 150-word entry (markers, emotions, MI behaviour, empathy) on one
  core after warm-up: p50 / p95 latency (target p95 <= 50 ms);
- batch throughput (target >= 200 texts/s on 2 cores): the library in 2 worker processes,
  and `attune analyze --batch` itself, one process whose encoder passes run side by side
  (start-up included);
- `import attunement` in a fresh interpreter (target < 0.3 s).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

SENTENCES = [
    "After the session I noticed my chest tightened when she talked about her son.",
    "I wanted to fix it for her and rushed to suggest a plan.",
    "Later I wondered what the silence was holding for her.",
    "I felt tired by the end of the shift and could not focus.",
    "Her grief filled the room and I stayed with it for a while.",
    "At least she has her sister nearby, I thought, and then caught myself.",
    "I should have asked more and said less.",
    "My breath slowed once I put my feet on the floor.",
    "She said she felt alone, and I reflected that back to her.",
    "I am still learning to go easy on myself after days like this.",
]


def entry(rng: random.Random, words: int = 150) -> str:
    text = []
    while sum(len(s.split()) for s in text) < words:
        text.append(rng.choice(SENTENCES))
    return " ".join(text)


def attune_all(text: str) -> None:
    from attunement.analysis import models
    from attunement.analysis.report import analyze_text

    analyze_text(text)
    models.mi_behaviour(text, "I don't know what to do anymore.")
    models.empathy(text, "I don't know what to do anymore.")


def _batch_worker(texts: list[str]) -> int:
    for text in texts:
        attune_all(text)
    return len(texts)


def baseline_pipeline():
    """A scikit-learn pipeline of the same shape: word + char TF-IDF and one-vs-rest LR
    over 28 labels, trained on 5,000 GoEmotions comments."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.pipeline import FeatureUnion, make_pipeline
    from sklearn.preprocessing import MultiLabelBinarizer

    from attunement.analysis import datasets

    names, _, examples = datasets.goemotions(datasets.default_datasets())
    train = [e for e in examples if e.split == "train"][:5000]
    features = FeatureUnion(
        [
            ("word", TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)),
            (
                "char",
                TfidfVectorizer(
                    analyzer="char_wb",
                    ngram_range=(2, 5),
                    min_df=3,
                    sublinear_tf=True,
                    max_features=150_000,
                ),
            ),
        ]
    )
    Y = MultiLabelBinarizer(classes=names).fit_transform([e.labels for e in train])
    pipe = make_pipeline(features, OneVsRestClassifier(LogisticRegression(max_iter=500)))
    return pipe.fit([e.text for e in train], Y)


def latencies(fn, texts: list[str]) -> tuple[float, float]:
    for text in texts[:20]:
        fn(text)
    times = []
    for text in texts:
        started = time.perf_counter()
        fn(text)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[int(0.95 * len(times)) - 1]


def main() -> None:
    rng = random.Random(7)
    texts = [entry(rng) for _ in range(300)]
    os.sched_setaffinity(0, {0})  # one core for latency
    ours = latencies(attune_all, texts)
    try:
        pipe = baseline_pipeline()
        base = latencies(lambda t: pipe.predict_proba([t]), texts)
    except ImportError:
        base = None
    os.sched_setaffinity(0, set(range(os.cpu_count() or 1)))
    batch = [entry(rng) for _ in range(2000)]
    chunks = [batch[i::2] for i in range(2)]
    os.environ["ATTUNE_ENCODER_THREADS"] = "1"  # one thread per worker process
    spawn = multiprocessing.get_context("spawn")  # never fork a process holding threads
    with ProcessPoolExecutor(max_workers=2, mp_context=spawn) as pool:
        list(pool.map(_batch_worker, [c[:20] for c in chunks]))  # warm both workers
        started = time.perf_counter()
        done = sum(pool.map(_batch_worker, chunks))
        rate = done / (time.perf_counter() - started)
    with tempfile.TemporaryDirectory() as tmp:
        lines = Path(tmp) / "entries.jsonl"
        lines.write_text(
            "".join(
                json.dumps({"id": i, "text": text, "context": "I don't know what to do anymore."})
                + "\n"
                for i, text in enumerate(batch[:1000])
            ),
            encoding="utf-8",
        )
        env = {k: v for k, v in os.environ.items() if k != "ATTUNE_ENCODER_THREADS"}
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "attunement", "--data-dir", tmp, "analyze", "--batch", lines],
            check=True,
            capture_output=True,
            env=env,
        )
        cli_rate = 1000 / (time.perf_counter() - started)
    import_times = []
    for _ in range(5):
        out = subprocess.run(
            [
                sys.executable,
                "-c",
                "import time; t=time.perf_counter(); "
                "import attunement; print(time.perf_counter()-t)",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        import_times.append(float(out.stdout))
    print(f"{os.cpu_count()} cores; 150-word entries; medians after warm-up\n")
    print("| measure | Attunement (numpy) | scikit-learn pipeline | target |")
    print("| --- | ---: | ---: | ---: |")
    b50 = f"{base[0]:.1f} ms" if base else "n/a"
    b95 = f"{base[1]:.1f} ms" if base else "n/a"
    print(f"| one entry, all analyses, p50 (1 core) | {ours[0]:.1f} ms | {b50} (emotions only) | |")
    print(
        f"| one entry, all analyses, p95 (1 core) | {ours[1]:.1f} ms | {b95} (emotions only) "
        "| <= 50 ms |"
    )
    print(f"| batch throughput (2 processes) | {rate:.0f} texts/s | | >= 200 texts/s |")
    print(
        f"| `attune analyze --batch` (1 process, 1,000 entries) | {cli_rate:.0f} texts/s | "
        "| >= 200 texts/s |"
    )
    print(f"| `import attunement` | {statistics.median(import_times) * 1000:.0f} ms | | < 300 ms |")


if __name__ == "__main__":
    main()
