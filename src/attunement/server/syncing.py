"""Comments come home: the local app's sync with its team server, for `attune server
sync`, `attune share …` and the web app's background sync alike.

A sync (1) checks that the server speaks this protocol version, before anything is
sent or changed here; (2) sends what was queued while the server could not be reached,
in the order it was confirmed, each queued version leaving the queue in the same local
transaction that records it as sent (and share ids are deterministic, so a retry after
a crash adds nothing on the server); (3) asks `GET /api/v1/sync?since=CURSOR` for what
changed about this member's shares and applies each batch, with its cursor, in one local
transaction (storage/shared.py): never half a batch, and the same batch twice adds
nothing. Asked (every sync here, the background sync hourly), the last answer also
carries the member's deadlines that matter now (overdue, or due within the week, and not
met), as their home page on the server has them; the journal keeps the latest list, so
`attune today`, the sync's summary and the Team server page say them without visiting
the server.

It never sends a new version of an edited entry by itself: an item changed since it was
shared is reported ("changed since you shared it"), and its owner shares it again when
they choose.
"""

from __future__ import annotations

import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from attunement.core.dates import day_text, moment_text
from attunement.core.journal import Journal
from attunement.errors import AttuneError, InvalidInput, NotFound
from attunement.server import client, outgoing
from attunement.storage import shared
from attunement.storage.shared import Applied, Deadline, Sent, SharedItem
from attunement.wording import plural

NOUNS = {
    "entry": ("entry", "entries"),
    "packet": ("supervision packet", "supervision packets"),
    "practice": ("practice progress", "practice progress"),
    "transcript": ("transcript report", "transcript reports"),
}


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


@dataclass
class Report:
    """What a sync did: versions sent from the queue, what came home in this sync (since
    the one before, ``previous``, which may have been the web app's background sync),
    the deadlines that matter now, what changed here since it was shared."""

    server_url: str
    sent: list[dict[str, Any]] = field(default_factory=list)
    came: Applied = field(default_factory=Applied)
    kinds: dict[str, str] = field(default_factory=dict)  # share id -> kind, of what came
    changed: list[SharedItem] = field(default_factory=list)
    previous: datetime | None = None  # when this computer last synced before
    deadlines: list[Deadline] | None = None  # None: the server did not say

    def summary(self) -> str:
        """ "Since the last sync (…): 2 comments and 1 sign-off from Sam Okafor on 1
        entry.", then the deadlines, or what else."""
        came = self.came
        said = [
            plural(came.comments, "comment") if came.comments else "",
            plural(came.changes, "change request") if came.changes else "",
            plural(came.signoffs, "sign-off") if came.signoffs else "",
        ]
        said = [s for s in said if s]
        # What came home in this sync: since the one before (perhaps the web app's, in
        # the background), or everything so far at the first.
        since = (
            f" since the last sync ({moment_text(self.previous.astimezone())})"
            if self.previous
            else ""
        )
        lines = []
        if self.sent:
            lines.append(f"Sent {plural(len(self.sent), 'share')} that waited to be sent.")
        if said:
            counts: dict[str, int] = {}
            for kind, _item in sorted(came.items):  # distinct items, not shares
                counts[kind] = counts.get(kind, 0) + 1
            on = _join(
                [plural(n, *NOUNS.get(kind, (kind, kind + "s"))) for kind, n in counts.items()]
            )
            people = _join(sorted(came.people)) if came.people else "your readers"
            new = f"New{since}" if since else "From the team server"
            lines.append(f"{new}: {_join(said)} from {people} on {on}.")
        if came.opens:
            lines.append(f"Opened {plural(came.opens, 'time')} by your readers{since}.")
        if came.deleted:
            lines.append(
                f"{plural(came.deleted, 'share')} deleted on the server (revoked or expired); "
                "what came home is kept here."
            )
        if not lines:
            lines.append(f"Nothing new from the team server{since}.")
        told = self.deadline_line()
        if told:
            lines.append(told)
        for item in self.changed:
            lines.append(
                f"“{item.title}” changed since you shared it with {item.reader_name}; "
                f"{reshare_hint(item)} sends the new version."
            )
        return "\n".join(lines)

    def deadline_line(self) -> str:
        """The deadlines that matter now, in one line; empty when none does."""
        return deadline_summary(self.deadlines or [], date.today())

    def to_dict(self) -> dict[str, Any]:
        came = self.came
        return {
            "server_url": self.server_url,
            "sent": self.sent,
            "came": {
                "comments": came.comments,
                "change_requests": came.changes,
                "signoffs": came.signoffs,
                "opens": came.opens,
                "deleted": came.deleted,
                "from": sorted(came.people),
                "shares": sorted(came.shares),
                "items": len(came.items),
            },
            "previous_sync": self.previous.isoformat() if self.previous else None,
            "deadlines": None if self.deadlines is None else [d.to_dict() for d in self.deadlines],
            "changed_since_shared": [i.share_id for i in self.changed],
            "summary": self.summary(),
        }


