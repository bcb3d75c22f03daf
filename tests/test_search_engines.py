"""One contract, both engines: whatever renda.yaml selects, the same query finds the same records."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from archive.search.analysis import Analyzer
from archive.search.content import IndexDoc
from archive.search.engine import ENGINES, Engine, open_engine
from archive.search.query import Filters, parse_query, plan_query

ANALYZER = Analyzer(("赵静英", "东岭镇"))

DOCS = [
    IndexDoc("a", "opinion", 17, 2024, "关于物业管理工作情况报告的审议意见", "records/a.yaml", 0,
             "关于物业管理工作情况报告的审议意见\n部分老旧小区没有物业服务，区第十七届人大常委会第十二次会议听取了报告。",
             sittings=("17-12",)),
    IndexDoc("b", "meeting", 17, 2023, "区第十七届人大常委会第十二次会议纪要", "records/b.yaml", 0,
             "区第十七届人大常委会第十二次会议纪要\n会议听取养老服务体系建设情况的报告。\n赵静英、周振华",
             people=("赵静英", "周振华"), sittings=("17-12", "=17-12")),
    IndexDoc("c", "inspection", 16, 2021, "食品安全法执法检查报告", "records/c.yaml", 0,
             "食品安全法执法检查报告\n检查组到东岭镇检查农贸市场。物业，管理分开写。",
             people=("沈秀兰",)),
    IndexDoc("d", "opinion", 16, 2020, "内部审议意见", "records/d.yaml", 1,
             "内部审议意见\n关于托育服务的审议意见，属于内部文件。"),
]  # fmt: skip


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    eng = open_engine(request.param, tmp_path / request.param, ANALYZER)
    eng.index(DOCS)
    yield eng
    eng.close()


def ids(engine: Engine, text: str, max_rank: int = 1, filters: Filters | None = None) -> list[str]:
    query = parse_query(text)
    if filters:
        query = type(query)(query.groups, query.excluded, query.filters.merged(filters))
    return [hit.id for hit in engine.search(plan_query(query, ANALYZER, max_rank), limit=10)]


def test_every_document_is_counted(engine: Engine) -> None:
    assert engine.count() == len(DOCS)


def test_a_word_finds_the_records_that_contain_it(engine: Engine) -> None:
    assert set(ids(engine, "物业")) == {"a", "c"}
    assert set(ids(engine, "养老")) == {"b"}


def test_a_quoted_phrase_does_not_match_across_punctuation(engine: Engine) -> None:
    # c has 物业，管理 — the words, but not the phrase
    assert ids(engine, '"物业管理"') == ["a"]
    assert set(ids(engine, "物业 管理")) == {"a", "c"}


def test_a_name_that_segments_badly_is_found_through_bigrams(engine: Engine) -> None:
    assert ids(engine, "赵静英") == ["b"]
    assert ids(engine, '"静英"') == ["b"]


def test_a_single_character_is_found_anywhere_in_a_word(engine: Engine) -> None:
    assert set(ids(engine, "托")) == {"d"}
    assert set(ids(engine, "岭")) == {"c"}


def test_or_needs_either_and_exclusion_removes(engine: Engine) -> None:
    assert set(ids(engine, "养老 OR 食品安全")) == {"b", "c"}
    assert set(ids(engine, "报告 -养老")) == {"a", "c"}


def test_a_filter_with_only_exclusions_means_everything_else_in_it(engine: Engine) -> None:
    assert set(ids(engine, "届:17 -养老")) == {"a"}
    assert set(ids(engine, "类型:审议意见")) == {"a", "d"}


def test_filters_narrow_by_term_year_type_and_person(engine: Engine) -> None:
    assert set(ids(engine, "报告 届:17")) == {"a", "b"}
    assert ids(engine, "报告 年:2021") == ["c"]
    assert ids(engine, "报告 类型:会议") == ["b"]
    assert ids(engine, "报告 类型:inspection") == ["c"]
    assert ids(engine, "代表:赵静英") == ["b"]
    assert set(ids(engine, "审议意见", filters=Filters(term=16))) == {"d"}


def test_a_sitting_named_three_ways_finds_its_minutes_first(engine: Engine) -> None:
    for name in ("第十七届人大常委会第十二次会议", "十七届十二次", "17-12", "17届12次"):
        found = ids(engine, name)
        assert found[0] == "b", name
        assert set(found) == {"a", "b"}, name


def test_records_above_the_classification_ceiling_are_never_returned(engine: Engine) -> None:
    assert ids(engine, "托育", max_rank=1) == ["d"]
    assert ids(engine, "托育", max_rank=0) == []
    assert "d" not in ids(engine, "审议意见", max_rank=0)


def test_title_matches_rank_first(engine: Engine) -> None:
    assert ids(engine, "审议意见")[0] in {"a", "d"}
    assert ids(engine, "检查")[0] == "c"


def test_update_replaces_a_document_by_id(engine: Engine) -> None:
    changed = IndexDoc("c", "inspection", 16, 2021, "食品安全法执法检查报告", "records/c.yaml", 0, "农产品质量安全")
    engine.update([changed])
    assert engine.count() == len(DOCS)
    assert ids(engine, "东岭镇") == []
    assert ids(engine, "农产品") == ["c"]


def test_delete_removes_by_id(engine: Engine) -> None:
    engine.delete(["b"])
    assert engine.count() == len(DOCS) - 1
    assert ids(engine, "养老") == []


def test_hits_carry_what_the_result_list_shows(engine: Engine) -> None:
    (hit,) = engine.search(plan_query(parse_query("养老"), ANALYZER, 1), limit=5)
    assert (hit.id, hit.type, hit.term, hit.year, hit.source) == ("b", "meeting", 17, 2023, "records/b.yaml")
    assert hit.title == DOCS[1].title
    assert "养老服务" in hit.text
    assert hit.score > 0


def test_a_dictionary_word_split_across_tokens_is_found(engine: Engine) -> None:
    # 《中华人民共和国食品安全法》 segments as …/食品/安全法: the query word 食品安全 spans two tokens
    doc = IndexDoc(
        "e", "inspection", 16, 2021, "检查报告", "records/e.yaml", 0, "检查《中华人民共和国食品安全法》实施情况"
    )
    words = [w for w, _, sub in ANALYZER.word_tokens(doc.text) if not sub]
    assert words[words.index("食品") + 1] == "安全法"
    engine.update([doc])
    assert "e" in ids(engine, "食品安全")
    assert "e" in ids(engine, '"食品安全"')


def _whoosh_query(node: Any) -> Any:
    """The plan node as Whoosh's own query objects (matchers stepped a posting at a time)."""
    from whoosh import query

    from archive.search.query import AllOf, AnyOf, PhraseQ, PrefixQ, TermQ

    if isinstance(node, TermQ):
        return query.Term(node.field, node.value, boost=node.boost)
    if isinstance(node, PhraseQ):
        if len(node.tokens) == 1:
            return query.Term(node.field, node.tokens[0], boost=node.boost)
        return query.Phrase(node.field, list(node.tokens), boost=node.boost)
    if isinstance(node, PrefixQ):
        return query.Prefix(node.field, node.prefix)
    if isinstance(node, AnyOf):
        return query.Or([_whoosh_query(n) for n in node.items])
    assert isinstance(node, AllOf)
    required = query.And([_whoosh_query(n) for n in node.items]) if node.items else query.Every()
    if node.optional:
        return query.AndMaybe(required, query.Or([_whoosh_query(n) for n in node.optional]))
    return required


