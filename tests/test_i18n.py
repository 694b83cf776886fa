"""Both catalogues must be complete and agree on keys and placeholders."""

from __future__ import annotations

import string

from ui.i18n import LANGUAGES, catalogue, fmt_pct, t


def _placeholders(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def test_languages_have_the_same_keys():
    en, ko = catalogue("en"), catalogue("ko")
    assert set(LANGUAGES) == {"en", "ko"}
    assert sorted(set(en) - set(ko)) == []
    assert sorted(set(ko) - set(en)) == []


def test_placeholders_agree():
    en, ko = catalogue("en"), catalogue("ko")
    bad = [k for k in en if _placeholders(en[k]) != _placeholders(ko[k])]
    assert bad == []


def test_no_empty_korean_strings_where_english_has_text():
    en, ko = catalogue("en"), catalogue("ko")
    assert [k for k in en if en[k] and not ko[k]] == []


def test_t_fills_values_and_falls_back():
    assert t("common.status_confirmed", lang="en", name="x.csv") == "File: x.csv (roles confirmed)"
    assert "x.csv" in t("common.status_confirmed", lang="ko", name="x.csv")
    assert t("no.such_key", lang="ko") == "no.such_key"
    assert fmt_pct(0.2654, lang="en") == "26.5 %"
    assert fmt_pct(0.2654, lang="ko") == "26.5%"


def test_md_safe_leaves_ordinary_text_and_defuses_live_markdown():
    from ui.i18n import md_safe

    for plain in ("Amount [USD]", "customer_id", "a < b", "30% off", "가입일"):
        assert md_safe(plain) == plain
    assert md_safe("![t](http://h/x.png)") == r"\!\[t\]\(http\:\/\/h\/x\.png\)"
    assert md_safe("[go](http://x)") == r"\[go\]\(http\:\/\/x\)"
    assert md_safe("fee $1 to $2") == r"fee \$1 to \$2"
    assert md_safe(":red[alarm]") == r"\:red\[alarm\]"


def test_t_defuses_markdown_in_values_but_not_numbers():
    from ui.i18n import catalogue, t

    text = t("common.data_error", lang="en", message="[x](http://h)")
    assert "[x](http://h)" not in text and r"\[x\]\(http" in text
    template = catalogue("en")["common.data_error"]
    assert t("common.data_error", lang="en", message="a_b 1.5") == template.format(
        message="a_b 1.5"
    )
