"""A name found once is hidden wherever it comes back: later in the same note, in the other
turns of a transcript and in the other entries of a packet, always with the same
placeholder. A Welsh name joined by "ap" or "ferch" is one person. An everyday word that
only looks like a name found elsewhere stays a word. (From an outside probe of
de-identification with real-world files.)"""

from __future__ import annotations

from attunement.analysis.deid import find, redact


def redacted(text: str, people: tuple[str, ...] = ()) -> str:
    return redact(text, find(text, people))


def test_a_name_said_again_is_hidden_again_with_the_same_placeholder():
    """A client gives her name and the counsellor answers with it; a surname written first
    with a title comes back alone, at the start of a sentence or in lower case."""
    assert redacted("Call me Funmi. Funmi, that sounds frightening.") == (
        "Call me [Client A]. [Client A], that sounds frightening."
    )
    assert redacted("Called Mrs Kowalczyk. Kowalczyk family want a meeting.") == (
        "Called Mrs [Client A]. [Client A] family want a meeting."
    )
    assert redacted("Mrs Kaur rang. Kaur, as ever, apologised for the mess.") == (
        "Mrs [Client A] rang. [Client A], as ever, apologised for the mess."
    )
    assert redacted("Mrs Kowalczyk rang; the kowalczyk family want a meeting.") == (
        "Mrs [Client A] rang; the [Client A] family want a meeting."
    )


def test_an_everyday_word_is_not_taken_for_a_name_found_elsewhere():
    """ "Will" the client and "will" the verb, "Grace" and "grace": a capitalised repeat in
    mid-sentence is the person, a lower-case one or one opening a question is the word."""
    assert redacted("Will Thomas rang. Will you ask him to ring back? I will.") == (
        "[Client A] rang. Will you ask him to ring back? I will."
    )
    assert redacted("Grace Adeyemi came. She said grace before tea, and Grace cried.") == (
        "[Client A] came. She said grace before tea, and [Client A] cried."
    )


def test_a_name_in_one_turn_is_hidden_in_every_turn(attune, tmp_path):
    """The client gives her first name in one turn; the counsellor uses it in the next,
    opening the sentence, where it would not be taken for a name on its own."""
    session = tmp_path / "session.txt"
    session.write_text(
        "Counsellor: How are you, Mrs Adebayo-Okonkwo?\n"
        "Client: Call me Funmi. My husband Chukwuemeka is in the Royal Infirmary again.\n"
        "Counsellor: Funmi, that sounds frightening.\n",
        encoding="utf-8",
    )
    kept = attune("transcript", "import", str(session), "--redact").stdout.strip().split()[-1]
    turns = attune.json("transcript", "analyze", kept)["turns"]
    assert [t["text"] for t in turns] == [
        "How are you, Mrs [Client A]?",
        "Call me [Client B]. My husband [Client C] is in the [Place 1] again.",
        "[Client B], that sounds frightening.",
    ]


def test_a_name_in_one_entry_is_hidden_in_every_entry_of_the_packet(attune):
    attune("write", "--tag", "visits", "Sat with Funmi Adeyemi at home today.")
    attune("write", "--tag", "visits", "Funmi, as ever, had baked for the whole team.")
    packet = attune("packet", "--tag", "visits").stdout
    assert "Funmi" not in packet and "Adeyemi" not in packet
    assert "[Client A], as ever, had baked" in packet


def test_a_welsh_name_with_ap_or_ferch_is_one_person(attune, tmp_path):
    """ "Dafydd ap Gruffydd" as a speaker is one placeholder, not "[Client A] ap [Client A]";
    "Angharad ferch Owain" in the words is hidden whole."""
    assert redacted("Angharad ferch Owain is writing a letter to her son.") == (
        "[Client A] is writing a letter to her son."
    )
    assert redacted("Dafydd ap Gruffydd asked for his daughter.", ("Dafydd", "Gruffydd")) == (
        "[Client A] asked for his daughter."
    )
    session = tmp_path / "otter.txt"
    session.write_text(
        "Counsellor Ruth Evans  0:00\nHi Dafydd, come in. How are you?\n\n"
        "Dafydd ap Gruffydd  0:05\nNot bad. Bit nervous.\n\n"
        "Counsellor Ruth Evans  0:09\nIt's normal to feel nervous at the start.\n",
        encoding="utf-8",
    )
    kept = attune("transcript", "import", str(session), "--redact").stdout.strip().split()[-1]
    data = attune.json("transcript", "analyze", kept)
    assert [t["speaker"] for t in data["turns"]][:2] == ["Counsellor [Caregiver]", "[Client A]"]
    assert data["turns"][0]["text"] == "Hi [Client A], come in. How are you?"
    assert "Dafydd" not in str(data) and "Gruffydd" not in str(data)


def test_a_name_in_the_text_is_hidden_in_the_entrys_title_too(attune):
    """The writer titles an entry with a client's first name alone, which opening a line is
    not taken for a name; the text names her, so on saving with placeholders both go."""
    saved = attune("write", "--redact", "--title", "Funmi", "Call me Funmi, she said.")
    entry = attune.json("show", saved.stdout.strip())
    assert (entry["title"], entry["body"]) == ("[Client A]", "Call me [Client A], she said.")
