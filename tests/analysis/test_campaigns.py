"""Campaigns: exact and near duplicates grouped, distinct answers left alone, deterministic."""

from __future__ import annotations

import numpy as np
import pytest
from datasketch import MinHash

from consulta.analysis import campaigns
from consulta.analysis.campaigns import Campaign, campaign_of, campaign_weights, find_campaigns

LETTER = ("I strongly object to the proposal to close the neighbourhood police station on the "
          "high street because it is the only place where residents can report crime in person "
          "and get advice from officers who know the area.")
EDITED = [
    LETTER,
    LETTER.replace("strongly object", "object"),
    LETTER.replace("residents", "local people"),
    LETTER.replace("high street", "High St") + " Please reconsider.",
    LETTER.replace("in person", "face to face"),
]
DISTINCT = [
    "The control room needs more call handlers on Friday and Saturday nights.",
    "Response times in the rural villages have got much worse over the last two years.",
    "I would like to see more officers at the school gates in the afternoon.",
    "Online reporting works well for minor crime but nobody ever calls back afterwards.",
    "Street lighting in the park is broken and young people gather there after dark.",
]


def test_it_groups_a_form_letter_with_small_edits():
    texts = EDITED + DISTINCT
    ids = [f"r{i:02d}" for i in range(1, len(texts) + 1)]
    found = find_campaigns(texts, ids)
    assert len(found) == 1
    assert found[0] == Campaign(id="c01", member_ids=("r01", "r02", "r03", "r04", "r05"), size=5,
                                template_text=LETTER)


def test_it_leaves_distinct_answers_alone():
    assert find_campaigns(DISTINCT, list(range(len(DISTINCT)))) == []


def test_it_groups_exact_duplicates_despite_case_spacing_and_punctuation():
    texts = [
        "We need more neighbourhood officers who stay in post for years.",
        "we need MORE neighbourhood officers,   who stay in post for years",
        "We need more neighbourhood officers who stay in post for years!!",
        DISTINCT[0],
    ]
    found = find_campaigns(texts, [10, 2, 33, 4])
    assert [(c.member_ids, c.size) for c in found] == [((2, 10, 33), 3)]
    assert found[0].template_text == texts[0]


def test_short_answers_are_never_a_campaign():
    assert find_campaigns(["No.", "no", "Agree", "agree!"], ["a", "b", "c", "d"]) == []
    assert len(find_campaigns(["No.", "no"], ["a", "b"], min_words=1)) == 1


def test_a_stricter_threshold_splits_what_a_looser_one_joins():
    rewritten = ("I object to closing the police station on the high street; it is where people "
                 "report crime and get advice from officers who know the area well.")
    loose = find_campaigns([LETTER, rewritten], ["a", "b"], threshold=0.5)
    strict = find_campaigns([LETTER, rewritten], ["a", "b"], threshold=0.8)
    assert [c.member_ids for c in loose] == [("a", "b")] and strict == []


def test_campaigns_are_numbered_by_size_then_first_id():
    other = ["Keep the police station open, it matters to older residents who do not go online."]
    texts = other * 2 + EDITED[:3] + ["Something else entirely with several words in it."]
    found = find_campaigns(texts, ["z1", "z2", "b1", "b2", "b3", "q"])
    assert [(c.id, c.member_ids) for c in found] == [
        ("c01", ("b1", "b2", "b3")), ("c02", ("z1", "z2"))]


def test_it_does_not_depend_on_the_input_order():
    texts = EDITED + DISTINCT + EDITED[:2]
    ids = list(range(len(texts)))
    order = np.random.RandomState(7).permutation(len(texts)).tolist()
    shuffled = find_campaigns([texts[i] for i in order], [ids[i] for i in order])
    assert find_campaigns(texts, ids) == shuffled


def test_it_maps_answers_to_campaigns_and_weights():
    found = find_campaigns(EDITED + DISTINCT[:1], ["a", "b", "c", "d", "e", "f"])
    assert campaign_of(found) == dict.fromkeys("abcde", "c01")
    assert campaign_of(found, ["a", "f"]) == {"a": "c01", "f": ""}
    assert campaign_weights(found, ["a", "f"]) == {"a": 0.2, "f": 1.0}


def test_it_rejects_bad_arguments():
    with pytest.raises(ValueError):
        find_campaigns(["a b c d e"], [1, 2])
    with pytest.raises(ValueError):
        find_campaigns(["a b c d e", "f g h i j"], [1, 1])
    assert find_campaigns([], []) == []
    assert find_campaigns(["", "  ", "x" * 100_000], [1, 2, 3]) == []


def test_signatures_are_datasketch_minhashes():
    hashes = [np.array([5, 17, 3_000_000_000, 42], dtype=np.uint32), np.array([9], np.uint32)]
    permutations = campaigns._permutations(64, seed=1)
    reference = MinHash(num_perm=64, seed=1, scheme="affine32")
    assert np.array_equal(permutations, reference.permutations)
    signatures = campaigns._signatures(hashes, permutations)
    for row, values in zip(signatures, hashes):
        sketch = MinHash(num_perm=64, seed=1, hashfunc=int, scheme="affine32")
        sketch.update_batch(values.tolist())
        assert np.array_equal(row, sketch.hashvalues)


def test_buckets_hold_the_pairs_datasketch_lsh_finds():
    from datasketch import MinHashLSH

    rng = np.random.RandomState(3)
    base = rng.randint(0, 2**32, 40, dtype=np.uint64).astype(np.uint32)
    hashes = [np.concatenate([base[:40 - k], rng.randint(0, 2**32, k, dtype=np.uint64)
                              .astype(np.uint32)]) for k in range(0, 30, 2)]
    permutations = campaigns._permutations(64, seed=1)
    signatures = campaigns._signatures(hashes, permutations)
    ours = {(i, j) for bucket in campaigns._lsh_buckets(signatures, 0.7)
            for i in bucket for j in bucket if i < j}
    index = MinHashLSH(threshold=0.7, num_perm=64, weights=(0.1, 0.9))
    sketches = [MinHash(seed=1, hashvalues=row, permutations=permutations, scheme="affine32")
                for row in signatures]
    for i, sketch in enumerate(sketches):
        index.insert(i, sketch)
    theirs = {(min(i, j), max(i, j)) for i, sketch in enumerate(sketches)
              for j in index.query(sketch) if i != j}
    assert ours == theirs and ours
