"""Is this arXiv paper the landing page's paper? Accepted only on the same normalized title and
the same first author's surname, and only when no other candidate is as good: near-misses are
none, because a wrong tie is worse than no tie (`enrich.core.papermatch`)."""

from __future__ import annotations

import pytest

from enrich.core.model import Author, Paper
from enrich.core.papermatch import normalize_title, pick, same_paper, surname


def arxiv(paper_id: str, title: str, *authors: str) -> Paper:
    return Paper(arxiv_id=paper_id, versioned_id=f"{paper_id}v1", version=1, title=title,
                 authors=[Author(name=a) for a in authors], abstract="Sample abstract.")


ATTENTION = arxiv("1706.03762", "Attention Is All You Need", "Ashish Vaswani", "Noam Shazeer")
BERT = arxiv("1810.04805", "BERT: Pre-training of Deep Bidirectional Transformers for Language\n  Understanding",
             "Jacob Devlin", "Ming-Wei Chang")
RL4LMS = arxiv("2210.01241", "Is Reinforcement Learning (Not) for Natural Language Processing: Benchmarks, "
               "Baselines, and Building Blocks for Natural Language Policy Optimization",
               "Rajkumar Ramamurthy", "Prithviraj Ammanabrolu", "Kianté Brantley")
RESNET = arxiv("1512.03385", "Deep Residual Learning for Image Recognition", "Kaiming He", "Xiangyu Zhang")

# page title, page authors, arXiv candidate, same paper?
CASES = [
    # accepted: the same paper, written as another site writes it
    ("exact", "Attention Is All You Need", ["Ashish Vaswani"], ATTENTION, True),
    ("case differs (NeurIPS)", "Attention is All you Need", ["Ashish Vaswani", "Noam Shazeer"], ATTENTION, True),
    ("arXiv's line break", "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding",
     ["Jacob Devlin"], BERT, True),
    ("dash for colon, no hyphen", "BERT - Pretraining of Deep Bidirectional Transformers for Language Understanding",
     ["Jacob Devlin"], BERT, True),
    ("lower-case title, Last, First", "is reinforcement learning (not) for natural language processing: benchmarks, "
     "baselines, and building blocks for natural language policy optimization", ["Ramamurthy, Rajkumar"], RL4LMS, True),
    ("CVF's Last, First", "Deep Residual Learning for Image Recognition", ["He, Kaiming"], RESNET, True),
    ("middle initial differs", "Deep Residual Learning for Image Recognition", ["K. He"], RESNET, True),
    # near-misses: another paper, or not enough to tell
    ("a word more", "Attention Is All You Need In Speech Separation", ["Ashish Vaswani"], ATTENTION, False),
    ("a word less", "Attention Is All You", ["Ashish Vaswani"], ATTENTION, False),
    ("subtitle missing", "BERT", ["Jacob Devlin"], BERT, False),
    ("one word changed", "Deep Residual Learning for Image Classification", ["Kaiming He"], RESNET, False),
    ("spelling variant", "Attention Is All You Need", ["Ashish Vaswani"],
     arxiv("9999.00001", "Attention Is All You Needs", "Ashish Vaswani"), False),
    ("hyphen against a space", "BERT: Pre training of Deep Bidirectional Transformers for Language Understanding",
     ["Jacob Devlin"], BERT, False),
    ("another first author", "Attention Is All You Need", ["Noam Shazeer", "Ashish Vaswani"], ATTENTION, False),
    ("same first name, other surname", "Attention Is All You Need", ["Ashish Vasani"], ATTENTION, False),
    ("given and family names swapped", "Deep Residual Learning for Image Recognition", ["He Kaiming"], RESNET, False),
    ("no authors on the page", "Attention Is All You Need", [], ATTENTION, False),
    ("no title on the page", "", ["Ashish Vaswani"], ATTENTION, False),
    ("a title of punctuation", "!!!", ["Ashish Vaswani"], arxiv("9999.00002", "???", "Ashish Vaswani"), False),
]


@pytest.mark.parametrize(("case", "title", "authors", "paper", "same"), CASES, ids=[c[0] for c in CASES])
def test_same_paper(case: str, title: str, authors: list[str], paper: Paper, same: bool) -> None:
    assert same_paper(title, authors, paper) is same
    assert (pick(title, authors, [paper]) is paper) is same


def test_the_exact_title_among_its_namesakes() -> None:
    """arXiv's phrase search also returns titles that contain the phrase: the exact one wins."""
    speech = arxiv("2010.13154", "Attention is All You Need in Speech Separation", "Cem Subakan")
    assert pick("Attention is All you Need", ["Ashish Vaswani"], [speech, ATTENTION]) is ATTENTION


def test_two_candidates_as_good_are_none() -> None:
    twin = arxiv("1706.99999", "Attention is all you need", "A. Vaswani")
    assert pick("Attention Is All You Need", ["Ashish Vaswani"], [ATTENTION, twin]) is None
    # the same paper twice (two answers that both returned it) is still one paper
    assert pick("Attention Is All You Need", ["Ashish Vaswani"], [ATTENTION, ATTENTION]) is ATTENTION


@pytest.mark.parametrize(
    ("title", "normalized"),
    [("BERT: Pre-training of Deep\n  Bidirectional Transformers", "bert pretraining of deep bidirectional transformers"),
     ("Don't Stop Pretraining", "dont stop pretraining"), ("Kianté’s Q&A—Models", "kiantes q a models"),
     ("Text-to-Text Transformer", "texttotext transformer")],
)
def test_normalize_title(title: str, normalized: str) -> None:
    assert normalize_title(title) == normalized


@pytest.mark.parametrize(
    ("name", "family"),
    [("Kiante Brantley", "brantley"), ("Brantley, Kianté", "brantley"), ("Łukasz Kaiser", "kaiser"),
     ("Lucy Campbell-Gillingham", "campbellgillingham"), ("Martin Luther King Jr.", "king"),
     ("George van den Driessche", "driessche"), ("Plato", "plato"), ("", "")],
)
def test_surname(name: str, family: str) -> None:
    assert surname(name) == family
