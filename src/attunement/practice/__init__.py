"""Deliberate practice of attuned responses: vignettes, feedback on each response, stored
attempts, progress per dimension, and weak themes brought back more often."""
