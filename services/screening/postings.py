"""Screening of job postings: refuse what the law forbids, flag for staff what looks wrong.

The plan orders action against gender, age and education discrimination and against fake or fraudulent
postings (附件1 (十八), 39). Refusals are a posting's words that break a rule (a discriminatory requirement,
a charge to the worker, a withheld ID card) and a day wage below the minimum; flags are legal but suspicious
(a wage far above the trade's usual, many postings in a short time) and go to staff review, never refuse.

Behaviour is tables, not code paths: :data:`TEXT_RULES` (one frozen row per rule with its patterns and its
lawful exception), :data:`EDUCATION_NEEDED` and :data:`USUAL_DAY_WAGES`. Text is NFKC-normalised and its
whitespace removed before matching, so ``限 男 性`` and full-width input match too; every message quotes the
matched words and names the rule, Chinese first then English.

Rule codes (field ``description`` or ``place``): ``discrimination_gender``, ``discrimination_age``,
``discrimination_ethnicity``, ``discrimination_household_registration``, ``discrimination_marital_status``,
``discrimination_health``, ``discrimination_education``, ``charge_to_worker``, ``id_withheld``;
(field ``day_wage``) ``wage_below_minimum``. Flags: ``wage_above_usual`` (``day_wage``),
``posting_burst`` (``employer``).
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from types import MappingProxyType

from services import minimum_wage
from services.errors import FieldError
from services.geography import COUNTIES_BY_CODE
from services.settings import Settings, SettingsError
from services.trades import TRADES_BY_CODE

#: The free-text fields of a posting that are screened, in the order their errors are reported.
SCREENED_FIELDS = ("description", "place")


@dataclasses.dataclass(frozen=True, slots=True)
class Posting:
    """What screening looks at: the trade, the pay, the county (for its minimum wage) and the free text."""

    trade: str
    day_wage: int
    hours: int
    county: str
    description: str = ""
    place: str = ""

    def text(self, field: str) -> str:
        return normalise(str(getattr(self, field)))

    @property
    def underground(self) -> bool:
        """Underground mining, which the law closes to women (女职工劳动保护特别规定, 附录)."""
        return self.trade == "miner" or any("井下" in self.text(f) for f in SCREENED_FIELDS)


@dataclasses.dataclass(frozen=True, slots=True)
class Policy:
    """The numbers screening needs, from :class:`~services.settings.Settings` (see there for meanings).

    A county's minimum hourly wage (:meth:`county_minimum`): its entry in ``county_minimum_hourly_wage_yuan`` (the
    setting ``minimum_hourly_wage_by_county``) if any, else its class in ``county_classes`` (by default the
    table of :mod:`services.minimum_wage`), else ``minimum_hourly_wage_yuan``.
    """

    minimum_hourly_wage_yuan: Decimal = Decimal("17.2")
    county_minimum_hourly_wage_yuan: tuple[tuple[str, Decimal], ...] = ()
    county_classes: tuple[minimum_wage.CountyClass, ...] = minimum_wage.COUNTY_CLASSES
    wage_review_multiple: Decimal = Decimal("2.0")
    burst_window: timedelta = timedelta(minutes=10)
    burst_max: int = 10

    @classmethod
    def from_settings(cls, settings: Settings) -> Policy:
        """Raises :class:`SettingsError` naming the key when the county table is malformed."""
        return cls(
            minimum_hourly_wage_yuan=Decimal(str(settings.minimum_hourly_wage_yuan)),
            county_minimum_hourly_wage_yuan=parse_county_rates(settings.minimum_hourly_wage_by_county),
            wage_review_multiple=Decimal(str(settings.wage_review_multiple)),
            burst_window=timedelta(seconds=settings.posting_burst_window_seconds),
            burst_max=settings.posting_burst_max,
        )

    def county_minimum(self, county: str) -> minimum_wage.CountyMinimum:
        """The minimum that applies in ``county`` and where it comes from (override, notice or fallback)."""
        return minimum_wage.county_minimum(
            county,
            fallback_hourly_yuan=self.minimum_hourly_wage_yuan,
            overrides=dict(self.county_minimum_hourly_wage_yuan),
            table={c.county: c for c in self.county_classes},
        )

    def minimum_hourly_wage(self, county: str) -> Decimal:
        return self.county_minimum(county).hourly_yuan


def parse_county_rates(raw: str) -> tuple[tuple[str, Decimal], ...]:
    """``"zhongshan=19.6,panzhou=18.3"`` → pairs; an unknown county or a bad rate raises SettingsError."""
    pairs: list[tuple[str, Decimal]] = []
    for item in filter(None, (part.strip() for part in raw.split(","))):
        county, _, rate = item.partition("=")
        try:
            value = Decimal(rate.strip())
        except ArithmeticError:
            value = Decimal(0)
        if county.strip() not in COUNTIES_BY_CODE or not value > 0:
            raise SettingsError(
                f"LINGONG_MINIMUM_HOURLY_WAGE_BY_COUNTY={raw!r}: expected county=yuan pairs "
                f"with counties from {sorted(COUNTIES_BY_CODE)}"
            )
        pairs.append((county.strip(), value))
    return tuple(pairs)


@dataclasses.dataclass(frozen=True, slots=True)
class Screening:
    """The outcome: refusals make the posting invalid (422); flags travel with it to staff review."""

    refusals: tuple[FieldError, ...]
    flags: tuple[FieldError, ...]

    @property
    def review_flags(self) -> tuple[str, ...]:
        return tuple(flag.rule for flag in self.flags)


def normalise(text: str) -> str:
    """NFKC (full-width to ASCII) without whitespace: the form every pattern is written against."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


