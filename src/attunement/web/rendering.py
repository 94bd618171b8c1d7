"""How pages are drawn: the templates, their filters, and the error page. Every
capability's pages render through here; nothing here knows any capability."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from attunement.core.dates import moment_text
from attunement.core.entry_view import Mark
from attunement.core.journal import label_of
from attunement.web.words import (
    DATE_ORDERS,
    DATE_ORDERS_LEGEND,
    FAMILIES,
    HEDGED,
    IMPORT_KINDS,
    IMPORT_KINDS_LEGEND,
    LOSING_EASE,
    TRANSCRIPT_FORMATS,
    day_of,
    for_browser,
    name_of,
    named,
    names_of,
    noticed,
    part_words,
    reply_term,
    reply_words,
    turn_code,
    why_not_counted,
)

HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=HERE / "templates")
# The templates ship with the package and never change while it runs: no file is looked at
# again on every page to see whether it did.
templates.env.auto_reload = False


def render_markdown(text: str, marks: Sequence[Mark] = ()) -> Markup:
    """Markdown as HTML, with the phrases a reading noticed marked where they stand."""
    from attunement.web.markdown import render

    return render(text, marks)


templates.env.filters["markdown"] = render_markdown
templates.env.filters["label"] = label_of
templates.env.filters["name"] = name_of
templates.env.filters["names"] = names_of
templates.env.filters["day"] = day_of
templates.env.filters["when"] = moment_text
templates.env.filters["browser"] = for_browser  # a note from a service, said the page's way
# Feedback in plain words, each with its technical term as a tooltip (``words``).
templates.env.filters["named"] = named
templates.env.filters["reply_words"] = reply_words
templates.env.filters["reply_term"] = reply_term
templates.env.filters["part_words"] = part_words
templates.env.filters["why_not"] = why_not_counted
templates.env.globals["turn_code"] = turn_code
templates.env.globals["noticed"] = noticed
templates.env.globals["families"] = FAMILIES
templates.env.globals["losing_ease"] = LOSING_EASE
templates.env.globals["hedged_words"] = HEDGED
templates.env.globals["transcript_formats"] = TRANSCRIPT_FORMATS
templates.env.globals["import_kinds"] = IMPORT_KINDS
templates.env.globals["import_kinds_legend"] = IMPORT_KINDS_LEGEND
templates.env.globals["date_orders"] = DATE_ORDERS
templates.env.globals["date_orders_legend"] = DATE_ORDERS_LEGEND


def page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A template rendered for the browser; an ``error`` is said the browser's way."""
    from attunement.framework import concepts

    context.setdefault("framework", concepts())
    if context.get("error"):
        context["error"] = for_browser(context["error"])
    return templates.TemplateResponse(request, name, context, status_code=status)


# Where to look again for what a link no longer finds, by the part of the app it was in.
_LOOK_AGAIN = (
    ("/practice", "/practice", "Practice"),
    ("/transcripts", "/transcripts", "Transcripts"),
    ("/supervision", "/supervision", "Supervision"),
    ("/prompts", "/prompts", "Prompts"),
    ("/checkins", "/checkin", "Check in"),
)


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    path = request.url.path
    look = next(((href, name) for start, href, name in _LOOK_AGAIN if path.startswith(start)), None)
    return page(
        request,
        "error.html",
        status=status,
        message=for_browser(message),
        title="Not found" if status == 404 else "Something went wrong",
        not_found=status == 404,
        look_in=look,
    )