# -- deadlines in words -------------------------------------------------------------------


def due_words(d: Deadline, today: date) -> str:
    """ "was due 3 Dec", "due today", "due tomorrow", "due 9 Dec" (the year only when it
    is not this one)."""
    day = day_text(d.due_on)
    if d.due_on.year == today.year:
        day = day.rsplit(" ", 1)[0]
    if d.overdue(today):
        return f"was due {day}"
    if d.due_on == today:
        return "due today"
    if (d.due_on - today).days == 1:
        return "due tomorrow"
    return f"due {day}"


def _one(d: Deadline, today: date) -> str:
    waiting = ", your item awaits its sign-off" if d.waiting else ""
    return f"{d.title} ({due_words(d, today)}{waiting})"


def deadline_summary(found: list[Deadline], today: date) -> str:
    """ "1 deadline overdue: First reflection signed off (was due 3 Dec); 1 due this week:
    Practice shared (due 9 Dec)."; empty when none matters now."""
    overdue = [d for d in found if d.overdue(today)]
    soon = [d for d in found if not d.overdue(today)]
    parts = []
    if overdue:
        listed = _join([_one(d, today) for d in overdue])
        parts.append(f"{plural(len(overdue), 'deadline')} overdue: {listed}")
    if soon:
        listed = _join([_one(d, today) for d in soon])
        count = f"{len(soon)}" if overdue else plural(len(soon), "deadline")
        parts.append(f"{count} due this week: {listed}")
    return ("; ".join(parts) + ".") if parts else ""


def overdue_line(found: list[Deadline], today: date) -> str:
    """One line for `attune today`: the overdue deadlines, or empty."""
    overdue = [d for d in found if d.overdue(today)]
    if not overdue:
        return ""
    listed = _join([f"“{d.title}” ({due_words(d, today)})" for d in overdue])
    if len(overdue) == 1:
        return f"Overdue on the team server: {listed}."
    return f"{len(overdue)} deadlines overdue on the team server: {listed}."


def deadline_rows(state: shared.SyncState | None, today: date) -> list[dict[str, Any]] | None:
    """The deadlines as the Team server page lists them (overdue first), with their
    dates in words; None when the server has not said any."""
    if state is None or state.deadlines is None:
        return None
    rows = [
        {
            **d.to_dict(),
            "overdue": d.overdue(today),
            "due_text": due_words(d, today),
            "due_day": day_text(d.due_on),
        }
        for d in state.deadlines
    ]
    return sorted(rows, key=lambda r: (not r["overdue"], r["due_on"], r["title"]))


def reshare_hint(item: SharedItem) -> str:
    if item.kind in ("entry", "transcript"):
        return f"`attune share {item.kind} {item.item} --to {item.reader_name}`"
    if item.kind == "practice":
        return f"`attune share practice --to {item.reader_name}`"
    return "sharing it again"


# -- the queue ----------------------------------------------------------------------------


