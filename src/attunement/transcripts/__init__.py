"""De-identified session transcripts: read them (plain text, WebVTT, SRT, CSV, AnnoMI's
CSV), code every turn with the analysis models, and summarise the session against MITI
thresholds. Parsing never stores anything; a malformed file is refused whole, naming the
line."""
