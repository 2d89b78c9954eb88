"""The app's teaching prose, in one place (Markdown strings): the intro, About, and what each tab does."""

INTRO = """\
## Instruction Lens
See what a task instruction does to a text embedding: edit the instructions and compare the ranking
**with** them to the same model with **no instruction at all**; the map shows how each vector moved.
"""

ABOUT = """\
### What is a task instruction?
Task-aware embedding models are trained with a short text in front of the input that says
what the embedding is for: E5 uses `query: ` and `passage: `; INSTRUCTOR uses sentences like
*Represent the Python question for retrieving supporting answers:*; e5-instruct uses
`Instruct: {task}\\nQuery: ` on the query side only; BGE puts *Represent this sentence for
searching relevant passages:* before short queries.

### Symmetric and asymmetric tasks
When both sides are the same kind of text (two questions, two articles) the same instruction
goes on both: the task is **symmetric**. When a short question looks for a long answer, or a
description for code, each side gets its own instruction: the task is **asymmetric**.

### Pooling the instruction or not
A sentence embedding is usually the mean of the token vectors. INSTRUCTOR leaves the
instruction's tokens out of that mean: they still shape every other token through attention,
but do not count themselves. The switch *include the instruction in the pooled mean* flips this
for any model (in sentence-transformers the first special token then counts as part of the
instruction).

### Reading the map
Positions come from one UMAP fitted on the document vectors with no instruction, so the frame
stays still while you type. A vector with instructions is placed at the weighted mean position of
its nearest documents without instruction, and each document's line runs from its own place by
as much as that placement changed. A long line means the instructions changed which documents a
text sits near; a short line means its neighbourhood held. A prefix that moves every vector alike
(E5's `passage: `) keeps every neighbourhood and so draws short lines; the title reports such a
shift as the mean cosine between each document with and without the instruction.

### Use it from Python
The same retrieval works in a notebook or a RAG pipeline: `from components import TaskAwareRAG`,
then `rag = TaskAwareRAG("e5-small-offline")`, `rag.index(texts, task="qa")` and
`rag.retrieve(question, k=5)`. Each task gives the model's default instructions, which you can
override per call; `rag.compare(question)` shows the ranking with and without them, and how far
each document moved. The README has a runnable example.
"""

MEASURE_INTRO = (
    "nDCG, MRR and Recall at k over the corpus's labelled queries, computed as MTEB "
    "and BEIR do (trec_eval), for the model and instructions above, against the same "
    "model with no instruction. After the first run it follows your edits.")

# the page adds the upload limits (components.uploads.limits_sentence)
UPLOAD_INTRO = (
    "Bring your own corpus: **plain text** (one document per line), **CSV** with a "
    "`text` column (optional `id`, `title`), or **JSONL** (`id`, `text`, optional "
    "`title`). Labelled queries are optional: BEIR `queries.jsonl` + `qrels.tsv`, or a "
    "CSV with `query` and `doc_id` columns (optional `score`). The corpus stays in this "
    "session; the files are deleted from the server once read.")

EXPORT_INTRO = (
    "Download the whole ranking (with and without instructions) as CSV, and copy the "
    "instructions as a sentence-transformers `prompts` block for a model folder's "
    "`config_sentence_transformers.json`.")