# ---------------------------------------------------------------- words: the rule table

Lawful = Callable[[str, Posting], bool]


def _never(words: str, posting: Posting) -> bool:
    return False


@dataclasses.dataclass(frozen=True, slots=True)
class TextRule:
    """One rule over a posting's words. ``lawful(words, posting)`` is the exception the law itself makes."""

    rule: str
    what_zh: str
    what_en: str
    basis_zh: str
    basis_en: str
    patterns: tuple[re.Pattern[str], ...]
    lawful: Lawful = _never


def _compile(*patterns: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in patterns)


#: Words just before a match that negate it (``无押金``, ``不收体检费``, ``无年龄限制``) …
_NEGATION_BEFORE = re.compile(r"不限|不收|不需|无需|不用|不要求|不交|不扣|不查|免收|免|无|没有|零(?!工)|禁止|严禁|杜绝")
#: … and just after it (``体检费报销``, ``培训费由公司承担``, ``户籍不限``).
_NEGATION_AFTER = re.compile(r"^.{0,3}(?:报销|全免|免收|不收|公司承担|公司出|单位承担|由公司|不限|均可|皆可|都可)")

_SEX = "(?:男|女)"
_SEX_NOUN = "(?:性|士|工|生|的)?"
_REFUSE = "(?:勿扰|免谈|不要|不招|谢绝|慎投|勿投|除外)"
_ETHNIC = "(?:汉|回|苗|彝|布依|仡佬|白|水|土家|侗|壮|藏|维吾尔|蒙古|满|瑶|朝鲜|少数民)"
_MARITAL = "(?:已婚|未婚|离异|丧偶|已育|未育|婚育|婚否|单身|生育|怀孕|孕妇|[二三]胎)"
_CN_NUMBER = "[一二三四五六七八九十]{1,3}"


def _men_only_underground(words: str, posting: Posting) -> bool:
    """ "限男性" for underground mining is lawful: the law closes that work to women. Nothing else is."""
    men_only = "男" in words and "女" not in words and not re.search("不|勿|免|谢绝", words)
    return men_only and posting.underground


_LAWFUL_MINIMUM_AGE = re.compile(r"(?:年满|满)?(?:16|18)周?岁(?:以上|之上)?")