def send_queue(journal: Journal, api: client.Client) -> list[dict[str, Any]]:
    """Send what waits to be sent, oldest first; stops (keeping the rest) at the first
    failure. Each delivered version leaves the queue as it is recorded as sent."""
    done: list[dict[str, Any]] = []
    waiting = [
        (pk, share_id, queued, sent)
        for pk, share_id, queued in shared.queue(journal.reader)
        # not those for another server this computer was signed in to before
        if (sent := shared.sent_from(queued["sent"])).server_url == api.url
    ]
    for pk, share_id, queued, sent in waiting:
        try:
            answer = api.call("PUT", f"/api/v1/shares/{share_id}", queued["payload"])
        except AttuneError as exc:
            if done:  # what was sent is said: not "nothing was sent"
                exc.message = (
                    f"{len(done)} of the {len(waiting)} waiting shares were sent, the rest "
                    "still wait on this computer and go with the next sync; then: "
                    + exc.message.replace(" (nothing was sent)", "")
                )
                exc.args = (exc.message,)
            raise
        shared.record_sent(journal.reader, sent, int(answer["revision"]), queue_pk=pk)
        done.append({**answer, "title": sent.title, "reader": sent.reader_name})
    return done


def describe(
    out: outgoing.Outgoing, api_url: str, to: dict[str, Any], expires_at: datetime | None
) -> Sent:
    """How this journal records a share it sends (or keeps to send)."""
    return Sent(
        share_id=outgoing.share_id(api_url, out.kind, out.item, to["id"]),
        server_url=api_url,
        kind=out.kind,
        item=out.item or None,
        item_revision=out.item_revision,
        title=out.title,
        redacted=out.redacted,
        fingerprint=out.digest,
        reader_id=to["id"],
        reader_name=to["name"],
        expires_at=expires_at,
    )


def share(
    journal: Journal,
    data_dir: Path,
    out: outgoing.Outgoing,
    to: dict[str, Any],
    expires_at: datetime | None,
) -> dict[str, Any]:
    """Send one confirmed share (after whatever waited before it); when the server
    cannot be reached, keep it, exactly as confirmed, to send later."""
    login = client.saved(data_dir)
    api = client.Client(login.url, login.token)
    sent = describe(out, api.url, to, expires_at)
    payload = out.payload(to["id"], expires_at, to.get("course_id"))
    try:
        earlier = send_queue(journal, api)
        answer = api.call("PUT", f"/api/v1/shares/{sent.share_id}", payload)
    except client.Unreachable:
        shared.enqueue(journal.reader, sent, payload)
        waiting = len(shared.queue(journal.reader))
        return {
            "id": sent.share_id,
            "queued": True,
            "waiting": waiting,
            "created": False,
            "revision": None,
            "reader": {"id": to["id"], "name": to["name"]},
            "title": out.title,
        }
    shared.record_sent(journal.reader, sent, int(answer["revision"]))
    return {
        **answer,
        "queued": False,
        "sent_from_queue": earlier,
        "reader": {"id": to["id"], "name": to["name"]},
        "title": out.title,
    }


# -- what came home -----------------------------------------------------------------------


def sync(
    journal: Journal, data_dir: Path, *, remember_problem: bool = False, deadlines: bool = True
) -> Report:
    """Send the queue, then bring home what changed (see the module's docstring), and,
    unless told not to, the deadlines that matter now."""
    login = client.saved(data_dir)
    api = client.Client(login.url, login.token)
    try:
        api.call("GET", "/api/v1/health")  # the protocol is checked before anything else
        report = Report(api.url, sent=send_queue(journal, api))
        report.previous = shared.sync_state(journal.reader, api.url).synced_at
        _pull(journal, api, report, deadlines)
    except AttuneError as exc:
        if remember_problem:
            shared.note_problem(journal.reader, api.url, exc.message)
        raise
    report.changed = changed_since_shared(journal, server_url=api.url)
    return report


