"""Taking one's practice to supervision: the supervision packet."""
