"""Papers wherever they are linked: every paper host's URL shapes -> kind paper, a stable id per
scheme, and the landing page read for its metadata (`enrich.core.paperhosts`).

The URLs are the shapes found in real awesome lists (../shared/lists/real/), one row each."""

from __future__ import annotations

from collections import Counter
from urllib.parse import urlsplit

import pytest

from enrich.core.links import Kind, classify
from enrich.core.listing import parse_list
from shared_data import ABSENT, real_lists

CVF = "He_Deep_Residual_Learning_CVPR_2016_paper"
HASH = "3f5ee243547dee91fbd053c1c4a845aa"

# url, entry id, landing page (for arXiv: the arXiv id asked)
PAPERS = [
    # arXiv mirrors and the Hub's paper pages: the arXiv paper itself
    ("https://huggingface.co/papers/2203.02155", "arxiv:2203.02155", "2203.02155"),
    ("https://hf.co/papers/2203.02155", "arxiv:2203.02155", "2203.02155"),
    ("https://www.alphaxiv.org/abs/2204.05862v2", "arxiv:2204.05862", "2204.05862"),
    ("https://www.alphaxiv.org/overview/2204.05862", "arxiv:2204.05862", "2204.05862"),
    ("https://alphaxiv.org/pdf/2204.05862v1.pdf", "arxiv:2204.05862", "2204.05862"),
    ("https://papers.cool/arxiv/2401.12345", "arxiv:2401.12345", "2401.12345"),
    ("https://ar5iv.labs.arxiv.org/html/1706.03762", "arxiv:1706.03762", "1706.03762"),
    ("https://ar5iv.org/abs/1706.03762v5", "arxiv:1706.03762", "1706.03762"),
    ("https://arxiv.org/html/2402.01234v2", "arxiv:2402.01234", "2402.01234"),
    ("https://www.semanticscholar.org/arxiv/2112.09332", "arxiv:2112.09332", "2112.09332"),
    ("https://ar5iv.labs.arxiv.org/html/hep-th/9901001", "arxiv:hep-th/9901001", "hep-th/9901001"),
    # DOIs, and publishers whose URLs embed one
    ("https://doi.org/10.1038/nature24270", "doi:10.1038/nature24270", "https://doi.org/10.1038/nature24270"),
    ("http://dx.doi.org/10.18653/v1/N19-1423", "doi:10.18653/v1/n19-1423", "https://doi.org/10.18653/v1/N19-1423"),
    ("https://www.nature.com/articles/s41586-024-08252-9", "doi:10.1038/s41586-024-08252-9", "https://www.nature.com/articles/s41586-024-08252-9"),
    ("https://www.nature.com/articles/s42256-023-00729-y?utm_source=twitter&utm_medium=organic_social", "doi:10.1038/s42256-023-00729-y", "https://www.nature.com/articles/s42256-023-00729-y"),
    ("http://nature.com/articles/s41587-023-01905-6.pdf", "doi:10.1038/s41587-023-01905-6", "https://www.nature.com/articles/s41587-023-01905-6"),
    ("http://www.nature.com/nature/journal/v529/n7587/pdf/nature16961.pdf", "doi:10.1038/nature16961", "https://www.nature.com/articles/nature16961"),  # the site before 2016
    ("https://www.nature.com/nature/journal/v518/n7540/full/nature14236.html", "doi:10.1038/nature14236", "https://www.nature.com/articles/nature14236"),
    ("https://www.nature.com/nature/journal/v518/n7540/abs/nature14236.html", "doi:10.1038/nature14236", "https://www.nature.com/articles/nature14236"),
    ("https://dl.acm.org/doi/10.1145/3442188.3445922", "doi:10.1145/3442188.3445922", "https://dl.acm.org/doi/10.1145/3442188.3445922"),
    ("https://dl.acm.org/doi/pdf/10.1145/3442188.3445922", "doi:10.1145/3442188.3445922", "https://dl.acm.org/doi/10.1145/3442188.3445922"),
    ("https://www.science.org/doi/10.1126/science.ado9336", "doi:10.1126/science.ado9336", "https://www.science.org/doi/10.1126/science.ado9336"),
    ("https://www.science.org/doi/abs/10.1126/sciadv.adk4489", "doi:10.1126/sciadv.adk4489", "https://www.science.org/doi/10.1126/sciadv.adk4489"),
    ("https://onlinelibrary.wiley.com/doi/full/10.1111/cogs.13430", "doi:10.1111/cogs.13430", "https://onlinelibrary.wiley.com/doi/10.1111/cogs.13430"),
    ("https://link.springer.com/article/10.1007/s10994-021-05961-4", "doi:10.1007/s10994-021-05961-4", "https://link.springer.com/article/10.1007/s10994-021-05961-4"),
    ("https://www.biorxiv.org/content/10.1101/2024.04.22.590591v1", "doi:10.1101/2024.04.22.590591", "https://www.biorxiv.org/content/10.1101/2024.04.22.590591v1"),
    ("https://www.biorxiv.org/content/10.1101/2023.09.11.556673v1.full.pdf", "doi:10.1101/2023.09.11.556673", "https://www.biorxiv.org/content/10.1101/2023.09.11.556673v1"),
    # OpenReview: forum, PDF, a comment's link
    ("https://openreview.net/forum?id=dHng2O0Jjr", "openreview:dHng2O0Jjr", "https://openreview.net/forum?id=dHng2O0Jjr"),
    ("https://openreview.net/pdf?id=IKC5TfXLuW0", "openreview:IKC5TfXLuW0", "https://openreview.net/forum?id=IKC5TfXLuW0"),
    ("https://openreview.net/forum?id=OtvNLTWYww&noteId=wsGGBZkp89", "openreview:OtvNLTWYww", "https://openreview.net/forum?id=OtvNLTWYww"),
    # ACL Anthology: new and old ids, page and PDF, the old aclweb host
    ("https://aclanthology.org/2023.emnlp-main.797/", "acl:2023.emnlp-main.797", "https://aclanthology.org/2023.emnlp-main.797/"),
    ("https://aclanthology.org/2025.emnlp-demos.48/", "acl:2025.emnlp-demos.48", "https://aclanthology.org/2025.emnlp-demos.48/"),
    ("https://aclanthology.org/N19-1423.pdf", "acl:N19-1423", "https://aclanthology.org/N19-1423/"),
    ("https://aclanthology.org/P19-1001v2.pdf", "acl:P19-1001", "https://aclanthology.org/P19-1001/"),
    ("https://www.aclweb.org/anthology/N19-1423", "acl:N19-1423", "https://aclanthology.org/N19-1423/"),
    ("http://www.aclweb.org/anthology/D/D15/D15-1041.pdf", "acl:D15-1041", "https://aclanthology.org/D15-1041/"),  # the old site's folders
    ("https://aclweb.org/anthology/P/P16/P16-1101.pdf", "acl:P16-1101", "https://aclanthology.org/P16-1101/"),
    ("http://www.aclweb.org/anthology-new/P/P11/P11-1015.pdf", "acl:P11-1015", "https://aclanthology.org/P11-1015/"),  # the site before 2012
    ("http://aclanthology.info/papers/P18-1031/p18-1031", "acl:P18-1031", "https://aclanthology.org/P18-1031/"),  # the site of 2017-2019
    ("https://aclanthology.info/papers/W18-5446/w18-5446", "acl:W18-5446", "https://aclanthology.org/W18-5446/"),
    # NeurIPS / NIPS proceedings: the old site's numbers, the hash pages and files
    ("http://papers.nips.cc/paper/7181-attention-is-all-you-need.pdf", "neurips:7181", "https://papers.nips.cc/paper/7181-attention-is-all-you-need"),
    ("https://papers.nips.cc/paper/5638-faster-r-cnn-towards-real-time-object-detection-with-region-proposal-networks.pdf", "neurips:5638", "https://papers.nips.cc/paper/5638-faster-r-cnn-towards-real-time-object-detection-with-region-proposal-networks"),
    ("https://papers.nips.cc/paper/2020/file/1457c0d6bfcb4967418bfb8ac142f64a-Paper.pdf", "neurips:2020/1457c0d6bfcb4967418bfb8ac142f64a", "https://papers.nips.cc/paper/2020/hash/1457c0d6bfcb4967418bfb8ac142f64a-Abstract.html"),
    ("https://proceedings.neurips.cc/paper_files/paper/2023/file/4d4a3b6a34332d80349137bcc98164a5-Paper-Conference.pdf", "neurips:2023/4d4a3b6a34332d80349137bcc98164a5", "https://proceedings.neurips.cc/paper_files/paper/2023/hash/4d4a3b6a34332d80349137bcc98164a5-Abstract-Conference.html"),
    (f"https://papers.nips.cc/paper_files/paper/2017/hash/{HASH}-Abstract.html", f"neurips:2017/{HASH}", f"https://papers.nips.cc/paper_files/paper/2017/hash/{HASH}-Abstract.html"),
    ("https://proceedings.neurips.cc/paper_files/paper/2022/file/0a2b3c4d5e6f708192a3b4c5d6e7f809-Paper-Datasets_and_Benchmarks.pdf", "neurips:2022/0a2b3c4d5e6f708192a3b4c5d6e7f809", "https://proceedings.neurips.cc/paper_files/paper/2022/hash/0a2b3c4d5e6f708192a3b4c5d6e7f809-Abstract-Datasets_and_Benchmarks.html"),
    # PMLR, and its old home on jmlr.org
    ("https://proceedings.mlr.press/v235/lee24t.html", "pmlr:v235/lee24t", "https://proceedings.mlr.press/v235/lee24t.html"),
    ("http://proceedings.mlr.press/v70/achiam17a/achiam17a.pdf", "pmlr:v70/achiam17a", "https://proceedings.mlr.press/v70/achiam17a.html"),
    ("http://proceedings.mlr.press/v80/co-reyes18a.html", "pmlr:v80/co-reyes18a", "https://proceedings.mlr.press/v80/co-reyes18a.html"),
    ("http://jmlr.org/proceedings/papers/v37/ioffe15.pdf", "pmlr:v37/ioffe15", "https://proceedings.mlr.press/v37/ioffe15.html"),
    ("http://jmlr.csail.mit.edu/proceedings/papers/v9/glorot10a/glorot10a.pdf", "pmlr:v9/glorot10a", "https://proceedings.mlr.press/v9/glorot10a.html"),
    # CVF open access: old and new trees, pages and PDFs, workshops
    (f"http://openaccess.thecvf.com/content_cvpr_2016/html/{CVF}.html", f"cvf:{CVF}", f"https://openaccess.thecvf.com/content_cvpr_2016/html/{CVF}.html"),
    (f"http://openaccess.thecvf.com/content_cvpr_2016/papers/{CVF}.pdf", f"cvf:{CVF}", f"https://openaccess.thecvf.com/content_cvpr_2016/html/{CVF}.html"),
    ("http://openaccess.thecvf.com/content_ECCV_2018/html/Aaron_Gokaslan_Improving_Shape_Deformation_ECCV_2018_paper.html", "cvf:Aaron_Gokaslan_Improving_Shape_Deformation_ECCV_2018_paper", "https://openaccess.thecvf.com/content_ECCV_2018/html/Aaron_Gokaslan_Improving_Shape_Deformation_ECCV_2018_paper.html"),
    ("https://openaccess.thecvf.com/content/CVPR2025/papers/Yao_Think_Small_Act_Big_Primitive_Prompt_Learning_for_Lifelong_Robot_CVPR_2025_paper.pdf", "cvf:Yao_Think_Small_Act_Big_Primitive_Prompt_Learning_for_Lifelong_Robot_CVPR_2025_paper", "https://openaccess.thecvf.com/content/CVPR2025/html/Yao_Think_Small_Act_Big_Primitive_Prompt_Learning_for_Lifelong_Robot_CVPR_2025_paper.html"),
    # the same trees on the CVF's site before openaccess.thecvf.com (CVPR and ICCV up to 2016)
    ("http://www.cv-foundation.org/openaccess/content_iccv_2015_workshops/w12/papers/Smith_Sample_ICCV_2015_paper.pdf", "cvf:Smith_Sample_ICCV_2015_paper", "https://openaccess.thecvf.com/content_iccv_2015_workshops/w12/html/Smith_Sample_ICCV_2015_paper.html"),
    ("http://www.cv-foundation.org/openaccess/content_cvpr_2015/papers/Long_Fully_Convolutional_Networks_2015_CVPR_paper.pdf", "cvf:Long_Fully_Convolutional_Networks_2015_CVPR_paper", "https://openaccess.thecvf.com/content_cvpr_2015/html/Long_Fully_Convolutional_Networks_2015_CVPR_paper.html"),
    ("https://www.cv-foundation.org/openaccess/content_iccv_2015/html/He_Delving_Deep_into_ICCV_2015_paper.html", "cvf:He_Delving_Deep_into_ICCV_2015_paper", "https://openaccess.thecvf.com/content_iccv_2015/html/He_Delving_Deep_into_ICCV_2015_paper.html"),
    ("https://openaccess.thecvf.com/content_cvpr_2018_workshops/papers/w1/Kim_Sample_CVPR_2018_paper.pdf", "cvf:Kim_Sample_CVPR_2018_paper", "https://openaccess.thecvf.com/content_cvpr_2018_workshops/w1/html/Kim_Sample_CVPR_2018_paper.html"),
    ("https://openaccess.thecvf.com/content/CVPR2023W/ABAW/papers/Lee_Sample_CVPRW_2023_paper.pdf", "cvf:Lee_Sample_CVPRW_2023_paper", "https://openaccess.thecvf.com/content/CVPR2023W/ABAW/html/Lee_Sample_CVPRW_2023_paper.html"),
    # IEEE Xplore documents
    ("https://ieeexplore.ieee.org/document/7780459", "ieee:7780459", "https://ieeexplore.ieee.org/document/7780459"),
    ("https://ieeexplore.ieee.org/abstract/document/7780459/", "ieee:7780459", "https://ieeexplore.ieee.org/document/7780459"),
    ("https://ieeexplore.ieee.org/stamp/stamp.jsp?tp=&arnumber=7780459", "ieee:7780459", "https://ieeexplore.ieee.org/document/7780459"),
    ("http://ieeexplore.ieee.org/xpl/articleDetails.jsp?arnumber=7780459", "ieee:7780459", "https://ieeexplore.ieee.org/document/7780459"),
    # Semantic Scholar paper pages
    ("https://www.semanticscholar.org/paper/WebGPT%3A-Browser-assisted-question-answering-with-Nakano-Hilton/2f3efe44083af91cef562c1a3451eee2f8601d22", "s2:2f3efe44083af91cef562c1a3451eee2f8601d22", "https://www.semanticscholar.org/paper/2f3efe44083af91cef562c1a3451eee2f8601d22"),
    ("https://semanticscholar.org/paper/2F3EFE44083AF91CEF562C1A3451EEE2F8601D22", "s2:2f3efe44083af91cef562c1a3451eee2f8601d22", "https://www.semanticscholar.org/paper/2f3efe44083af91cef562c1a3451eee2f8601d22"),
    # JMLR
    ("https://jmlr.org/papers/v21/20-074.html", "jmlr:v21/20-074", "https://jmlr.org/papers/v21/20-074.html"),
    ("https://www.jmlr.org/papers/volume21/20-074/20-074.pdf", "jmlr:v21/20-074", "https://jmlr.org/papers/v21/20-074.html"),
    ("https://jmlr.org/beta/papers/v3/blei03a.html", "jmlr:v3/blei03a", "https://jmlr.org/papers/v3/blei03a.html"),
    ("http://jmlr.org/papers/volume17/15-239/source/15-239.pdf", "jmlr:v17/15-239", "https://jmlr.org/papers/v17/15-239.html"),
    ("http://www.jmlr.org/papers/v13/bergstra12a", "jmlr:v13/bergstra12a", "https://jmlr.org/papers/v13/bergstra12a.html"),
    ("https://jmlr.org/papers/v13/bergstra12a.pdf", "jmlr:v13/bergstra12a", "https://jmlr.org/papers/v13/bergstra12a.html"),
    ("http://jmlr.csail.mit.edu/papers/volume3/bengio03a/bengio03a.pdf", "jmlr:v3/bengio03a", "https://jmlr.org/papers/v3/bengio03a.html"),  # JMLR's home until 2009
    ("http://jmlr.csail.mit.edu/papers/v15/srivastava14a.html", "jmlr:v15/srivastava14a", "https://jmlr.org/papers/v15/srivastava14a.html"),
]