def _assert_runs_as_whoosh(searcher: Any, runner: Any, text: str, label: object = None) -> None:
    """The plan of ``text`` run by whoosh_plan finds the documents Whoosh's own queries find, with the
    same scores and the same top 10."""
    from whoosh import query

    plan = plan_query(parse_query(text), ANALYZER, 1)
    wanted = _whoosh_query(plan.must)
    if plan.must_not:
        wanted = query.AndNot(wanted, query.Or([_whoosh_query(n) for n in plan.must_not]))
    want = {h.docnum: h.score for h in searcher.search(wanted, limit=None)}
    got = {d: s for s, d in runner.top(plan, [], [], 10_000)}
    assert got.keys() == want.keys() and got, (label, text)
    assert all(abs(got[d] - want[d]) < 1e-9 * max(1.0, want[d]) for d in got), (label, text)
    best = sorted(want.items(), key=lambda item: (-item[1], item[0]))[:10]
    assert [d for s, d in runner.top(plan, [], [], 10)] == [d for d, _ in best], (label, text)


def test_whoosh_plans_match_and_score_as_whooshs_own_queries(tmp_path: Path) -> None:
    """Every kind of plan node, run over whole posting lists (whoosh_plan), against Whoosh's own query
    objects on the same index: the same documents with the same scores — also after an update has
    left deleted documents and a second segment."""
    from whoosh.scoring import BM25F

    from archive.search.whoosh_engine import WhooshEngine
    from archive.search.whoosh_plan import PlanRunner

    eng = WhooshEngine(tmp_path / "whoosh", ANALYZER)
    docs = [IndexDoc(**{**d.__dict__, "id": f"{d.id}{n}"}) for n in range(40) for d in DOCS]
    eng.index(docs)  # 160 documents: common terms span two posting blocks
    texts = [*CORPUS_QUERIES, "审", "服", '"会议纪"', "管理 -食品", "类型:会议", "人大常委会 会议", "赵静英 OR 养老"]
    for round_ in range(2):
        with eng._open().searcher(weighting=BM25F()) as searcher:
            runner = PlanRunner(searcher)
            for text in texts:
                _assert_runs_as_whoosh(searcher, runner, text, round_)
        eng.update(docs[:30])  # replaced: 30 deleted documents in the first segment, a new segment
    eng.close()


