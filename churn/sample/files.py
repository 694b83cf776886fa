"""Writing the sample files: the CSVs, the Korean Excel export, and ``python -m churn.sample``."""

from __future__ import annotations

import math
from datetime import datetime
from pathlib import Path

import pandas as pd

from churn.sample.monthly import write_monthly
from churn.sample.subscriptions import (
    CHANNELS,
    CHURNED_KO,
    CONTRACTS,
    GIVEN_NAMES,
    OWNERS,
    PLANS,
    REASONS,
    REGIONS,
    SNAPSHOT,
    SURNAMES,
    YES_NO,
    generate_subscriptions,
)
from churn.sample.transactions import generate_transactions

SUBSCRIPTIONS_CSV = "subscriptions.csv"
SUBSCRIPTIONS_XLSX = "subscriptions_ko.xlsx"
TRANSACTIONS_CSV = "transactions.csv"
SHEET_DICTIONARY = "데이터 설명"
SHEET_DATA = "고객목록"

# ---------------------------------------------------------------------------------------
# The Korean export
# ---------------------------------------------------------------------------------------
#: English column -> (Korean column, Korean description, values / unit) for the export.
KOREAN_COLUMNS: dict[str, tuple[str, str, str]] = {
    "customer_id": ("고객ID", "고객 고유번호", "C로 시작하는 5자리 번호"),
    "name": ("이름", "고객 이름 (가상의 개인정보)", "분석에 사용하지 않음"),
    "email": ("이메일", "고객 이메일 (가상의 개인정보)", "분석에 사용하지 않음"),
    "signup_date": ("가입일", "서비스 가입일", "날짜"),
    "cancel_date": ("해지일", "해지 신청일, 유지 고객은 빈칸", "날짜"),
    "plan": ("요금제", "가입한 요금제", "베이직 / 스탠다드 / 프리미엄"),
    "contract": ("계약유형", "월간은 매월 갱신, 연간은 12개월 약정(매월 결제)", "월간 / 연간"),
    "monthly_fee": ("월요금", "실제 청구되는 월 요금 (할인 반영)", "원"),
    "region": ("지역", "고객 거주 지역", "서울, 경기, 부산 등"),
    "acquisition_channel": ("유입경로", "처음 가입한 경로, 미기록은 빈칸", "자연검색, 검색광고 등"),
    "account_owner": ("담당자", "고객 담당 매니저", "직원 이름"),
    "support_tickets_90d": (
        "상담건수_90일",
        "기준일(이탈 고객은 해지일) 전 90일 동안의 고객센터 문의 건수",
        "건",
    ),
    "complaints_90d": ("불만건수_90일", "그중 불만(클레임)으로 분류된 건수", "건"),
    "nps": ("NPS", "추천 의향 점수, 미응답은 빈칸", "0~10점"),
    "logins_30d": ("로그인_30일", "기준일 전 30일 동안의 로그인 횟수", "회"),
    "logins_change_pct": (
        "로그인변화율",
        "직전 30일 대비 로그인 증감률, 직전 30일이 0회면 빈칸",
        "%",
    ),
    "newsletter_unsubscribed": ("뉴스레터_수신거부", "뉴스레터 수신을 거부했는지", "예 / 아니오"),
    "discount_requested": ("할인요청", "기준일 전 90일 안에 가격 할인을 요청했는지", "예 / 아니오"),
    "days_to_renewal": ("갱신까지_일수", "기준일부터 다음 갱신일까지 남은 일수", "일"),
    "failed_payments_90d": ("결제실패_90일", "기준일 전 90일 동안 결제에 실패한 횟수", "회"),
    "churn_reason": (
        "이탈사유",
        "해지 고객이 밝힌 사유, 유지 고객과 무응답은 빈칸",
        "가격 부담 등",
    ),
    "churned": ("이탈여부", "기준일까지 해지했는지", "이탈 / 유지"),
}


def _korean_names() -> dict[str, str]:
    names = {f"{g[0]} {s[0]}": f"{s[1]}{g[1]}" for s in SURNAMES for g in GIVEN_NAMES}
    names.update(dict(OWNERS))
    return names


def to_korean(df: pd.DataFrame) -> pd.DataFrame:
    """The subscription sample as a Korean marketer's export would have it.

    Parameters
    ----------
    df : pandas.DataFrame
        A frame from :func:`generate_subscriptions` (it is not modified).

    Returns
    -------
    pandas.DataFrame
        The same customers and values with Korean column names (고객ID, 이름, ...,
        이탈여부) and Korean labels: names in Hangul, 월간/연간, 예/아니오, 이탈/유지,
        regions, channels, plans and reasons in Korean. Dates and numbers are unchanged.
        A value with no Korean label is kept as it is.
    """
    out = df.copy()
    names = _korean_names()
    maps = {
        "name": names,
        "account_owner": names,
        "plan": {p[0]: p[1] for p in PLANS},
        "contract": CONTRACTS,
        "region": {r[0]: r[1] for r in REGIONS},
        "acquisition_channel": {c[0]: c[1] for c in CHANNELS},
        "newsletter_unsubscribed": YES_NO,
        "discount_requested": YES_NO,
        "churn_reason": dict(REASONS),
        "churned": CHURNED_KO,
    }
    for column, mapping in maps.items():
        if column in out:
            out[column] = out[column].map(mapping).where(out[column].notna()).fillna(out[column])
    return out.rename(columns={k: v[0] for k, v in KOREAN_COLUMNS.items()})


