"""Transcripts as people really have them: the layouts tools write as text, speaker labels
pasted from Markdown, subtitles with two voices or a stray blank line, spreadsheets saved
in Europe, Word files and Windows text, each read to the right speakers and times, or
refused in one sentence that names the file and says what to do; and a de-identified
transcript whose title never carries the client's name."""

from __future__ import annotations

import json

import pytest

from attunement.errors import FormatError
from attunement.transcripts import service
from attunement.transcripts.parse import caregiver_by_role, read_transcript


def said(text: str, name: str = "session.txt") -> list[tuple[str, str]]:
    return [(t.speaker, t.text) for t in read_transcript(text, name).turns]


# -- Speaker labels ---------------------------------------------------------------------


def test_labels_pasted_in_markdown_bold_or_without_a_space_are_still_speakers():
    """Pasted from Notion or a chat assistant, labels come in bold; typed quickly, without
    the space. The client's words are the client's, not the counsellor's."""
    expected = [
        ("Counsellor", "Shall we start?"),
        ("Client", "Yes, okay. I have been low all week."),
        ("Counsellor", "Low all week."),
    ]
    bold = "Counsellor: Shall we start?\n**Client:** Yes, okay. I have been low all week.\n"
    assert said(bold + "**Counsellor:** Low all week.\n") == expected
    underscored = (
        "__Counsellor:__ Shall we start?\n__Client__: Yes, okay. I have been low all week.\n"
    )
    assert said(underscored + "__Counsellor:__ Low all week.\n") == expected
    tight = "Counsellor: Shall we start?\nClient:Yes, okay. I have been low all week.\n"
    assert said(tight + "Counsellor:Low all week.\n") == expected


def test_a_label_without_a_space_is_a_speaker_only_when_the_file_names_them():
    """`Time:10:30` and `Re:the rota` are words; `Sam:Fine.` is Sam when Sam speaks
    elsewhere."""
    text = "Maya: How was it?\nSam: Long.\nMaya: When did it start?\nRe:the rota, I think.\n"
    assert said(text)[-1] == ("Maya", "When did it start? Re:the rota, I think.")
    assert said("Maya: How was it?\nSam:Long.\nMaya: Long?\nSam: Yes.\n")[1] == ("Sam", "Long.")


def test_a_note_inside_a_turn_is_not_a_new_speaker_and_the_note_says_so():
    text = (
        "Counsellor: What did your sister say?\n"
        'Client: She said: "you always do this".\n'
        "Then she hung up.\n"
        "Note: I never told her about the debt.\n"
        "PS: she was crying.\n"
        "She said: leave it.\n"
        "Counsellor: There's something she doesn't know.\n"
    )
    parsed = read_transcript(text, "sister.txt")
    assert [t.speaker for t in parsed.turns] == ["Counsellor", "Client", "Counsellor"]
    assert parsed.turns[1].text.endswith(
        "Note: I never told her about the debt. PS: she was crying. She said: leave it."
    )
    assert any(
        n.startswith("sister.txt, line 4: `Note:` is read as Client's words") for n in parsed.notes
    )
    # A name used once is a speaker: Sam joins, once, and is not taken for a note.
    assert said("Maya: How was the week?\nSam: Long.\nMaya: What made it long?\n")[1][0] == "Sam"


def test_a_file_read_as_one_speaker_while_other_labels_are_written_says_so():
    parsed = read_transcript(
        "Counsellor: Shall we start? Client: Yes, okay.\nNote: low all week\n", "one.txt"
    )
    assert {t.speaker for t in parsed.turns} == {"Counsellor"}
    assert any("every word is read as Counsellor's" in n for n in parsed.notes), parsed.notes


def test_a_turn_holding_another_speakers_label_is_named_in_a_note():
    parsed = read_transcript(
        "Counsellor: Shall we start? Client: Yes.\nClient: Low all week.\n", "mixed.txt"
    )
    assert parsed.notes == (
        "mixed.txt, line 1: Counsellor's turn holds `Client:` inside it; if Client speaks "
        "there, start a new line at `Client:`",
    )


