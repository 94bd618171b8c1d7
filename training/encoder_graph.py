"""The shipped encoder graph's pooled output (build time only; needs the ``onnx`` package).

python -m training.encoder_graph [--graph src/attunement/analysis/models/encoder.onnx]
"""

from __future__ import annotations

import argparse
from pathlib import Path

POOLED = "pooled"  # the mean-pooled sentence vector, an output beside the heads' logits


def expose_pooled(graph: Path) -> None:
    """Make the mean-pooled sentence vector an output of an exported graph that lacks it
    (the heads' shared input), so that heads trained later on caregivers' own words read
    the same vector; the weights and the other outputs are untouched."""
    import onnx
    from onnx import TensorProto, helper

    model = onnx.load(str(graph))
    if any(o.name == POOLED for o in model.graph.output):
        return
    producers = {out: node for node in model.graph.node for out in node.output}
    first_head = model.graph.output[0].name
    name = first_head
    while producers[name].op_type != "DynamicQuantizeLinear":  # walk back to the head input
        name = producers[name].input[0]
    pooled_input = producers[name].input[0]
    model.graph.node.append(helper.make_node("Identity", [pooled_input], [POOLED]))
    model.graph.output.append(helper.make_tensor_value_info(POOLED, TensorProto.FLOAT, None))
    onnx.save(model, str(graph))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--graph",
        type=Path,
        default=Path(__file__).resolve().parent.parent
        / "src/attunement/analysis/models/encoder.onnx",
    )
    expose_pooled(parser.parse_args(argv).graph)


if __name__ == "__main__":
    main()
