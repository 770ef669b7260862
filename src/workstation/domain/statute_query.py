"""Reading what an officer typed into 找法: terms, quoted phrases, direct jumps.

- Several terms separated by spaces mean AND; "quoted phrases" are one term and are not
  expanded with synonyms.
- A direct jump names an article: "行政处罚法 33", "处罚法第三十三条", "《行政处罚法》第三十三条之一",
  or "第33条" within the law being viewed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from workstation.domain.numerals import ANY_NUMBER, CN_NUMBER, parse_number
from workstation.domain.statutes import ArticleNumber

MAX_QUERY_LENGTH = 200

_LAW_END = "(?:法|法典|条例|规定|办法|细则|解释|决定|规则|准则|实施办法)"
_JUMP_WITH_LAW = re.compile(
    rf"^《?(?P<law>[^《》\s]{{1,60}}?{_LAW_END})》?\s*(?:第\s*)?(?P<num>{ANY_NUMBER})\s*(?:条)?"
    rf"(?:\s*之(?P<suffix>{CN_NUMBER}|\d+))?$"
)
_JUMP_BARE = re.compile(rf"^第\s*(?P<num>{ANY_NUMBER})\s*条(?:\s*之(?P<suffix>{CN_NUMBER}|\d+))?$")
_QUOTED = re.compile(r"[\"“”「」『』]([^\"“”「」『』]+)[\"“”「」『』]")
_WORD = re.compile(r"[0-9A-Za-z\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")


@dataclass(frozen=True, slots=True)
class Term:
    text: str
    quoted: bool = False


@dataclass(frozen=True, slots=True)
class Jump:
    article: ArticleNumber
    #: None: within the law being viewed.
    law_name: str | None


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    terms: tuple[Term, ...]
    jump: Jump | None = None
    #: When set, the query cannot be searched; this says why, in Chinese.
    error: str = ""


def parse_query(text: str) -> ParsedQuery:
    text = unicodedata.normalize("NFKC", text).strip()
    if not text:
        return ParsedQuery((), error="请输入要查找的字词、法律名称或条号。")
    if len(text) > MAX_QUERY_LENGTH:
        return ParsedQuery(
            (),
            error=(
                f"查询内容过长（{len(text)} 个字符，最多 {MAX_QUERY_LENGTH} 个）："
                "请只输入关键词，如“占道经营 罚款”。"
            ),
        )
    if not _WORD.search(text):
        return ParsedQuery((), error="查询中没有可查找的文字（只有标点或符号）：请输入关键词。")
    jump = _jump(text)
    terms: list[Term] = []
    for match in _QUOTED.finditer(text):
        phrase = match.group(1).strip()
        if _WORD.search(phrase):
            terms.append(Term(phrase, quoted=True))
    rest = re.sub(r"[《》]", " ", _QUOTED.sub(" ", text))
    for word in re.split(r"[\s,，;；、]+", rest):
        word = word.strip("《》()（）[]【】.。!！?？:：")
        if word and _WORD.search(word):
            terms.append(Term(word))
    return ParsedQuery(tuple(dict.fromkeys(terms)), jump)


def _jump(text: str) -> Jump | None:
    compact = text.replace(" ", " ")
    match = _JUMP_BARE.match(compact)
    if match:
        return Jump(_number(match.group("num"), match.group("suffix")), None)
    match = _JUMP_WITH_LAW.match(compact)
    if match:
        try:
            return Jump(_number(match.group("num"), match.group("suffix")), match.group("law"))
        except ValueError:
            return None
    return None


def _number(num: str, suffix: str | None) -> ArticleNumber:
    return ArticleNumber(parse_number(num), parse_number(suffix) if suffix else 0)
