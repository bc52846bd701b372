"""Short guided forms for a client's record — the treatment plan, a homework assignment —
with their state in the database like the note's: one question per card, Back, a summary,
Edit a field, Save."""
