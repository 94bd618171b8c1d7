"""Transcripts: read every format people have, refuse malformed files by line, code the
turns, and report figures a supervisor can check by hand."""

from __future__ import annotations

import json
import re

import pytest

from attunement.errors import FormatError, InvalidInput
from attunement.transcripts import service
from attunement.transcripts.coding import CodedTurn, summarise
from attunement.transcripts.parse import Turn, detect, guess_caregiver, parse

from .conftest import DATA

TEXT = """Counsellor: What brings you here today?
Client: I've been drinking every night since my mum died.
  I feel so alone.
Counsellor: It sounds like the evenings are when the loss hits hardest.
"""
VTT = """WEBVTT

00:00:01.000 --> 00:00:04.500
<v Counsellor>What brings you here today?</v>

00:00:05.000 --> 00:00:11.000
Client: I've been drinking every night since my mum died.
"""
SRT = """1
00:00:01,000 --> 00:00:04,500
Counsellor: What brings you here today?

2
00:00:05,000 --> 00:00:11,000
Client: I've been drinking every night since my mum died.
"""
CSV = """speaker,text,start,end
Counsellor,What brings you here today?,1,4.5
Client,"I've been drinking every night, since my mum died.",00:00:05,00:00:11
"""
ANNOMI = """mi_quality,transcript_id,utterance_id,interlocutor,timestamp,utterance_text
high,0,0,therapist,00:00:13,What brings you here today?
high,0,1,client,00:00:20,I've been drinking every night since my mum died.
"""


@pytest.mark.parametrize(
    "name,text,fmt",
    [
        ("s.txt", TEXT, "text"),
        ("s.vtt", VTT, "vtt"),
        ("s.srt", SRT, "srt"),
        ("saved-as.vtt", SRT, "srt"),  # a SubRip file given a .vtt name
        ("s.csv", CSV, "csv"),
        ("a.csv", ANNOMI, "annomi"),
    ],
)
def test_every_format_is_detected_and_read(name, text, fmt):
    assert detect(text, name) == fmt
    turns, found = parse(text, name)
    assert found == fmt
    assert turns[0].text == "What brings you here today?"
    assert turns[1].text.startswith("I've been drinking every night")
    assert turns[0].speaker.lower() in ("counsellor", "therapist")


def test_utf16_text_is_read_and_a_binary_file_is_refused(tmp_path):
    wide = tmp_path / "wide.txt"
    wide.write_bytes(TEXT.encode("utf-16"))
    turns, _ = service.read(wide)
    assert turns[0].text == "What brings you here today?"
    binary = tmp_path / "nul.txt"
    binary.write_bytes(b"\x00\x00\x00Client: hi\nNurse: ok\n")
    with pytest.raises(FormatError, match="NUL byte, as binary files do"):
        service.read(binary)


def test_times_are_read_where_the_format_has_them():
    vtt, _ = parse(VTT, "s.vtt")
    assert (vtt[0].start, vtt[0].end, vtt[1].end) == (1.0, 4.5, 11.0)
    csv_turns, _ = parse(CSV, "s.csv")
    assert (csv_turns[1].start, csv_turns[1].end) == (5.0, 11.0)
    text, _ = parse(TEXT, "s.txt")
    assert text[1].text.endswith("I feel so alone."), "a continuation line joins its turn"


@pytest.mark.parametrize(
    "name,text,line",
    [
        ("s.txt", "no speaker at all\n", 1),
        ("s.vtt", "00:00:01.000 --> 00:00:02.000\nhi\n", 1),
        ("s.vtt", "WEBVTT\n\n00:00:05.000 --> 00:00:02.000\nA: backwards\n", 3),
        ("s.vtt", "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nno speaker here\n", 3),
        ("s.srt", "not a cue\n\n1\n00:00:01,000 --> 00:00:02,000\nA: fine\n", 1),
        (
            "s.srt",
            "1\n00:00:01,000 --> 00:00:02,000\nA: fine\n\n2\n00:00:05,000 --> 00:00:03,000\n",
            6,
        ),
        ("s.csv", "who,said\nA,hi\n", 1),
        ("s.csv", "speaker,text\nA,\n", 2),
        ("s.csv", "speaker,text,start\nA,hi,soon\n", 2),
        ("a.csv", "interlocutor,words\ntherapist,hi\n", 1),
        ("s.txt", "\n\n", 1),
    ],
)
def test_malformed_files_are_refused_naming_the_line(name, text, line):
    fmt = "annomi" if name == "a.csv" else None
    with pytest.raises(FormatError) as err:
        parse(text, name, fmt)
    assert err.value.message.startswith(name)
    if line is not None:
        assert f"line {line}:" in err.value.message, err.value.message


