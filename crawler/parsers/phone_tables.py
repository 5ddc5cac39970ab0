"""The official changes to Vietnamese telephone numbers, as data.

Pages in the archive go back years, and the numbers they print are the numbers of their day:
an An Giang office printed ``(076) 3852 989`` until 2017 and ``(0296) 3852 989`` after; an
official's mobile ``0168 xxx xxxx`` became ``036 xxx xxxx`` in 2018. To store one number per
line we rewrite old forms to current ones, using the two renumberings below. Only the tables
live here; ``crawler.parsers.phones`` decides when to apply them.

Sources (Bộ Thông tin và Truyền thông, Ministry of Information and Communications):

* Landline area codes, 2017: Quyết định 2036/QĐ-BTTTT of 21 November 2016 ("Kế hoạch chuyển
  đổi mã vùng viễn thông"), implementing the numbering plan of Thông tư 22/2014/TT-BTTTT of
  22 December 2014 (in force 1 March 2015). Three phases; in each, old and new codes both worked
  for about 30 days (parallel dialling), then an announcement tone played on the old code, then
  only the new code worked. 59 of 63 provinces changed; Vĩnh Phúc, Phú Thọ, Hòa Bình and Hà Giang
  kept theirs. Subscriber numbers were not changed: only the code in front.
  Dates of phase 3 as restated in Công văn 1942/BTTTT-CVT of 6 June 2017.
* Mobile prefixes, 2018: Quyết định 798/QĐ-BTTTT of 25 May 2018 ("Kế hoạch chuyển đổi mã mạng":
  the 21 prefixes of 11-digit mobiles move to 10-digit ones). All networks started at 00:00 on
  15 September 2018; parallel dialling until 23:59 on 14 November 2018; an announcement tone
  until 23:59 on 30 June 2019. The last seven digits were kept; only the prefix changed.

Dates and codes were compared with contemporary reports (Báo Đầu tư, Tuyên giáo, Nhân Dân,
VnExpress, Thái Bình and Hà Nội district portals, 2016-2018); the decisions are the authority.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple


class Phase(NamedTuple):
    """The dates of one step of a renumbering (each the first or last day, inclusive)."""

    start: date  # new numbers work; old ones still work (parallel dialling)
    parallel_dialling_end: date  # last day the old form connected
    announcement_end: date  # last day the old form played a "number changed" message


class AreaCodeChange(NamedTuple):
    """One province's landline area code change, in national form (with the leading 0)."""

    new: str
    province: str
    phase: int


class PrefixChange(NamedTuple):
    """One mobile prefix change, in national form (with the leading 0)."""

    new: str
    network: str


#: The three phases of the 2017 landline change (Quyết định 2036/QĐ-BTTTT).
LANDLINE_PHASES: dict[int, Phase] = {
    1: Phase(date(2017, 2, 11), date(2017, 3, 13), date(2017, 4, 14)),
    2: Phase(date(2017, 4, 15), date(2017, 5, 14), date(2017, 6, 16)),
    3: Phase(date(2017, 6, 17), date(2017, 7, 16), date(2017, 8, 31)),
}

