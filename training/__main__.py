"""Rebuild every analysis model from ../shared/datasets with one command (build time only).

    python -m training [--datasets PATH] [--linear-only]

In order: the linear models and the common-word list (``training.build``); the shared
encoder, fine-tuned (``training.encoder``); its export to int8 ONNX with the blend weights
chosen on dev (``training.encoder_export``); the blend scored on test, once
(``--score-test``); and the model cards (``training.cards``). Seeded throughout. Needs the
``build`` extra, and for the encoder ``torch==2.13.0`` (CPU) installed first. Each step
prints how long it took, and the whole run its total.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path


def _step(name: str, run: Callable[[], None]) -> float:
    print(f"== {name}", flush=True)
    started = time.time()
    run()
    seconds = time.time() - started
    print(f"== {name}: {seconds / 60:.1f} min", flush=True)
    return seconds


def main(argv: list[str] | None = None) -> None:
    from attunement.analysis import datasets as data

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=Path, default=data.DEFAULT_DATASETS)
    parser.add_argument(
        "--linear-only", action="store_true", help="Rebuild the linear models only (minutes)."
    )
    parser.add_argument("--run", type=Path, default=Path("build/encoder"))
    args = parser.parse_args(argv)
    where = [f"--datasets={args.datasets}"]
    from training import build, cards

    steps: list[tuple[str, Callable[[], None]]] = [("linear models", lambda: build.main(where))]
    if not args.linear_only:
        from training import encoder, encoder_export

        steps += [
            ("encoder fine-tuning", lambda: encoder.main([*where, f"--out={args.run}"])),
            (
                "encoder export and blend",
                lambda: encoder_export.main([*where, f"--run={args.run}"]),
            ),
            ("blend scored on test", lambda: encoder_export.main([*where, "--score-test"])),
        ]
    steps.append(("model cards", lambda: cards.main()))
    total = sum(_step(name, run) for name, run in steps)
    print(f"rebuilt every model in {total / 60:.1f} min", flush=True)


if __name__ == "__main__":
    main()
