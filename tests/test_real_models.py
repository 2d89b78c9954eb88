"""Truth from the real packaged models: labelled answers are found, E5's prefixes matter."""

import numpy as np
import pytest

from components.corpora import load_sample
from components.engine import Setting
from components.comparison import compare_settings

OFFLINE = ["minilm-offline", "e5-small-offline"]


@pytest.mark.parametrize("model", OFFLINE)
@pytest.mark.parametrize("corpus,query,answer", [
    ("python_faq_qa", "How does Python manage memory?", "python_faq-d12"),
    ("debian_faq", "how do I figure out which package a file on my disk belongs to", "debian_faq-d70"),
    ("python_stdlib_code", "Decode the Base64 encoded bytes-like object or ASCII string s.", "base64.b64decode"),
])
def test_the_labelled_answer_is_near_the_top(real_engine, model, corpus, query, answer):
    c = load_sample(corpus)
    setting = Setting(model, "query: ", "passage: ")
    ex = real_engine.explore(c, setting, query)
    i = c.ids.index(answer)
    assert ex.baseline.ranks[i] <= 5
    assert ex.instructed.ranks[i] <= 5


def test_e5_prefixes_measurably_change_the_ranking(real_engine):
    corpus = load_sample("python_faq_qa")
    for query in [q.text for q in corpus.queries[:8]]:
        ex = real_engine.explore(corpus, Setting("e5-small-offline", "query: ", "passage: "), query)
        top_i, top_b = ex.instructed.order[:10].tolist(), ex.baseline.order[:10].tolist()
        assert set(top_i) != set(top_b), query  # other documents reach the top 10
        assert float(ex.query @ ex.base_query) < 0.998  # the short query moves more than the passages
    cosines = np.sum(ex.docs * ex.base_docs, axis=1)
    assert np.all(cosines < 0.9999) and float(cosines.mean()) < 0.999  # every passage moved a little


def test_e5_prefixes_help_e5_on_labelled_qa(real_engine):
    corpus = load_sample("python_faq_qa")
    comparison = compare_settings(real_engine, corpus, [Setting("e5-small-offline", "query: ", "passage: ")], k=10)
    base, instructed = comparison.baseline.get("ndcg"), comparison.instructed.get("ndcg")
    assert 0.5 < base < 1 and 0.5 < instructed < 1
    assert instructed > base  # what E5 was trained for helps it, measured on 175 labelled questions


@pytest.mark.parametrize("model", OFFLINE)
def test_mixed_corpus_loads_and_confuses_a_question_with_its_answer(real_engine, model):
    """Without instructions the paraphrased FAQ question comes first; the QA task wants its answer."""
    corpus = load_sample("mixed_kinds").with_task("mixed-qa")
    ex = real_engine.explore(corpus, Setting(model), "How can I sort a hash by its values?")
    question, answer = corpus.ids.index("question/perlfaq-d113"), corpus.ids.index("answer/perlfaq-d113")
    assert ex.relevant == {"answer/perlfaq-d113": 1}
    assert ex.baseline.ranks[question] == 1 < ex.baseline.ranks[answer] <= 10
    kinds = {corpus.documents[int(i)].kind for i in ex.baseline.order[:10]}
    assert {"question", "answer"} <= kinds  # the top 10 mixes kinds


@pytest.mark.parametrize("model", ["minilm-offline", "e5-small-offline", "minilm-instruct-offline"])
def test_no_text_has_more_tokens_than_the_bound_that_spares_loading_a_model(real_engine, model):
    """``token_bound`` decides that a short query needs no truncation note without a tokenizer:
    the real tokenizers never give more tokens than it says."""
    from components.engine import token_bound

    enc = real_engine.encoder(model)
    texts = ["", " ", "a", "é", "  leading and trailing  ", "naïve café — déjà vu", "数据库连接", "😀 🤖 emoji",
             "x" * 300, "a b c d e f g h i j", "\t\n\r", "İstanbul ǅ ß ﬁ", "query: How do I sort a hash?",
             "Represent the Perl question for retrieving the answer: How can I sort a hash by its values?"]
    for text in texts:
        assert enc.count_tokens(text) <= token_bound(text), text