def test_the_caregiver_is_guessed_by_role_or_by_questions():
    turns, _ = parse(TEXT, "s.txt")
    assert guess_caregiver(turns) == "Counsellor"
    names, _ = parse("Maya: How was the week?\nSam: Long.\nMaya: What made it long?\n", "n.txt")
    assert guess_caregiver(names) == "Maya"
    assert service.choose_caregiver(names, "sam") == "Sam"
    with pytest.raises(InvalidInput, match="the speakers are Maya, Sam"):
        service.choose_caregiver(names, "Alex")


def test_a_speaker_is_one_speaker_however_the_file_capitalises_them():
    turns, _ = parse("Counsellor: How are you?\nClient: Tired.\nCOUNSELLOR: Tell me?\n", "c.txt")
    assert [t.speaker for t in turns] == ["Counsellor", "Client", "Counsellor"]


def test_two_speakers_in_one_subtitle_each_get_their_own_turn():
    text = (
        "1\n00:00:01,000 --> 00:00:04,000\n- Counsellor: The phone call.\n"
        "- Client: Yes, that's when it started.\n"
    )
    turns, _ = parse(text, "s.srt")
    assert [(t.speaker, t.text) for t in turns] == [
        ("Counsellor", "The phone call."),
        ("Client", "Yes, that's when it started."),
    ]


def test_one_persons_words_cut_across_cues_are_one_turn():
    text = (
        "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n<v Counsellor>When you think about the ward,\n\n"
        "00:00:03.000 --> 00:00:05.000\n<v Counsellor>what comes up in your body?\n\n"
        "00:00:06.000 --> 00:00:08.000\n<v Client>A kind of dread.\n"
    )
    turns, _ = parse(text, "s.vtt")
    assert [(t.speaker, t.text, t.start, t.end) for t in turns] == [
        ("Counsellor", "When you think about the ward, what comes up in your body?", 1.0, 5.0),
        ("Client", "A kind of dread.", 6.0, 8.0),
    ]


def test_what_the_transcribing_tool_wrote_is_not_anyones_words():
    otter = "Speaker 1  0:03\nHow have the nights been?\n\nSpeaker 2  0:09\nLong.\n\n"
    otter += "Transcribed by https://otter.ai\n"
    turns, _ = parse(otter, "otter.txt")
    assert [t.text for t in turns] == ["How have the nights been?", "Long."]
    teams = (
        "Supervision call\n3 December 2026, 10:00\n45m 12s\n\n"
        "Okonkwo, Chidi   0:00:03\nHow are you finding the placement?\n\n"
        "Lee, Sam   0:00:09\nTiring, honestly.\n\nOkonkwo, Chidi stopped transcription\n"
    )
    turns, _ = parse(teams, "teams.txt")
    assert [(t.speaker, t.text) for t in turns] == [
        ("Okonkwo, Chidi", "How are you finding the placement?"),
        ("Lee, Sam", "Tiring, honestly."),
    ]


def test_words_before_the_first_speaker_are_still_refused():
    with pytest.raises(FormatError):
        parse("We talked about sleep.\nClient: I have not slept.\n", "notes.txt")


def test_a_role_before_a_name_marks_the_caregiver():
    text = (
        "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n<v Margaret Thompson>I have not slept.\n\n"
        "00:00:04.000 --> 00:00:06.000\n<v Counsellor Jane Smith>That sounds hard.\n"
    )
    turns, _ = parse(text, "s.vtt")
    assert guess_caregiver(turns) == "Counsellor Jane Smith"


def coded(role, code, subtype=None, words=5, start=None, end=None, feelings=(), er=0):
    turn = Turn(0, "C" if role == "caregiver" else "P", " ".join(["w"] * words), start, end)
    return CodedTurn(
        turn,
        role,
        code,
        subtype,
        0.9,
        feelings=feelings,
        empathy={"emotional_reactions": er} if role == "caregiver" else {},
    )


