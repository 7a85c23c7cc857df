"""``xxgk serve``: a local web page where a drafter uploads a report and reads what to fix.

``command`` is the click command, ``app`` the Starlette application, ``uploads`` the streaming multipart
receiver, ``worker`` the killable worker processes that read and check, ``history`` the SQLite history.
"""