def write_korean_xlsx(df_ko: pd.DataFrame, path, snapshot=SNAPSHOT) -> Path:
    """Write the Korean export: sheet "데이터 설명" (a dictionary) first, then "고객목록".

    Dates are real Excel dates (``yyyy-mm-dd``), blanks stay blank, and the workbook's
    properties carry a fixed creation date so the same frame gives the same bytes.

    Parameters
    ----------
    df_ko : pandas.DataFrame
        A frame from :func:`to_korean`.
    path : str or Path
        Where to write the ``.xlsx`` file.
    snapshot : str or Timestamp
        The "as of" date stated on the dictionary sheet and used as creation date.

    Returns
    -------
    Path
        The path written.
    """
    import xlsxwriter

    path = Path(path)
    snap = pd.Timestamp(snapshot).normalize()
    book = xlsxwriter.Workbook(
        str(path), {"strings_to_numbers": False, "strings_to_formulas": False}
    )
    book.set_properties(
        {
            "title": "고객목록 내보내기",
            "author": "ChurnLens sample generator",
            "company": "ChurnLens (fictional data)",
            "created": datetime(snap.year, snap.month, snap.day),
        }
    )
    bold = book.add_format({"bold": True})
    title = book.add_format({"bold": True, "font_size": 14})
    header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
    money = book.add_format({"num_format": "#,##0"})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})

    info = book.add_worksheet(SHEET_DICTIONARY)
    info.write(0, 0, "고객목록 데이터 설명", title)
    info.write(1, 0, f"기준일: {snap:%Y-%m-%d} · 데이터는 '{SHEET_DATA}' 시트에 있습니다.")
    info.write(2, 0, "가상의 구독 서비스 고객 데이터입니다. 실제 인물과 관계가 없습니다.")
    info.write(
        3,
        0,
        "'_90일', '_30일' 항목과 갱신까지_일수는 유지 고객은 기준일, 이탈 고객은 해지일 "
        "직전 기간을 기준으로 집계했습니다.",
    )
    for col, text in enumerate(("컬럼명", "설명", "값 / 단위")):
        info.write(5, col, text, header)
    korean = {v[0]: v for v in KOREAN_COLUMNS.values()}
    for row, column in enumerate(df_ko.columns, start=6):
        _, description, values = korean.get(column, (column, "", ""))
        info.write(row, 0, column, bold)
        info.write(row, 1, description, wrap)
        info.write(row, 2, values, wrap)
    info.set_column(0, 0, 18)
    info.set_column(1, 1, 52)
    info.set_column(2, 2, 26)

    data = book.add_worksheet(SHEET_DATA)
    for col, column in enumerate(df_ko.columns):
        data.write(0, col, column, header)
        values = df_ko[column]
        if pd.api.types.is_datetime64_any_dtype(values):
            cell_format = date_fmt
            width = 12
        elif column == KOREAN_COLUMNS["monthly_fee"][0]:
            cell_format, width = money, 10
        else:
            cell_format, width = None, max(10, min(28, len(column) * 2 + 4))
        data.set_column(col, col, width)
        for row, value in enumerate(values.tolist(), start=1):
            if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
                continue
            if value is pd.NA:
                continue
            if isinstance(value, pd.Timestamp):
                data.write_datetime(row, col, value.to_pydatetime(), cell_format)
            elif isinstance(value, str):
                data.write_string(row, col, value)
            else:
                data.write_number(row, col, float(value), cell_format)
    data.freeze_panes(1, 0)
    data.autofilter(0, 0, len(df_ko), len(df_ko.columns) - 1)
    info.activate()  # the dictionary sheet opens first, as in a real export
    book.close()
    return path


# ---------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------
def _write_csv(df: pd.DataFrame, path: Path) -> None:
    df.to_csv(path, index=False, date_format="%Y-%m-%d", lineterminator="\n", encoding="utf-8")


def write_samples(folder="data/sample") -> dict[str, Path]:
    """Regenerate the sample files in ``folder`` (same bytes on every run): the three
    above and the monthly snapshots with their campaign (``churn.sample.monthly``).

    Parameters
    ----------
    folder : str or Path
        Target folder (created if missing). ``README.md`` there is not touched.

    Returns
    -------
    dict
        File name -> path written.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    subs = generate_subscriptions()
    paths = {
        SUBSCRIPTIONS_CSV: folder / SUBSCRIPTIONS_CSV,
        SUBSCRIPTIONS_XLSX: folder / SUBSCRIPTIONS_XLSX,
        TRANSACTIONS_CSV: folder / TRANSACTIONS_CSV,
    }
    _write_csv(subs, paths[SUBSCRIPTIONS_CSV])
    write_korean_xlsx(to_korean(subs), paths[SUBSCRIPTIONS_XLSX])
    _write_csv(generate_transactions(), paths[TRANSACTIONS_CSV])
    paths.update(write_monthly(folder))  # three monthly snapshots and the campaign list
    return paths