def _pull(journal: Journal, api: client.Client, report: Report, deadlines: bool) -> None:
    cursor = shared.sync_state(journal.reader, api.url).cursor
    for _page in range(10_000):
        asked = {"since": cursor} if cursor is not None else {}
        if deadlines:
            asked["deadlines"] = "1"  # said with the last page
        query = "?" + urllib.parse.urlencode(asked) if asked else ""
        data = api.call("GET", f"/api/v1/sync{query}")
        try:
            if data.get("protocol") != client.PROTOCOL:
                raise client.ProtocolMismatch(
                    f"The team server answered in protocol {data.get('protocol')!r}, not "
                    f"{client.PROTOCOL}; update Attunement (nothing was changed)."
                )
            metas: dict[str, Any] = data.get("shares") or {}
            adopted = _adopt(journal, api.url, metas)
            told = data.get("deadlines")  # absent from an older server: keep what was said
            member = data.get("member") or {}
            got = shared.apply(
                journal.reader,
                api.url,
                str(data["cursor"]),
                data["changes"],
                adopted,
                member_name=member.get("name") or None,
                deadlines=list(told) if isinstance(told, list) else None,
            )
            if isinstance(told, list):
                report.deadlines = shared.sync_state(journal.reader, api.url).deadlines
        except (KeyError, TypeError, ValueError) as exc:
            raise client.ServerRefused(
                f"The team server sent something this Attunement cannot read ({exc!s:.80}); "
                "nothing was changed here. Update Attunement and sync again."
            ) from None
        report.came.add(got)
        for share_id, meta in metas.items():
            report.kinds[share_id] = meta.get("kind", "entry")
        cursor = str(data["cursor"])
        if not data.get("more"):
            return


def _adopt(journal: Journal, url: str, metas: dict[str, Any]) -> list[Sent]:
    """Shares the server names that this journal made before it kept a record of its
    shares: recognised by recomputing their ids from this journal's items."""
    known = shared.known_share_ids(journal.reader)
    unknown = {sid: meta for sid, meta in metas.items() if sid not in known}
    if not unknown:
        return []
    entry_ids, transcript_ids = shared.local_item_ids(journal.reader)
    candidates = {"entry": entry_ids, "transcript": transcript_ids, "practice": ["progress"]}
    found = []
    for share_id, meta in unknown.items():
        kind, reader = meta.get("kind"), meta.get("reader") or {}
        item = next(
            (
                i
                for i in candidates.get(kind, [])
                if outgoing.share_id(url, kind, i, reader.get("id", "")) == share_id
            ),
            None,
        )
        if item is None and kind != "packet":
            continue  # shared from another computer's journal: not this one's to keep
        expires = meta.get("expires_at")
        found.append(
            Sent(
                share_id=share_id,
                server_url=url,
                kind=kind,
                item=item,
                item_revision=None,
                title=meta.get("title") or "Untitled",
                redacted=bool(meta.get("redacted", True)),
                fingerprint=meta.get("sha256") or "",
                reader_id=reader.get("id", ""),
                reader_name=reader.get("name") or "your reader",
                expires_at=datetime.fromisoformat(expires) if expires else None,
            )
        )
    return found


# -- conflicts ----------------------------------------------------------------------------


def current_digest(journal: Journal, item: SharedItem) -> str | None:
    """What sharing this item again would send, as the server would name it; None when
    it cannot be rebuilt (a packet, or the item is gone from the journal)."""
    try:
        if item.kind == "entry" and item.item:
            return outgoing.entry(journal, item.item, redact=item.redacted).digest
        if item.kind == "transcript" and item.item:
            return outgoing.transcript(journal, item.item, redact=item.redacted).digest
        if item.kind == "practice":
            return outgoing.practice(journal, redact=item.redacted).digest
    except (NotFound, InvalidInput):
        return None
    return None


def is_changed(journal: Journal, item: SharedItem) -> bool:
    """Edited here since it was shared: the text sharing it now would send is not the
    text that was sent (for an entry, compared only once its version moved on)."""
    if item.state != "shared" or item.queued or not item.fingerprint:
        return False
    if item.kind == "entry" and item.item and item.item_revision is not None:
        try:
            if journal.get(item.item).revision == item.item_revision:
                return False
        except NotFound:
            return False
    now = current_digest(journal, item)
    return now is not None and now != item.fingerprint