def test_labels_before_a_dash_are_read_where_the_file_uses_no_colons():
    text = "Counsellor \u2013 Shall we start?\nClient \u2013 Yes - okay.\nCounsellor - Okay.\n"
    assert said(text) == [
        ("Counsellor", "Shall we start?"),
        ("Client", "Yes - okay."),
        ("Counsellor", "Okay."),
    ]
    # where colons name the speakers, a dash is only punctuation
    assert said("Nurse: Morning.\nClient: Morning.\nWell - I slept.\n")[-1] == (
        "Client",
        "Morning. Well - I slept.",
    )


# -- Times in text ----------------------------------------------------------------------


def test_descript_timecodes_are_timing_not_words():
    parsed = read_transcript(
        "Counsellor: [00:00:00] Thanks for coming in today.\n\n"
        "Client: [00:00:06] I don't really know.\n\n"
        "Counsellor: [00:00:12] You don't know.\n",
        "descript.txt",
    )
    assert [(t.text, t.start, t.end) for t in parsed.turns] == [
        ("Thanks for coming in today.", 0.0, 6.0),
        ("I don't really know.", 6.0, 12.0),
        ("You don't know.", 12.0, None),
    ]


def test_a_time_before_the_speaker_is_read_as_the_turns_start():
    """Fireflies, Tactiq and others put the time first, in brackets or not."""
    parsed = read_transcript(
        "[00:00:03] Counsellor: How have you been?\n"
        "[00:00:07] Client: Alright. Busy with the kids.\n"
        "(00:00:15) Counsellor: Busy with the kids.\n"
        "00:00:20 Client: Yeah, it never stops.\n",
        "tactiq.txt",
    )
    assert [(t.speaker, t.start, t.end) for t in parsed.turns] == [
        ("Counsellor", 3.0, 7.0),
        ("Client", 7.0, 15.0),
        ("Counsellor", 15.0, 20.0),
        ("Client", 20.0, None),
    ]
    assert parsed.turns[1].text == "Alright. Busy with the kids."


def test_zooms_saved_live_transcript_is_read_with_times_from_the_first_words():
    parsed = read_transcript(
        "[Ruth Evans] 10:02:15\nHow are you getting on with the new carers?\n"
        "[Tomasz Wisniewski] 10:02:21\nThey're alright.\n"
        "[Tomasz Wisniewski] 10:02:25\nThe morning one is always late though.\n"
        "[Ruth Evans] 10:02:30\nThe lateness is frustrating.\n",
        "zoom live.txt",
    )
    assert [(t.speaker, t.text, t.start, t.end) for t in parsed.turns] == [
        ("Ruth Evans", "How are you getting on with the new carers?", 0.0, 6.0),
        ("Tomasz Wisniewski", "They're alright. The morning one is always late though.", 6.0, 15.0),
        ("Ruth Evans", "The lateness is frustrating.", 15.0, None),
    ]


def test_otter_paragraphs_of_one_speaker_are_one_turn_timed_by_the_next(attune, tmp_path):
    """Otter splits a long answer into paragraphs, each under the name again; they are one
    turn, and each turn lasts until the next begins, so the share of time is given."""
    otter = tmp_path / "otter.txt"
    otter.write_text(
        "Speaker 1  0:03\nHow have you been since we last met?\n\n"
        "Speaker 2  0:09\nNot brilliant. I had another panic attack on the bus.\n\n"
        "Speaker 2  0:19\nAnd then I felt stupid for getting off.\n\n"
        "Speaker 1  0:31\nYou were hard on yourself afterwards.\n\n"
        "Transcribed by https://otter.ai\n",
        encoding="utf-8",
    )
    data = attune.json("transcript", "analyze", str(otter), "--caregiver", "Speaker 1")
    assert [(t["speaker"], t["start"], t["end"]) for t in data["turns"]] == [
        ("Speaker 1", 3.0, 9.0),
        ("Speaker 2", 9.0, 31.0),
        ("Speaker 1", 31.0, None),
    ]
    assert data["turns"][1]["text"].endswith("on the bus. And then I felt stupid for getting off.")
    # the last turn's length is unknown, so it is left out: 6 s of the 28 s known
    assert data["summary"]["caregiver_time_share"] == pytest.approx(6 / 28, abs=1e-3)