def _minimum_working_age(words: str, posting: Posting) -> bool:
    """A lower bound of 16 (劳动法 第十五条) or 18 (未成年工) is the law's own floor, not discrimination."""
    bounded = words.startswith(("年满", "满")) or words.endswith(("以上", "之上"))
    return bounded and _LAWFUL_MINIMUM_AGE.fullmatch(words) is not None


#: Schooling levels named in postings; a higher number is more schooling.
EDUCATION_LEVELS: Mapping[str, int] = MappingProxyType(
    {
        "小学": 1,
        "初中": 2,
        "高中": 3,
        "中专": 3,
        "中职": 3,
        "技校": 3,
        "大专": 4,
        "专科": 4,
        "高职": 4,
        "本科": 5,
        "学士": 5,
        "全日制": 5,
        "硕士": 6,
        "研究生": 6,
        "博士": 7,
    }
)
_EDUCATION = "(?:" + "|".join(EDUCATION_LEVELS) + ")"

#: The most schooling a trade may ask for. Special-operation certificate holders (特种作业: electrical,
#: welding, mining) need 初中 (特种作业人员安全技术培训考核管理规定 第四条); other day work needs none.
EDUCATION_NEEDED: Mapping[str, int] = MappingProxyType(
    {"electrician": 2, "welder": 2, "miner": 2, "plumber_electrician": 2}
)


def _education_needed(words: str, posting: Posting) -> bool:
    asked = max((level for name, level in EDUCATION_LEVELS.items() if name in words), default=0)
    return asked <= EDUCATION_NEEDED.get(posting.trade, 0)


TEXT_RULES: tuple[TextRule, ...] = (
    TextRule(
        "discrimination_gender",
        "性别限制",
        "a gender requirement",
        "就业促进法第二十七条、妇女权益保障法",
        "Employment Promotion Law art. 27; Women's Rights Law",
        _compile(
            rf"(?<!不)(?:仅限|只限|限|只招|仅招|只要|仅要|要求|需|招聘|招|聘){_SEX}{_SEX_NOUN}(?![男女])",
            rf"{_SEX}(?:性|士|工|生)?优先",
            rf"{_SEX}(?:性|士|生)?{_REFUSE}",
            rf"不(?:招|要|收|录用|考虑|接受){_SEX}{_SEX_NOUN}",
            rf"{_SEX}(?:性|工)?(?:\d+|{_CN_NUMBER}|若干)(?:名|人|个|位)?",
            rf"(?<![男女、/和与或及])(?<!欢迎){_SEX}性(?![男女、/和与或及]|均可|皆可|不限|都可)",
        ),
        _men_only_underground,
    ),
    TextRule(
        "discrimination_age",
        "年龄限制",
        "an age limit",
        "六盘水就业方案附件1（十八）",
        "Liupanshui employment plan, annex 1 (18)",
        _compile(
            r"\d{1,2}(?:周岁|岁)?[-—~～至到]\d{1,2}周?岁(?:之间|以内|以下)?",
            rf"(?:年满|满)?(?:\d{{1,2}}|{_CN_NUMBER})周?岁(?:以下|以内|之下|以上|之上|左右|上下)?",
            r"年龄(?:要求|限制|限|在|不超过|不得超过|不大于|不高于|小于|低于)\d{0,2}",
            r"(?:限|只要|只招)?(?<!\d)(?:[5-9]0|00)后(?:优先)?",
            r"年轻(?:人|力壮|优先)?",
            rf"(?:大龄|中老年|老年人|年纪大|年龄大|超龄)(?:的|者|人员)?{_REFUSE}",
        ),
        _minimum_working_age,
    ),
    TextRule(
        "discrimination_ethnicity",
        "民族限制",
        "an ethnicity requirement",
        "就业促进法第二十八条",
        "Employment Promotion Law art. 28",
        _compile(
            r"汉族",
            rf"(?:仅限|只限|限|只招|只要|要求){_ETHNIC}族",
            rf"{_ETHNIC}族人?{_REFUSE}",
        ),
    ),
    TextRule(
        "discrimination_household_registration",
        "户籍或地域限制",
        "a household-registration (hukou) or origin requirement",
        "就业促进法第三十一条",
        "Employment Promotion Law art. 31",
        _compile(
            r"户籍",
            r"户口",
            r"籍贯",
            r"本地人",
            r"外地人",
            r"外省人",
            r"(?:仅限|只限|限|只招|只要)本地",
            r"本地户",
            r"非本地",
            rf"外地{_REFUSE}",
        ),
    ),
    TextRule(
        "discrimination_marital_status",
        "婚育状况要求",
        "a marital or childbearing requirement",
        "就业促进法第二十七条",
        "Employment Promotion Law art. 27",
        _compile(rf"{_MARITAL}+(?:优先|{_REFUSE})?"),
    ),
    TextRule(
        "discrimination_health",
        "病原携带或残疾限制",
        "a disease-carrier or disability exclusion",
        "就业促进法第二十九条、第三十条",
        "Employment Promotion Law arts. 29-30",
        _compile(r"乙肝", r"肝炎", r"病原携带", r"HIV", r"艾滋", rf"残疾人?{_REFUSE}", r"(?:无|没有)残疾"),
    ),
    TextRule(
        "discrimination_education",
        "超出岗位需要的学历要求",
        "an education requirement beyond what the job needs",
        "六盘水就业方案附件1（十八）",
        "Liupanshui employment plan, annex 1 (18)",
        _compile(rf"{_EDUCATION}(?:(?:及|或)?{_EDUCATION})*(?:及|或)?(?:以上)?(?:学历|文化|毕业|文凭)?"),
        _education_needed,
    ),
    TextRule(
        "charge_to_worker",
        "向劳动者收取费用",
        "a charge to the worker",
        "劳动合同法第九条",
        "Labour Contract Law art. 9",
        _compile(
            r"押金|体检费|培训费|服装费|保证金|工装费|介绍费|中介费|报名费|资料费|手续费|建档费|办证费"
            r"|工牌费|制服费|管理费|信息费|入职费|工具费",
            r"(?:先|需|要|须|得)(?:交|缴|付)纳?(?:\d+|[一二三四五六七八九十百千两]+)元",
        ),
    ),
    TextRule(
        "id_withheld",
        "扣押劳动者证件",
        "withholding the worker's identity papers",
        "劳动合同法第九条",
        "Labour Contract Law art. 9",
        _compile(r"(?:扣押?|押)(?:身份证|证件)", r"身份证(?:原件)?(?:押|抵押|扣押|上交)"),
    ),
)


