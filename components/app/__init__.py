"""The app shell: the Gradio page, its handlers, the server and the start-up work.

This is the one package under ``components`` that imports gradio (and only
its page modules do). ``page`` assembles the page from the parts in
``parts`` and wires the handlers of ``explore`` (the rankings), ``controls``
(pickers, reset, lessons, links) and ``tab_handlers`` (measure, export,
upload); ``user_errors`` turns a ``LensError`` into the message a person
sees; ``values`` reads the page's values into plain objects (no gradio);
``server`` builds and launches the app; ``warmup`` is its background
start-up work. The logic all of them call lives in the flat modules of
``components``. Importing this package loads nothing.
"""