# -- Headers above the turns --------------------------------------------------------------


def test_an_otter_export_with_its_title_keywords_and_speakers_is_read():
    text = (
        "Weekly check-in\nTue, Mar 5, 2024 2:03PM \u2022 12:40\n\n"
        "SUMMARY KEYWORDS\nsleep, work, shifts\n\nSPEAKERS\nSpeaker 1, Speaker 2\n\n"
        "Speaker 1  0:03\nHow have you been sleeping?\n\n"
        "Speaker 2  0:07\nBadly. Shifts keep changing.\n"
    )
    assert said(text) == [
        ("Speaker 1", "How have you been sleeping?"),
        ("Speaker 2", "Badly. Shifts keep changing."),
    ]


def test_a_title_line_above_the_first_turn_is_passed_over_with_a_note():
    parsed = read_transcript(
        "Session with client, 5 March\nCounsellor: How are things at home?\n"
        "Client: Quiet. Too quiet.\n",
        "titled.txt",
    )
    assert [t.speaker for t in parsed.turns] == ["Counsellor", "Client"]
    assert parsed.notes == (
        "titled.txt, line 1: `Session with client, 5 March` is read as the transcript's "
        "title, not as anyone's words",
    )
    with pytest.raises(FormatError, match=r"notes.txt, line 1: does not start with a speaker"):
        read_transcript("We talked about sleep.\nClient: I have not slept.\n", "notes.txt")


# -- Subtitles ----------------------------------------------------------------------------


def test_two_speakers_in_one_cue_share_its_time_by_their_words():
    """Both voices given the whole cue would count its seconds twice."""
    vtt = (
        "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v Counsellor>Did you rest well?\n"
        "<v Client>A little.\n\n00:00:04.000 --> 00:00:06.000\n<v Counsellor>A little.\n"
    )
    turns = read_transcript(vtt, "s.vtt").turns
    assert [(t.start, t.end) for t in turns] == [(1.0, 3.0), (3.0, 4.0), (4.0, 6.0)]
    srt = "1\n00:00:01,000 --> 00:00:03,500\n- Counsellor: Ready to start?\n- Client: Yes.\n"
    turns = read_transcript(srt, "s.srt").turns
    assert [(t.start, t.end) for t in turns] == [(1.0, 2.875), (2.875, 3.5)]


def test_two_unnamed_dashed_lines_in_a_cue_are_the_two_speakers_in_turn_with_a_note():
    """A subtitle marks two people in one cue with a dash each; they are not one voice."""
    srt = (
        "1\n00:00:01,000 --> 00:00:04,000\nCounsellor: How are you?\n\n"
        "2\n00:00:04,500 --> 00:00:07,000\n- Not good.\n- Tell me more.\n\n"
        "3\n00:00:07,500 --> 00:00:09,000\nClient: Mum fell.\n"
    )
    parsed = read_transcript(srt, "dialogue.srt")
    assert [(t.speaker, t.text) for t in parsed.turns] == [
        ("Counsellor", "How are you?"),
        ("Client", "Not good."),
        ("Counsellor", "Tell me more."),
        ("Client", "Mum fell."),
    ]
    assert "dialogue.srt, line 6: two people speak in this cue" in parsed.notes[0]
    # one dashed line is no dialogue: it stays with whoever spoke last
    one = (
        "1\n00:00:01,000 --> 00:00:03,000\nClient: Mum fell.\n\n"
        "2\n00:00:03,000 --> 00:00:05,000\n- Last night.\n"
    )
    assert said(one, "one.srt") == [("Client", "Mum fell. Last night.")]