@pytest.mark.parametrize(("url", "entry_id", "landing"), PAPERS)
def test_paper_hosts(url: str, entry_id: str, landing: str) -> None:
    ref = classify(url)
    assert (ref.kind, ref.entry_id, ref.source_id, ref.url) == (Kind.PAPER, entry_id, landing, url)


# Pages on paper hosts that are not one paper: they stay web pages.
NOT_PAPERS = [
    "https://huggingface.co/papers",
    "https://huggingface.co/papers/trending",
    "https://aclanthology.org/volumes/2023.conll-babylm/",
    "https://aclanthology.org/venues/acl/",
    "https://openreview.net/group?id=ICLR.cc/2024/Conference",
    "https://openreview.net/forum",
    "https://nips.cc/virtual/2022/tutorial/55796",
    "https://papers.nips.cc/paper_files/paper/2023",
    "https://papers.nips.cc/paper/2020/file/1457c0d6bfcb4967418bfb8ac142f64a-Supplemental.pdf",
    "https://proceedings.mlr.press/v235/",
    "http://jmlr.org/proceedings/papers/v37/chung15-supp.pdf",  # a paper's supplement
    "https://proceedings.mlr.press/v37/chung15-supp.pdf",
    "https://proceedings.mlr.press/v162/lee22a/lee22a-supp.pdf",
    "https://openaccess.thecvf.com/CVPR2024",
    "https://openaccess.thecvf.com/content_cvpr_2018/supplemental/Zhang_X_CVPR_2018_supplemental.pdf",
    "https://ieeexplore.ieee.org/Xplore/home.jsp",
    "https://www.semanticscholar.org/author/Jacob-Hilton/2052366218",
    "https://jmlr.org/papers/v21/",
    "https://jmlr.org/papers/v21/index.html",
    "https://www.cv-foundation.org/openaccess/menu.py",
    "https://www.cv-foundation.org/openaccess/CVPR2015.py",
    "http://www.aclweb.org/anthology/D/D15/",
    "http://www.aclweb.org/anthology-new/",
    "http://aclanthology.info/",
    "http://aclanthology.info/events/acl-2018",
    "http://jmlr.csail.mit.edu/papers/v3/",
    "https://www.nature.com/nature/journal/v529/n7587/index.html",
    "https://www.nature.com/nature",
    "https://doi.org/",
    "https://dl.acm.org/doi/book",
    "https://www.biorxiv.org/content/early/recent",
]


