"""API tests: the live app's ``/explore`` endpoint through ``gradio_client``.

One app server per module (``tests.app_server``, the Hub offline) and the
packaged MiniLM model on the Python FAQ corpus. The tests check the public
contract a script relies on: the endpoint's name and inputs, the two ranking
tables (labelled relevant documents marked, instructed and baseline equal
exactly when there is no instruction), and errors that reach the client as
readable messages: an empty query, and a Hub-only model that cannot be
downloaded here, which must fail at once rather than hang.
"""

from __future__ import annotations

import json
import time

import pytest

from app_server import running_app
from components.models import get_model
from components.tasks import get_task
from components.page_text import TABLE_HEADERS

TASK = "qa"
MODEL = "minilm-offline"
CORPUS = "python_faq_qa"
QUERY = "How does Python manage memory?"
RELEVANT = "python_faq-d12"
K = 10
HUB_ONLY = "e5-small-v2"


@pytest.fixture(scope="module")
def client():
    from gradio_client import Client

    # no warm-up of other corpora: a (model, corpus) pair must still be new when a test asks for it
    with running_app({"INSTRUCTION_LENS_WARM_MODELS": ""}) as url:
        yield Client(url, verbose=False)


def explore(client, q_ins: str, d_ins: str, query: str = QUERY, model: str = MODEL,
            include: bool = True, k: int = K):
    """Call ``/explore``: (instructed table, baseline table, plot, status line)."""
    return client.predict(TASK, model, CORPUS, q_ins, d_ins, include, query, k, api_name="/explore")


def defaults(model: str = MODEL):
    return get_task(TASK).instructions_for(get_model(model))


def ids_and_scores(table: dict) -> list[tuple[str, float]]:
    return [(row[4], row[2]) for row in table["data"]]


def test_explore_is_public_with_the_documented_inputs(client):
    endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert "/explore" in endpoints
    names = [p["parameter_name"] for p in endpoints["/explore"]["parameters"]]
    assert names == ["task_key", "model_key", "corpus_key", "q_ins", "d_ins", "include", "query", "k"]


def test_labelled_query_ranks_its_answer_and_is_marked(client):
    ins = defaults()
    instructed, baseline, plot, status = explore(client, ins.query, ins.document)
    for table in (instructed, baseline):
        assert table["headers"] == TABLE_HEADERS
        assert [row[0] for row in table["data"]] == list(range(1, K + 1))
        scores = [row[2] for row in table["data"]]
        assert scores == sorted(scores, reverse=True)
    top = {row[4]: row for row in baseline["data"]}
    assert RELEVANT in top
    assert top[RELEVANT][3] == "✓"
    assert all(row[3] == "" for row in baseline["data"] if row[4] != RELEVANT)
    assert "First relevant document" in status
    traces = [t["name"] for t in json.loads(plot["plot"])["data"]]
    assert "relevant (labelled)" in traces


def test_instructions_change_the_instructed_ranking_only(client):
    ins = defaults()
    instructed, baseline, _, _ = explore(client, ins.query, ins.document)
    assert ids_and_scores(instructed) != ids_and_scores(baseline)
    # the baseline is the same model with no instruction, whatever the instructions say
    _, baseline_other, _, _ = explore(client, "Represent the question about memory: ", ins.document)
    assert ids_and_scores(baseline_other) == ids_and_scores(baseline)


def test_no_instruction_means_the_same_ranking_twice(client):
    instructed, baseline, _, status = explore(client, "", "")
    assert ids_and_scores(instructed) == ids_and_scores(baseline)
    assert all(row[1] == "=" for row in instructed["data"])
    assert status.startswith(f"0 of the top {K} differ")


@pytest.mark.parametrize("query", ["", "   \n"])
def test_empty_query_is_a_readable_error(client, query):
    from gradio_client.exceptions import AppError

    ins = defaults()
    with pytest.raises(AppError, match="Type a query"):
        explore(client, ins.query, ins.document, query=query)


def test_hub_only_model_fails_fast_offline(client):
    from gradio_client.exceptions import AppError

    ins = defaults(HUB_ONLY)
    start = time.monotonic()
    with pytest.raises(AppError, match="not available here") as err:
        explore(client, ins.query, ins.document, model=HUB_ONLY)
    assert time.monotonic() - start < 5
    assert get_model(HUB_ONLY).source in str(err.value)  # says which model it could not fetch


def test_rankings_arrive_before_a_new_map_is_fitted(client):
    """A (model, corpus) pair with no map yet: the first update carries the rankings and a note."""
    corpus = "debian_faq"  # not the corpus the app warms up with
    job = client.submit("faq", MODEL, corpus, "", "", True, "How do I upgrade Debian?", K,
                        api_name="/explore")
    final = job.result(timeout=600)
    updates = job.outputs()
    assert len(updates) == 2
    first, last = updates
    assert first[0] == last[0] and first[1] == last[1]  # the same rankings, sent before the map
    first_plot = json.dumps(first[2])
    assert "Fitting the map" in first_plot and "relevant (labelled)" not in first_plot
    assert last == final
    traces = [t["name"] for t in json.loads(final[2]["plot"])["data"]]
    assert "documents, no instruction" in traces and "query move" in traces
    again = client.submit("faq", MODEL, corpus, "", "", True, "How do I upgrade Debian?", K,
                          api_name="/explore")
    again.result(timeout=600)
    assert len(again.outputs()) == 1  # the frame is cached: one update with everything


def test_a_corpus_with_kinds_gets_a_kind_column_and_count(client):
    ins = get_task("mixed-qa").instructions_for(get_model(MODEL))
    query = "How can I sort a hash by its values?"
    instructed, baseline, _, status = client.predict("mixed-qa", MODEL, "mixed_kinds", ins.query,
                                                     ins.document, True, query, K, api_name="/explore")
    for table in (instructed, baseline):
        assert table["headers"] == TABLE_HEADERS[:-1] + ["kind", "text"]
        assert all(row[5] in {"question", "answer passage", "function", "documentation paragraph", "definition"}
                   for row in table["data"])
    assert f"Top {K} with instructions: " in status and "; without: " in status
    plain, _, _, _ = explore(client, "", "")  # the next corpus without kinds: the usual columns again
    assert plain["headers"] == TABLE_HEADERS
