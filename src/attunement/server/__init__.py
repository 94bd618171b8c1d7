"""The team server: a training programme's shared space where a trainee shares chosen,
redacted reflections with a named supervisor, who reads, comments and signs off.

The local journal stays the private source of truth; the server only ever holds what its
owner chose to share, for as long as they chose, and deletes it when they revoke it or it
expires. One concept per module:

- ``config``: where the database is, which proxy is trusted, how long sessions last
- ``schema`` and ``migrations``: the server's own tables and their Alembic history
- ``db``: opening the database (SQLite embedded, or PostgreSQL) and bringing it up to date
- ``passwords``, ``accounts``, ``sessions``, ``ratelimit``: people, sign-in and sessions
- ``authz``: who may see what (the one place a share is looked up for a person)
- ``sharing``, ``reviews``: shares and their revisions; comments and sign-offs
- ``audit``: the append-only log (actor, object, time, outcome; never content)
- ``app``, ``api``, ``pages``, ``http``: the FastAPI application, its JSON API, its pages
- ``client``, ``outgoing``: what the local app uses to send what its owner chose
"""
