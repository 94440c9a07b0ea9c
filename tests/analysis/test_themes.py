"""Themes: found automatically within bounds, deterministic, stable, few outliers, incremental."""

from __future__ import annotations

import numpy as np
import pytest
from analysis_data import TOPICS, texts_and_topics, topic_answers
from sklearn.metrics import adjusted_rand_score, homogeneity_score

from consulta.analysis.embedders import get_embedder
from consulta.analysis.themes import PreviousThemes, ThemeModel


@pytest.fixture(scope="module")
def data():
    texts, topics = texts_and_topics(30)  # four topics, each of six subjects said five times
    return texts, topics, get_embedder("tfidf").embed(texts)


def names(model):
    return [model.theme_ids_[t] if t >= 0 else "other" for t in model.labels_]


def test_it_finds_themes_that_never_mix_topics_without_being_told_how_many(data):
    texts, topics, X = data
    model = ThemeModel().fit(X, texts)
    assert 4 <= len(model.theme_ids_) <= 30
    themed = model.labels_ >= 0
    assert homogeneity_score(np.array(topics)[themed], model.labels_[themed]) >= 0.9
    assert model.theme_ids_[0] in ("t01", "t01.1")
    assert model.centroids_.shape == (len(model.theme_ids_), X.shape[1])


def test_fewer_themes_when_the_minimum_size_is_larger(data):
    texts, topics, X = data
    small = ThemeModel(min_theme_size=5).fit(X, texts)
    large = ThemeModel(min_theme_size=25).fit(X, texts)
    assert len(large.theme_ids_) < len(small.theme_ids_)
    assert 3 <= len(large.theme_ids_) <= 5
    assert adjusted_rand_score(topics, large.labels_) >= 0.6


def test_it_is_deterministic_and_stable_across_seeds(data):
    texts, _, X = data
    first = ThemeModel(seed=0).fit(X, texts)
    again = ThemeModel(seed=0).fit(X, texts)
    other_seed = ThemeModel(seed=7).fit(X, texts)
    assert names(first) == names(again)
    assert adjusted_rand_score(first.labels_, other_seed.labels_) >= 0.9


def test_the_themes_do_not_depend_on_the_order_of_answers(data):
    texts, _, X = data
    order = np.arange(len(texts))[::-1]
    forward = ThemeModel().fit(X, texts)
    backward = ThemeModel().fit(X[order], [texts[i] for i in order])
    assert adjusted_rand_score(forward.labels_[order], backward.labels_) >= 0.9


def test_it_keeps_other_at_or_below_five_percent_with_reasons(data):
    texts, _, X = data
    model = ThemeModel().fit(X, texts)
    others = np.flatnonzero(model.labels_ < 0)
    assert len(others) <= 0.05 * len(texts)
    assert set(model.other_reasons_) == set(others.tolist())


def test_a_point_with_no_content_is_other_with_a_reason(data):
    texts, _, X = data
    X = X.copy()
    X[5] = 0.0
    model = ThemeModel().fit(X, texts)
    assert model.labels_[5] == -1
    assert "no words" in model.other_reasons_[5]


def test_it_respects_the_bounds(data):
    texts, _, X = data
    assert len(ThemeModel(max_themes=2).fit(X, texts).theme_ids_) <= 2
    model = ThemeModel(min_theme_size=20).fit(X, texts)
    sizes = np.bincount(model.labels_[model.labels_ >= 0])
    assert sizes.min() >= 20 and len(sizes) <= len(texts) // 20


def test_it_merges_near_duplicate_themes(data):
    texts, _, X = data
    assert len(ThemeModel(merge_threshold=-1.0).fit(X, texts).theme_ids_) == 1


def test_too_few_points_make_one_theme(data):
    texts, _, X = data
    model = ThemeModel().fit(X[:5], texts[:5])
    assert model.theme_ids_ == ["t01"] and (model.labels_ == 0).all()


