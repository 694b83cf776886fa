"""What column names say: the English and Korean words that point to each role.

Names are compared on :func:`churn.roles.facts.normalize_name`'s form: ``*_TOKENS`` and
``*_NOT`` sets hold whole words of the snake_case name, ``*_EXACT`` sets the name with
its underscores removed, and ``*_KO`` tuples Korean parts found anywhere in it.
"""

from __future__ import annotations

ID_EXACT = set(
    """id customerid custid clientid userid memberid accountid subscriberid customerno
    customernumber customercode accountnumber accountno memberno userno cid uid customerkey
    고객id 회원id 고객번호 회원번호 고객코드 회원코드 아이디 고객아이디 사용자id 계정id 고객no
    회원no""".split()
)
ID_NOT_CUSTOMER = set(
    "order transaction invoice product item row session event sku line txn receipt".split()
)
LABEL_EXACT = set(
    """churn churned churnflag churnlabel ischurn ischurned churnyn churnstatus exited
    attrition attritionflag attrited left haschurned churnvalue 이탈 이탈여부 해지여부
    탈퇴여부 이탈유무 해지유무 이탈yn 해지yn""".split()
)
LABEL_TOKENS = {"churn", "churned", "attrition", "exited", "attrited"}
LABEL_NOT = set(
    "date day days reason score prob probability risk category type month time at on "
    "predicted prediction propensity count".split()
)
STATUS_EXACT = {
    "status",
    "state",
    "상태",
    "고객상태",
    "회원상태",
    "계약상태",
    "가입상태",
    "구독상태",
}
START_TOKENS = set(
    "signup start started joined join registration registered created activation "
    "activated onboarded since opened subscribed begin first".split()
)
START_KO = (
    "가입일",
    "시작일",
    "등록일",
    "개통일",
    "가입날짜",
    "계약시작",
    "개시일",
    "시작날짜",
    "첫구매",
)
END_TOKENS = set(
    "cancel cancelled canceled cancellation end ended churn churned terminated "
    "termination closed exit expiry expired expiration stop stopped unsubscribed".split()
)
END_KO = (
    "해지일",
    "종료일",
    "탈퇴일",
    "이탈일",
    "해약일",
    "만료일",
    "계약종료",
    "해지날짜",
    "이탈날짜",
)
EVENT_TOKENS = set(
    "date order purchase transaction event invoice visit activity timestamp time day "
    "ordered purchased".split()
)
EVENT_KO = ("주문일", "구매일", "거래일", "결제일", "일자", "날짜", "방문일", "이용일")
AMOUNT_TOKENS = set(
    "amount amt fee fees revenue price charge charges spend spent sales value payment "
    "payments paid mrr arpu bill billing cost subtotal".split()
)
AMOUNT_KO = ("매출", "금액", "요금", "결제액", "구매액", "가격", "월정액", "이용료")
AMOUNT_NOT = set("nps score count discount rate pct percent ratio".split())
TENURE_EXACT = {
    "tenure",
    "tenuremonths",
    "months",
    "monthsactive",
    "accountlength",
    "monthsascustomer",
    "monthsonbook",
    "개월",
    "개월수",
}
TENURE_KO = ("가입기간", "이용기간", "가입개월", "이용개월", "가입월수", "이용월수", "근속")
REASON_TOKENS = {"reason", "reasons", "cause"}
NAME_EXACT = set(
    """name customername fullname firstname lastname surname clientname membername
    username contactname 이름 고객명 성명 회원명 고객이름 성함""".split()
)
EMAIL_EXACT = {"email", "emailaddress", "mail", "이메일", "메일", "이메일주소", "전자우편"}
PHONE_TOKENS = {"phone", "tel", "telephone", "mobile", "cell", "cellphone", "fax"}
PHONE_KO = ("전화", "휴대폰", "연락처", "핸드폰", "휴대전화")
PERSONAL_TOKENS = {"address", "street", "ssn", "passport", "ip", "birthday", "dob", "birthdate"}
PERSONAL_KO = ("주소", "주민", "여권", "생년월일", "생일")
LEAK_TOKENS = set(
    "churn churned cancel cancelled canceled cancellation exit exited attrition attrited "
    "reason status terminated termination".split()
)
LEAK_KO = ("이탈", "해지", "탈퇴", "해약", "사유", "상태", "원인")
CODE_TOKENS = set("code area zip postal region type category class segment group tier".split())
CODE_KO = ("코드", "지역", "구분", "유형", "등급")
#: Words that make a "status" name a demographic attribute (marital status, employment
#: status, 혼인상태): never leakage by name.
DEMOGRAPHIC_TOKENS = set(
    "marital marriage married employment employed employer job work occupation "
    "occupational relationship family household civil residence residential housing home "
    "homeowner student education smoking smoker health citizenship immigration veteran "
    "military disability parental".split()
)
DEMOGRAPHIC_KO = tuple("혼인 결혼 고용 재직 취업 직업 거주 주거 학생 건강 가족 가구".split())
#: Status words: the only leakage words a demographic name may hold.
STATUS_WORDS = {"status", "state"}
STATUS_KO = ("상태",)
#: Names of a time since the last activity (recency, days since last login, months
#: inactive): counted at export, they keep growing after a customer leaves.
RECENCY_TOKENS = set("recency inactive inactivity idle dormant dormancy lapsed ago since".split())
RECENCY_LAST = {"last", "latest"}
RECENCY_WITH = set(
    "day days week weeks month months mon year years hour hours login logins logon visit "
    "visited seen active activity purchase purchased order ordered used use transaction "
    "txn session contact".split()
)
RECENCY_KO = ("경과", "미접속", "미이용", "휴면", "마지막", "최종")
#: Codes stored as numbers (zip code, area code): categories, never amounts.
CODE_NUMBER_TOKENS = {"code", "zip", "zipcode", "postal", "postcode", "postalcode", "areacode"}
CODE_NUMBER_KO = ("우편번호", "코드", "지역번호")
#: Place codes ending like an id number (번호): never a customer id.
POSTAL_KO = ("우편번호", "지역번호")
POSTAL_TOKENS = {"zip", "zipcode", "postal", "postcode", "postalcode", "areacode"}
#: Coordinates.
COORD_TOKENS = {"lat", "latitude", "lon", "lng", "longitude", "coordinates"}
COORD_EXACT = {"long", "lat", "lon", "lng", "위도", "경도"}
COORD_KO = ("위도", "경도", "좌표")
