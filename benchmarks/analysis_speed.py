"""Analysis speed: Attunement's runtime vs a scikit-learn TF-IDF + logistic regression
pipeline of the same shape, in one run.

    pip install -e '.[build]'   # scikit-learn, for the baseline only
    python benchmarks/analysis_speed.py [--entries N]

Measures (targets from issues 11 and 14) on 150-word entries built from the sentences
caregivers wrote for Attunement (training/caregiver/sentences: every entry different,
so no cache helps), each read with a client's statement as its context, as
`attune analyze --batch` reads such a line: markers sentence by sentence, feelings, and
the entry read as a reply move by move (MI code, empathy levels, power-centred signs):
- one entry, all analyses, on one core after warm-up, every cache emptied between
  entries: p50 / p95 latency (target p95 <= 50 ms);
- where that time goes: the encoder passes per entry and what one pass costs on one
  core (all-MiniLM-L6-v2 on a sentence, the shared encoder on a sentence after the
  statement, each on the whole entry): the floor the passes alone set;
- batch throughput: the library in 2 worker processes, and `attune analyze --batch`
  itself (one process, lines read side by side, start-up included), with its CPU time
  (target >= 100 texts/s on 2 cores);
- `import attunement` in a fresh interpreter (target < 0.3 s).
The load average is printed: other work on the machine slows every row.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATEMENT = "I don't know what to do anymore. Since Mum went into the home I can't sleep."


def labelled_sentences() -> list[str]:
    folder = ROOT / "training" / "caregiver" / "sentences"
    return [
        json.loads(line)["text"]
        for path in sorted(folder.glob("*.jsonl"))
        for line in path.read_text("utf-8").splitlines()
    ]


def entries(count: int, seed: int, words: int = 150) -> list[str]:
    """``count`` entries of about ``words`` words, each sentence used once until all
    have been (then the pool is shuffled again)."""
    rng = random.Random(seed)
    pool: list[str] = []
    out = []
    for _ in range(count):
        text: list[str] = []
        while sum(len(s.split()) for s in text) < words:
            if not pool:
                pool = labelled_sentences()
                rng.shuffle(pool)
            text.append(pool.pop())
        out.append(" ".join(text))
    return out


def attune_all(text: str) -> None:
    from attunement.analysis.report import analyze_item

    analyze_item({"text": text, "context": STATEMENT})


def forget() -> None:
    """Empty every cache of earlier texts' readings (models stay loaded)."""
    from attunement.analysis import features, markers, models

    for module in (features, markers, models):
        for value in vars(module).values():
            if hasattr(value, "cache_clear") and getattr(value, "__name__", "") not in (
                "lexicon",
                "_model",
            ):
                value.cache_clear()


def attune_alone(text: str) -> None:
    forget()
    attune_all(text)


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


def latencies(fn, texts: list[str]) -> tuple[float, float, float, float]:
    """p50 and p95 of the wall time, then of the CPU time, in milliseconds: on a busy
    machine the CPU time is what one free core would take."""
    for text in texts[:10]:
        fn(text)
    times, cpu = [], []
    for text in texts:
        started, started_cpu = time.perf_counter(), time.process_time()
        fn(text)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    times.sort()
    cpu.sort()
    p95 = max(0, int(0.95 * len(times)) - 1)
    return statistics.median(times), times[p95], statistics.median(cpu), cpu[p95]


def journal_alone(text: str) -> None:
    """An entry as the entry page reads it: markers and feelings, no reply."""
    from attunement.analysis.report import analyze_text

    forget()
    analyze_text(text)