def test_summary_figures_can_be_checked_by_hand():
    session = [
        coded("caregiver", "question", "open", words=6, start=0, end=2),
        coded("client", "neutral", words=10, start=2, end=6, feelings=("sadness",)),
        coded("caregiver", "reflection", "complex", words=8, start=6, end=8),
        coded("client", "change", words=4, start=8, end=9, feelings=("fear",)),
        coded("caregiver", "input", words=20, start=9, end=14),
        coded("caregiver", "reflection", "simple", words=4, start=14, end=15),
        coded("caregiver", "question", "closed", words=3, start=15, end=16),
        coded("client", "sustain", words=2, start=16, end=17),
    ]
    s = summarise(session)
    assert (s.reflections, s.questions, s.inputs) == (2, 2, 1)
    assert s.rq_ratio == 1.0 and s.pct_complex_reflections == 0.5
    assert s.pct_open_questions == 0.5
    assert s.caregiver_word_share == pytest.approx(41 / 57)
    assert s.caregiver_time_share == pytest.approx(11 / 17)  # 2+2+5+1+1 of 17 s
    assert s.feelings_named == 2 and s.feelings_acknowledged == 0.5  # sadness met, fear not
    assert s.longest_monologue_words == 27
    assert (s.change_talk, s.sustain_talk) == (1, 1)
    miti = s.to_dict()["miti"]
    assert (
        miti["rq_ratio"]["rating"] == "fair" and miti["pct_complex_reflections"]["rating"] == "good"
    )


def test_import_analyze_report_and_list(attune, tmp_path):
    entry_id = attune("write", "Reflection on today's session").stdout.strip()
    path = tmp_path / "session.vtt"
    path.write_text(VTT, encoding="utf-8")
    result = attune("transcript", "import", str(path), "--entry", entry_id, "--title", "Monday")
    transcript_id = result.stdout.strip()
    assert "Caregiver taken to be 'Counsellor'" in result.stderr
    listed = attune.json("transcript", "list")["transcripts"]
    assert listed[0]["id"] == transcript_id and listed[0]["entry_id"] == entry_id
    data = attune.json("transcript", "analyze", transcript_id)
    assert [t["role"] for t in data["turns"]] == ["caregiver", "client"]
    assert data["turns"][0]["code"] == "question" and data["turns"][1]["code"] in {
        "change",
        "sustain",
        "neutral",
    }
    assert data["summary"]["caregiver_time_share"] == pytest.approx(3.5 / 9.5, abs=1e-3)
    markdown = attune("transcript", "report", transcript_id).stdout
    assert markdown.startswith("# Monday") and "| Reflections per question |" in markdown
    out = tmp_path / "report.html"
    attune("transcript", "report", transcript_id, "--format", "html", "--out", str(out))
    html = out.read_text(encoding="utf-8")
    assert "<svg viewBox" in html and "<script" not in html
    assert (
        attune(
            "transcript", "report", transcript_id, "--format", "html", "--out", str(out), ok=False
        ).exit_code
        == 1
    )


def test_a_folder_of_transcripts_is_analysed_together(attune, tmp_path):
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "b.srt").write_text(SRT, encoding="utf-8")
    sessions = attune.json("transcript", "analyze", str(tmp_path))["sessions"]
    assert [s["title"] for s in sessions] == ["a", "b"]


def test_a_malformed_transcript_stores_nothing(attune, tmp_path):
    path = tmp_path / "bad.srt"
    path.write_text(
        "1\n00:00:01,000 --> 00:00:02,000\nA: ok\n\n2\n00:00:05,000 --> 00:00:03,000\nB: no\n",
        encoding="utf-8",
    )
    result = attune("transcript", "import", str(path), ok=False)
    assert result.exit_code == 2 and f"{path}, line 6" in result.stderr
    assert attune.json("transcript", "list")["transcripts"] == []
    unknown = attune("transcript", "analyze", "nosuch1", ok=False)
    assert unknown.exit_code == 1 and "no transcript" in unknown.stderr


CORPUS = DATA / "transcripts"
EXPECTED = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))
LEFTOVERS = re.compile(r"<[^>]*>|&[#a-zA-Z0-9]+;|-->|\d\d:\d\d\.\d\d\d|\{\\")


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_files_as_real_tools_write_them_read_to_speakers_and_words(name):
    """Zoom, Teams, YouTube, Otter, subtitle editors and hand-made files: every turn has the
    speaker and the words, with no tag, timestamp or character reference left over."""
    turns, _ = service.read(CORPUS / name)
    assert [[t.speaker, t.text] for t in turns] == EXPECTED[name]
    for turn in turns:
        assert not LEFTOVERS.search(turn.speaker + " " + turn.text), turn