#: Old landline area code -> new code, province and phase: all 59 provinces that changed.
#: Local numbers are 7 digits after a 3- or 4-digit code, 8 digits after Hà Nội's and TP.HCM's.
LANDLINE_CODE_CHANGES: dict[str, AreaCodeChange] = {
    # Phase 1, from 11 February 2017: the North-West and the North of the Central region.
    "022": AreaCodeChange("0212", "Sơn La", 1),
    "0231": AreaCodeChange("0213", "Lai Châu", 1),
    "020": AreaCodeChange("0214", "Lào Cai", 1),
    "0230": AreaCodeChange("0215", "Điện Biên", 1),
    "029": AreaCodeChange("0216", "Yên Bái", 1),
    "052": AreaCodeChange("0232", "Quảng Bình", 1),
    "053": AreaCodeChange("0233", "Quảng Trị", 1),
    "054": AreaCodeChange("0234", "Thừa Thiên Huế", 1),
    "0510": AreaCodeChange("0235", "Quảng Nam", 1),
    "0511": AreaCodeChange("0236", "Đà Nẵng", 1),
    "037": AreaCodeChange("0237", "Thanh Hóa", 1),
    "038": AreaCodeChange("0238", "Nghệ An", 1),
    "039": AreaCodeChange("0239", "Hà Tĩnh", 1),
    # Phase 2, from 15 April 2017: the North-East, the Red River delta, the Mekong delta (part).
    "033": AreaCodeChange("0203", "Quảng Ninh", 2),
    "0240": AreaCodeChange("0204", "Bắc Giang", 2),
    "025": AreaCodeChange("0205", "Lạng Sơn", 2),
    "026": AreaCodeChange("0206", "Cao Bằng", 2),
    "027": AreaCodeChange("0207", "Tuyên Quang", 2),
    "0280": AreaCodeChange("0208", "Thái Nguyên", 2),
    "0281": AreaCodeChange("0209", "Bắc Kạn", 2),
    "0320": AreaCodeChange("0220", "Hải Dương", 2),
    "0321": AreaCodeChange("0221", "Hưng Yên", 2),
    "0241": AreaCodeChange("0222", "Bắc Ninh", 2),
    "031": AreaCodeChange("0225", "Hải Phòng", 2),
    "0351": AreaCodeChange("0226", "Hà Nam", 2),
    "036": AreaCodeChange("0227", "Thái Bình", 2),
    "0350": AreaCodeChange("0228", "Nam Định", 2),
    "030": AreaCodeChange("0229", "Ninh Bình", 2),
    "0780": AreaCodeChange("0290", "Cà Mau", 2),
    "0781": AreaCodeChange("0291", "Bạc Liêu", 2),
    "0710": AreaCodeChange("0292", "Cần Thơ", 2),
    "0711": AreaCodeChange("0293", "Hậu Giang", 2),
    "074": AreaCodeChange("0294", "Trà Vinh", 2),
    "076": AreaCodeChange("0296", "An Giang", 2),
    "077": AreaCodeChange("0297", "Kiên Giang", 2),
    "079": AreaCodeChange("0299", "Sóc Trăng", 2),
    # Phase 3, from 17 June 2017: Hà Nội, TP.HCM, the South-Central coast, the Central
    # Highlands, the South-East and the rest of the Mekong delta.
    "04": AreaCodeChange("024", "Hà Nội", 3),
    "08": AreaCodeChange("028", "TP. Hồ Chí Minh", 3),
    "061": AreaCodeChange("0251", "Đồng Nai", 3),
    "062": AreaCodeChange("0252", "Bình Thuận", 3),
    "064": AreaCodeChange("0254", "Bà Rịa - Vũng Tàu", 3),
    "055": AreaCodeChange("0255", "Quảng Ngãi", 3),
    "056": AreaCodeChange("0256", "Bình Định", 3),
    "057": AreaCodeChange("0257", "Phú Yên", 3),
    "058": AreaCodeChange("0258", "Khánh Hòa", 3),
    "068": AreaCodeChange("0259", "Ninh Thuận", 3),
    "060": AreaCodeChange("0260", "Kon Tum", 3),
    "0501": AreaCodeChange("0261", "Đắk Nông", 3),
    "0500": AreaCodeChange("0262", "Đắk Lắk", 3),
    "063": AreaCodeChange("0263", "Lâm Đồng", 3),
    "059": AreaCodeChange("0269", "Gia Lai", 3),
    "070": AreaCodeChange("0270", "Vĩnh Long", 3),
    "0651": AreaCodeChange("0271", "Bình Phước", 3),
    "072": AreaCodeChange("0272", "Long An", 3),
    "073": AreaCodeChange("0273", "Tiền Giang", 3),
    "0650": AreaCodeChange("0274", "Bình Dương", 3),
    "075": AreaCodeChange("0275", "Bến Tre", 3),
    "066": AreaCodeChange("0276", "Tây Ninh", 3),
    "067": AreaCodeChange("0277", "Đồng Tháp", 3),
}

#: The four provinces whose code did not change in 2017.
UNCHANGED_LANDLINE_CODES: dict[str, str] = {
    "0210": "Phú Thọ",
    "0211": "Vĩnh Phúc",
    "0218": "Hòa Bình",
    "0219": "Hà Giang",
}

#: Area codes followed by 8-digit local numbers (all others: 7 digits), before and after 2017.
EIGHT_DIGIT_LOCAL_CODES: frozenset[str] = frozenset({"04", "08", "024", "028"})

#: The 2018 change of 11-digit mobiles to 10 digits (Quyết định 798/QĐ-BTTTT).
MOBILE_CHANGE: Phase = Phase(date(2018, 9, 15), date(2018, 11, 14), date(2019, 6, 30))

#: Old 11-digit mobile prefix -> new 10-digit prefix and network; the 7 digits after it are kept.
MOBILE_PREFIX_CHANGES: dict[str, PrefixChange] = {
    "0120": PrefixChange("070", "MobiFone"),
    "0121": PrefixChange("079", "MobiFone"),
    "0122": PrefixChange("077", "MobiFone"),
    "0126": PrefixChange("076", "MobiFone"),
    "0128": PrefixChange("078", "MobiFone"),
    "0123": PrefixChange("083", "VinaPhone"),
    "0124": PrefixChange("084", "VinaPhone"),
    "0125": PrefixChange("085", "VinaPhone"),
    "0127": PrefixChange("081", "VinaPhone"),
    "0129": PrefixChange("082", "VinaPhone"),
    "0162": PrefixChange("032", "Viettel"),
    "0163": PrefixChange("033", "Viettel"),
    "0164": PrefixChange("034", "Viettel"),
    "0165": PrefixChange("035", "Viettel"),
    "0166": PrefixChange("036", "Viettel"),
    "0167": PrefixChange("037", "Viettel"),
    "0168": PrefixChange("038", "Viettel"),
    "0169": PrefixChange("039", "Viettel"),
    "0186": PrefixChange("056", "Vietnamobile"),
    "0188": PrefixChange("058", "Vietnamobile"),
    "0199": PrefixChange("059", "Gmobile"),
}

#: 10-digit mobile prefixes already in use before the 2017 landline change (09x since the
#: 1990s-2000s; 086 Viettel, 088 VinaPhone, 089 MobiFone from the mid-2010s). A plain
#: "08 6xxx xxxx" is therefore not read as an old TP.HCM landline unless written as one.
MOBILE_PREFIXES_BEFORE_2017: tuple[str, ...] = ("09", "086", "088", "089")

#: Prefix of the 5-digit numbers of the State's private telephone network (mạng điện thoại
#: chuyên dùng), printed by ministries and provinces as "080 43162" or "080.48924"; they are not
#: reachable from the public network and are not in Google's numbering metadata.
GOVERNMENT_NETWORK_PREFIX = "080"
