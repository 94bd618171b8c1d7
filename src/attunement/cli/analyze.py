"""Analysis commands: analyze, eval."""

from __future__ import annotations

from pathlib import Path

import click

from attunement.cli.context import AppContext
from attunement.cli.output import (
    Terms,
    emit_json,
    empathy_lines,
    highlight,
    json_option,
    read_stdin,
    wrapped,
)
from attunement.wording import reply_said

pass_app = click.make_pass_decorator(AppContext)
SHOW_TEXT_UP_TO = 3000


def _print_markers(text: str, findings, summary: str, terms: Terms) -> None:
    """What Attunement noticed, in the entry page's plain words (``attunement.wording``):
    the text with the signs marked, a sentence of what showed up, then sign by sign."""
    from attunement.analysis.markers import marker_info
    from attunement.wording import FAMILIES, HEDGED, LOSING_EASE, noticed, why_not_counted

    counted = [f for f in findings if f.counts]
    if counted and len(text) <= SHOW_TEXT_UP_TO:
        spans = sorted({span for f in counted for span in f.spans})
        merged: list[list[int]] = []
        for start, end in spans:
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        click.echo(highlight(text, merged))
        click.echo()
    click.echo(click.style("What Attunement noticed", bold=True))
    click.echo(wrapped(noticed(findings, summary)))
    for finding in findings:
        evidence = ", ".join(f"“{e}”" for e in finding.evidence(text))
        name = terms.named(finding.id)
        if finding.counts:
            hedge = f" {HEDGED[0]}" if finding.hedged else ""
            family = FAMILIES[finding.family][0]
            click.echo(
                f"  {click.style(name, fg='green')}{hedge}: {evidence}  "
                f"{click.style(family, dim=True)}"
            )
            click.echo(click.style(f"    {marker_info(finding.id).explanation}", dim=True))
        else:
            why = why_not_counted(finding.why_not_counted)
            click.echo(click.style(f"  {name}: {evidence} (not counted: {why})", dim=True))
    if any(f.family == "power-centred" for f in counted):
        click.echo(click.style(wrapped(LOSING_EASE), dim=True))


def _print_text_analysis(result) -> None:
    _print_markers(result.text, result.markers, result.summary, Terms())
    click.echo(click.style("Feelings", bold=True))
    for line in feeling_lines(result.feelings):
        click.echo(f"  {line}")


def feeling_lines(reading) -> list[str]:
    """The feelings a text names (yours first), then what the model reads, in words."""
    lines = []
    own = [f.word for f in reading.writers_own]
    if own:
        lines.append("You name: " + ", ".join(dict.fromkeys(own)))
    negated = [f.word for f in reading.writers_denied]
    wished = [f.word for f in reading.writers_wished]
    if negated:
        lines.append("You say you were not: " + ", ".join(dict.fromkeys(negated)))
    if wished:
        lines.append("You wish you had been, or will be: " + ", ".join(dict.fromkeys(wished)))
    others = [f.word for f in reading.named if f.whose == "other" and not f.negated]
    if others:
        lines.append("Others' feelings you name: " + ", ".join(dict.fromkeys(others)))
    if reading.model_groups:
        lines.append("The model also reads: " + ", ".join(reading.model_groups))
    return lines or ["No feeling is named, and the model reads none clearly."]


def _print_response_analysis(result) -> None:
    """What a response does, in the practice feedback's plain words, the MI term once in
    brackets."""
    from attunement.analysis.report import summary_of

    terms = Terms()
    mi = result.mi
    words, term = reply_said(mi.code, mi.subtype)
    click.echo(click.style("What the response does", bold=True))
    click.echo(
        f"  {terms(words, f'MI term: {term}' if term else '')}"
        + click.style(f"; how sure the model is: {mi.confidence:.2f}", dim=True)
    )
    click.echo(click.style("How it meets their feeling", bold=True))
    for line in empathy_lines(result.empathy, result.response):
        click.echo(line)
    _print_markers(result.response, result.markers, summary_of(result.markers), terms)


@click.command()
@click.argument("entry_id", required=False)
@click.option("--text", help="Analyse this text instead of an entry.")
@click.option("--response", help="A response to give feedback on (use with --to).")
@click.option(
    "--to", "statement", metavar="STATEMENT", help="The client's words the --response answers."
)
@click.option(
    "--batch",
    type=click.Path(dir_okay=False, path_type=Path),
    help='A JSON-lines file of {"id", "text", "speaker", "context"}; '
    "writes one JSON line per input.",
)
@json_option
@pass_app
def analyze(app: AppContext, entry_id, text, response, statement, batch, as_json) -> None:
    """Explainable feedback on writing: framework markers with their evidence, emotions
    and a short summary; or, with --response and --to, what a response does and how it
    communicates empathy.

    Give an entry ID, --text, or '-' to read standard input. Everything runs on this
    machine.
    """
    from attunement.analysis.report import analyze_response, analyze_text
    from attunement.errors import InvalidInput

    chosen = [x for x in (entry_id, text, response, batch) if x is not None]
    if len(chosen) != 1:
        raise InvalidInput(
            "Give one thing to analyse: an entry ID, --text, '-', --response with --to, or --batch."
        )
    if batch is not None:
        from attunement.analysis.report import analyze_item, encoding_ahead_for
        from attunement.cli.batch import run_batch

        run_batch(batch, analyze_item, "Analysing", prepare=encoding_ahead_for)
        return
    if response is not None:
        if statement is None:
            raise InvalidInput("--response needs --to: the client's words it answers.", field="to")
        result = analyze_response(response, statement)
        if as_json:
            emit_json(result.to_dict())
        else:
            _print_response_analysis(result)
        return
    if entry_id == "-":
        analysis = analyze_text(read_stdin())
    elif entry_id is not None:
        from attunement.core.readings import reading

        analysis = reading(app.journal, app.journal.get(entry_id))  # stored, or made once
    else:
        analysis = analyze_text(text)
    if as_json:
        emit_json(analysis.to_dict())
    else:
        _print_text_analysis(analysis)


@click.command(name="eval")
@click.option(
    "--datasets",
    "datasets_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="The shared datasets folder (default: $ATTUNE_DATASETS, else "
    "../shared/datasets beside the source).",
)
@json_option
def eval_(datasets_dir: Path | None, as_json: bool) -> None:
    """Score the shipped models on the datasets' test splits (rebuilds nothing)."""
    from attunement.analysis import datasets
    from attunement.analysis.evaluate import evaluate

    results = list(evaluate(datasets_dir or datasets.default_datasets()))
    if as_json:
        emit_json({"results": [r.to_dict() for r in results]})
        return

    def fmt(value: float | None) -> str:
        return "—" if value is None else f"{value:.3f}"

    click.echo(f"{'task':<58} {'ours':>6} {'card':>6} {'publ.':>6} {'base':>6} {'target':>6}")
    for r in results:
        click.echo(
            f"{r.task:<58} {r.ours:>6.3f} {r.card:>6.3f} {fmt(r.published):>6} "
            f"{fmt(r.baseline):>6} {fmt(r.target):>6}"
        )
        per = "  ".join(f"{label} {score:.2f}" for label, score in r.per_class.items())
        click.echo(click.style(f"    per class: {per}", dim=True))


COMMANDS = [analyze, eval_]