def test_every_file_in_the_corpus_has_its_expected_turns():
    on_disk = {p.name for p in CORPUS.iterdir() if p.name != "expected.json"}
    assert on_disk == set(EXPECTED)


@pytest.mark.parametrize(
    "text,speakers,words",
    [
        # a colon inside a timestamp tag is not a speaker separator
        (
            "WEBVTT\n\n00:16.000 --> 00:19.000\nWhen the moon <00:17.500>hits your eye\n",
            None,
            None,
        ),
        # cues that run together without blank lines stay separate cues
        (
            "WEBVTT\n\n00:01.000 --> 00:02.000\nA: one\n00:02.000 --> 00:03.000\nB: two\n",
            ["A", "B"],
            ["one", "two"],
        ),
        # a voice span inside another tag, and two voices in one cue
        (
            "WEBVTT\n\n00:01.000 --> 00:02.000\n<i><v Nurse>Hi</v></i> <v Client>Hello</v>\n",
            ["Nurse", "Client"],
            ["Hi", "Hello"],
        ),
        # character references are decoded once, never taken for tags
        (
            "WEBVTT\n\n00:01.000 --> 00:02.000\n<v A>&lt;b&gt; &amp;amp; caf&eacute;\n",
            ["A"],
            ["<b> &amp; café"],
        ),
    ],
)
def test_webvtt_cue_text_follows_the_spec(text, speakers, words):
    if speakers is None:
        with pytest.raises(FormatError, match="without a speaker"):
            parse(text, "s.vtt")
        return
    turns, _ = parse(text, "s.vtt")
    assert [t.speaker for t in turns] == speakers
    assert [t.text for t in turns] == words


def test_a_time_in_the_words_is_not_a_speaker():
    turns, _ = parse("Nurse: see you at\n10:30 tomorrow then\n", "s.txt")
    assert [(t.speaker, t.text) for t in turns] == [("Nurse", "see you at 10:30 tomorrow then")]
    with pytest.raises(FormatError, match="line 3"):
        parse("WEBVTT\n\n00:01.000 -> 00:02.000 --> x\nA: hi\n", "s.vtt")


def test_an_annomi_file_of_several_sessions_is_refused_naming_where_the_next_begins(
    attune, tmp_path
):
    """AnnoMI's own file holds 133 sessions; run together they would be one session whose
    times go backwards and whose every figure is wrong."""
    path = tmp_path / "AnnoMI-simple.csv"
    path.write_text(
        "mi_quality,transcript_id,utterance_id,interlocutor,timestamp,utterance_text\n"
        "high,0,0,therapist,00:00:13,What brings you here today?\n"
        "high,0,1,client,00:00:25,My drinking.\n"
        "high,1,0,therapist,00:00:02,How have you been since we last met?\n"
        "high,1,1,client,00:00:05,Better.\n",
        encoding="utf-8",
    )
    result = attune("transcript", "import", str(path), ok=False)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert f"{path}, line 4: starts another session" in result.stderr
    assert "holds 2 sessions (transcript_id 0, 1)" in result.stderr
    assert "in a file of its own" in result.stderr
    assert attune.json("transcript", "list")["transcripts"] == []
    one = tmp_path / "session-1.csv"
    one.write_text(ANNOMI, encoding="utf-8")  # one session (transcript_id 0) still comes in
    assert attune.json("transcript", "analyze", str(one))["turns"][0]["speaker"] == "therapist"


GOOGLE_MEET = """Mar 12, 2024
Weekly check-in - Transcript
00:00:00

Counsellor: Hi, can you hear me okay?
Client: Yes, I can hear you.


00:05:12

Client: Up and down. Work has been a lot.
Counsellor: Up and down, with work weighing on you.


Transcription ended after 00:12:40

This editable transcript was computer generated and might contain errors. People can also \
change the text after it was created.
"""
# Google Meet's earlier transcripts: the date in the title, the attendees, the notice first.
GOOGLE_MEET_2024 = """Supervision (2024-03-14 14:12 GMT+1) - Transcript
Attendees
Counsellor, Client, Client's Presentation
Transcript
This editable transcript was computer generated and might contain errors. People can also \
change the text after it was created.
Counsellor: Hi, can you hear me okay?
Client: Yes, I can hear you.
00:05:12
Client: Up and down. Work has been a lot.
Counsellor: Up and down, with work weighing on you.
Meeting ended after 00:12:40 👋
"""


