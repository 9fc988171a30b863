"""The punctuation BERT's two heads, played by rules of English over lower-cased words.

For each word: the punctuation that follows it (class 0 none, 1 comma, 2 period, 3 question
mark) and whether its first letter is upper case (class 0 no, 1 yes), as log-probabilities.
A sentence ends at the end of the text, and before a clear question opening (a wh-word then an
auxiliary, or an auxiliary then a personal pronoun) that follows a clause of three or more
words; it is a question when it opens with a wh-word or an auxiliary followed by its subject. A comma follows an opening interjection or discourse word and goes
before "but" after three or more words. Sentence starts, "I" and its contractions, and
weekdays, months and common language and country names are capitalized.
"""

import numpy as np

NONE, COMMA, PERIOD, QUESTION = range(4)
LOWER, UPPER = range(2)
CHOSEN, OTHER = 0.0, -30.0

WH_WORDS = {"what", "who", "whom", "whose", "where", "when", "why", "how", "which"}
AUXILIARIES = {"is", "are", "was", "were", "am", "do", "does", "did", "can", "could", "will", "would",
               "shall", "should", "may", "might", "must", "have", "has", "had", "isn't", "aren't",
               "don't", "doesn't", "didn't", "can't", "couldn't", "won't", "wouldn't", "shouldn't"}
SUBJECTS = {"i", "you", "he", "she", "it", "we", "they", "this", "that", "there", "these", "those",
            "the", "a", "an", "my", "your", "his", "her", "our", "their", "anyone", "someone"}
OPENERS = {"yes", "no", "well", "oh", "okay", "ok", "hello", "hi", "hey", "however", "actually",
           "anyway", "thanks", "sorry", "unfortunately", "meanwhile", "finally"}
PROPER = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january",
          "february", "april", "june", "july", "august", "september", "october", "november",
          "december", "english", "french", "german", "spanish", "italian", "russian", "chinese",
          "japanese", "hindi", "india", "indian", "america", "american", "europe", "european",
          "england", "france", "germany", "spain", "italy", "russia", "china", "japan", "christmas"}
MIN_CLAUSE = 3


PRONOUNS = {"i", "you", "he", "she", "it", "we", "they"}


def _opens_question(words, at):
    word = words[at]
    following = words[at + 1] if at + 1 < len(words) else ""
    return word in WH_WORDS or (word in AUXILIARIES and following in SUBJECTS)


def _opens_question_mid_text(words, at):
    """A question opening clear enough to end the clause before it: a wh-word followed by an
    auxiliary, or an auxiliary followed by a personal pronoun."""
    word, following = words[at], words[at + 1]
    return (word in WH_WORDS and following in AUXILIARIES) or (word in AUXILIARIES and following in PRONOUNS)


def _sentences(words):
    """(start, end) word ranges of the sentences."""
    starts = [0]
    for at in range(1, len(words)):
        if at - starts[-1] >= MIN_CLAUSE and len(words) - at >= 2 and _opens_question_mid_text(words, at) \
                and words[at - 1] not in {"and", "or", "but", "to", "that", "know", "wonder", "ask", "asked",
                                          "tell", "see", "me", "you", "is", "of"}:
            starts.append(at)
    return list(zip(starts, starts[1:] + [len(words)]))


def heads(words):
    """(punctuation log-probabilities [n, 4], capitalization log-probabilities [n, 2])."""
    words = [w.lower() for w in words]
    punct = np.full((len(words), 4), OTHER)
    capit = np.full((len(words), 2), OTHER)
    chosen_punct = [NONE] * len(words)
    chosen_capit = [UPPER if w == "i" or w.startswith("i'") or w in PROPER else LOWER for w in words]
    for start, end in _sentences(words):
        chosen_capit[start] = UPPER
        chosen_punct[end - 1] = QUESTION if _opens_question(words, start) else PERIOD
        if end - start > 1 and words[start] in OPENERS:
            chosen_punct[start] = COMMA
        for at in range(start + MIN_CLAUSE, end):
            if words[at] == "but":
                chosen_punct[at - 1] = COMMA
    punct[np.arange(len(words)), chosen_punct] = CHOSEN
    capit[np.arange(len(words)), chosen_capit] = CHOSEN
    return punct, capit