def test_a_role_in_brackets_after_a_name_names_the_caregiver():
    text = (
        "Dr. Ruth Evans (Counsellor): How are you today?\nJ. Abdi: Tired.\n"
        "Dr. Ruth Evans (Counsellor): Tired.\n"
    )
    parsed = read_transcript(text, "session.txt")
    assert caregiver_by_role(parsed.turns) == "Dr. Ruth Evans (Counsellor)"
    teams = "Kowalczyk, Agnieszka (Social Worker): How are things?\nBrown, Tom (External): Bad.\n"
    assert caregiver_by_role(read_transcript(teams, "t.txt").turns).startswith("Kowalczyk")


def test_a_worried_client_asking_questions_does_not_turn_a_doctors_session_round():
    text = (
        "Dr Sunita Rao: Hello.\nMr Brian Cole: Is this going to help? How long will it take?\n"
        "Dr Sunita Rao: You have a lot of questions about this.\n"
        "Mr Brian Cole: Will you tell my wife? What do I say to her?\n"
    )
    turns = read_transcript(text, "s.txt").turns
    assert service.choose_caregiver(turns, None) == "Dr Sunita Rao"
    assert not service.guessed(turns, None)
    # named as people say it, without the title
    assert service.choose_caregiver(turns, "Sunita Rao") == "Dr Sunita Rao"


def test_a_supervision_conversation_says_the_codes_do_not_describe_it():
    text = (
        "Supervisor: What did you notice in the session?\n"
        'Trainee: He said "I can\'t do this anymore" and I froze.\n'
    )
    turns = read_transcript(text, "sup.txt").turns
    session = service.analyse("sup", turns, service.choose_caregiver(turns, None))
    assert any("supervision conversation" in note for note in session.notes)


def test_no_break_spaces_pasted_from_a_word_processor_are_plain_spaces():
    assert said("Counsellor: How was\u00a0Tuesday?\nClient:\u00a0Yes\u00a0\u2013 long.\n") == [
        ("Counsellor", "How was Tuesday?"),
        ("Client", "Yes \u2013 long."),
    ]


def test_teams_times_written_without_their_zeros_are_read():
    vtt = (
        "WEBVTT\n\n0:0:0.0 --> 0:0:2.570\n<v Counsellor>What brings you in today?</v>\n\n"
        "0:0:2.910 --> 0:0:6.130\n<v Client>My husband's memory.</v>\n"
    )
    turns = read_transcript(vtt, "teams.vtt").turns
    assert [(t.speaker, t.start, t.end) for t in turns] == [
        ("Counsellor", 0.0, 2.57),
        ("Client", 2.91, 6.13),
    ]


def test_a_blank_line_inside_a_subrip_cue_keeps_its_words_in_that_cue():
    srt = (
        "1\n0:00:01.000 --> 0:00:04.000\nCounsellor: What's on your mind today?\n\n\n"
        "2\n0:00:04.500 --> 0:00:08.000\nClient: My dad's diagnosis.\n\nHe told us on Sunday.\n\n"
        "3\n0:00:08.500 --> 0:00:12.000\nCounsellor: That's a lot to take in.\n"
    )
    parsed = read_transcript(srt, "sloppy.srt")
    assert [(t.speaker, t.text) for t in parsed.turns] == [
        ("Counsellor", "What's on your mind today?"),
        ("Client", "My dad's diagnosis. He told us on Sunday."),
        ("Counsellor", "That's a lot to take in."),
    ]
    assert parsed.notes == (
        "sloppy.srt, line 10: a blank line inside the cue at line 7 is kept as part of that "
        "cue, as players show it",
    )


# -- Spreadsheets -------------------------------------------------------------------------