def matched_words(rule: TextRule, text: str, posting: Posting) -> list[str]:
    """The words of ``text`` (normalised) that break ``rule``, in order, each once."""
    found: list[str] = []
    taken: list[tuple[int, int]] = []
    for pattern in rule.patterns:
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(start < t_end and t_start < end for t_start, t_end in taken):
                continue
            words = match.group()
            if _negated(text, start, end) or rule.lawful(words, posting):
                continue
            taken.append((start, end))
            if words not in found:
                found.append(words)
    return found


_CLAUSE_BREAK = re.compile(r"[,.;:!?、。，；：！？()（）]")


def _negated(text: str, start: int, end: int) -> bool:
    """A negation in the same clause, at most four characters before or a few after the match."""
    before = _CLAUSE_BREAK.split(text[max(0, start - 4) : start])[-1]
    after = _CLAUSE_BREAK.split(text[end : end + 8])[0]
    return bool(_NEGATION_BEFORE.search(before) or before.endswith("不") or _NEGATION_AFTER.match(after))


def screen_words(posting: Posting) -> list[FieldError]:
    """One error per (field, rule) whose words match, quoting the words."""
    errors: list[FieldError] = []
    for field in SCREENED_FIELDS:
        text = posting.text(field)
        if not text:
            continue
        for rule in TEXT_RULES:
            words = matched_words(rule, text, posting)
            if words:
                zh = "、".join(f"“{w}”" for w in words)
                en = ", ".join(f'"{w}"' for w in words)
                errors.append(
                    FieldError(
                        field,
                        rule.rule,
                        f"招聘信息含{rule.what_zh}：{zh}（{rule.basis_zh}），请删除后再发布",
                        f"the posting contains {rule.what_en}: {en} ({rule.basis_en}); remove it and post again",
                    )
                )
    return errors