def test_it_groups_specific_themes_into_broad_ones_by_topic(data):
    texts, topics, X = data  # four topics, each of six subjects
    model = ThemeModel().fit(X, texts)
    assert model.group_ids_, "six subjects to a topic make sub-themes"
    parent_of = [model.parents_[model.theme_ids_[t]] or model.theme_ids_[t] if t >= 0 else "other"
                 for t in model.labels_]
    themed = model.labels_ >= 0
    assert len(set(parent_of)) < len(model.theme_ids_)
    assert homogeneity_score(np.array(topics)[themed], np.array(parent_of)[themed]) >= 0.9
    for theme, parent in model.parents_.items():
        if parent:
            assert theme.startswith(parent + ".") and parent in model.group_ids_
    assert model.group_centroids_.shape == (len(model.group_ids_), X.shape[1])
    for label, group in zip(model.labels_, model.group_labels_):
        parent = model.parents_[model.theme_ids_[label]] if label >= 0 else None
        assert group == (model.group_ids_.index(parent) if parent else -1)


def test_without_sub_themes_every_theme_stands_alone(data):
    texts, _, X = data
    model = ThemeModel(sub_themes=False).fit(X, texts)
    assert model.group_ids_ == [] and not any(model.parents_.values())
    assert model.theme_ids_[0] == "t01"


def test_incremental_keeps_ids_and_earlier_assignments():
    pairs = topic_answers(26)
    texts = [t for _, t in pairs]
    X = get_embedder("tfidf").embed(texts)
    first_n = 94  # about 10% of the answers are new in the second run
    first = ThemeModel().fit(X[:first_n], texts[:first_n])
    earlier = names(first)
    previous = PreviousThemes(theme_ids=first.theme_ids_,
                              point_themes=earlier + [None] * (len(texts) - first_n),
                              parents=first.parents_)
    second = ThemeModel(previous=previous).fit(X, texts)
    now = names(second)
    assert all(second.parents_[t] == first.parents_[t] for t in first.theme_ids_
               if t in second.parents_)
    added = set(second.theme_ids_) - set(first.theme_ids_)
    assert not added & set(first.group_ids_), "a new theme never takes a broad theme's id"
    unchanged = np.mean([a == b for a, b in zip(earlier, now[:first_n])])
    assert unchanged >= 0.95
    assert set(first.theme_ids_) <= set(second.theme_ids_)
    # the new answers join themes made of earlier answers on their own topic
    topics_of = {}
    for (topic, _), theme in zip(pairs[:first_n], earlier):
        topics_of.setdefault(theme, []).append(topic)
    joined = [max(set(topics_of.get(now[i], [""])), key=topics_of.get(now[i], [""]).count)
              == pairs[i][0] for i in range(first_n, len(texts))]
    assert np.mean(joined) >= 0.8


def test_incremental_adds_a_theme_only_for_a_new_dense_topic():
    known = topic_answers(20, topics=["staffing", "training", "technology"])
    new = topic_answers(20, topics=["partnership"])
    texts = [t for _, t in known + new]
    X = get_embedder("tfidf").embed(texts)
    first = ThemeModel().fit(X[: len(known)], texts[: len(known)])
    previous = PreviousThemes(theme_ids=first.theme_ids_,
                              point_themes=names(first) + [None] * len(new))
    second = ThemeModel(previous=previous).fit(X, texts)
    added = [t for t in second.theme_ids_ if t not in first.theme_ids_]
    assert added, "twenty answers on a new topic make a new theme"
    def number(theme: str) -> int:
        return int(theme[1:].split(".")[0])

    assert all(number(t) > max(number(s) for s in first.theme_ids_) for t in added)
    assert all(second.parents_[t] is None for t in added), "a new theme stands alone"
    new_labels = names(second)[len(known):]
    assert np.mean([label in added for label in new_labels]) >= 0.8
    assert set(TOPICS) >= {"partnership"}