def test_a_spreadsheet_saved_with_semicolons_or_tabs_and_decimal_commas_is_read(tmp_path):
    """Excel in most of Europe saves "CSV" with semicolons and writes 3,5 for 3.5."""
    semicolons = tmp_path / "session.csv"
    semicolons.write_bytes(
        "\ufeffSpeaker;Text;Start;End\r\nCounsellor;How are you feeling today?;0;3,5\r\n"
        "Client;Nervous, to be honest.;4;6\r\n".encode()
    )
    turns, fmt = service.read(semicolons)
    assert fmt == "csv"
    assert [(t.speaker, t.text, t.start, t.end) for t in turns] == [
        ("Counsellor", "How are you feeling today?", 0.0, 3.5),
        ("Client", "Nervous, to be honest.", 4.0, 6.0),
    ]
    tabs = "speaker\ttext\nNurse\tHow is the pain?\nPatient\tWorse, at night.\n"
    assert said(tabs, "export.tsv")[1] == ("Patient", "Worse, at night.")


def test_a_spreadsheets_start_and_end_columns_time_the_turns_whatever_they_are_called():
    text = (
        "Speaker,Start Time,End Time,Text,Confidence\n"
        'Counsellor,00:00:01,00:00:04,"How has your week been?",0.93\n'
        'Client,00:00:05,00:00:09,"Long. Really long.",0.88\n'
    )
    turns = read_transcript(text, "tool.csv").turns
    assert [(t.start, t.end) for t in turns] == [(1.0, 4.0), (5.0, 9.0)]
    unread = read_transcript("speaker,text,duration\nA,hi,3\nB,hello,2\n", "d.csv")
    assert unread.notes == (
        "d.csv, line 1: the column `duration` is not read as times; name the columns `start` "
        "and `end` (seconds or hh:mm:ss) to time the turns",
    )


def test_a_row_that_ends_before_it_starts_refuses_the_file_naming_the_row():
    text = (
        "speaker,text,start,end\nCounsellor,Hello,00:00:01,00:00:03\nClient,Hi,00:00:04,00:00:02\n"
    )
    with pytest.raises(FormatError) as refused:
        read_transcript(text, "times.csv")
    assert refused.value.message == (
        "times.csv, line 3: ends (00:00:02) before it starts (00:00:04); correct the times or "
        "leave them empty"
    )


def test_times_with_unquoted_commas_refuse_the_file_naming_the_row():
    """Read as cells, "00:00:01,500" would silently time a turn at 500 seconds."""
    text = "speaker,text,start,end\nCounsellor,How are you?,00:00:01,500,00:00:03,000\n"
    with pytest.raises(FormatError) as refused:
        read_transcript(text, "times.csv")
    assert refused.value.message == (
        "times.csv, line 2: has 6 cells where the header row has 4 (a time or words with "
        "commas in them must be in double quotes); quote those cells, or export the file again"
    )


# -- Files that are not UTF-8 text --------------------------------------------------------


def test_windows_text_is_read_with_a_note(tmp_path):
    """Word's "Plain Text" and Notepad on Windows save Windows-1252 by default."""
    path = tmp_path / "word.txt"
    words = "Counsellor: How was the weekend, Zoë?\nClient: It wasn’t great – a row at the café.\n"
    path.write_bytes(words.encode("cp1252"))
    parsed = service.read_file(path)
    assert parsed.turns[1].text == "It wasn’t great – a row at the café."
    assert parsed.notes == (
        f"{path}: is not UTF-8, so it was read as Windows-1252 text (as Word and Notepad save "
        "Plain Text on Windows); check that accented letters and quotes read right",
    )


