"""``xxgk annotate``: a copy of a Word draft with every finding as a Word comment on its cell or heading.

``core`` does the job (read, check, write the comments), ``places`` finds each finding's cell or paragraph in
the DOCX body, ``wording`` says it in the findings page's words, ``comments`` writes comments and shading with
python-docx, ``command`` is the click command. Nothing is imported here, so that the CLI starts fast.
"""
