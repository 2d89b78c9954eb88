"""Two people at once: an upload stays in its own session, a bad upload loses nothing.

Each ``gradio_client.Client`` is its own browser session on the live app.
"""

from __future__ import annotations

import pytest

from app_server import running_app

DOCS = "\n".join([
    "Zebras have black and white stripes that confuse biting flies.",
    "Penguins cannot fly but swim fast in cold water.",
    "Owls hunt at night and turn their heads almost all the way round.",
    "Camels store fat in their humps and cross deserts for days.",
])


@pytest.fixture(scope="module")
def url():
    with running_app() as address:
        yield address


def _client(url):
    from gradio_client import Client

    return Client(url, verbose=False)


def _explore(client, corpus_key, query="Which animal has stripes?"):
    return client.predict("qa", "minilm-offline", corpus_key, "", "", True, query, 3, api_name="/explore")


def test_an_upload_is_visible_only_in_its_own_session(url, tmp_path):
    from gradio_client import handle_file
    from gradio_client.exceptions import AppError

    path = tmp_path / "animals.txt"
    path.write_text(DOCS, encoding="utf-8")
    alice, bob = _client(url), _client(url)
    alice.predict(handle_file(str(path)), None, None, api_name="/upload")
    mine = _explore(alice, "upload")
    assert mine[0]["data"][0][5].startswith("Zebras")
    # the server refuses it: not among this session's corpora (or, past that check, no upload here)
    with pytest.raises(AppError, match="not in the list of choices|No corpus uploaded in this session"):
        _explore(bob, "upload")
    theirs = _explore(bob, "python_faq_qa", "How does Python manage memory?")
    assert all(not row[5].startswith("Zebras") for row in theirs[0]["data"])


def test_a_bad_upload_keeps_the_current_corpus(url, tmp_path):
    from gradio_client import handle_file

    good = tmp_path / "animals.txt"
    good.write_text(DOCS, encoding="utf-8")
    bad = tmp_path / "broken.jsonl"
    bad.write_text('{"id": "a", "text": "fine"}\n{"id": "b", "text": \n', encoding="utf-8")
    carol = _client(url)
    carol.predict(handle_file(str(good)), None, None, api_name="/upload")
    refused = carol.predict(handle_file(str(bad)), None, None, api_name="/upload")
    assert any(isinstance(out, str) and out.startswith("⚠") and "line 2" in out for out in refused)
    again = _explore(carol, "upload", "Which bird swims?")
    assert {row[5].split()[0] for row in again[0]["data"]} <= {"Zebras", "Penguins", "Owls", "Camels"}


def test_one_session_typing_does_not_cancel_another_sessions_corpus_job(url):
    """B's edits supersede B's own older work only: A's document edit still gets its ranking."""
    import threading
    import uuid

    alice, bob = _client(url), _client(url)
    _explore(bob, "python_faq_qa", "How do I sort a list?")  # Bob's documents are embedded before
    result = {}

    def alice_edits_documents():  # a never-seen document instruction: the 300 articles are embedded again
        result["alice"] = alice.predict("docsim", "minilm-offline", "lee_news", "",
                                        f"news article {uuid.uuid4().hex[:8]}: ", True,
                                        "Australian troops in East Timor", 3, api_name="/explore")

    job = threading.Thread(target=alice_edits_documents)
    job.start()
    typed = 0
    while job.is_alive() or typed == 0:
        bob.predict("qa", "minilm-offline", "python_faq_qa", f"Find the answer {typed}: ", "", True,
                    "How do I sort a list?", 3, api_name="/explore")
        typed += 1
    job.join()
    assert typed > 1
    assert result["alice"][0] is not None and len(result["alice"][0]["data"]) == 3