@pytest.mark.parametrize(
    "name,data,says",
    [
        (
            "Meeting Transcript.docx",
            b"PK\x03\x04\x14\x00\x00\x00word/document.xml\x00\x00",
            "is a Word document (.docx), not a text file; in Teams download the transcript as "
            ".vtt instead, or open it in Word and save it as Plain Text (.txt) with UTF-8 "
            "encoding",
        ),
        ("notes.pdf", b"%PDF-1.7\n\x00\xff", "is a PDF, not a text file; export the"),
        ("notes.rtf", b"{\\rtf1\\ansi Counsellor: hi}", "is a Rich Text document (.rtf)"),
        ("export.zip", b"PK\x03\x04\x00\x00", "is a zip archive, not a transcript; unzip it"),
    ],
)
def test_a_word_file_or_pdf_is_refused_saying_what_it_is_and_what_to_export(
    attune, tmp_path, name, data, says
):
    path = tmp_path / name
    path.write_bytes(data)
    result = attune("transcript", "import", str(path), ok=False)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert f"{path}: {says}" in result.stderr
    assert attune.json("transcript", "list")["transcripts"] == []


def test_zooms_chat_file_is_refused_pointing_to_the_transcript():
    with pytest.raises(FormatError, match=r"chat.txt, line 1: looks like Zoom's chat file"):
        read_transcript("10:02:15 From  Ruth Evans  to  Everyone:\n\tWelcome\n", "chat.txt", "text")


# -- Who the caregiver is -----------------------------------------------------------------


def test_an_unsure_caregiver_guess_is_flagged_in_json_and_said_in_text(attune, tmp_path):
    """A worried client asks more questions than the counsellor who reflects; with no role
    word to go on, the guess is flagged so the person can correct it."""
    path = tmp_path / "names.txt"
    path.write_text(
        "Ruth Evans: You seem worried today.\n"
        "Liam O'Brien: Am I going to lose the flat? Will they evict me?\n"
        "Ruth Evans: You're frightened of losing your home.\n"
        "Liam O'Brien: Wouldn't you be?\n",
        encoding="utf-8",
    )
    data = attune.json("transcript", "analyze", str(path))
    assert data["caregiver"] == "Liam O'Brien" and data["caregiver_guessed"] is True
    assert any("who asks the most questions" in n for n in data["notes"])
    text = attune("transcript", "analyze", str(path))
    assert "The caregiver is taken to be 'Liam O'Brien'" in text.stderr
    chosen = attune.json("transcript", "analyze", str(path), "--caregiver", "Ruth Evans")
    assert chosen["caregiver_guessed"] is False and chosen["notes"] == []
    named = tmp_path / "roles.txt"
    named.write_text("Counsellor: You seem worried.\nClient: Will they evict me?\n", "utf-8")
    assert attune.json("transcript", "analyze", str(named))["caregiver_guessed"] is False


# -- De-identified titles -----------------------------------------------------------------

SESSION = (
    "WEBVTT\n\n00:00:02.000 --> 00:00:06.000\nRuth Evans: Hi Tomasz, can you hear me?\n\n"
    "00:00:07.000 --> 00:00:09.000\nTomasz Wiśniewski: Yeah, I can hear you fine.\n"
)


def test_a_redacted_transcript_is_never_titled_by_the_clients_file_name(attune, tmp_path):
    """Downloads are named after the meeting, often the client and the date; with
    --redact that name is not kept anywhere the transcript is shown."""
    path = tmp_path / "Tomasz Wiśniewski session 3 - 05.03.2024.vtt"
    path.write_text(SESSION, encoding="utf-8")
    result = attune("transcript", "import", str(path), "--redact", "--caregiver", "Ruth Evans")
    made = result.stdout.strip()
    assert "rather than by the file's name" in result.stderr
    shown = [
        attune("transcript", "list").stdout,
        json.dumps(attune.json("transcript", "list"), ensure_ascii=False),
        json.dumps(attune.json("transcript", "analyze", made), ensure_ascii=False),
        attune("transcript", "report", made).stdout,
        attune("export", "--format", "json").stdout,
    ]
    for text in shown:
        for word in ("Tomasz", "Wiśniewski", "Wisniewski", "05.03.2024", "Ruth", "Evans"):
            assert word not in text, (word, text[:300])
    title = attune.json("transcript", "list")["transcripts"][0]["title"]
    assert title.startswith("WebVTT transcript, imported ")


