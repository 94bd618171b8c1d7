"""Reproducible builds of Attunement's analysis models from ../shared/datasets.

    pip install -e '.[build]'
    python -m training.build            # every model, seeded, on the CPU

Nothing here is imported at run time; the app reads only the .npz files this writes.
"""
