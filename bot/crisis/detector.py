"""Crisis detector: hand rules and a learned model (:mod:`bot.crisis.model`) that cover each other's misses.

Offline, CPU only, no download. The rules normalise a message (:mod:`bot.crisis.normalize`), splits it into
clauses on sentence punctuation and "but", and runs weighted regular expressions
by category (:mod:`bot.crisis.patterns`). Each match can be cancelled by guards
scoped to its clause: a negation right before it, a story from the distant past,
a joke with no seriousness marker, or resource/media talk. Signals that are not
risks on their own (a time like "tonight", resolve like "already decided", a
means like "pills", a goodbye like "love yall") upgrade an active mention of
suicide to ``imminent``.

The detector never logs, stores or returns the text it is given.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.crisis import patterns as _p
from bot.crisis._gate import Gate, GateIndex, LiteralFinder, required_gate, required_literals
from bot.crisis.model import RiskModel, load_model
from bot.crisis.normalize import has_foreign_space, normalize, token_view

__all__ = ["Assessment", "CrisisDetector", "Severity"]


class Severity(enum.StrEnum):
    """How urgent a message is. Compare with :attr:`rank`, not with string order."""

    NONE = "none"
    CONCERN = "concern"
    IMMINENT = "imminent"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK: dict[Severity, int] = {Severity.NONE: 0, Severity.CONCERN: 1, Severity.IMMINENT: 2}
_BY_LEVEL: dict[int, Severity] = {0: Severity.NONE, 1: Severity.CONCERN, 2: Severity.IMMINENT}


@dataclass(frozen=True, slots=True)
class Assessment:
    """The result of screening one message. Holds no text."""

    severity: Severity
    categories: tuple[str, ...]

    @property
    def is_risk(self) -> bool:
        return self.severity is not Severity.NONE


_NO_RISK = Assessment(Severity.NONE, ())

# An active mention framed as a thought ("thinking about ending it") is ideation, not intent.
_IDEATION_BEFORE = re.compile(
    r"\b(?:think\w*|thought\w*|dream\w*|fantasi\w*|urges?|scared|afraid|intrusive|ideation)\s+"
    r"(?:[a-z]+\s+){0,3}$"
)
_SPANISH = re.compile(
    r"\b(?:quiero|estoy|voy|puedo|tengo|todo|todos|nadie|vida|morir|noche|manana|pastillas|"
    r"cansad[oa]|ya\s+no|por\s+favor|mi\s+hija|mi\s+hijo|me\s+tome)\b"
)
_KEEP_IMMINENT_FOR_THIRD = frozenset({"attempt_in_progress", "overdose"})
_JOKE_GATE: tuple[str, ...] = ("lo", "lm", "ha", "jk", "joking", "kidding", "rofl", "😂", "🤣", "💀", "😭", "😆")
_PAST_GATE = required_literals(_p.PAST)
# (rule, gate) - a rule runs only when the message holds the literals its gate needs (see _gate.py);
# a gate of None means "always run". Exact: a skipped rule could not have matched.
_GATED_RULES: tuple[tuple[_p.Rule, Gate | None], ...] = tuple((rule, required_gate(rule.regex)) for rule in _p.RULES)


def _decisive(rule: _p.Rule) -> bool:
    """Whether a match of ``rule`` can make a message a risk on its own or as the anchor of a combination.

    Concern and imminent rules set a level. Of the signals, combinations need an active mention
    (timing, intent, means) or a goodbye (goodbye); time, resolve and means signals never count alone.
    """
    return rule.level > _p.SIGNAL or rule.category in ("sig_active", "sig_bye")


_UNSAFE = "\x00unsafe"  # marks a token without a view; never a literal (normalised text is never searched for it)
_UNSAFE_SET = frozenset({_UNSAFE})
_EMPTY: frozenset[str] = frozenset()


class _RuleSelector:
    """Picks, per message, the rules whose gates it opens (exactly those; see :class:`GateIndex`).

    Results are cached by the set of literals found, which repeats a lot across chat messages: the cache holds
    literal sets and rule tuples, never text.
    """

    __slots__ = (
        "_cache", "_dec_cache", "_dec_finder", "_dec_index", "_finder", "_index", "_piece_finder", "_piece_lits",
        "_rules", "_tokens", "gated",
    )

    _CACHE_SIZE = 8192
    _TOKEN_CACHE_SIZE = 65536

    def __init__(self, gated: tuple[tuple[_p.Rule, Gate | None], ...]) -> None:
        self.gated = gated
        self._rules = tuple(rule for rule, _g in gated)
        self._index = GateIndex([g for _r, g in gated])
        self._finder = LiteralFinder(self._index.literals)
        self._cache: dict[frozenset[str], tuple[tuple[_p.Rule, ...], bool]] = {}
        # Fast path (see :meth:`surely_none`): the gates of the decisive rules only.
        self._dec_index = GateIndex([g for r, g in gated if _decisive(r)])
        literals = self._dec_index.literals
        self._dec_finder = LiteralFinder(literals)
        # A literal with whitespace inside can span tokens; each of its whitespace-free pieces then lies inside one
        # token. Such a literal counts as present when any of its pieces is in any token (a superset: safe).
        piece_lits: dict[str, set[str]] = {}
        for lit in literals:
            pieces = lit.split()
            if not pieces:
                raise ValueError("a gate literal made of whitespace only")
            if pieces != [lit]:
                for piece in pieces:
                    piece_lits.setdefault(piece, set()).add(lit)
        self._piece_lits = {piece: frozenset(lits) for piece, lits in piece_lits.items()}
        self._piece_finder = LiteralFinder(self._piece_lits)
        self._dec_cache: dict[frozenset[str], bool] = {}
        self._tokens: dict[str, frozenset[str]] = {}

    def _token_literals(self, token: str) -> frozenset[str]:
        view = token_view(token)
        if view is None:
            return _UNSAFE_SET
        found = self._dec_finder(view)
        for piece in self._piece_finder(view):
            found |= self._piece_lits[piece]
        return found

    def surely_none(self, text: str) -> bool:
        """True only when no decisive rule can open on ``normalize(text)``, so the answer is "none".

        Decided word by word: every token must have a view (:func:`token_view`, which proves that
        ``normalize(text)`` is the tokens' views joined by whitespace); the literals of decisive gates found in the
        views (plus every literal spanning whitespace one of whose pieces is in a view) are a superset of those in
        ``normalize(text)``, and gates only open more with more literals. Per-token results are cached (single
        words, bounded); the per-set answer is cached by literal set.
        """
        if has_foreign_space(text):
            return False
        tokens = text.split()
        known = self._tokens
        try:
            present = _EMPTY.union(*map(known.__getitem__, tokens))
        except KeyError:
            if len(known) >= self._TOKEN_CACHE_SIZE:
                known.clear()
            present = _EMPTY
            for token in tokens:
                lits = known.get(token)
                if lits is None:
                    lits = known[token] = self._token_literals(token)
                present = present | lits
        if _UNSAFE in present:
            return False
        closed = self._dec_cache.get(present)
        if closed is None:
            closed = not self._dec_index.open_items(present)
            if len(self._dec_cache) >= self._CACHE_SIZE:
                self._dec_cache.clear()
            self._dec_cache[present] = closed
        return closed

    def select(self, norm: str) -> tuple[tuple[_p.Rule, ...], bool]:
        """(rules to run in order, whether any of them is decisive)."""
        key = self._finder.longest(norm)
        hit = self._cache.get(key)
        if hit is None:
            rules = tuple(self._rules[i] for i in self._index.open_items(self._finder.expand(key)))
            hit = (rules, any(_decisive(r) for r in rules))
            if len(self._cache) >= self._CACHE_SIZE:
                self._cache.clear()
            self._cache[key] = hit
        return hit


_SELECTOR = _RuleSelector(_GATED_RULES)


def _selector() -> _RuleSelector:
    global _SELECTOR
    if _SELECTOR.gated is not _GATED_RULES:  # the gate table was replaced (tests compare against no gates)
        _SELECTOR = _RuleSelector(_GATED_RULES)
    return _SELECTOR


class CrisisDetector:
    """Screens chat messages for suicide, self-harm and overdose risk: hand rules plus a learned model.

    Decision table (the model's thresholds and veto floor are chosen by cross-validation in
    :mod:`bot.crisis.train` and stored with its weights):

    ============================  ==========================================================================
    model (p_risk, p_imminent)    result
    ============================  ==========================================================================
    p_risk >= t_risk              at least concern; imminent when p_imminent >= t_imminent
    rules flag, p_risk >= floor   at least the rules' severity (explicit method + intent + time patterns)
    rules flag, p_risk < floor    vetoed: the model is confident the message is ordinary (idioms, stories)
    otherwise                     none
    ============================  ==========================================================================

    A message the model's n-gram gate passes over (most ordinary chat) scores p_risk 0 without the sentence
    encoder, unless the rules flagged it. The result is the higher of the two rows that apply. Categories are the
    rules' categories, then ``"similar to: <kind>"`` from the model when it flagged the message (the kind of risk,
    never the text).

    :meth:`assess_batch` scores several messages in one model call. The model (ONNX session and weights) loads
    lazily on first use; calls must not overlap (the :class:`bot.crisis.screening.Screener` serialises them).
    """

    __slots__ = ("_model", "_use_model")

    def __init__(self, *, use_model: bool = True, model: RiskModel | None = None) -> None:
        self._use_model = use_model
        self._model = model

    @property
    def model(self) -> RiskModel:
        model = self._model
        if model is None:
            model = self._model = load_model()
        return model

    def load(self) -> None:
        """Load the model now (at start) rather than on the first message."""
        if self._use_model:
            self.model.encoder  # noqa: B018 - the property loads the ONNX session

    def assess(self, text: str) -> Assessment:
        """Assess one message. Never logs or keeps ``text``."""
        return self.assess_batch([text])[0]

    def assess_batch(self, texts: Sequence[str]) -> list[Assessment]:
        """Assess several messages at once (one model call). Never logs or keeps the texts."""
        rules = [self.assess_rules(t) for t in texts]
        if not self._use_model or not texts:
            return rules
        model = self.model
        out = []
        scores = model.score(texts, force=[r.is_risk for r in rules])
        for rule, score in zip(rules, scores, strict=True):
            rule_rank = rule.severity.rank if score.p_risk >= model.veto_floor else 0
            level = max(score.level, rule_rank)
            if level == 0:
                out.append(_NO_RISK)
                continue
            cats = list(rule.categories) if rule_rank else []
            if score.level:
                cats.append(f"similar to: {score.similar_to}")
            out.append(Assessment(_BY_LEVEL[level], tuple(cats)))
        return out

    def may_be_urgent(self, text: str) -> bool:
        """Whether a hand rule could flag ``text`` (substring gates only, microseconds). The screener scores such
        messages first when many are waiting, so a crisis message never queues behind a burst of ordinary chat."""
        return not _selector().surely_none(text)

    def assess_rules(self, text: str) -> Assessment:
        """The rule result alone (no learned backstop). Never logs or keeps ``text``."""
        selector = _selector()
        # Fastest pass, word by word on the raw text: most chat provably opens no rule that could flag it.
        if selector.surely_none(text):
            return _NO_RISK
        norm = normalize(text)
        if not norm:
            return _NO_RISK
        # Cheap first pass: the rules whose gates the message can open. Most chat opens no rule that could
        # make it a risk, and then the answer is "none" without running a single rule regex.
        rules, decisive = selector.select(norm)
        if not decisive:
            return _NO_RISK
        joke = (
            any(j in norm for j in _JOKE_GATE)
            and _p.JOKE.search(norm) is not None
            and _p.SERIOUS.search(norm) is None
        )

        # Message-level guards: a clinician's question answered "no" in the next sentence, and a goodbye that is
        # plainly temporary ("see you all in september", "going into hospital for my knee").
        reported_no = "ask" in norm and _p.REPORTED_NO.search(norm) is not None
        temporary_bye = _p.TEMPORARY_BYE.search(norm) is not None
        levels: dict[str, int] = {}
        signals: dict[str, list[int]] = {}
        concern_at: list[int] = []
        index = 0
        for clause in _p.CLAUSE_SPLIT.split(norm):
            clause = clause.strip()
            if not clause:
                continue
            if reported_no and "ask" in clause:
                index += 1
                continue
            if _scan_clause(clause, joke, rules, levels, signals, index):
                concern_at.append(index)
            index += 1

        # Combinations, within a window of neighbouring clauses so long posts do not pair up
        # words that are paragraphs apart: an active mention plus a time, resolve or means is imminent.
        active = signals.get("sig_active", [])
        if _near(active, signals.get("sig_soon", []), 1):
            levels["timing"] = 2
        if _near(active, signals.get("sig_resolve", []), 2):
            levels["intent"] = 2
        if _near(active, signals.get("sig_means", []), 1):
            levels["means"] = 2
        byes = [] if temporary_bye else signals.get("sig_bye", [])
        if byes and (
            _near(byes, active, 2)
            or _near(byes, signals.get("sig_resolve", []), 2)
            or any(b != c and abs(b - c) <= 2 for b in byes for c in byes)
            or len(byes) != len(set(byes))
            or _near(byes, concern_at, 2)
        ):
            levels["goodbye"] = 2

        if temporary_bye:
            levels.pop("goodbye", None)
        if not levels:
            return _NO_RISK

        # Someone reporting about another person: concern, unless an attempt is in progress.
        if "third_party" in levels or _p.REPORTER.search(norm) is not None:
            if any(levels.get(c, 0) == 2 for c in _KEEP_IMMINENT_FOR_THIRD):
                levels = {c: v for c, v in levels.items() if v < 2 or c in _KEEP_IMMINENT_FOR_THIRD}
            else:
                levels = {c: min(v, 1) for c, v in levels.items()}
            levels["third_party"] = 1

        top = max(levels.values())
        ordered = sorted(levels, key=lambda c: -levels[c])
        cats = [c for c in ordered if levels[c] == top] + [c for c in ordered if levels[c] != top]
        if _SPANISH.search(norm) is not None:
            cats.append("spanish")
        return Assessment(_BY_LEVEL[top], tuple(cats))


def _near(a: list[int], b: list[int], window: int) -> bool:
    return any(abs(i - j) <= window for i in a for j in b)


def _scan_clause(
    clause: str,
    joke: bool,
    rules: tuple[_p.Rule, ...],
    levels: dict[str, int],
    signals: dict[str, list[int]],
    index: int,
) -> bool:
    """Scan one clause; record hits in ``levels`` and signal positions in ``signals``.

    Returns True when the clause itself holds a concern-or-higher hit.
    """
    past = (_PAST_GATE is None or any(g in clause for g in _PAST_GATE)) and _p.PAST.search(clause) is not None
    res = _p.RESOURCE.search(clause) is not None
    if "ask" in clause and _p.REPORTED_NO.search(clause) is not None:
        return False
    addressed = "you" in clause and _p.ADDRESSED.search(clause) is not None
    found = False
    for rule in rules:
        guards = rule.guards
        if (
            (past and "past" in guards)
            or (res and "res" in guards)
            or (joke and "joke" in guards)
            or (addressed and "you" in guards)
        ):
            continue
        for m in rule.regex.finditer(clause):
            start = m.start()
            if "neg" in guards and _p.NEGATION_BEFORE.search(clause, 0, start) is not None:
                continue
            if rule.level == _p.SIGNAL:
                if rule.category == "sig_active" and _IDEATION_BEFORE.search(clause, 0, start) is not None:
                    continue
                signals.setdefault(rule.category, []).append(index)
                if rule.category != "sig_bye":
                    break
                continue
            if levels.get(rule.category, -1) < rule.level:
                levels[rule.category] = rule.level
            found = True
            break
    return found
