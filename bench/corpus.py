"""A realistic text model for the synthetic benchmark workspace.

bench/validate.py's generator copies the ~94 sample records over and over (shifted terms and dates,
renumbered), so every subject of the sample recurs in every copy: 物业管理 ends up in about 15 % of all
records and every deputy's name in about 10 %.  A real archive is not like that: a subject appears in a
few percent of the records at most, a deputy's name in a handful, and only procedural words (审议意见,
执法检查, 常委会) are everywhere.  ``realistic`` rewrites the generated records in memory, before they are
written, so that the workload looks like a real archive while the records stay exactly as valid:

* every copy of the sample (copy 1, 2, …; copy 0 is the sample itself and keeps its subjects and names)
  gets its own subjects: each subject phrase of the sample is replaced, in every record of that copy
  (titles, agenda items, opinions, minutes…), by a subject drawn from ``SUBJECTS`` with Zipf-like
  weights, so an opinion on 物业管理 and the minutes that heard the report become one on, say, 燃气安全;
* deputies of later copies get distinct synthetic names, and the names in a copy's texts follow the
  deputies the copy's records refer to; officials named in a copy get synthetic names too;
* records with a ``body`` are lengthened to the requested amount of Chinese with sentences of the
  sample: sentences that name a subject become templates filled with the record's own subject(s), the
  others are generic; numbers, places and people in them vary.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

# Policy subjects, most frequent first (the weight of rank r is 1 / (r + ZIPF_OFFSET)).  Longer phrases
# win over the shorter ones they contain (大气污染防治 over 大气污染).
SUBJECTS = [
    "预算执行",
    "乡村振兴",
    "安全生产",
    "生态环境保护",
    "民生实事",
    "国有资产管理",
    "审计整改",
    "社会治理",
    "城市管理",
    "医疗保障",
    "就业创业",
    "义务教育",
    "养老服务",
    "农村人居环境",
    "生活垃圾分类",
    "老旧小区改造",
    "物业管理",
    "物业服务",
    "食品安全",
    "河长制",
    "水环境治理",
    "学前教育",
    "公益诉讼检察",
    "公益诉讼",
    "代表联络站",
    "农村生活污水治理",
    "农村生活污水",
    "行政审判",
    "执行工作",
    "养老机构",
    "民营经济",
    "地方政府债务",
    "优化营商环境",
    "营商环境",
    "应急管理",
    "消防安全",
    "燃气安全",
    "道路交通安全",
    "电动自行车管理",
    "噪声污染防治",
    "土壤污染防治",
    "饮用水水源保护",
    "湿地保护",
    "森林防火",
    "耕地保护",
    "大气污染防治",
    "大气污染",
    "高标准农田建设",
    "粮食安全",
    "农村公路",
    "农村集体经济",
    "农村宅基地管理",
    "国土空间规划",
    "住房公积金",
    "保障性住房",
    "社会救助",
    "未成年人保护",
    "未成年人",
    "最低生活保障",
    "残疾人保障",
    "妇女儿童权益保障",
    "法律援助",
    "人民调解",
    "社区矫正",
    "禁毒",
    "反诈宣传",
    "数据安全",
    "数字政府建设",
    "政务服务",
    "知识产权",
    "科技创新",
    "人才引进",
    "制造业转型升级",
    "外贸稳增长",
    "招商引资",
    "文物保护",
    "非物质文化遗产",
    "公共文化服务",
    "全民健身",
    "文旅融合",
    "历史文化街区保护",
    "中医药",
    "公立医院改革",
    "基层医疗卫生",
    "疾病预防控制",
    "精神卫生",
    "托育服务",
    "家庭教育",
    "职业教育",
    "特殊教育",
    "校园安全",
    "课后服务",
    "退役军人服务",
    "双拥工作",
    "人民防空",
    "信访工作",
    "行政复议",
    "行政执法监督",
    "规范性文件备案审查",
    "法治政府建设",
    "普法工作",
    "慈善事业",
    "志愿服务",
    "社会组织管理",
    "民族宗教工作",
    "侨务工作",
    "档案工作",
    "统计工作",
    "审计监督",
    "政府采购",
    "预算绩效管理",
    "税收征管",
    "金融风险防范",
    "非法集资防范",
    "农民工工资支付",
    "劳动保障监察",
    "企业职工养老保险",
    "城乡居民医保",
    "长期护理保险",
    "专项维修资金",
    "药品安全",
    "农产品质量安全",
    "动物防疫",
    "野生动物保护",
    "长江禁渔",
    "河道采砂管理",
    "防汛抗旱",
    "水利工程建设",
    "城市排水防涝",
    "海绵城市建设",
    "城市更新",
    "背街小巷整治",
    "违法建设治理",
    "停车设施建设",
    "公共交通",
    "新能源汽车推广",
    "节能减排",
    "碳达峰",
    "清洁能源",
    "工业园区建设",
    "开发区改革",
    "小微企业融资",
    "个体工商户发展",
    "农贸市场改造",
    "物流业发展",
    "电子商务",
    "夜间经济",
    "消费者权益保护",
    "价格监管",
    "特种设备安全",
    "危险化学品管理",
    "建筑施工安全",
    "地质灾害防治",
    "气象防灾减灾",
    "地震安全",
    "网格化管理",
    "物业纠纷调处",
    "业主委员会建设",
    "殡葬改革",
    "移风易俗",
    "婚姻登记",
    "户籍管理",
    "流动人口服务",
    "人口发展",
    "爱国卫生",
    "控烟工作",
    "无障碍环境建设",
    "适老化改造",
    "居家养老",
    "医养结合",
    "社区嵌入式服务",
    "乡村旅游",
    "特色小镇建设",
    "数字乡村",
    "农村电商",
    "林长制",
    "田长制",
    "古树名木保护",
    "绿化养护",
    "扬尘治理",
    "机动车尾气治理",
    "餐饮油烟治理",
    "垃圾焚烧发电",
    "建筑垃圾管理",
    "危险废物处置",
    "医疗废物处置",
    "污水处理厂运行",
    "黑臭水体治理",
    "二次供水",
    "供热保障",
    "电力保供",
    "通信基础设施",
    "5G网络建设",
]
ZIPF_OFFSET = 12

# Places named in the sample; sentences that name one get a place of the synthetic district instead.
SAMPLE_PLACES = [
    "城关街道", "湖滨街道", "东岭镇", "澄江街道", "望湖街道", "石塘镇", "新桥街道", "青石镇", "柳岸街道",
    "三里村", "白沙镇", "望湖社区", "葛家湾村", "新达社区", "城北社区", "澄南社区", "魏家村", "景苑社区",
]  # fmt: skip
_STEM_FIRST = "东西南北青白石柳桃杏梅松竹兰金银新古安和平长永丰太清云凤龙"
_STEM_SECOND = "山水河湾桥岭塘溪坪林庄港园洲口坝圩岗"
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚"
    "卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红文玉兰海波晓春梅林俊宁凯鹏飞亮雪琴慧颖瑞宇"

_CJK_RUN = re.compile("[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”]")
_SENTENCE = re.compile(r"[^。；！？]+[。；！？]")
_NUMBER = re.compile(r"(?<![0-9.])(\d+(?:\.\d+)?)(?![0-9.])")
_COPY = re.compile(r"-b(\d+)$")


def _cn_bytes(text: str) -> int:
    return 3 * len(_CJK_RUN.findall(text))  # as bench/search.py measures it


def _wide_bytes(text: str) -> float:
    """UTF-8 bytes of the three-byte characters of ``text``: _cn_bytes, near enough, and much faster."""
    return 1.5 * (len(text.encode()) - len(text))


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _rewrite(value: Any, sub: Any) -> Any:
    """``value`` with ``sub`` applied to every string in it."""
    if isinstance(value, str):
        return sub(value)
    if isinstance(value, dict):
        return {k: _rewrite(v, sub) for k, v in value.items()}
    if isinstance(value, list):
        return [_rewrite(v, sub) for v in value]
    return value


def _alternation(words: list[str]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True)))


def _cn(n: int) -> str:
    """17 → 十七, 23 → 二十三 (1–99), for term numbers in text."""
    digits = "零一二三四五六七八九"
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else digits[tens] + "十")
    return head + (digits[ones] if ones or not tens else "")


def copy_of(record_id: str) -> int:
    match = _COPY.search(record_id)
    return int(match.group(1)) if match else 0


@dataclass
class Group:
    """Sentence templates of one subject of the sample."""

    generic: list[list[Any]] = field(default_factory=list)  # no subject named
    single: list[list[Any]] = field(default_factory=list)  # one subject slot
    double: list[list[Any]] = field(default_factory=list)  # two distinct subjects


class Corpus:
    """Templates and vocabularies built once from the sample workspace ``seed``."""

    def __init__(self, seed: Path, rng: random.Random) -> None:
        self.rng = rng
        files = sorted((seed / "records").rglob("*.yaml"))
        sample = [yaml.load(p.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader) for p in files]
        self.subject_re = _alternation(SUBJECTS)
        self.weights = [1 / (rank + ZIPF_OFFSET) for rank in range(1, len(SUBJECTS) + 1)]
        text = "\n".join(s for rec in sample for s in _strings(rec))
        # The sample's subjects, the ones each later copy replaces.
        self.sample_subjects = sorted(set(self.subject_re.findall(text)), key=SUBJECTS.index)
        self.deputy_names = {rec["id"]: rec["name"] for rec in sample if rec["type"] == "deputy"}
        self.terms = sorted({t["term"] for rec in sample for t in rec.get("terms", [])})
        officials = set(re.findall(r"[ 　]([\u4e00-\u9fff]{2,3})(?=\n|$)", text, re.M))
        self.official_names = sorted(officials - set(self.deputy_names.values()))
        sample_names = set(self.deputy_names.values()) | officials
        self.people_re = _alternation(sorted(sample_names))
        self.places = self._places()
        self.places_re = _alternation(SAMPLE_PLACES)
        self._used_names = set(sample_names)
        # Sentences by the subject of the sample paragraph they come from (None: procedural, no subject):
        # a synthetic record borrows the vocabulary of one sample subject, so the sample's topical words
        # (幸福院, 扬尘, 幼儿园) do not spread over every lengthened record.
        self.groups: dict[str | None, Group] = {}
        seen: set[str] = set()
        for rec in sample:
            if rec["type"] == "deputy":
                continue
            own = self.subject_re.search(rec["title"]) or self.subject_re.search("\n".join(_strings(rec)))
            for para in _strings(rec):
                found = self.subject_re.search(para)
                topic = found.group() if found else None if rec["type"] == "meeting" or not own else own.group()
                for sentence in _SENTENCE.findall(para):
                    if _cn_bytes(sentence) < 36 or sentence in seen or "届" in sentence:
                        continue
                    seen.add(sentence)
                    self._add_template(sentence, self.groups.setdefault(topic, Group()))
        self.procedural = self.groups.pop(None, Group())
        # Subjects the sample says enough about lend their sentences to the others.
        rich = [t for t in SUBJECTS if t in self.groups and self._rich(self.groups[t])]
        draw = random.Random(11)
        self.domain = {s: s if s in rich else draw.choice(rich) for s in SUBJECTS}

    @staticmethod
    def _rich(group: Group) -> bool:
        return len(group.generic) >= 4 and len(group.single) + len(group.double) >= 3

    def _places(self) -> list[str]:
        rng = random.Random(7)
        stems = [a + b for a in _STEM_FIRST for b in _STEM_SECOND]
        rng.shuffle(stems)
        suffixes = ["村", "村", "社区", "社区", "镇", "街道", "村", "社区"]
        return [stem + suffixes[i % len(suffixes)] for i, stem in enumerate(stems[:360])]

    def _add_template(self, sentence: str, group: Group) -> None:
        parts: list[Any] = []
        slots: list[str] = []
        named = (("s", self.subject_re), ("p", self.people_re), ("l", self.places_re))
        number = r"|(?P<n>(?<![0-9.])\d+(?:\.\d+)?(?![0-9.]))"
        pattern = re.compile("|".join(f"(?P<{name}>{rx.pattern})" for name, rx in named) + number)
        pos = 0
        for match in pattern.finditer(sentence):
            parts.append(sentence[pos : match.start()])
            kind = match.lastgroup
            if kind == "s":
                word = match.group()
                if word not in slots:
                    slots.append(word)
                parts.append(("s", slots.index(word)))
            elif kind == "n":
                after = sentence[match.end() : match.end() + 1]
                before = sentence[match.start() - 1 : match.start()]
                keep = after in ("年", "月", "日", "时", "号") or before == "第"
                parts.append(match.group() if keep else ("n", match.group(), after == "%"))
            else:
                parts.append((kind,))
            pos = match.end()
        parts.append(sentence[pos:])
        parts = [p for p in parts if p != ""]
        if not slots:
            group.generic.append(parts)
        elif len(slots) == 1:
            group.single.append(parts)
        elif len(slots) == 2:
            group.double.append(parts)

    def subject(self, exclude: set[str] | frozenset[str] = frozenset()) -> str:
        while True:
            word = self.rng.choices(SUBJECTS, self.weights)[0]
            if word not in exclude:
                return word

    def subjects(self, k: int) -> list[str]:
        """``k`` distinct subjects, Zipf-weighted (weighted sampling without replacement)."""
        keys = sorted(range(len(SUBJECTS)), key=lambda i: -(self.rng.random() ** (1 / self.weights[i])))
        return [SUBJECTS[i] for i in keys[:k]]

    def name(self) -> str:
        while True:
            given = self.rng.choice(_GIVEN) + (self.rng.choice(_GIVEN) if self.rng.random() < 0.8 else "")
            name = self.rng.choice(_SURNAMES) + given
            if name not in self._used_names:
                self._used_names.add(name)
                return name

    def number(self, text: str, percent: bool) -> str:
        value = float(text)
        if "." not in text and 1900 <= value <= 2100:
            return text  # a year
        new = value * self.rng.uniform(0.5, 1.5)
        if percent:
            new = min(new, 99.9 if "." in text else 99)
        if "." in text:
            return f"{new:.{len(text.split('.')[1])}f}"
        return str(max(1, round(new)))

    def fill(self, template: list[Any], subjects: list[str]) -> str:
        out = []
        for part in template:
            if isinstance(part, str):
                out.append(part)
            elif part[0] == "s":
                out.append(subjects[part[1]])
            elif part[0] == "n":
                out.append(self.number(part[1], part[2]))
            elif part[0] == "p":
                out.append(self.name())
            else:
                out.append(self.rng.choice(self.places))
        return "".join(out)

    def paragraphs(self, main: str, second: str | None, budget: float) -> list[str]:
        """Paragraphs about ``main`` (and ``second``) worth about ``budget`` bytes of Chinese."""
        paras: list[str] = []
        added = 0
        group = self.groups[self.domain[main]]
        while added < budget:
            sentences = []
            for _ in range(self.rng.randint(2, 5)):
                draw = self.rng.random()
                if second and draw < 0.1 and group.double:
                    sentences.append(self.fill(self.rng.choice(group.double), [main, second]))
                elif draw < 0.4 and group.single:
                    sentences.append(self.fill(self.rng.choice(group.single), [main]))
                elif (draw < 0.85 and group.generic) or not self.procedural.generic:
                    sentences.append(self.fill(self.rng.choice(group.generic), []))
                else:
                    sentences.append(self.fill(self.rng.choice(self.procedural.generic), []))
            para = "".join(sentences)
            size = _cn_bytes(para)
            if paras and added + size / 2 > budget:
                break  # the nearer total: the average stays on target
            paras.append(para)
            added += size
        return paras


def _copy_mapping(corpus: Corpus, names: dict[int, dict[str, str]], era: int, term_shift: int) -> dict[str, str]:
    """What a copy in ``era`` writes instead of the sample's names, officials, terms and subjects."""
    era_names = names.get(era, {})
    mapping = {
        corpus.deputy_names[base]: era_names.get(f"{base}-b{era}", corpus.deputy_names[base])
        for base in corpus.deputy_names
    }
    mapping.update({official: corpus.name() for official in corpus.official_names})
    if era:  # the text names the era's terms, as the records' term fields do
        mapping.update({f"第{_cn(t)}届": f"第{_cn(t + term_shift * era)}届" for t in corpus.terms})
    drawn = dict(zip(corpus.sample_subjects, corpus.subjects(len(corpus.sample_subjects)), strict=True))
    for word in corpus.sample_subjects:  # 营商环境 follows 优化营商环境: a record keeps one subject
        container = next((w for w in corpus.sample_subjects if word in w and w != word), word)
        mapping[word] = drawn[container]
    return mapping