@pytest.mark.parametrize("text", [GOOGLE_MEET, GOOGLE_MEET_2024])
def test_a_google_meet_transcript_is_read_without_its_header_time_marks_or_footer(text):
    turns, fmt = parse(text, "Weekly check-in - Transcript.txt")
    assert fmt == "text"
    assert [(t.speaker, t.text) for t in turns] == [
        ("Counsellor", "Hi, can you hear me okay?"),
        ("Client", "Yes, I can hear you."),
        ("Client", "Up and down. Work has been a lot."),
        ("Counsellor", "Up and down, with work weighing on you."),
    ]


def test_google_meets_time_marks_and_footer_are_no_ones_words_without_its_header():
    copied = GOOGLE_MEET.split(" - Transcript\n", 1)[1]  # the turns copied out of the doc
    turns, _ = parse(copied, "meet.txt")
    assert [t.text for t in turns][-2:] == [
        "Up and down. Work has been a lot.",
        "Up and down, with work weighing on you.",
    ]


def test_a_csv_cell_that_spans_two_lines_is_one_line_of_words(tmp_path):
    excel = tmp_path / "session.csv"  # as Excel saves it: a BOM, CRLF, a cell with a break
    excel.write_bytes(
        b"\xef\xbb\xbfspeaker,text,start,end\r\n"
        b'Counsellor,"So, what happened next?",00:00:01,00:00:04\r\n'
        b'Client,"I left. Then\r\nI came back, obviously.",4.5,9.25\r\n'
    )
    turns, _ = service.read(excel)
    assert [t.text for t in turns] == [
        "So, what happened next?",
        "I left. Then I came back, obviously.",
    ]


def test_aegisub_line_breaks_in_subrip_are_not_left_in_the_words():
    aegisub = (
        "1\n0:00:01,000 --> 0:00:03,000\nCounsellor: So you\\nwalked out?\n\n"
        "2\n00:00:03,200 --> 00:00:06,000\nClient: Yeah.\\NI had to.\\hReally.\n\n"
        "3\n00:00:06,100 --> 00:00:08,900\nCounsellor: You needed space.\\NClient: I did.\n"
    )
    turns, _ = parse(aegisub, "session.srt")
    assert [(t.speaker, t.text) for t in turns] == [
        ("Counsellor", "So you walked out?"),
        ("Client", "Yeah. I had to. Really."),
        ("Counsellor", "You needed space."),
        ("Client", "I did."),
    ]


def test_a_redacted_caregivers_name_becomes_one_placeholder(attune, tmp_path):
    session = tmp_path / "s.vtt"
    session.write_text(
        "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v Nguyễn Thị Lan>How was the week?\n\n"
        "00:00:05.000 --> 00:00:09.000\n<v Client>Long. Thank you, Nguyễn Thị Lan.\n\n"
        "00:00:10.000 --> 00:00:12.000\n<v Okafor, Chidi>May I join you both?\n",
        encoding="utf-8",
    )
    clean = attune(
        "transcript", "import", str(session), "--redact", "--caregiver", "Nguyễn Thị Lan"
    ).stdout.strip()
    data = attune.json("transcript", "analyze", clean)
    assert data["caregiver"] == "[Caregiver]"
    assert [t["speaker"] for t in data["turns"]] == ["[Caregiver]", "Client", "[Client A]"]
    assert data["turns"][1]["text"] == "Long. Thank you, [Caregiver]."
    assert "Lan" not in str(data) and "Okafor" not in str(data)


def test_a_rev_transcript_is_named_and_the_refusal_says_what_to_do(attune, tmp_path):
    rev = tmp_path / "rev.txt"
    rev.write_text(
        "Speaker 1 (00:00):\nWhere would you like to begin today?\n\n"
        "Speaker 2 (00:04):\nWith my son, I think.\n",
        encoding="utf-8",
    )
    result = attune("transcript", "import", str(rev), ok=False)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert f"{rev}, line 1: looks like a Rev transcript" in result.stderr
    assert "put each turn on one line as `Speaker 1: words`" in result.stderr
    assert "does not start with `Speaker:`" not in result.stderr
    assert attune.json("transcript", "list")["transcripts"] == []
