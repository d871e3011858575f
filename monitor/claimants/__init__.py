"""Who a figure is attributed to, and which outlet the text relays.

Best effort and rule based, for ru, uk and en.  A claimant comes from

* a source phrase: "по словам X", "по данным X", "за даними X", "according to X";
* a speech verb with its subject: "X заявил", "заявил X", "X заявив", "X said",
  "said X", "в Пентагоне заявили";
* a pronoun ("По его данным", "за його словами", "he said"): the last speaker
  named in the sentences before.

A person's name is preferred over their title ("глава ГУР Кирилл Буданов" →
"Кирилл Буданов"), and genitive phrases are put back in the nominative where
pymorphy3 makes that easy ("по словам Зеленского" → "Зеленский").

The relayed outlet comes from "со ссылкой на X", "з посиланням на X", "citing
X", "as reported by X", "в интервью X", or, for the whole article, from a
"Источник:/Джерело:/Source:" line or "Об этом сообщает ... со ссылкой на X".
A news agency named as the claimant ("по данным Reuters") is reported as the
relayed outlet instead.

English subjects are read with a few general rules rather than word lists
alone: a passive ("Pyongyang was said to ...") names no speaker unless an
agent follows ("was estimated by X"); a relative clause is skipped ("The
airline, which ..., said" → "The airline"); a time ("on Monday") is trimmed;
a counted noun ("70% of small firms reported") is not a speaker; "said X" with
no comma needs a capitalised name; "added 15 cents" is not speech.

Speed: the rules engine asks once per matched number.  Everything that does
not depend on the number — tokens, candidates and relays of a sentence, the
speaker a pronoun points back to, the article's "Источник:" line — is worked
out once per text (a small cache keyed on the text), and morphology answers
are cached per word.  A sentence's candidates, clause cuts and relays are also
kept across texts (bounded, keyed on the sentence with its plain numbers read
as 0), so a repeated or re-numbered sentence costs one look-up.  Tokens are
made only when read: a sentence is scanned as strings for speech verbs and
source phrases, and only the words around those become ``_Tok`` objects.

One job per module: tokens, vocabulary, morphology, phrases (noun phrases),
candidates (per sentence), relays, attribution (the public look-up), headlines
and names (canonical names).  Each imports only those before it in that list.
"""

from __future__ import annotations

from .attribution import find_claimant
from .headlines import headline_claimant
from .morphology import speech_word
from .names import Aliases, canonical_name, fold
from .relays import article_relay
from .tokens import Span
from .vocabulary import EN_VERBS, PRONOUNS, SOURCE_PHRASES, SPEECH_VERBS, is_outlet

__all__ = ["EN_VERBS", "PRONOUNS", "SOURCE_PHRASES", "SPEECH_VERBS", "Aliases", "Span",
           "article_relay", "canonical_name", "find_claimant", "fold", "headline_claimant",
           "is_outlet", "speech_word"]