def realistic(
    records: list[dict[str, Any]], seed: Path, kb: float, eras: int, term_shift: int, rand_seed: int = 20240601
) -> int:
    """Rewrite ``records`` (bench/validate.py's copies of the sample ``seed``, copy k in era k % ``eras``
    with terms moved up by ``term_shift`` per era) in place into a realistic corpus averaging ``kb`` KB
    of Chinese per record; returns the number of records lengthened."""
    corpus = Corpus(seed, random.Random(rand_seed))
    rng = corpus.rng
    by_copy: dict[int, list[dict[str, Any]]] = {}
    for rec in records:
        by_copy.setdefault(copy_of(rec["id"]), []).append(rec)
    # Names of each copy's deputies; a copy's records refer to the deputies of its era's copy.
    names: dict[int, dict[str, str]] = {0: {}}
    for copy in sorted(by_copy):
        if copy == 0:
            continue
        names[copy] = {rec["id"]: corpus.name() for rec in by_copy[copy] if rec["type"] == "deputy"}
    for copy in sorted(by_copy):
        if copy == 0:
            continue
        mapping = _copy_mapping(corpus, names, copy % eras, term_shift)
        pattern = _alternation(list(mapping))

        def sub(text: str, pattern: re.Pattern[str] = pattern, mapping: dict[str, str] = mapping) -> str:
            return pattern.sub(lambda m: mapping[m.group()], text)

        for rec in by_copy[copy]:
            new = _rewrite(rec, sub)
            if rec["type"] == "deputy":
                new["name"] = names[copy][rec["id"]]
            rec.clear()
            rec.update(new)

    total = sum(_wide_bytes(s) for rec in records for s in _strings(rec))
    missing = kb * 1024 * len(records) - total
    bodies = [rec for rec in records if isinstance(rec.get("body"), list)]
    if missing <= 0 or not bodies:
        return 0
    per_record = missing / len(bodies)
    for rec in bodies:
        found = list(dict.fromkeys(corpus.subject_re.findall(rec["title"])))
        if not found:
            found = list(dict.fromkeys(corpus.subject_re.findall("\n".join(_strings(rec)))))[:1]
        main = found[0] if found else corpus.subject()
        second = found[1] if len(found) > 1 else (corpus.subject({main}) if rng.random() < 0.3 else None)
        rec["body"].extend(corpus.paragraphs(main, second, per_record))
    return len(bodies)
