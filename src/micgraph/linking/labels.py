"""Labels as link discovery compares them: normalised, transliterated, tokenised, weighted and scored.

A label becomes a `Form`:
- its Latin tokens: the text in Unicode NFKC, case-folded, Chinese characters written in pinyin without tones
  (PyPI `pypinyin`, one token per word), every other script transliterated to ASCII (PyPI `unidecode`),
  accents dropped, dotted abbreviations closed up (e.V. -> ev), apostrophes removed (Xi'an -> xian), other
  punctuation a space, British spellings American (centre -> center), and a leading St/Ste/Mt/Ft spelt out
  (St. Paul -> saint paul);
- its Han tokens, when it has Chinese characters: the characters themselves, cut at the generic words
  (北京市 -> 北京 | 市), so that two Chinese labels compare as Chinese, not through their pinyin (苏州 and
  宿州 are both "suzhou");
- its script (LATIN, CJK, CYRILLIC, ...): a comparison across scripts goes through a transliteration and is
  worth `CROSS_SCRIPT` of one within a script.

Generic words (city, province, 市, 省, national, innovation, center, Co., Ltd., GmbH, e.V. ...) are kept and
weighted `GENERIC_WEIGHT`: "National Power Battery Innovation Center" and "National Robotics Innovation
Center" share three words but only 0.6 of weight, so they stay apart, while "Beijing" and "Beijing City" still
come close (0.91) without being the same (1.0).

`similarity(a, b)` is a weighted Dice coefficient of the two token lists: tokens are paired greedily, each
pair worth its token similarity (1 if equal; else 1 - Levenshtein distance / length when that is >= 0.8
and both tokens have 4 or more characters; for Chinese, the Dice coefficient of their characters when
>= 0.8) times the two tokens' weights; the sum is divided by the total weight of both lists. Labels that
are equal once their tokens are joined (saint paul / saintpaul) score 1. It is symmetric, in [0, 1], and 1
for labels with the same normal form.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from ..errors import UsageError

GENERIC_WEIGHT = 0.2
CROSS_SCRIPT = 0.9
TOKEN_MATCH = 0.8  # the least similarity at which two different tokens count as a (partial) match

# Words that say what kind of thing a name names rather than which one. Pinyin of the Chinese generic words
# is listed too, so 北京市 (beijing | shi) and "Beijing Shi" agree on what is generic.
LATIN_GENERIC = frozenset(
    [
        "city",
        "municipality",
        "province",
        "provincial",
        "state",
        "county",
        "town",
        "township",
        "district",
        "region",
        "regional",
        "autonomous",
        "prefecture",
        "metropolitan",
        "special",
        "administrative",
        "area",
        "village",
        "borough",
        "shi",
        "sheng",
        "zizhiqu",
        "zizhizhou",
        "qu",
        "zhen",
        "xiang",
        "diqu",
        "of",
        "the",
        "and",
        "for",
        "at",
        "in",
        "on",
        "de",
        "du",
        "des",
        "la",
        "le",
        "les",
        "di",
        "da",
        "del",
        "der",
        "die",
        "das",
        "und",
        "fur",
        "von",
        "zu",
        "national",
        "international",
        "innovation",
        "center",
        "centre",
        "institute",
        "institut",
        "institution",
        "research",
        "development",
        "manufacturing",
        "technology",
        "technologies",
        "laboratory",
        "lab",
        "academy",
        "university",
        "college",
        "school",
        "co",
        "company",
        "corp",
        "corporation",
        "inc",
        "incorporated",
        "ltd",
        "limited",
        "llc",
        "plc",
        "gmbh",
        "ag",
        "ev",
        "sa",
        "srl",
        "bv",
        "nv",
        "kg",
        "group",
        "holding",
        "holdings",
        "association",
        "society",
        "gesellschaft",
        "foundation",
        "organisation",
        "organization",
    ]
)
# Longest first, so that 有限公司 is cut before 公司 and 创新中心 before 中心.
HAN_GENERIC = tuple(
    sorted(
        [
            "市",
            "省",
            "自治区",
            "特别行政区",
            "自治州",
            "地区",
            "县",
            "区",
            "镇",
            "乡",
            "村",
            "盟",
            "旗",
            "国家",
            "中国",
            "全国",
            "创新中心",
            "创新",
            "中心",
            "研究院",
            "研究所",
            "研究中心",
            "有限公司",
            "有限责任公司",
            "股份有限公司",
            "股份",
            "公司",
            "集团",
            "控股",
            "制造业",
            "制造",
            "大学",
            "学院",
            "协会",
            "学会",
            "基金会",
            "实验室",
        ],
        key=lambda w: (-len(w), w),
    )
)
HAN_GENERIC_SET = frozenset(HAN_GENERIC)
LEADING_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "mt": "mount", "ft": "fort"}
SPELLINGS = {
    "centre": "center",
    "centres": "centers",
    "organisation": "organization",
    "organisations": "organizations",
    "programme": "program",
    "programmes": "programs",
    "defence": "defense",
    "labour": "labor",
}  # British -> American, so that both spellings agree

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff"
_HAN_RUN = re.compile(f"[{_HAN}]+")
_APOSTROPHES = re.compile(r"['`\u2018\u2019\u02bb\u02bc\u02b9]")
_DOTTED = re.compile(r"\b(?:[a-z0-9]\. ?){2,}")
_NOT_WORD = re.compile(r"[^a-z0-9]+")

EXTRA_MESSAGE = (
    "link discovery needs the optional extra 'links' (pypinyin for Chinese, unidecode for other "
    "scripts): pip install 'micgraph[links]'"
)


def require_transliteration() -> None:
    """Raise a UsageError naming the extra to install when pypinyin or unidecode is missing."""
    try:
        import pypinyin  # noqa: F401
        import unidecode  # noqa: F401
    except ImportError as exc:
        raise UsageError(EXTRA_MESSAGE) from exc


@functools.cache
def _pinyin():
    from pypinyin import lazy_pinyin

    return lazy_pinyin


@functools.cache
def _unidecode():
    from unidecode import unidecode

    return unidecode


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())


def han_tokens(text: str) -> list[tuple[str, bool]]:
    """The Chinese words of `text` as (characters, generic?), cut at the generic words."""
    tokens: list[tuple[str, bool]] = []
    for run in _HAN_RUN.findall(_fold(text)):
        start = position = 0
        while position < len(run):
            word = next((w for w in HAN_GENERIC if run.startswith(w, position)), None)
            if word is None:
                position += 1
                continue
            if position > start:
                tokens.append((run[start:position], False))
            tokens.append((word, True))
            position += len(word)
            start = position
        if start < len(run):
            tokens.append((run[start:], False))
    return tokens


def _latin(text: str) -> str:
    """`text` in lowercase ASCII letters, digits and single spaces (before abbreviations are spelt out)."""
    folded = _fold(text)
    if folded.isascii():
        return _ascii_words(folded.lower())
    parts = []
    position = 0
    for match in _HAN_RUN.finditer(folded):
        parts.append(_unidecode()(folded[position : match.start()]))
        parts.extend(f" {''.join(_pinyin()(word))} " for word, _ in han_tokens(match.group()))
        position = match.end()
    parts.append(_unidecode()(folded[position:]))
    return _ascii_words("".join(parts).lower())


def _ascii_words(ascii_text: str) -> str:
    ascii_text = _DOTTED.sub(
        lambda m: m.group().replace(".", "").replace(" ", "") + " ", _APOSTROPHES.sub("", ascii_text)
    )
    return " ".join(_NOT_WORD.sub(" ", ascii_text).split())


def normalise(text: str) -> str:
    """The Latin normal form of a label: what two labels must share to count as the same name.

    Idempotent: normalise(normalise(x)) == normalise(x)."""
    tokens = [SPELLINGS.get(t, t) for t in _latin(text).split()]
    if tokens and tokens[0] in LEADING_ABBREVIATIONS and len(tokens) > 1:
        tokens[0] = LEADING_ABBREVIATIONS[tokens[0]]
    return " ".join(tokens)


def script_of(text: str) -> str:
    """LATIN when every letter is Latin (or there is none), else the script of the first other letter
    (CJK for Chinese characters, CYRILLIC, GREEK, ARABIC ...)."""
    for char in text:
        if char.isalpha() and not ("a" <= char.lower() <= "z"):
            name = unicodedata.name(char, "")
            script = name.split(" ")[0] if name else "OTHER"
            if script != "LATIN":
                return script
    return "LATIN"


@dataclass(frozen=True)
class Form:
    """A label ready for comparison (see the module docstring)."""

    text: str
    script: str
    tokens: tuple[str, ...]
    generic: tuple[bool, ...]
    han: tuple[str, ...]
    han_generic: tuple[bool, ...]
    keys: frozenset[str]

    @property
    def joined(self) -> str:
        return "".join(self.tokens)


def blocking_keys(
    tokens: tuple[str, ...], generic: tuple[bool, ...], han: tuple[str, ...], han_generic: tuple[bool, ...]
) -> frozenset[str]:
    """The keys under which a label meets the labels it may match: its distinctive tokens, the first four
    letters of the longer ones (a typo further on still meets), all of it joined up (xi an / xian), and its
    Chinese words. A label with no distinctive token uses its generic ones."""
    joined = "".join(tokens)
    keys = {f"j:{joined}"} if joined else set()
    for token in [t for t, g in zip(tokens, generic) if not g] or tokens:
        keys.add(f"t:{token}")
        if len(token) >= 5:
            keys.add(f"p:{token[:4]}")
    if han:
        keys.add(f"h:{''.join(han)}")
        keys.update(f"h:{t}" for t, g in zip(han, han_generic) if not g)
    return frozenset(keys)


@functools.cache
def _generic_words() -> frozenset[str]:
    """LATIN_GENERIC and the pinyin of HAN_GENERIC (创新中心 -> chuangxinzhongxin)."""
    return LATIN_GENERIC | {"".join(_pinyin()(word)) for word in HAN_GENERIC}


@functools.lru_cache(maxsize=65536)
def form(text: str) -> Form:
    folded = _fold(text)
    tokens = tuple(normalise(text).split())
    han = han_tokens(text) if not folded.isascii() else []
    generic = _generic_words()
    flags = tuple(t in generic for t in tokens)
    han_words, han_flags = tuple(t for t, _ in han), tuple(g for _, g in han)
    return Form(
        text,
        "LATIN" if folded.isascii() else script_of(folded),
        tokens,
        flags,
        han_words,
        han_flags,
        blocking_keys(tokens, flags, han_words, han_flags),
    )


def _levenshtein(a: str, b: str) -> int:
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def _latin_token_similarity(a: str, b: str) -> float:
    if a == b:
        return 1.0
    if min(len(a), len(b)) < 4 or abs(len(a) - len(b)) > max(len(a), len(b)) * (1 - TOKEN_MATCH):
        return 0.0
    ratio = 1 - _levenshtein(a, b) / max(len(a), len(b))
    return ratio if ratio >= TOKEN_MATCH else 0.0


def _han_token_similarity(a: str, b: str) -> float:
    if a == b:
        return 1.0
    if min(len(a), len(b)) < 2:
        return 0.0
    shared = len(set(a) & set(b))
    ratio = 2 * shared / (len(set(a)) + len(set(b)))
    return ratio if ratio >= TOKEN_MATCH else 0.0


def _weighted_dice(
    a: tuple[str, ...], a_generic: tuple[bool, ...], b: tuple[str, ...], b_generic: tuple[bool, ...], token_similarity
) -> float:
    if not a or not b:
        return 0.0
    if a == b or "".join(a) == "".join(b):
        return 1.0
    weight_a = [GENERIC_WEIGHT if g else 1.0 for g in a_generic]
    weight_b = [GENERIC_WEIGHT if g else 1.0 for g in b_generic]
    pairs = []
    for i, ta in enumerate(a):
        for j, tb in enumerate(b):
            s = token_similarity(ta, tb)
            if s:
                pairs.append((-s * (weight_a[i] + weight_b[j]), i, j, s))
    pairs.sort()
    used_a: set[int] = set()
    used_b: set[int] = set()
    shared = 0.0
    for _, i, j, s in pairs:
        if i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
            shared += s * (weight_a[i] + weight_b[j])
    return min(1.0, shared / (sum(weight_a) + sum(weight_b)))


def han_similarity(a: Form, b: Form) -> float:
    """How alike two labels' Chinese words are (0 when either has none)."""
    return _weighted_dice(a.han, a.han_generic, b.han, b.han_generic, _han_token_similarity)


def similarity(a: Form, b: Form) -> float:
    """How alike two labels are, in [0, 1]: in Chinese characters when both have them, else in their Latin
    forms, worth CROSS_SCRIPT when the two are written in different scripts."""
    if a.han and b.han:
        return han_similarity(a, b)
    score = _weighted_dice(a.tokens, a.generic, b.tokens, b.generic, _latin_token_similarity)
    return score if a.script == b.script else CROSS_SCRIPT * score