def passes(texts: list[str]) -> tuple[dict[str, float], dict[str, float]]:
    """Encoder passes per entry, by graph, and the CPU milliseconds of one pass."""
    from attunement.analysis.encoder import encoder, sentence_encoder
    from attunement.analysis.segments import sentences

    graphs = {"MiniLM": sentence_encoder(), "shared": encoder()}
    counts = dict.fromkeys(graphs, 0)
    originals = {name: g.probabilities for name, g in graphs.items()}
    for name, graph in graphs.items():
        graph.probabilities = (  # type: ignore[method-assign]
            lambda text, context="", _n=name: (
                counts.__setitem__(_n, counts[_n] + 1) or originals[_n](text, context)
            )
        )
    try:
        for text in texts:
            attune_alone(text)
    finally:
        for name, graph in graphs.items():
            graph.probabilities = originals[name]  # type: ignore[method-assign]
    per_entry = {name: n / len(texts) for name, n in counts.items()}
    pieces = [text[a:b] for text in texts[:5] for a, b in sentences(text)]

    def cpu_ms(run, items: list[str]) -> float:
        for item in items[:3]:
            run(item)
        started = time.process_time()
        for item in items:
            run(item)
        return (time.process_time() - started) * 1000 / len(items)

    cost = {
        "MiniLM, one sentence": cpu_ms(graphs["MiniLM"].probabilities, pieces),
        "shared, one sentence after the statement": cpu_ms(
            lambda t: graphs["shared"].probabilities(t, STATEMENT), pieces
        ),
        "MiniLM, whole entry (128 tokens)": cpu_ms(graphs["MiniLM"].probabilities, texts[:10]),
        "shared, whole entry after the statement (160 tokens)": cpu_ms(
            lambda t: graphs["shared"].probabilities(t, STATEMENT), texts[:10]
        ),
    }
    return per_entry, cost


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=400, help="For each throughput row.")
    parser.add_argument("--latency-entries", type=int, default=100)
    args = parser.parse_args()
    load_before = os.getloadavg()
    texts = entries(args.latency_entries, seed=7)
    os.sched_setaffinity(0, {0})  # one core for latency
    ours = latencies(attune_alone, texts)
    journal = latencies(journal_alone, texts)
    per_entry, cost = passes(texts[:20])
    try:
        pipe = baseline_pipeline()
        base = latencies(lambda t: pipe.predict_proba([t]), texts)
    except (ImportError, FileNotFoundError, OSError):
        base = None
    os.sched_setaffinity(0, set(range(os.cpu_count() or 1)))
    batch = entries(args.entries, seed=11)
    chunks = [batch[i::2] for i in range(2)]
    os.environ["ATTUNE_ENCODER_THREADS"] = "1"  # one thread per worker process
    spawn = multiprocessing.get_context("spawn")  # never fork a process holding threads
    with ProcessPoolExecutor(max_workers=2, mp_context=spawn) as pool:
        warm = entries(10, seed=3)
        list(pool.map(_batch_worker, [warm[:5], warm[5:]]))  # warm both workers
        started = time.perf_counter()
        done = sum(pool.map(_batch_worker, chunks))
        rate = done / (time.perf_counter() - started)
    with tempfile.TemporaryDirectory() as tmp:
        lines = Path(tmp) / "entries.jsonl"
        lines.write_text(
            "".join(
                json.dumps({"id": i, "text": text, "context": STATEMENT}) + "\n"
                for i, text in enumerate(batch)
            ),
            encoding="utf-8",
        )
        env = {k: v for k, v in os.environ.items() if k != "ATTUNE_ENCODER_THREADS"}
        cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "attunement", "--data-dir", tmp, "analyze", "--batch", lines],
            check=True,
            capture_output=True,
            env=env,
        )
        wall = time.perf_counter() - started
        cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cli_cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (
            cpu_after.ru_stime - cpu_before.ru_stime
        )
        cli_rate = len(batch) / wall
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
    load_after = os.getloadavg()
    print(
        f"{os.cpu_count()} cores; load average {load_before[0]:.1f} before, "
        f"{load_after[0]:.1f} after; 150-word entries read with a statement as context\n"
    )
    print("| measure | Attunement | scikit-learn pipeline | target |")
    print("| --- | ---: | ---: | ---: |")
    b50 = f"{base[0]:.1f} ms" if base else "n/a"
    b95 = f"{base[1]:.1f} ms" if base else "n/a"
    print(
        f"| one entry, all analyses, p50 (1 core; CPU) | {ours[0]:.1f} ms; {ours[2]:.1f} ms "
        f"| {b50} (emotions only) | |"
    )
    print(
        f"| one entry, all analyses, p95 (1 core; CPU) | {ours[1]:.1f} ms; {ours[3]:.1f} ms "
        f"| {b95} (emotions only) | <= 50 ms |"
    )
    print(
        f"| one journal entry, markers and feelings, p50 / p95 (1 core) | {journal[0]:.1f} / "
        f"{journal[1]:.1f} ms; CPU {journal[2]:.1f} / {journal[3]:.1f} ms | | |"
    )
    print(f"| batch throughput (2 processes) | {rate:.1f} texts/s | | >= 100 texts/s |")
    print(
        f"| `attune analyze --batch` (1 process, {len(batch)} entries) | {cli_rate:.1f} texts/s "
        f"({wall:.1f} s wall, {cli_cpu:.1f} s CPU, {cli_cpu / len(batch) * 1000:.0f} ms CPU "
        "an entry) | | >= 100 texts/s |"
    )
    print(f"| `import attunement` | {statistics.median(import_times) * 1000:.0f} ms | | < 300 ms |")
    print(
        "\nEncoder passes per entry (1 core): "
        + ", ".join(f"{name} {n:.1f}" for name, n in per_entry.items())
    )
    print("\n| one pass (CPU, 1 core) | ms |")
    print("| --- | ---: |")
    for name, ms in cost.items():
        print(f"| {name} | {ms:.2f} |")
    sentence_passes = {
        "MiniLM": per_entry["MiniLM"] - 1,
        "shared": per_entry["shared"] - 1,
    }
    floor = (
        sentence_passes["MiniLM"] * cost["MiniLM, one sentence"]
        + sentence_passes["shared"] * cost["shared, one sentence after the statement"]
        + cost["MiniLM, whole entry (128 tokens)"]
        + cost["shared, whole entry after the statement (160 tokens)"]
    )
    print(
        f"\nThe encoder passes alone: about {floor:.0f} ms of CPU an entry "
        f"(at most {2000 / floor:.0f} texts/s on 2 free cores)."
    )


if __name__ == "__main__":
    main()