@pytest.mark.parametrize("url", NOT_PAPERS)
def test_not_one_paper(url: str) -> None:
    assert classify(url).kind == Kind.WEB


@pytest.mark.parametrize(
    "spellings",
    [
        ["https://arxiv.org/abs/2204.05862", "https://huggingface.co/papers/2204.05862", "https://www.alphaxiv.org/overview/2204.05862v2"],
        ["https://doi.org/10.1038/NATURE24270", "https://www.nature.com/articles/nature24270", "http://dx.doi.org/10.1038/nature24270"],
        [f"http://openaccess.thecvf.com/content_cvpr_2016/papers/{CVF}.pdf", f"https://openaccess.thecvf.com/content_cvpr_2016/html/{CVF}.html"],
        ["https://openreview.net/pdf?id=IKC5TfXLuW0", "https://openreview.net/forum?id=IKC5TfXLuW0&noteId=abcdefghij"],
        ["http://proceedings.mlr.press/v70/achiam17a/achiam17a.pdf", "https://proceedings.mlr.press/v70/achiam17a.html"],
    ],
)
def test_one_paper_one_id(spellings: list[str]) -> None:
    assert len({classify(url).entry_id for url in spellings}) == 1


def test_a_list_links_one_entry_per_paper() -> None:
    listing = (
        "# Papers\n\n"
        "* [HH](https://arxiv.org/abs/2204.05862) and its [page](https://huggingface.co/papers/2204.05862)\n"
        f"* [ResNet](http://openaccess.thecvf.com/content_cvpr_2016/papers/{CVF}.pdf) "
        f"([html](http://openaccess.thecvf.com/content_cvpr_2016/html/{CVF}.html))\n"
    ).encode()
    entries = {e.id: e for e in parse_list(listing, "sample.md").entries}
    assert set(entries) == {"arxiv:2204.05862", f"cvf:{CVF}"}
    assert len(entries["arxiv:2204.05862"].urls) == 2 and len(entries[f"cvf:{CVF}"].urls) == 2


