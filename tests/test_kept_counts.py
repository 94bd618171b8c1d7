"""The journal page's counts (entries, tags, check-ins) are kept between visits, and follow
every change at once: a write, a deletion, a restore, and writing from another process
(`attune write` while the app is open)."""

from __future__ import annotations

from attunement.core.journal import Journal
from attunement.core.models import EntryFilter


def test_counts_follow_every_change_even_from_another_process(journal):
    first = journal.write("Sat with the silence. #grief")
    journal.write("A long shift. #nights")
    assert journal.store.count_entries() == 2
    assert dict(journal.store.tag_counts()) == {"grief": 1, "nights": 1}
    grief = journal.check_filter(EntryFilter.from_words(None, None, ("grief",), None))
    assert journal.store.count_entries(grief) == 1

    journal.delete(first.id)
    assert journal.store.count_entries() == 1
    assert dict(journal.store.tag_counts()) == {"nights": 1}
    assert journal.store.count_entries(grief) == 0
    journal.restore(first.id)
    assert journal.store.count_entries(grief) == 1

    with Journal.open(journal.data_dir) as other:
        other.write("More grief today. #grief")
        other.checkin(ease=4)
    assert journal.store.count_entries() == 3
    assert dict(journal.store.tag_counts()) == {"grief": 2, "nights": 1}
    assert journal.store.count_entries(grief) == 2
    assert journal.reader.count_checkins() == 1


def test_the_settings_page_counts_what_is_there(data_dir):
    from starlette.testclient import TestClient

    from attunement.web import Settings, create_app

    with Journal.open(data_dir) as journal:
        for n in range(3):
            journal.checkin(ease=n)
        journal.write("One entry.")
    app = create_app(Settings(data_dir=data_dir, extra_hosts=("testserver",)))
    with TestClient(app) as client:
        page = client.get("/settings")
    assert page.status_code == 200
    assert "1 entries, 3 check-ins, 0 drafts" in page.text


def test_requests_arriving_together_after_a_change_compute_a_count_once(journal):
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor

    computed = []
    together = threading.Barrier(8)

    def slow_count() -> int:
        computed.append(1)
        time.sleep(0.2)
        return 42

    def visit(_: int) -> int:
        together.wait()
        return journal.reader.kept("a slow count", slow_count)

    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(visit, range(8))) == [42] * 8
    assert len(computed) == 1
    journal.write("A change.")
    assert journal.reader.kept("a slow count", slow_count) == 42
    assert len(computed) == 2
