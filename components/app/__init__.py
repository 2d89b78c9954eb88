"""The app shell: the Gradio page, the server and the start-up work (the one package that imports gradio)."""