PAPER_HOSTS = {
    "openaccess.thecvf.com", "papers.nips.cc", "proceedings.neurips.cc", "proceedings.mlr.press",
    "www.nature.com", "nature.com", "openreview.net", "aclanthology.org", "jmlr.org",
    "www.semanticscholar.org", "www.science.org", "www.biorxiv.org", "doi.org",
}  # fmt: skip


@pytest.mark.slow  # parses every real list: ~25 s of CPU
@pytest.mark.skipif(not real_lists(), reason=ABSENT)
def test_every_paper_host_and_hub_collection_link_of_the_real_lists_is_one() -> None:
    """On the real lists, each link to a paper host is a paper, except pages that list many
    (a volume's table of contents) and a paper's supplement; each Hub collection is one."""
    kinds: Counter[str] = Counter()
    others: list[str] = []
    collections: Counter[str] = Counter()
    for path in real_lists():
        for entry in parse_list(path.read_bytes(), path.name).entries:
            for url in entry.urls:
                if (urlsplit(url).hostname or "").lower() in PAPER_HOSTS:
                    if entry.kind == Kind.PAPER:
                        kinds[entry.id.split(":")[0]] += 1
                    else:
                        others.append(url)
                if "huggingface.co/collections/" in url:
                    collections[entry.kind] += 1
    assert sorted(others) == [
        "http://jmlr.org/proceedings/papers/v37/chung15-supp.pdf",
        "https://aclanthology.org/volumes/2023.conll-babylm/",
    ]
    assert kinds["cvf"] > 1000 and kinds["neurips"] > 150 and kinds["pmlr"] > 150
    assert {"doi", "openreview", "acl", "jmlr", "s2"} <= set(kinds)
    assert collections == {Kind.COLLECTION: 23}
