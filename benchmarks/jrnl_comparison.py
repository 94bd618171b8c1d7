"""Attunement vs jrnl on the same journal: whole commands, medians and ratios.

    python benchmarks/jrnl_comparison.py [--sizes 10000 100000] [--repeats 5] [--import-only]

jrnl is installed into its own virtual environment (benchmarks/.work/jrnl-venv) with
`pip install jrnl`; Attunement is the `attune` installed beside this Python. Both get the
same entries: a jrnl plain-text journal is generated (seeded), jrnl imports it with
`jrnl --import`, Attunement with `attune import --from jrnl`. Then each command runs
`--repeats` times after one warm-up run, output discarded, and the table shows the median
wall time of each and the ratio jrnl / attune (above 1: Attunement is faster), with the
median CPU time (user + system) beside it: on a shared machine, CPU time is the steadier
figure. Imports also show each program's peak memory. Both programs run with their
bytecode caches on (as installed), whatever PYTHONDONTWRITEBYTECODE says here.

``--import-only`` times the imports alone (each program into an empty journal), for
repeating that comparison without the read commands.

Commands jrnl has no counterpart for (`today`, `checkins`) show Attunement's time alone,
against the 150 ms a person should wait at most.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = HERE / ".work"
JRNL_VENV = WORK / "jrnl-venv"

OPENINGS = [
    "After the session I noticed",
    "Sitting with her today I felt",
    "On the ward this morning",
    "During the chaplaincy visit",
    "When he spoke about his son",
    "Before the family meeting",
    "In supervision we talked about",
    "Driving home I kept thinking how",
    "At the bedside",
]
MIDDLES = [
    "my chest tightened and I wanted to fix it",
    "I rushed to reassure instead of listening",
    "I stayed with the silence longer than usual",
    "my shoulders dropped once I slowed down",
    "I assumed I knew what she needed",
    "curiosity came back when I asked what it was like",
    "I felt tired and distracted by the next appointment",
    "there was a moment of real contact",
    "I noticed the urge to give advice and let it pass",
    "the grief in the room felt heavy",
]
ENDINGS = [
    "Next time I want to ask more and say less.",
    "I will bring this to supervision.",
    "It reminded me how much presence matters.",
    "I need to rest before tomorrow.",
    "Ease came from my feet on the floor.",
    "I wonder what she was not able to say.",
]
TAGS = ["grief", "ease", "supervision", "rupture", "hospice", "nights", "body", "family"]
SEARCH_WORD = "silence"
TAG = "rupture"


def sentence(rng: random.Random) -> str:
    return f"{rng.choice(OPENINGS)} {rng.choice(MIDDLES)}. {rng.choice(ENDINGS)}"


def generate_jrnl(path: Path, count: int, seed: int = 20261125) -> None:
    rng = random.Random(seed)
    start = datetime(2016, 1, 1, 7, 0)
    with path.open("w", encoding="utf-8") as out:
        for n in range(count):
            moment = start + timedelta(minutes=n * 47 + rng.randint(0, 30))
            title = sentence(rng).split(".")[0][:60] + "."
            paragraphs = []
            for _ in range(rng.randint(1, 4)):
                paragraphs.append(" ".join(sentence(rng) for _ in range(rng.randint(2, 5))))
            tags = " ".join(f"#{t}" for t in rng.sample(TAGS, rng.randint(0, 2)))
            body = "\n\n".join(paragraphs) + (f" {tags}" if tags else "")
            star = " *" if rng.random() < 0.05 else ""
            out.write(f"[{moment:%Y-%m-%d %H:%M}] {title}{star}\n{body}\n\n")


def ensure_jrnl() -> Path:
    jrnl = JRNL_VENV / "bin" / "jrnl"
    if not jrnl.exists():
        subprocess.run([sys.executable, "-m", "venv", str(JRNL_VENV)], check=True)
        subprocess.run([str(JRNL_VENV / "bin" / "pip"), "install", "-q", "jrnl"], check=True)
    return jrnl


def jrnl_env(home: Path, journal: Path) -> dict[str, str]:
    config = home / "config" / "jrnl"
    config.mkdir(parents=True, exist_ok=True)
    (config / "jrnl.yaml").write_text(
        "colors: {body: none, date: none, tags: none, title: none}\n"
        "default_hour: 9\ndefault_minute: 0\neditor: ''\nencrypt: false\nhighlight: false\n"
        "indent_character: '|'\n"
        f"journals:\n  default:\n    journal: {journal}\n"
        "linewrap: 79\ntagsymbols: '#@'\ntemplate: false\ntimeformat: '%Y-%m-%d %H:%M'\n"
        "version: v4.2\n",
        encoding="utf-8",
    )
    return {
        **os.environ,
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_DATA_HOME": str(home / "data"),
    }


@dataclass
class Run:
    wall: float  # seconds
    cpu: float  # seconds of user + system time
    peak_mb: float  # peak resident memory


def timed(command: list[str], env: dict[str, str]) -> Run:
    started = time.perf_counter()
    child = subprocess.Popen(
        command,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    assert child.stderr is not None
    errors = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed: {errors.decode()[-500:]}")
    return Run(elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def median_of(command: list[str] | None, env: dict[str, str], repeats: int) -> Run | None:
    if command is None:
        return None
    timed(command, env)  # warm-up: file cache, bytecode
    runs = [timed(command, env) for _ in range(repeats)]
    return Run(
        statistics.median(r.wall for r in runs),
        statistics.median(r.cpu for r in runs),
        max(r.peak_mb for r in runs),
    )


def bytecode_on(env: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}


def first_entry(attune: str, env: dict[str, str]) -> tuple[str, str]:
    """(id, day) of the newest entry, for `attune show` and its jrnl counterpart."""
    out = subprocess.run(
        [attune, "list", "-n", "1", "--json"], env=env, capture_output=True, text=True
    )
    entry = json.loads(out.stdout)["entries"][0]
    return entry["id"], entry["created_at"][:10]


Row = tuple[str, Run | None, Run | None]


def run_size(
    count: int, repeats: int, jrnl: Path, attune: str, *, import_only: bool = False
) -> list[Row]:
    base = WORK / f"size-{count}"
    shutil.rmtree(base, ignore_errors=True)
    base.mkdir(parents=True)
    source = base / "source.txt"
    generate_jrnl(source, count)
    jrnl_journal = base / "jrnl-journal.txt"
    jrnl_journal.write_text("", encoding="utf-8")
    env_j = bytecode_on(jrnl_env(base / "jrnl-home", jrnl_journal))
    data_dir = base / "attune-data"
    env_a = bytecode_on({**os.environ, "ATTUNE_HOME": str(data_dir)})

    rows: list[Row] = []
    t_j = timed([str(jrnl), "--import", "--file", str(source)], env_j)
    t_a = timed([attune, "import", str(source), "--from", "jrnl"], env_a)
    rows.append(("import (once)", t_j, t_a))
    if import_only:
        return rows
    subprocess.run([attune, "checkin", "--ease", "6", "--note", "steady"], env=env_a, check=True)
    entry_id, day = first_entry(attune, env_a)
    cases: list[tuple[str, list[str] | None, list[str]]] = [
        ("cold start (--version)", [str(jrnl), "--version"], [attune, "--version"]),
        ("list the last 20", [str(jrnl), "-n", "20"], [attune, "list", "-n", "20"]),
        (
            f"full-text search '{SEARCH_WORD}' (20 shown)",
            [str(jrnl), "-contains", SEARCH_WORD, "-n", "20"],
            [attune, "search", SEARCH_WORD, "-n", "20"],
        ),
        (
            f"tag filter #{TAG} (20 shown)",
            [str(jrnl), f"#{TAG}", "-n", "20"],
            [attune, "list", "--tag", TAG, "-n", "20"],
        ),
        (
            "show one entry (jrnl: -on its day -n 1)",
            [str(jrnl), "-on", day, "-n", "1"],
            [attune, "show", entry_id],
        ),
        ("today (attune only)", None, [attune, "today"]),
        ("check-ins (attune only)", None, [attune, "checkins"]),
    ]
    for label, jrnl_cmd, attune_cmd in cases:
        rows.append(
            (label, median_of(jrnl_cmd, env_j, repeats), median_of(attune_cmd, env_a, repeats))
        )
    sizes = (
        jrnl_journal.stat().st_size,
        sum(p.stat().st_size for p in data_dir.iterdir() if p.is_file()),
    )
    print(
        f"\n{count:,} entries: jrnl file {sizes[0] / 1e6:.1f} MB, "
        f"Attunement data folder {sizes[1] / 1e6:.1f} MB (with search index and WAL)"
    )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--import-only", action="store_true", help="time the imports alone")
    args = parser.parse_args()
    jrnl = ensure_jrnl()
    attune = shutil.which("attune", path=str(Path(sys.executable).parent)) or "attune"
    version = subprocess.run([str(jrnl), "--version"], capture_output=True, text=True)
    print(
        f"jrnl: {version.stdout.splitlines()[0]}; attune: "
        f"{subprocess.run([attune, '--version'], capture_output=True, text=True).stdout.strip()}"
        f"; {os.cpu_count()} cores; medians of {args.repeats} runs after a warm-up"
    )
    results = {
        count: run_size(count, args.repeats, jrnl, attune, import_only=args.import_only)
        for count in args.sizes
    }
    print()
    print(
        "| entries | command | jrnl wall (s) | attune wall (s) | jrnl / attune "
        "| jrnl CPU (s) | attune CPU (s) | CPU ratio |"
    )
    print("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for count, rows in results.items():
        for label, t_j, t_a in rows:
            assert t_a is not None
            if t_j is None:
                print(f"| {count:,} | {label} | | {t_a.wall:.3f} | | | {t_a.cpu:.3f} | |")
                continue
            print(
                f"| {count:,} | {label} | {t_j.wall:.3f} | {t_a.wall:.3f} | "
                f"{t_j.wall / t_a.wall:.2f}x | {t_j.cpu:.3f} | {t_a.cpu:.3f} | "
                f"{t_j.cpu / t_a.cpu:.2f}x |"
            )
    print()
    for count, rows in results.items():
        _, t_j, t_a = rows[0]
        assert t_j is not None and t_a is not None
        print(
            f"{count:,} entries, import peak memory: jrnl {t_j.peak_mb:.0f} MB, "
            f"attune {t_a.peak_mb:.0f} MB"
        )


if __name__ == "__main__":
    main()