def test_whoosh_builds_in_segments_and_merges_only_the_small_ones_updates_leave(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import archive.search.whoosh_engine as whoosh_engine

    monkeypatch.setattr(whoosh_engine, "BUILD_BATCH", 2)
    monkeypatch.setattr(whoosh_engine, "MIN_BATCH", 1)
    monkeypatch.setattr(whoosh_engine, "SMALL_SEGMENT", 2)
    monkeypatch.setattr(whoosh_engine, "SMALL_SEGMENTS_TO_MERGE", 3)
    eng = whoosh_engine.WhooshEngine(tmp_path / "whoosh", ANALYZER)
    eng.index(DOCS)

    def sizes() -> list[int]:
        eng.close()
        return sorted(s.doc_count_all() for s in eng._open()._segments())

    assert sizes() == [2, 2]
    for n in range(4):
        eng.update([DOCS[0]])
        assert len(sizes()) == [3, 4, 5, 3][n]
    # the three one-record segments were folded (their superseded copies dropped); the build's stay
    assert sizes() == [1, 2, 2]
    assert eng.count() == len(DOCS)
    assert set(ids(eng, "物业")) == {"a", "c"}
    eng.close()


def _all_scores(eng: Any, texts: list[str]) -> dict[str, list[tuple[str, float]]]:
    out = {}
    for text in texts:
        plan = plan_query(parse_query(text), ANALYZER, 1)
        out[text] = [(h.id, round(h.score, 9)) for h in eng.search(plan, limit=10)]
    return out


CORPUS_QUERIES = ["物业", '"物业管理"', "审议意见", "赵静英", "会", "十七届十二次", "食品安全 -托育", "养老 OR 东岭镇"]


def test_whoosh_build_writes_the_postings_whooshs_own_writer_writes(tmp_path: Path) -> None:
    """The build's segment writer (postings kept per term, lengths read once) against Whoosh's own
    SegmentWriter fed the same documents: same terms, same postings, same scores."""
    from whoosh import index as whoosh_index

    from archive.search.whoosh_engine import WhooshEngine, _schema

    built = WhooshEngine(tmp_path / "built", ANALYZER)
    built.index(DOCS * 70)  # 280 documents: common terms fill several posting blocks
    plain = WhooshEngine(tmp_path / "plain", ANALYZER)
    (tmp_path / "plain").mkdir()
    writer = whoosh_index.create_in(str(tmp_path / "plain"), _schema()).writer()
    for doc in DOCS * 70:
        writer.add_document(**plain._fields(doc))
    writer.commit()
    with built._open().reader() as a, plain._open().reader() as b:
        terms = list(a.all_terms())
        assert terms == list(b.all_terms()) and len(terms) > 100
        for fieldname, text in terms:
            pa, pb = a.postings(fieldname, text), b.postings(fieldname, text)
            assert list(pa.items_as("weight")) == list(pb.items_as("weight")), (fieldname, text)
            if fieldname in ("title", "words", "chars"):
                pa, pb = a.postings(fieldname, text), b.postings(fieldname, text)
                assert list(pa.items_as("positions")) == list(pb.items_as("positions")), (fieldname, text)
            ia, ib = a.term_info(fieldname, text), b.term_info(fieldname, text)
            stats = ("weight", "doc_frequency", "min_length", "max_length", "max_weight", "min_id", "max_id")
            assert [getattr(ia, s)() for s in stats] == [getattr(ib, s)() for s in stats], (fieldname, text)
        assert [a.stored_fields(d) for d in range(280)] == [b.stored_fields(d) for d in range(280)]
        for fieldname in ("title", "words", "chars"):
            assert [a.doc_field_length(d, fieldname) for d in range(20)] == [
                b.doc_field_length(d, fieldname) for d in range(20)
            ]
    assert _all_scores(built, CORPUS_QUERIES) == _all_scores(plain, CORPUS_QUERIES)
    built.close()
    plain.close()


def test_whoosh_build_over_several_processes_finds_what_one_process_finds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import archive.search.whoosh_engine as whoosh_engine

    monkeypatch.setattr(whoosh_engine, "BUILD_BATCH", 3)
    monkeypatch.setattr(whoosh_engine, "MIN_BATCH", 1)
    docs = [IndexDoc(**{**d.__dict__, "id": f"{d.id}{n}"}) for n in range(3) for d in DOCS]
    monkeypatch.setenv("RENDA_INDEX_WORKERS", "1")
    one = whoosh_engine.WhooshEngine(tmp_path / "one", ANALYZER)
    one.index(docs)
    monkeypatch.setenv("RENDA_INDEX_WORKERS", "2")
    several = whoosh_engine.WhooshEngine(tmp_path / "several", ANALYZER)
    several.index(docs)
    assert several.count() == one.count() == len(docs)
    assert len(several._open()._segments()) == 4  # 12 documents in batches of 3
    assert not list((tmp_path / "several").glob("*.tmp"))  # the writers' scratch folder is gone
    scores = _all_scores(several, CORPUS_QUERIES)
    assert scores == _all_scores(one, CORPUS_QUERIES) and all(scores.values())
    several.close()
    one.close()


def test_build_batches_share_the_text_not_the_record_count() -> None:
    from archive.search.whoosh_engine import balanced_batches

    long = [IndexDoc(f"l{i}", "opinion", 17, 2024, "t", f"records/l{i}.yaml", 0, "审" * 3000) for i in range(10)]
    short = [IndexDoc(f"s{i}", "deputy", 17, 2024, "t", f"records/s{i}.yaml", 0, "张三") for i in range(90)]
    batches = balanced_batches(long + short, 2)
    assert [d.id for b in batches for d in b] == [d.id for d in long + short]  # in order, nothing lost
    work = [sum(len(d.text) + 300 for d in b) for b in batches]
    assert len(batches) == 2 and max(work) < 1.3 * min(work)  # by count it would be 10 long + 40 short vs 50 short
    assert len(balanced_batches(long, 20)) == 10 and balanced_batches([], 3) == []


def test_whoosh_reads_only_the_posting_blocks_that_can_hold_a_candidate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rare word AND a common one: the common word's blocks without a candidate are skipped unread,
    and the result (documents, scores, order) is still Whoosh's own."""
    from whoosh.scoring import BM25F

    from archive.search.whoosh_engine import WhooshEngine
    from archive.search.whoosh_plan import PlanRunner

    common = "区人大常委会审议了物业管理工作情况的报告。"
    texts = [common + ("赵静英发言。" if n in (5, 900) else "") for n in range(1000)]
    docs = [IndexDoc(f"x{n}", "opinion", 17, 2024, "审议意见", f"records/x{n}.yaml", 0, t) for n, t in enumerate(texts)]
    monkeypatch.setenv("RENDA_INDEX_WORKERS", "1")  # one segment
    eng = WhooshEngine(tmp_path / "whoosh", ANALYZER)
    eng.index(docs)
    with eng._open().searcher(weighting=BM25F()) as searcher:
        runner = PlanRunner(searcher)
        (segment,) = runner.segments
        btext = "物业管理".encode()
        full, _, _ = segment.postings("words", btext, False)
        some, _, _ = segment.postings("words", btext, False, [5, 900])
        assert len(full) == 1000 and {5, 900} <= set(some) and len(some) <= 2 * 128  # two blocks of eight
        for text in ["赵静英 物业管理", '"赵静英发言" 审议', "物业管理 -赵静英"]:
            _assert_runs_as_whoosh(searcher, runner, text)
    eng.close()


@pytest.mark.parametrize("name", ENGINES)
def test_traditional_and_simplified_characters_find_each_other(name: str, tmp_path: Path) -> None:
    eng = open_engine(name, tmp_path / name, ANALYZER)
    eng.index([*DOCS, IndexDoc("t", "opinion", 15, 2016, "關於物業管理的審議意見", "records/t.yaml", 0,
                               "關於物業管理的審議意見\n老舊小區改造進度緩慢。")])  # fmt: skip
    try:
        assert set(ids(eng, "老旧小区改造")) == {"t"}
        assert set(ids(eng, "物業")) == {"a", "c", "t"}
        assert set(ids(eng, '"审议意见"')) == {"a", "d", "t"}
        assert ids(eng, "审议意见 届:15") == ["t"]
        hit = next(h for h in eng.search(plan_query(parse_query("改造"), ANALYZER, 1), 10) if h.id == "t")
        assert "老舊小區改造" in hit.text  # stored as written
    finally:
        eng.close()
