"""Documents made from plain data: the progress chart (PNG), the referral letter and the client
record (PDF), and the record as a spreadsheet (CSV).

No Telegram, no database, no event loop: a repository builds the dataclasses in `reports.data`,
a handler awaits a renderer through `reports.render` (in a worker process, `reports.jobs` names
the renders) and sends the bytes. Every renderer builds its own figure or document, so two of
them may run at once in different threads or processes.
"""