def test_a_title_given_with_redact_has_its_names_replaced_like_the_turns(attune, tmp_path):
    path = tmp_path / "s.vtt"
    path.write_text(SESSION, encoding="utf-8")
    made = attune(
        "transcript", "import", str(path), "--redact", "--caregiver", "Ruth Evans",
        "--title", "Third session with Tomasz",
    ).stdout.strip()  # fmt: skip
    data = attune.json("transcript", "analyze", made)
    assert data["title"] == "Third session with [Client A]"
    assert data["turns"][0]["text"] == "Hi [Client A], can you hear me?"
    kept = attune("transcript", "import", str(path), "--caregiver", "Ruth Evans")
    assert "identifying detail(s) found in the title" in kept.stderr


def test_the_api_answers_with_the_title_kept_and_the_notes(client):
    made = client.post(
        "/api/v1/transcripts",
        data={"redact": "true", "caregiver": "Ruth Evans"},
        files={"file": ("Tomasz Wiśniewski 05.03.2024.vtt", SESSION.encode())},
    ).json()
    assert made["title"].startswith("WebVTT transcript, imported ") and made["redacted"]
    assert "Tomasz" not in json.dumps(made, ensure_ascii=False)
    listed = client.get("/api/v1/transcripts").json()["transcripts"][0]
    assert "Tomasz" not in listed["title"]


# -- Every refusal says what to do ---------------------------------------------------------


@pytest.mark.parametrize(
    "name,text",
    [
        ("a.txt", "no speaker at all\n"),
        ("a.txt", "Client:\nCounsellor: hi\nClient:\n"),
        ("a.vtt", "00:00:01.000 --> 00:00:02.000\nhi\n"),
        ("a.vtt", "WEBVTT\n\n00:00:05.000 --> 00:00:02.000\nA: backwards\n"),
        ("a.vtt", "WEBVTT\n\n00:01.000 -> 00:02.000 --> x\nA: hi\n"),
        ("a.srt", "stray words\n\n1\n00:00:01,000 --> 00:00:02,000\nA: fine\n"),
        ("a.csv", "who,said\nA,hi\n"),
        ("a.csv", "speaker,text\nA,\n"),
        ("a.csv", "speaker,text,start\nA,hi,soon\n"),
        ("a.csv", "speaker,text,start,end\nA\n"),
        ("a.csv", ""),
        ("a.txt", "[00:00.000 --> 00:03.000]  How are you today?\n"),
        ("a.sbv", "0:00:00.599,0:00:04.160\n>> COUNSELLOR: How are you today?\n"),
    ],
)
def test_every_refusal_is_one_sentence_naming_the_file_and_what_to_do(name, text):
    with pytest.raises(FormatError) as refused:
        read_transcript(text, name)
    message = refused.value.message
    assert message.startswith(f"{name}"), message
    assert ";" in message, f"says what is wrong, then what to do: {message}"
    assert message.count(". ") == 0 and not message.endswith("."), message


def test_the_web_page_after_an_import_says_how_the_file_was_read(client):
    """A Word-on-Windows file (Windows-1252) uploaded through the web app: the page the
    import lands on says how it was read, and a reload still says so, adding nothing."""
    text = "Counsellor: How was the week, Zoë?\nClient: Hard – really hard.\n"
    made = client.post(
        "/transcripts",
        data={"redact": "1"},
        files={"file": ("session.txt", text.encode("cp1252"))},
        follow_redirects=False,
    )
    assert made.status_code == 303 and "?read=" in made.headers["location"]
    page = client.get(made.headers["location"]).text
    assert "How the file was read" in page and "1252" in page
    assert "How the file was read" in client.get(made.headers["location"]).text
    assert len(client.get("/api/v1/transcripts").json()["transcripts"]) == 1
