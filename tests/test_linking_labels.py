"""Label normalisation and similarity for `links discover`: examples across scripts, and properties that
must hold for any Unicode text (hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from micgraph.linking import labels as lb
from micgraph.linking.discover import Label, Resource, parse_point, score

texts = st.text(max_size=40)
# Letters, CJK, marks, punctuation and spaces, which is where normalisation has work to do.
label_texts = st.text(alphabet=st.characters(categories=("L", "M", "N", "P", "Zs", "S")), max_size=30)
settle = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize(("a", "b", "expected"), [
    ("Xi'an", "Xi’an", 1.0),                        # apostrophes
    ("St. Paul", "Saint Paul", 1.0),                # a leading abbreviation spelt out
    ("München", "MUNCHEN", 1.0),                    # case and accents
    ("ＢＥＩＪＩＮＧ", "Beijing", 1.0),              # NFKC: full-width letters
    ("National Robotics Innovation Centre", "National Robotics Innovation Center", 1.0),  # British spelling
    ("Fraunhofer-Gesellschaft e. V.", "Fraunhofer Gesellschaft e.V.", 1.0),
    ("Saint Paul", "Saintpaul", 1.0),               # the same once joined up
])
def test_variants_of_one_name_are_equal(a, b, expected):
    assert lb.similarity(lb.form(a), lb.form(b)) == expected


def test_generic_words_weigh_little_but_count():
    battery = lb.form("National Power Battery Innovation Center")
    assert lb.similarity(battery, lb.form("National Robotics Innovation Center")) < 0.4
    assert lb.similarity(battery, lb.form("National Innovation Center")) < 0.5
    assert 0.9 < lb.similarity(battery, lb.form("Power Battery Innovation Center")) < 1
    assert 0.9 < lb.similarity(lb.form("Beijing"), lb.form("Beijing City")) < 1
    assert 0.9 < lb.similarity(lb.form("北京"), lb.form("北京市")) < 1  # 市 is generic, not dropped


def test_chinese_labels_compare_as_characters_not_pinyin():
    suzhou, other_suzhou = lb.form("苏州"), lb.form("宿州市")  # both "suzhou" in pinyin
    assert suzhou.tokens == ("suzhou",) and other_suzhou.tokens == ("suzhou", "shi")
    assert lb.similarity(suzhou, other_suzhou) < 0.5
    assert lb.similarity(suzhou, lb.form("苏州市")) > 0.9


def test_across_scripts_through_transliteration():
    assert lb.similarity(lb.form("北京"), lb.form("Beijing")) == lb.CROSS_SCRIPT
    assert lb.similarity(lb.form("Москва"), lb.form("Moskva")) == lb.CROSS_SCRIPT
    assert lb.form("西安").tokens == ("xian",)  # one word, one token


def test_typos_in_long_words_still_meet():
    a, b = lb.form("Pittsburgh"), lb.form("Pittsburg")
    assert a.keys & b.keys
    assert lb.similarity(a, b) == pytest.approx(0.9)
    assert lb.similarity(lb.form("2024"), lb.form("2025")) == 0  # short tokens must be equal


def test_missing_extra_is_named(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def without_pypinyin(name, *args, **kwargs):
        if name == "pypinyin":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", without_pypinyin)
    with pytest.raises(Exception, match=r"pip install 'micgraph\[links\]'"):
        lb.require_transliteration()


@settle
@given(texts)
def test_normalisation_is_idempotent(text):
    once = lb.normalise(text)
    assert lb.normalise(once) == once
    assert once == " ".join(once.split()) and once.isascii()


@settle
@given(label_texts, label_texts)
def test_similarity_is_symmetric_and_bounded(a, b):
    fa, fb = lb.form(a), lb.form(b)
    s = lb.similarity(fa, fb)
    assert 0 <= s <= 1
    assert s == lb.similarity(fb, fa)
    assert lb.han_similarity(fa, fb) == lb.han_similarity(fb, fa)


@settle
@given(label_texts)
def test_a_label_is_fully_like_itself(text):
    f = lb.form(text)
    assert lb.similarity(f, f) == (1.0 if f.tokens or f.han else 0.0)
    assert all(key.split(":", 1)[1] for key in f.keys)


@settle
@given(st.lists(st.tuples(label_texts, st.sampled_from(["", "en", "zh", "zh-Hant"]), st.booleans()), max_size=3),
       st.lists(st.tuples(label_texts, st.sampled_from(["", "en", "zh"]), st.booleans()), max_size=3),
       st.sets(st.sampled_from(["i:a", "n:x", "h:中"]), max_size=2),
       st.sets(st.sampled_from(["i:a", "n:x", "h:中"]), max_size=2))
def test_score_is_bounded_and_symmetric_when_both_sides_know_the_same(labels_a, labels_b, country_a, country_b):
    """With evidence of the same kinds on both sides, the score does not depend on which side is the source;
    with any labels it stays in [0, 1] and never exceeds the label similarity."""
    a = Resource("http://a", [Label(*x) for x in labels_a], {"country": set(country_a)} if country_a else {})
    b = Resource("http://b", [Label(*x) for x in labels_b], {"country": set(country_b)} if country_b else {})
    forward, backward = score(a, b), score(b, a)
    assert 0 <= forward[0] <= 1
    label_part = float(forward[3].split()[1])
    assert forward[0] <= label_part + 1e-9
    if bool(country_a) == bool(country_b):
        assert forward[0] == backward[0]


@settle
@given(texts)
def test_any_wkt_text_is_a_point_in_range_or_nothing(text):
    point = parse_point(text)
    assert point is None or (abs(point[0]) <= 90 and abs(point[1]) <= 180)


def test_wkt_points_in_both_axis_orders():
    assert parse_point("Point(116.39 39.91)") == (39.91, 116.39)
    assert parse_point("<http://www.opengis.net/def/crs/OGC/1.3/CRS84> POINT(116.39 39.91)") == (39.91, 116.39)
    assert parse_point("<http://www.opengis.net/def/crs/EPSG/0/4326> Point(39.91 116.39)") == (39.91, 116.39)
    assert parse_point("Point(200 10)") is None and parse_point("LINESTRING(1 2, 3 4)") is None