def about(journal: Journal, kind: str, item: str) -> list[dict[str, Any]]:
    """What this journal shared of one item and what came home, as JSON-ready dicts,
    each saying whether the item changed since it was shared and how to share it again,
    and naming the server's versions in words (``version_text``), so that they are never
    confused with the entry's own versions here."""
    out = []
    for i in shared.items(journal.reader, kind=kind, item=item):
        data = i.to_dict()
        for f in data["feedback"]:
            f["version_text"] = version_words(f["revision"], i)
        out.append(
            {
                **data,
                "version_text": plural(i.revision or 0, "version") + " shared",
                "changed_since_shared": is_changed(journal, i),
                "reshare": reshare_hint(i),
            }
        )
    return out


ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth")


def ordinal(n: int) -> str:
    """ "first", "second", …, then "9th", "11th", "22nd"."""
    if 1 <= n <= len(ORDINALS):
        return ORDINALS[n - 1]
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def version_words(revision: int, item: SharedItem) -> str:
    """Which version the server's ``revision`` of a share is, in words: "the version you
    shared", "the second version you shared (your version 3 of the entry)", "the first
    version you shared (not the latest)"; the server numbers the versions sent, the
    journal every edit."""
    latest = item.revision or revision
    if latest <= 1 and revision <= 1:
        words = "the version you shared"
    else:
        words = f"the {ordinal(revision)} version you shared"
    if revision == latest and item.kind == "entry" and item.item_revision:
        return f"{words} (your version {item.item_revision} of the entry)"
    if revision < latest:
        return f"{words} (not the latest)"
    return words


def changed_since_shared(journal: Journal, *, server_url: str | None = None) -> list[SharedItem]:
    return [
        i
        for i in shared.items(journal.reader)
        if (server_url is None or i.server_url == server_url) and is_changed(journal, i)
    ]


# -- the web app's background sync --------------------------------------------------------


DEADLINES_EVERY_S = 3600.0  # the background sync's deadlines: at most hourly


class Syncer:
    """Syncs on a worker thread while `attune serve` is open and signed in: at start,
    then every ``interval_s``. Never in a request's way; a failure is kept (and shown on
    the Team server page) and tried again next time."""

    def __init__(self, journal_of: Any, data_dir: Path, interval_s: float = 300.0) -> None:
        self._journal_of = journal_of
        self._data_dir = data_dir
        self.interval_s = interval_s
        self._deadlines_at: float | None = None  # when the deadlines were last asked for
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self.runs = 0  # completed attempts, for tests and the page

    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="attune-sync", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def now(self) -> None:
        """Sync soon (after signing in, say), without waiting for the interval, with the
        deadlines."""
        self._deadlines_at = None
        self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.once()
            self._wake.wait(self.interval_s)
            self._wake.clear()

    def once(self) -> Report | None:
        journal = None
        try:
            journal = self._journal_of()
            if journal is None or not (self._data_dir / client.CREDENTIALS).exists():
                return None
            # Deadlines change by the day: asked for at the first sync and hourly after,
            # not with every delta (three statements more on the server).
            moment = time.monotonic()
            due = self._deadlines_at is None or moment - self._deadlines_at >= DEADLINES_EVERY_S
            report = sync(journal, self._data_dir, remember_problem=True, deadlines=due)
            if due:
                self._deadlines_at = moment
            return report
        except AttuneError:
            return None  # kept in sync_state by sync(); shown on the Team server page
        except Exception as exc:  # never take the app down; the page shows what went wrong
            try:
                if journal is not None:
                    url = client.saved(self._data_dir).url
                    shared.note_problem(
                        journal.reader, url, f"The sync stopped ({exc.__class__.__name__})."
                    )
            except Exception:  # noqa: S110 - nothing more can be done quietly
                pass
            return None
        finally:
            self.runs += 1
