"""The post-session note: a guided chat whose state and draft live in the database."""