# ---------------------------------------------------------------- wages

#: The usual day wage of each trade in Liupanshui's gig markets, yuan per day of about 8 hours: a review
#: yardstick (a wage far above it is a common lure of fraudulent postings), kept by staff as rows here.
USUAL_DAY_WAGES: Mapping[str, int] = MappingProxyType(
    {
        "electrician": 300,
        "care_worker": 200,
        "miner": 350,
        "mutton_soup_cook": 200,
        "kiwi_grower": 130,
        "rosa_roxburghii_picker": 120,
        "tea_picker": 120,
        "mason": 300,
        "porter": 200,
        "cleaner": 150,
        "kitchen_hand": 160,
        "welder": 300,
        "carpenter": 300,
        "rebar_worker": 300,
        "painter": 250,
        "plumber_electrician": 280,
        "housekeeper": 180,
        "picker": 120,
        "driver": 250,
        "security_guard": 150,
        "gardener": 150,
        "general_labourer": 180,
    }
)


def minimum_day_wage(hours: int, hourly: Decimal) -> Decimal:
    return hourly * hours


def screen_wage(posting: Posting, policy: Policy) -> tuple[list[FieldError], list[FieldError]]:
    """(refusals, flags) about ``day_wage``. The refusal names the county and its rate:
    ``日工资 150 元低于最低工资。钟山区最低工资 19.6 元/小时 × 8 小时 = 156.8 元（贵州省最低工资标准，一类地区）``."""
    minimum = policy.county_minimum(posting.county)
    refusals: list[FieldError] = []
    flags: list[FieldError] = []
    if posting.day_wage < minimum.day_minimum(posting.hours):
        sum_zh, sum_en = minimum.day_minimum_text(posting.hours)
        basis_zh, basis_en = minimum.basis_text()
        refusals.append(
            FieldError(
                "day_wage",
                "wage_below_minimum",
                f"日工资 {posting.day_wage} 元低于最低工资。{sum_zh}（{basis_zh}）",
                f"the day wage of {posting.day_wage} yuan is below the legal minimum. {sum_en} ({basis_en})",
            )
        )
    usual = USUAL_DAY_WAGES.get(posting.trade)
    if usual is not None and posting.day_wage > usual * policy.wage_review_multiple:
        name = TRADES_BY_CODE[posting.trade].name_zh if posting.trade in TRADES_BY_CODE else posting.trade
        flags.append(
            FieldError(
                "day_wage",
                "wage_above_usual",
                f"日工资 {posting.day_wage} 元远高于{name}的通常日工资 {usual} 元，需人工审核",
                f"the day wage of {posting.day_wage} yuan is far above the usual {usual} yuan for "
                f"{posting.trade}; staff will review it",
            )
        )
    return refusals, flags


def screen(posting: Posting, policy: Policy) -> Screening:
    """Every refusal and every flag of ``posting``; pure, the same in the gateway and in tests."""
    refusals, flags = screen_wage(posting, policy)
    return Screening(tuple(screen_words(posting) + refusals), tuple(flags))


# ---------------------------------------------------------------- postings over time


def posting_burst(recent: Sequence[datetime], *, now: datetime, policy: Policy) -> FieldError | None:
    """A flag when more than ``policy.burst_max`` of an employer's postings (this one included) fall in the
    window ending at ``now``. ``recent`` are the employer's posting times (aware), in any order."""
    since = now - policy.burst_window
    count = sum(1 for at in recent if since < at <= now)
    if count <= policy.burst_max:
        return None
    minutes = int(policy.burst_window.total_seconds() // 60)
    return FieldError(
        "employer",
        "posting_burst",
        f"{minutes} 分钟内发布了 {count} 条招工信息，需人工审核",
        f"{count} job postings within {minutes} minutes; staff will review them",
    )
