"""Reword a question by seeded rules, for the similar-question target of an FAQ pair.

A rewording keeps the question's meaning and changes its wording; no model
and no thesaurus, only these rules, applied with a ``random.Random`` seeded
by the seed and the question (so the same seed gives the same rewording, in
any process):

1. Interrogative frame. "How do/can/should I X?" and "How to X?" become one
   of "How can I X?", "How do I X?", "What is the way to X?", "Is there a way
   to X?", "X: how?" or "how to X"; "Can I X?" / "Is it possible to X?"
   swap with each other and "Is there a way to X?"; "What is X?" ↔ "What's
   X?" ↔ "Could you tell me what X is?" (likewise "What are X?").
2. Synonyms: one or two words from two small hand-written tables of
   meaning-preserving swaps: nouns and adjectives anywhere ("problem" →
   "issue", "fast" → "quick"), verbs only right after a subject or modal
   ("I use" → "I make use of", "to install" → "to set up"), so that nouns
   such as "support" or "run" are never swapped as if they were verbs.
3. Function words: "the" / "a" / "an" dropped, or a lead-in added
   ("Quick question: ", "Does anyone know: ", "Question: ").
4. Style: lower-cased and without the question mark.

Each rule fires with some probability; if the result still reads the same
as the query (ignoring case and punctuation), the next unused rule is forced,
ending with a leading "I wonder: " if nothing else changed it. The result is
never identical to the query. Rules do not check grammar beyond these frames,
and they do not paraphrase content words outside the table.
"""

from __future__ import annotations

import random
import re

# verbs: swapped only right after a subject or modal ("How do I use" -> "How do I make use of")
VERBS: dict[str, str] = {
    "use": "make use of", "get": "obtain", "create": "make", "remove": "delete", "delete": "remove",
    "install": "set up", "configure": "set up", "find": "locate", "change": "modify", "need": "require",
    "want": "wish", "check": "verify", "run": "execute", "show": "display", "stop": "halt", "start": "begin",
}
# nouns, adjectives and adverbs: swapped anywhere
WORDS: dict[str, str] = {
    "problem": "issue", "problems": "issues", "documentation": "docs", "example": "sample",
    "examples": "samples", "fast": "quick", "faster": "quicker", "slow": "sluggish", "big": "large",
    "possible": "feasible", "program": "application", "programs": "applications", "why": "for what reason",
}
_VERB_CONTEXT = {"i", "you", "we", "one", "to", "can", "do", "does", "should", "would", "could", "will", "not"}
_HOW = re.compile(r"^how (?:do|can|should|would|could) (?:i|you|we|one) (.+?)\?*$|^how to (.+?)\?*$", re.IGNORECASE)
_CAN = re.compile(r"^(?:can|could) (?:i|you|one|we) (.+?)\?*$|^is (?:it|there a way) possible to (.+?)\?*$"
                  r"|^is it possible to (.+?)\?*$", re.IGNORECASE)
_WHAT = re.compile(r"^what (is|are) (.+?)\?*$", re.IGNORECASE)
PREFIXES = ("Quick question: ", "Does anyone know: ", "Question: ")
_ARTICLE = re.compile(r"\b(the|a|an) (?=\w)", re.IGNORECASE)


def _norm(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def _frame(q: str, rng: random.Random) -> str | None:
    m = _HOW.match(q)
    if m:
        x = m.group(1) or m.group(2)
        return rng.choice([f"How can I {x}?", f"How do I {x}?", f"What is the way to {x}?",
                           f"Is there a way to {x}?", f"{x[0].upper() + x[1:]}: how?", f"how to {x}"])
    m = _CAN.match(q)
    if m:
        x = next(g for g in m.groups() if g)
        return rng.choice([f"Is it possible to {x}?", f"Can I {x}?", f"Is there a way to {x}?"])
    m = _WHAT.match(q)
    if m:
        verb, x = m.group(1), m.group(2)
        return rng.choice([f"What{chr(39)}s {x}?" if verb == "is" else f"What're {x}?",
                           f"Could you tell me what {x} {verb}?", f"{x}: what {verb} {'it' if verb == 'is' else 'they'}?"])
    return None


def _swap(tokens: list[str], i: int) -> str | None:
    word = tokens[i].rstrip("?,.")
    prev = tokens[i - 1].lower() if i else ""
    new = WORDS.get(word.lower()) or (VERBS.get(word.lower()) if prev in _VERB_CONTEXT else None)
    if new is None:
        return None
    new = new[0].upper() + new[1:] if word[:1].isupper() else new
    return new + tokens[i][len(word):]


def _synonyms(q: str, rng: random.Random) -> str | None:
    tokens = q.split(" ")
    spots = [i for i in range(len(tokens)) if _swap(tokens, i)]
    if not spots:
        return None
    for i in rng.sample(spots, min(len(spots), rng.choice([1, 2]))):
        tokens[i] = _swap(tokens, i) or tokens[i]
    return " ".join(tokens)


def _function_words(q: str, rng: random.Random) -> str | None:
    if _ARTICLE.search(q) and rng.random() < 0.7:
        return _ARTICLE.sub("", q)
    return rng.choice(PREFIXES) + q[0].lower() + q[1:] if q[1:2].islower() or q[1:2] == " " else None


def _style(q: str, rng: random.Random) -> str:
    return q[0].lower() + q[1:].rstrip("?") if q else q


_RULES = ((_frame, 0.8), (_synonyms, 0.5), (_function_words, 0.3))


def reword(question: str, seed: int = 0) -> str:
    """A rewording of ``question`` (deterministic for a given seed), never identical to it."""
    rng = random.Random(f"{seed}:{question}")
    text = question
    unused = []
    for rule, p in _RULES:
        if rng.random() < p:
            text = rule(text, rng) or text
        else:
            unused.append(rule)
    for rule in unused:
        if _norm(text) != _norm(question):
            break
        text = rule(text, rng) or text
    if _norm(text) == _norm(question):
        text = "I wonder: " + text
    if rng.random() < 0.25:
        text = _style(text, rng)
    return text if text != question else text.rstrip("?") + " ?"
