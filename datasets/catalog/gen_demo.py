#!/usr/bin/env python3
"""Generates demo.jsonl: the demo service catalog (实施清单 with their 办事指南).

Each line is one offering in the serde shape of `Offering` (crates/domain/src/catalog.rs).
The catalog is built from three tables below:

* AGENCIES  - implementing agencies (实施机构): real names at real divisions; their credit
              codes are synthetic but valid GB 32100 codes (derived deterministically).
* ITEMS     - service items (事项) with the guide content they share wherever they are offered.
* OFFERINGS - (item, agency, local overrides): one offering per row.

Usage:
    python3 datasets/catalog/gen_demo.py            # (re)writes datasets/catalog/demo.jsonl
    python3 datasets/catalog/gen_demo.py --check    # exit 1 if demo.jsonl differs from the output
    python3 datasets/catalog/check_demo.py          # validates demo.jsonl against the domain rules

Only the Python standard library is used. The output is deterministic.
"""

import copy
import hashlib
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "demo.jsonl"

# ---------------------------------------------------------------------------------------------
# Codes
# ---------------------------------------------------------------------------------------------

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100: no I, O, S, V, Z
WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def credit_check_char(first17: str) -> str:
    """GB 32100 check character of the first 17 characters."""
    total = sum(CHARSET.index(c) * w for c, w in zip(first17, WEIGHTS))
    return CHARSET[(31 - total % 31) % 31]


def organization_code(seed: str) -> str:
    """A synthetic 9-character organisation code (GB 11714): 8 digits derived from `seed`
    plus its own check character, so the embedded code raises no warning either."""
    digest = hashlib.sha256(seed.encode()).hexdigest()
    body = "".join(str(int(h, 16) % 10) for h in digest[:8])
    total = sum(int(c) * w for c, w in zip(body, [3, 7, 9, 10, 5, 8, 4, 2]))
    c = 11 - total % 11
    return body + ("X" if c == 10 else "0" if c == 11 else str(c))


# 机构编制 (registration authority 1) organisation categories.
CAT_ORGAN = "1"  # 机关
CAT_INSTITUTION = "2"  # 事业单位
CAT_MASS_ORG = "3"  # 群众团体 (e.g. 残疾人联合会)


def credit_code(category: str, registration_division: str, seed: str) -> str:
    first17 = "1" + category + registration_division + organization_code(seed)
    return first17 + credit_check_char(first17)


assert credit_check_char("91350100M000100Y4") == "3"
assert credit_check_char("91110000802100433") == "B"

# ---------------------------------------------------------------------------------------------
# Agencies
# ---------------------------------------------------------------------------------------------

ONLINE_HOURS = "网上办理 7×24 小时；人工咨询工作日 9:00-17:00"
HOURS = {
    "11": "周一至周五 9:00-12:00，13:00-17:00（法定节假日除外）",
    "31": "周一至周五 9:00-17:00，周六 9:00-12:00（部分窗口，法定节假日除外）",
    "32": "周一至周五 9:00-12:00，13:30-17:00（法定节假日除外）",
    "33": "周一至周五 8:30-12:00，13:30-17:00（法定节假日除外）",
    "44": "周一至周五 9:00-12:00，14:00-18:00（法定节假日除外）",
    "51": "周一至周五 9:00-12:00，13:30-17:00；周六 9:00-12:00 延时服务（法定节假日除外）",
}
AREA = {"11": "010", "31": "021", "32": "025", "33": "0571", "44": "020", "51": "028"}


def local_tel(division: str, seed: str) -> str:
    """A placeholder local consultation number (area code + 8 digits, deterministic)."""
    digest = hashlib.sha256(("tel:" + seed).encode()).hexdigest()
    digits = "".join(str(int(h, 16) % 10) for h in digest[:7])
    return f"{AREA[division[:2]]}-{'6' if division[:2] in ('11', '33') else '8'}{digits}"


AGENCIES = {}


def agency(key, name, division, level, hall, *, cat=CAT_ORGAN, tel=None, complaint="12345", hours=None, reg=None):
    """Registers an agency. `reg` is the 6-digit registration division inside the credit code
    (national bodies: 100000; township bodies: their county)."""
    if reg is None:
        reg = "100000" if level == "national" else division[:6]
    AGENCIES[key] = {
        "credit_code": credit_code(cat, reg, key),
        "name": name,
        "division_code": division,
        "level": level,
        "hall": hall,
        "hours": hours or HOURS[division[:2]],
        "tel": tel or local_tel(division, key),
        "complaint": complaint,
    }


# National (division 110000, level national).
agency("caac", "中国民用航空局", "110000", "national",
       "民用无人驾驶航空器综合管理平台（UOM，网上办理）", hours=ONLINE_HOURS, complaint="12326")
agency("miit", "工业和信息化部", "110000", "national",
       "工业和信息化部政务服务大厅；电信业务市场综合管理信息系统（网上申请）",
       hours="周一至周五 9:00-11:30，13:30-16:30（法定节假日除外）", complaint="010-66022114")
agency("moe_csd", "教育部学生服务与素质发展中心", "110000", "national",
       "中国高等教育学生信息网（学信网，网上办理）", cat=CAT_INSTITUTION, hours=ONLINE_HOURS)

# 北京市 (110000) and 东城区 (110101), 东华门街道 (110101001).
agency("bj_crj", "北京市公安局出入境管理总队", "110000", "provincial",
       "北京市公安局出入境接待大厅（东城区安定门东大街2号）及各区出入境接待大厅",
       tel="12367", complaint="12389", hours="周一至周五 8:30-17:00，周六 8:30-12:00（法定节假日除外）")
agency("bj_gjj", "北京住房公积金管理中心", "110000", "provincial",
       "北京住房公积金管理中心各管理部业务大厅；北京公积金App、网上业务系统", cat=CAT_INSTITUTION, tel="12329")
agency("bjdc_ga", "北京市公安局东城分局", "110101", "county",
       "北京市东城区政务服务中心公安户政窗口及辖区派出所户籍窗口", complaint="12389")
agency("bjdc_sj", "北京市东城区市场监督管理局", "110101", "county", "北京市东城区政务服务中心市场监管窗口")
agency("bjdc_mz", "北京市东城区民政局", "110101", "county", "北京市东城区政务服务中心民政窗口")
agency("bjdc_wjw", "北京市东城区卫生健康委员会", "110101", "county", "北京市东城区政务服务中心卫生健康窗口", tel="12320")
agency("bjdc_cl", "北京市东城区残疾人联合会", "110101", "county", "北京市东城区政务服务中心残联窗口",
       cat=CAT_MASS_ORG, tel="12385")
agency("bjdc_cgw", "北京市东城区城市管理委员会", "110101", "county", "北京市东城区政务服务中心城市管理窗口")
agency("bjdhm_pcs", "北京市公安局东城分局东华门派出所", "110101001", "township", "东华门派出所户籍窗口",
       complaint="12389")
agency("bjdhm_jd", "北京市东城区东华门街道办事处", "110101001", "township", "东华门街道政务服务中心")

# 上海市 (310000), 徐汇区 (310104), 浦东新区 (310115).
agency("sh_crj", "上海市公安局出入境管理局", "310000", "provincial",
       "上海市公安局出入境管理局办证大厅（浦东新区民生路1500号）及各区出入境受理点", tel="12367", complaint="12389")
agency("sh_gjj", "上海市公积金管理中心", "310000", "provincial",
       "上海市公积金管理中心各区管理部业务网点；“一网通办”公积金专栏", cat=CAT_INSTITUTION, tel="12329")
agency("sh_sb", "上海市社会保险事业管理中心", "310000", "provincial",
       "各区社区事务受理服务中心、社保分中心；“一网通办”社保专栏", cat=CAT_INSTITUTION, tel="12333")
agency("shxh_ga", "上海市公安局徐汇分局", "310104", "county",
       "徐汇区行政服务中心公安窗口及各派出所户籍窗口", complaint="12389")
agency("shxh_mz", "上海市徐汇区民政局", "310104", "county", "徐汇区婚姻登记中心")
agency("shxh_sj", "上海市徐汇区市场监督管理局", "310104", "county", "徐汇区行政服务中心市场监管窗口")
agency("shxh_lh", "上海市徐汇区绿化和市容管理局", "310104", "county", "徐汇区行政服务中心绿化市容窗口")
agency("shxh_wl", "上海市徐汇区文化和旅游局", "310104", "county", "徐汇区行政服务中心文化旅游窗口")
agency("shpd_sj", "上海市浦东新区市场监督管理局", "310115", "county", "浦东新区企业服务中心市场监管窗口")
agency("shpd_bdc", "上海市浦东新区不动产登记事务中心", "310115", "county", "浦东新区不动产登记事务中心受理大厅",
       cat=CAT_INSTITUTION)
agency("shpd_jjw", "上海市浦东新区建设和交通委员会", "310115", "county", "浦东新区企业服务中心建设工程审批窗口",
       tel="12319")
agency("shpd_rsj", "上海市浦东新区人力资源和社会保障局", "310115", "county", "浦东新区企业服务中心人社窗口", tel="12333")

# 广东省 (440000), 广州市 (440100), 天河区 (440106), 五山街道 (440106001).
agency("gd_wlt", "广东省文化和旅游厅", "440000", "provincial", "广东省政务服务中心文化和旅游窗口；广东政务服务网")
agency("gd_tca", "广东省通信管理局", "440000", "provincial", "工业和信息化部ICP/IP地址/域名信息备案管理系统（网上办理）",
       hours=ONLINE_HOURS)
agency("gz_sj", "广州市市场监督管理局", "440100", "city", "广州市政务服务中心市场监管窗口")
agency("gz_gjj", "广州住房公积金管理中心", "440100", "city",
       "广州住房公积金管理中心各管理部；穗好办App、广州住房公积金网上服务厅", cat=CAT_INSTITUTION, tel="12329")
agency("gz_cgs", "广州市公安局交通警察支队", "440100", "city",
       "广州市车辆管理所及各车管分所、交管服务站；交管12123 App", complaint="12389")
agency("gz_crj", "广州市公安局出入境管理支队", "440100", "city", "广州市出入境办证大厅及各区出入境办证点",
       tel="12367", complaint="12389")
agency("gz_yb", "广州市医疗保障局", "440100", "city", "广州市医疗保障经办服务窗口；粤医保小程序", tel="12393")
agency("gz_sb", "广州市社会保险基金管理中心", "440100", "city", "广州市社会保险基金管理中心各区分中心；广东人社App",
       cat=CAT_INSTITUTION, tel="12333")
agency("gz_rsj", "广州市人力资源和社会保障局", "440100", "city", "社会保障卡服务网点及合作银行网点；广东人社App", tel="12333")
agency("gz_zj", "广州市住房和城乡建设局", "440100", "city",
       "广州市政务服务中心工程建设项目审批窗口；广州市工程建设项目联合审批平台", tel="12319")
agency("gz_gz", "广州市规划和自然资源局", "440100", "city",
       "广州市政务服务中心工程建设项目审批窗口；广州市工程建设项目联合审批平台")
agency("gz_sthj", "广州市生态环境局", "440100", "city", "广州市政务服务中心生态环境窗口；全国排污许可证管理信息平台")
agency("gz_sw", "广州市水务局", "440100", "city", "广州市政务服务中心水务窗口")
agency("gz_wjw", "广州市卫生健康委员会", "440100", "city", "广州市政务服务中心卫生健康窗口", tel="12320")
agency("gzth_ga", "广州市公安局天河区分局", "440106", "county",
       "天河区政务服务中心公安窗口及辖区派出所户政窗口", complaint="12389")
agency("gzth_sj", "广州市天河区市场监督管理局", "440106", "county", "天河区政务服务中心市场监管窗口")
agency("gzth_mz", "广州市天河区民政局", "440106", "county", "天河区婚姻登记处")
agency("gzth_rsj", "广州市天河区人力资源和社会保障局", "440106", "county", "天河区政务服务中心人社窗口", tel="12333")
agency("gzth_sw", "国家税务总局广州市天河区税务局", "440106", "county", "天河区税务局办税服务厅；广东省电子税务局",
       tel="12366")
agency("gzth_jy", "广州市天河区教育局", "440106", "county", "天河区教育局招生咨询点；广州市义务教育招生报名系统")
agency("gzth_wg", "广州市天河区文化广电旅游体育局", "440106", "county", "天河区政务服务中心文化广电旅游体育窗口")
agency("gzth_xf", "广州市天河区消防救援大队", "440106", "county", "天河区政务服务中心消防窗口", complaint="96119")
agency("gzth_cg", "广州市天河区城市管理和综合执法局", "440106", "county", "天河区政务服务中心城市管理窗口")
agency("gzws_pcs", "广州市公安局天河区分局五山派出所", "440106001", "township", "五山派出所户政窗口",
       complaint="12389")
agency("gzws_jd", "广州市天河区五山街道办事处", "440106001", "township", "五山街道政务服务中心")

# 四川省 (510000), 成都市 (510100), 锦江区 (510104), 武侯区 (510107), 双流区 (510116).
agency("sc_wjw", "四川省卫生健康委员会", "510000", "provincial", "四川政务服务网、天府通办（网上办理）",
       tel="12320", hours=ONLINE_HOURS)
agency("cd_cgs", "成都市公安局交通管理局", "510100", "city",
       "成都市公安局交通管理局车辆管理所及各车管分所；交管12123 App", complaint="12389")
agency("cd_crj", "成都市公安局出入境管理支队", "510100", "city", "成都市出入境接待大厅及各区（市）县出入境服务窗口",
       tel="12367", complaint="12389")
agency("cd_gjj", "成都住房公积金管理中心", "510100", "city", "成都住房公积金管理中心各分中心；天府通办、成都公积金App",
       cat=CAT_INSTITUTION, tel="12329")
agency("cd_yb", "成都市医疗保障局", "510100", "city", "成都市医疗保障事务中心服务窗口；天府通办、四川医保App", tel="12393")
agency("cd_sb", "成都市社会保险事业管理局", "510100", "city", "成都市及各区（市）县社保经办窗口；天府通办",
       cat=CAT_INSTITUTION, tel="12333")
agency("cd_rsj", "成都市人力资源和社会保障局", "510100", "city", "社会保障卡服务网点及合作银行网点；天府通办", tel="12333")
agency("cd_sthj", "成都市生态环境局", "510100", "city", "成都市政务服务中心生态环境窗口；全国排污许可证管理信息平台")
agency("cd_sw", "成都市水务局", "510100", "city", "成都市政务服务中心水务窗口")
agency("cd_bdc", "成都市不动产登记中心", "510100", "city", "成都市不动产登记中心各登记大厅", cat=CAT_INSTITUTION)
agency("cd_yc", "成都市烟草专卖局", "510100", "city", "成都市烟草专卖局各区（市）县分局许可窗口", tel="12313")
agency("cd_fy", "成都市妇女儿童中心医院", "510100", "city", "成都市妇女儿童中心医院出生医学证明办理窗口",
       cat=CAT_INSTITUTION, complaint="12320")
agency("cdjj_ga", "成都市公安局锦江区分局", "510104", "county",
       "锦江区政务服务中心公安窗口及辖区派出所户籍窗口", complaint="12389")
agency("cdjj_sj", "成都市锦江区市场监督管理局", "510104", "county", "锦江区政务服务中心市场监管窗口")
agency("cdjj_mz", "成都市锦江区民政局", "510104", "county", "锦江区政务服务中心民政窗口")
agency("cdjj_sw", "国家税务总局成都市锦江区税务局", "510104", "county", "锦江区税务局办税服务厅；四川省电子税务局",
       tel="12366")
agency("cdjj_jy", "成都市锦江区教育局", "510104", "county", "锦江区政务服务中心教育窗口")
agency("cdjj_cl", "成都市锦江区残疾人联合会", "510104", "county", "锦江区政务服务中心残联窗口", cat=CAT_MASS_ORG, tel="12385")
agency("cdjj_wj", "成都市锦江区卫生健康局", "510104", "county", "锦江区政务服务中心卫生健康窗口", tel="12320")
agency("cdjj_xf", "成都市锦江区消防救援大队", "510104", "county", "锦江区政务服务中心消防窗口", complaint="96119")
agency("cdwh_sp", "成都市武侯区行政审批局", "510107", "county", "武侯区政务服务中心")
agency("cdsl_jt", "成都市双流区交通运输局", "510116", "county", "双流区政务服务中心交通运输窗口", complaint="12328")

# 浙江省 (330000), 杭州市 (330100), 西湖区 (330106), 西溪街道 (330106004), 余杭区 (330110).
agency("zj_wjw", "浙江省卫生健康委员会", "330000", "provincial", "浙江政务服务网、浙里办（网上办理）", tel="12320",
       hours=ONLINE_HOURS)
agency("zj_wg", "浙江省文化广电和旅游厅", "330000", "provincial", "浙江省政务服务中心文化旅游窗口；浙江政务服务网")
agency("zj_tca", "浙江省通信管理局", "330000", "provincial", "工业和信息化部ICP/IP地址/域名信息备案管理系统（网上办理）",
       hours=ONLINE_HOURS)
agency("hz_gjj", "杭州住房公积金管理中心", "330100", "city", "杭州住房公积金管理中心各分中心；浙里办App",
       cat=CAT_INSTITUTION, tel="12329")
agency("hz_cgs", "杭州市公安局交通警察支队", "330100", "city",
       "杭州市公安局交通警察支队车辆管理所及各车管分所；交管12123 App", complaint="12389")
agency("hz_crj", "杭州市公安局出入境管理局", "330100", "city", "杭州市出入境办证大厅及各区、县（市）出入境受理点",
       tel="12367", complaint="12389")
agency("hz_yb", "杭州市医疗保障局", "330100", "city", "杭州市医疗保障经办服务窗口；浙里办App", tel="12393")
agency("hz_sj", "杭州市市场监督管理局", "330100", "city", "杭州市民中心市场监管窗口")
agency("hz_gz", "杭州市规划和自然资源局", "330100", "city", "杭州市民中心工程建设项目审批窗口")
agency("hz_wjw", "杭州市卫生健康委员会", "330100", "city", "杭州市民中心卫生健康窗口", tel="12320")
agency("hz_yc", "杭州市烟草专卖局", "330100", "city", "杭州市烟草专卖局各区分局许可窗口；浙里办App", tel="12313")
agency("hz_fck", "杭州市妇产科医院", "330100", "city", "杭州市妇产科医院出生医学证明办理窗口", cat=CAT_INSTITUTION,
       complaint="12320")
agency("hzxh_ga", "杭州市公安局西湖区分局", "330106", "county",
       "西湖区行政服务中心公安窗口及辖区派出所户籍窗口", complaint="12389")
agency("hzxh_sj", "杭州市西湖区市场监督管理局", "330106", "county", "西湖区行政服务中心市场监管窗口")
agency("hzxh_sw", "国家税务总局杭州市西湖区税务局", "330106", "county", "西湖区税务局办税服务厅；浙江省电子税务局",
       tel="12366")
agency("hzxh_jy", "杭州市西湖区教育局", "330106", "county", "西湖区行政服务中心教育窗口")
agency("hzxh_rsj", "杭州市西湖区人力资源和社会保障局", "330106", "county", "西湖区行政服务中心人社窗口", tel="12333")
agency("hzxh_wj", "杭州市西湖区卫生健康局", "330106", "county", "西湖区行政服务中心卫生健康窗口", tel="12320")
agency("hzxh_wg", "杭州市西湖区文化和广电旅游体育局", "330106", "county", "西湖区行政服务中心文化旅游窗口")
agency("hzxh_cg", "杭州市西湖区城市管理局", "330106", "county", "西湖区行政服务中心城市管理窗口")
agency("hzxx_jd", "杭州市西湖区西溪街道办事处", "330106004", "township", "西溪街道便民服务中心")
agency("hzyh_jt", "杭州市余杭区交通运输局", "330110", "county", "余杭区行政服务中心交通运输窗口", complaint="12328")

# 江苏省 南京市 (320100), 玄武区 (320102).
agency("nj_gjj", "南京住房公积金管理中心", "320100", "city", "南京住房公积金管理中心各分中心；“我的南京”App",
       cat=CAT_INSTITUTION, tel="12329")
agency("njxw_ga", "南京市公安局玄武分局", "320102", "county", "玄武区政务服务中心公安窗口及辖区派出所户籍窗口",
       complaint="12389")
agency("njxw_sj", "南京市玄武区市场监督管理局", "320102", "county", "玄武区政务服务中心市场监管窗口")

# ---------------------------------------------------------------------------------------------
# Building blocks of guides
# ---------------------------------------------------------------------------------------------

APPLICANT = {"kind": "applicant"}
EXEMPT = {"kind": "exempt"}


def lic(licence_type):
    return {"kind": "licence", "licence_type": licence_type}


def shared(resource):
    return {"kind": "shared", "resource": resource}


def M(name, source=APPLICANT, *, original="original", copies=1, form="either", condition=None):
    """A material; giving `condition` makes it a conditional (not always required) one."""
    m = {"name": name, "original": original, "copies": copies, "form": form, "required": condition is None}
    if condition is not None:
        m["condition"] = condition
    m["source"] = source
    return m


def ID(who="申请人"):
    return M(f"{who}居民身份证", lic("居民身份证"))


def LICENCE(licence_type="营业执照"):
    return M(licence_type, lic(licence_type))


def PROXY():
    return M("授权委托书及受托人居民身份证", condition="委托他人代为办理的")


def S(name, description=""):
    step = {"name": name}
    if description:
        step["description"] = description
    return step


def SP(name, max_workdays, counted=False):
    return {"name": name, "max_workdays": max_workdays, "counted": counted}


def Q(q, a):
    return {"q": q, "a": a}


FREE = {"charged": False}


def fee(standard, basis, online_payment=True):
    return {"charged": True, "basis": basis, "standard": standard, "online_payment": online_payment}


def licence(name):
    return {"kind": "licence", "name": name}


def document(name):
    return {"kind": "document", "name": name}


FEE_ID_CARD = "《国家发展改革委 财政部关于第二代居民身份证收费标准等有关问题的通知》（发改价格〔2003〕2322号）"
FEE_TRAFFIC = "《国家发展改革委 财政部关于公安交通管理收费标准有关问题的通知》（发改价格〔2004〕2831号）"
FEE_EXIT_ENTRY = "《国家发展改革委 财政部关于降低部分行政事业性收费标准的通知》（发改价格〔2019〕914号）"
FEE_REAL_ESTATE = "《国家发展改革委 财政部关于不动产登记收费标准等有关问题的通知》（发改价格规〔2016〕2559号）"

STEPS_LICENCE = [
    S("申请", "通过政务服务网或窗口提交申请材料"),
    S("受理", "材料齐全、符合法定形式的予以受理；不齐全的一次性告知需补正的全部内容"),
    S("审查", "对申请材料进行审查，需要现场核查的组织现场核查"),
    S("决定", "作出准予或者不予许可的决定，不予许可的说明理由并告知救济途径"),
    S("送达", "窗口领取或免费邮寄送达，同步生成电子证照"),
]
STEPS_REGISTRATION = [
    S("申请", "网上或窗口提交申请"),
    S("受理审核", "对申请材料进行形式审查"),
    S("登记", "材料齐全、符合法定形式的予以登记"),
    S("发证", "发放证照或电子证照，可邮寄送达"),
]

# ---------------------------------------------------------------------------------------------
# Items (事项) with their shared guide content
# ---------------------------------------------------------------------------------------------
#
# Item codes are synthetic 12-digit base-catalog codes "000" + department (3) + sequence (3)
# + "000"; 000105001000 (个体工商户设立登记) is the code the domain crate's test sample uses.

ITEMS = {}


def item(key, *, code, name, item_type, handling, department, audience, themes, aliases, case_kind, conditions,
         materials, steps, statutory, committed, fees, legal, depth, visits, result, main=None, sub=None,
         special=(), faq=(), appointment=False, cross_region="", form=None, review_steps=()):
    assert len(code) == 12 and code.isdigit(), code
    ref = {"code": code, "name": name, "item_type": item_type}
    if main:
        ref["main_item"] = main
    if sub:
        ref["sub_item"] = sub
    ref["handling"] = handling
    ref["competent_department"] = department
    ITEMS[key] = {
        "item": ref,
        "name": name,
        "aliases": list(aliases),
        "audience": list(audience),
        "themes": list(themes),
        "case_kind": case_kind,
        "conditions": conditions,
        "materials": list(materials),
        "steps": list(steps),
        "special_procedures": list(special),
        "statutory_limit": statutory,
        "committed_limit": committed,
        "fees": fees,
        "legal_basis": list(legal),
        "online_depth": depth,
        "visits": visits,
        "result": result,
        "faq": list(faq),
        "appointment": appointment,
        "cross_region": cross_region,
        "form": form,
        "review_steps": list(review_steps),
    }


P, O, PO = ["person"], ["organization"], ["person", "organization"]

# --- 公安: 户籍与证件 --------------------------------------------------------------------------

item("id_renew", code="000113001000", name="居民身份证换领", item_type="07", handling="renew",
     main="居民身份证申领、换领、补领", sub="换领", department="公安部", audience=P, themes=["证件办理", "户籍"],
     aliases=["换身份证", "身份证到期换证", "身份证过期", "身份证换新", "异地换领身份证"],
     case_kind="committed",
     conditions="居民身份证有效期满（可在期满前三个月内申请）、公民姓名变更、证件严重损坏不能辨认或者登记项目有误的，"
                "应当申请换领新证。非户籍所在地居民可在居住地公安机关申请异地换领。",
     materials=[
         M("原居民身份证", lic("居民身份证")),
         M("居民户口簿", shared("户籍信息")),
         M("《居民身份证申领登记表》（现场填写并签名）", form="paper"),
         M("符合标准的居民身份证相片（现场免费采集，或提供合规数码相片回执）", EXEMPT),
     ],
     steps=[
         S("预约", "可通过政务服务网、App 预约办理时间（非必需）"),
         S("申请受理", "本人到场，采集相片和指纹，核验身份，缴纳工本费"),
         S("审核签发", "户籍所在地公安机关审核签发"),
         S("制证", "省级公安机关集中制证"),
         S("领取", "窗口领取或选择邮寄送达，领取时交回原证"),
     ],
     statutory=60, committed=15,
     fees=fee("换领工本费每证20元；损坏换领每证40元；临时居民身份证每证10元；选择邮寄的邮费由申请人自理", FEE_ID_CARD),
     legal=["《中华人民共和国居民身份证法》第八条、第十条、第十一条、第十二条",
            "《国务院办公厅关于加快推进政务服务“跨省通办”的指导意见》（国办发〔2020〕35号）"],
     depth="II", visits=1, result=licence("居民身份证"), appointment=True, cross_region="跨省通办",
     faq=[Q("可以在外地换领身份证吗？", "可以。居民身份证换领、补领已实现跨省通办，可在居住地任一户政窗口申请，收费标准与户籍地相同。"),
          Q("换证期间急需用证怎么办？", "可同时申领临时居民身份证，工本费10元，有效期三个月。")])

item("id_first", code="000113002000", name="居民身份证首次申领", item_type="07", handling="new",
     main="居民身份证申领、换领、补领", sub="首次申领", department="公安部", audience=P, themes=["证件办理", "户籍"],
     aliases=["第一次办身份证", "办身份证", "小孩办身份证", "十六岁办身份证"],
     case_kind="committed",
     conditions="年满十六周岁的中国公民应当自年满十六周岁之日起三个月内申请领取居民身份证；未满十六周岁的可以申请领取，"
                "由监护人陪同代为申请。",
     materials=[
         M("居民户口簿", lic("居民户口簿")),
         M("监护人居民身份证", lic("居民身份证"), condition="申请人未满十六周岁的"),
         M("《居民身份证申领登记表》（现场填写并签名）", form="paper"),
         M("符合标准的居民身份证相片（现场免费采集）", EXEMPT),
     ],
     steps=[S("申请受理", "本人到户籍所在地公安机关户政窗口，采集相片和指纹"),
            S("审核签发", "县级公安机关审核签发"),
            S("制证", "省级公安机关集中制证"),
            S("领取", "窗口领取或邮寄送达")],
     statutory=60, committed=15,
     fees=fee("首次申领工本费每证20元", FEE_ID_CARD),
     legal=["《中华人民共和国居民身份证法》第二条、第七条、第八条、第十条、第十二条"],
     depth="II", visits=1, result=licence("居民身份证"), appointment=True, cross_region="省内通办")

item("hukou_move_in_province", code="000113003000", name="户口迁移（省内迁入）", item_type="07", handling="change",
     main="户口迁移", sub="省内迁移", department="公安部", audience=P, themes=["户籍", "住房"],
     aliases=["迁户口", "落户", "户口迁入", "买房落户"],
     case_kind="committed",
     conditions="符合迁入地落户政策（合法稳定住所、合法稳定就业、投靠直系亲属等）的公民，可向迁入地公安机关申请省内户口迁移，"
                "实行“一站式”办理，无需回迁出地开具迁移证。",
     materials=[
         ID("迁移人"),
         M("迁移人员居民户口簿", shared("户籍信息")),
         M("合法稳定住所证明（不动产权证书）", lic("不动产权证书"), condition="以合法稳定住所落户的"),
         M("劳动合同或营业执照", APPLICANT, condition="以合法稳定就业落户的"),
         M("亲属关系证明（结婚证、出生医学证明等）", lic("结婚证"), condition="投靠亲属落户的"),
         M("《户口迁移申请表》", form="either"),
     ],
     steps=[S("申请", "向迁入地派出所或网上提交申请"),
            S("审核", "迁入地公安机关审核落户条件"),
            S("迁移办理", "迁入地与迁出地公安机关网上协同办理迁出、迁入"),
            S("登记", "在居民户口簿上登记，领取户口簿")],
     statutory=20, committed=5, fees=FREE,
     legal=["《中华人民共和国户口登记条例》第十条、第十三条", "《国务院关于进一步推进户籍制度改革的意见》（国发〔2014〕25号）"],
     depth="III", visits=1, result=licence("居民户口簿"), cross_region="省内通办")

item("hukou_move_cross", code="000113004000", name="户口迁移（跨省迁入）", item_type="07", handling="change",
     main="户口迁移", sub="跨省迁移", department="公安部", audience=P, themes=["户籍", "就业"],
     aliases=["跨省迁户口", "外地户口迁入", "人才落户", "迁户口一站式"],
     case_kind="committed",
     conditions="符合迁入地落户条件的公民，可直接向迁入地公安机关申请跨省户口迁移，由迁入地公安机关网上办理准迁、迁出手续，"
                "申请人只需跑迁入地一地。",
     materials=[
         ID("迁移人"),
         M("迁移人员居民户口簿", lic("居民户口簿")),
         M("落户条件证明材料（学历证书、劳动合同、不动产权证书等）", APPLICANT),
         M("《户口迁移申请表》"),
     ],
     steps=[S("申请", "向迁入地公安机关提交申请"),
            S("准迁审核", "迁入地公安机关审核落户条件并签发准迁"),
            S("网上迁出", "迁出地公安机关网上办理迁出"),
            S("落户", "迁入地公安机关办理落户，发放户口簿")],
     statutory=20, committed=10, fees=FREE,
     legal=["《中华人民共和国户口登记条例》第十条、第十三条", "《国务院关于进一步推进户籍制度改革的意见》（国发〔2014〕25号）"],
     depth="II", visits=1, result=licence("居民户口簿"), appointment=True, cross_region="跨省通办",
     faq=[Q("还需要回原籍开迁移证吗？", "不需要。跨省户口迁移实行迁入地“一站式”办理，迁出手续由公安机关内部网上流转。")])

item("birth_registration", code="000113005000", name="出生登记", item_type="07", handling="new",
     main="户口登记", sub="出生登记", department="公安部", audience=P, themes=["出生", "户籍"],
     aliases=["上户口", "报户口", "新生儿落户", "宝宝上户口"],
     case_kind="immediate",
     conditions="婴儿出生后一个月以内，由户主、亲属、抚养人或者邻居向婴儿常住地户口登记机关申报出生登记；新生儿可随父或随母登记常住户口。",
     materials=[
         M("出生医学证明", lic("出生医学证明")),
         M("父母居民户口簿", shared("户籍信息")),
         M("父母居民身份证", lic("居民身份证")),
         M("父母结婚证", lic("结婚证"), condition="父母已登记结婚的"),
         M("《出生登记申请表》"),
     ],
     steps=[S("申报", "到派出所或网上“出生一件事”申报"),
            S("核验", "核验出生医学证明及父母户籍信息"),
            S("登记", "办理出生登记，编制公民身份号码"),
            S("签发", "在居民户口簿上加页或寄送户口簿")],
     statutory=1, committed=0, fees=FREE,
     legal=["《中华人民共和国户口登记条例》第七条", "《国务院办公厅关于解决无户口人员登记户口问题的意见》（国办发〔2015〕96号）"],
     depth="III", visits=1, result=licence("居民户口簿"),
     faq=[Q("超过一个月还能办理吗？", "可以。逾期申报的，仍可持出生医学证明等材料办理出生登记，不影响落户。")])

item("death_cancel", code="000113006000", name="户口注销（死亡）", item_type="07", handling="cancel",
     main="户口登记", sub="死亡注销", department="公安部", audience=P, themes=["身后事", "户籍"],
     aliases=["销户口", "死亡销户", "注销户口"],
     case_kind="immediate",
     conditions="公民死亡的，由户主、亲属、抚养人或者邻居向户口登记机关申报死亡登记，注销户口；已纳入“身后事一件事”联办的可一次办结。",
     materials=[
         M("居民死亡医学证明（推断）书", shared("死亡医学证明信息")),
         M("死者居民户口簿", shared("户籍信息")),
         M("死者居民身份证（交回注销）", lic("居民身份证")),
         ID("申报人"),
     ],
     steps=[S("申报", "亲属到派出所申报死亡登记"),
            S("核验", "核验死亡医学证明信息"),
            S("注销", "注销户口，收缴或注销居民身份证")],
     statutory=1, committed=0, fees=FREE,
     legal=["《中华人民共和国户口登记条例》第八条"],
     depth="II", visits=1, result=document("户口注销证明"))

item("residence_permit", code="000113007000", name="居住证申领", item_type="07", handling="new",
     main="居住证办理", sub="居住证申领", department="公安部", audience=P, themes=["户籍", "证件办理", "就业"],
     aliases=["办居住证", "暂住证", "外地人居住证"],
     case_kind="committed",
     conditions="公民离开常住户口所在地，到其他城市居住半年以上，符合有合法稳定就业、合法稳定住所、连续就读条件之一的，可以申领居住证。",
     materials=[
         ID(),
         M("居住登记信息（已办理居住登记满半年）", shared("居住登记信息")),
         M("合法稳定就业、住所或就读证明之一（劳动合同、租赁合同、学籍证明等）"),
         M("居住证相片（现场采集）", EXEMPT),
     ],
     steps=[S("申请", "向居住地派出所或社区服务机构提出申请"),
            S("受理审核", "核验居住登记及证明材料"),
            S("制证", "公安机关制作居住证"),
            S("领取", "窗口领取或邮寄")],
     statutory=15, committed=10, fees=FREE,
     legal=["《居住证暂行条例》（国务院令第663号）第二条"],
     depth="III", visits=1, result=licence("居住证"), cross_region="省内通办",
     faq=[Q("首次申领收费吗？", "首次申领居住证不收费；换领、补领按规定收取工本费。")])

# --- 公安: 交通管理 ----------------------------------------------------------------------------

item("dl_renew", code="000113011000", name="机动车驾驶证期满换证", item_type="01", handling="renew",
     main="机动车驾驶证核发、审验", sub="期满换证", department="公安部", audience=P, themes=["出行", "证件办理"],
     aliases=["驾照到期换证", "换驾照", "驾驶证到期", "驾照换本"],
     case_kind="immediate",
     conditions="机动车驾驶证有效期满前九十日内，驾驶人可以向驾驶证核发地或者核发地以外的车辆管理所申请换证；"
                "年龄在70周岁以上的驾驶人还应当按规定提交身体条件证明。",
     materials=[
         ID("驾驶人"),
         M("机动车驾驶证", lic("机动车驾驶证")),
         M("机动车驾驶人身体条件证明", shared("机动车驾驶人身体条件证明（医疗机构电子体检信息）")),
         M("驾驶证相片（调取居民身份证相片，免于提交）", EXEMPT),
     ],
     steps=[S("申请", "通过交管12123 App 或车管所窗口申请"),
            S("审核", "核验身体条件证明和驾驶人信息"),
            S("制证", "当日制发新证"),
            S("领取", "窗口领取或邮寄送达，同步发放电子驾驶证")],
     statutory=1, committed=0,
     fees=fee("机动车驾驶证工本费每证10元；邮寄费用由申请人自理", FEE_TRAFFIC),
     legal=["《中华人民共和国道路交通安全法》第十九条", "《机动车驾驶证申领和使用规定》（公安部令第162号）"],
     depth="IV", visits=0, result=licence("机动车驾驶证"), cross_region="全国通办",
     faq=[Q("可以在外地换证吗？", "可以。驾驶证期满换证全国通办，可通过交管12123 App 网上申请并邮寄，也可到任一车管所办理。")])

item("dl_reissue", code="000113012000", name="机动车驾驶证补证", item_type="01", handling="renew",
     main="机动车驾驶证核发、审验", sub="遗失补证", department="公安部", audience=P, themes=["出行", "证件办理"],
     aliases=["驾照丢了", "补办驾照", "驾驶证遗失补领"],
     case_kind="immediate",
     conditions="机动车驾驶证遗失的，驾驶人可以向驾驶证核发地或者核发地以外的车辆管理所申请补领；驾驶证被依法扣押、扣留或者暂扣期间不得申请补证。",
     materials=[ID("驾驶人"), M("驾驶证相片（调取居民身份证相片，免于提交）", EXEMPT)],
     steps=[S("申请", "交管12123 App 或窗口申请"), S("审核", "核验驾驶人信息和驾驶证状态"),
            S("补证", "制发新证，原证作废"), S("送达", "邮寄或窗口领取")],
     statutory=1, committed=0,
     fees=fee("机动车驾驶证工本费每证10元", FEE_TRAFFIC),
     legal=["《中华人民共和国道路交通安全法》第十九条", "《机动车驾驶证申领和使用规定》（公安部令第162号）"],
     depth="IV", visits=0, result=licence("机动车驾驶证"), cross_region="全国通办")

item("inspection_mark", code="000113013000", name="机动车检验合格标志核发", item_type="07", handling="renew",
     main="机动车检验合格标志核发", department="公安部", audience=PO, themes=["出行"],
     aliases=["年检", "车辆年审", "领年检标", "六年免检", "电子年检标志"],
     case_kind="immediate",
     conditions="非营运小微型载客汽车（面包车除外）注册登记10年内免予上线检验，在第6年、第10年申领检验标志；"
                "其他机动车经机动车安全技术检验机构检验合格后申领检验合格标志。",
     materials=[
         M("机动车行驶证", lic("机动车行驶证")),
         M("机动车交通事故责任强制保险凭证", shared("机动车交通事故责任强制保险信息")),
         M("车船税纳税或者免征证明", shared("车船税缴纳信息")),
         M("机动车安全技术检验报告", shared("机动车安全技术检验信息"), condition="需要上线检验的"),
     ],
     steps=[S("申请", "交管12123 App 申领免检标志，或到检验机构检验后申领"),
            S("核查", "核查交通违法、事故处理和保险、完税信息"),
            S("核发", "核发电子检验合格标志")],
     statutory=1, committed=0, fees=FREE,
     legal=["《中华人民共和国道路交通安全法》第十三条", "《中华人民共和国道路交通安全法实施条例》第十六条"],
     depth="IV", visits=0, result=licence("机动车检验合格标志"), cross_region="全国通办",
     faq=[Q("有未处理的违法记录能领标志吗？", "机动车涉及未处理的道路交通安全违法行为或交通事故的，应先处理完毕再申领检验合格标志。")])

item("vehicle_registration", code="000113014000", name="机动车注册登记", item_type="07", handling="new",
     main="机动车登记", sub="注册登记", department="公安部", audience=PO, themes=["出行"],
     aliases=["新车上牌", "上牌照", "选车牌", "新车登记"],
     case_kind="committed",
     conditions="初次申领机动车号牌、行驶证的机动车所有人，应当向住所地车辆管理所申请注册登记；机动车应当经国家机动车产品主管部门许可生产"
                "或者合法进口，并已投保机动车交通事故责任强制保险。",
     materials=[
         M("机动车所有人身份证明", lic("居民身份证")),
         M("机动车销售统一发票", shared("机动车销售统一发票信息")),
         M("车辆购置税完税证明或者免税凭证", shared("车辆购置税完税信息")),
         M("机动车整车出厂合格证明", shared("机动车出厂合格证信息")),
         M("机动车交通事故责任强制保险凭证", shared("机动车交通事故责任强制保险信息")),
         M("《机动车注册登记申请表》"),
     ],
     steps=[S("查验", "到车管所、登记服务站或具备条件的销售企业查验车辆"),
            S("受理", "提交申请，核验身份与车辆信息"),
            S("选号", "互联网选号或现场选号"),
            S("审核登记", "审核并办理注册登记"),
            S("发牌发证", "发放号牌、行驶证和机动车登记证书，可邮寄")],
     statutory=5, committed=1,
     fees=fee("汽车号牌每副100元；行驶证每证10元；机动车登记证书每证10元", FEE_TRAFFIC),
     legal=["《中华人民共和国道路交通安全法》第八条、第九条", "《机动车登记规定》（公安部令第164号）"],
     depth="III", visits=1, result=licence("机动车行驶证"), appointment=True)

# --- 公安: 出入境 ------------------------------------------------------------------------------

item("passport", code="000113021000", name="普通护照签发", item_type="01", handling="new",
     main="普通护照签发", department="国家移民管理局", audience=P, themes=["证件办理", "出行"],
     aliases=["办护照", "出国护照", "换护照", "护照过期"],
     case_kind="committed",
     conditions="中国公民因前往外国定居、探亲、学习、就业、旅行、从事商务活动等非公务原因出国的，可以向公安机关出入境管理机构申请普通护照；"
                "已实现全国通办，可在户籍地或居住地申请。",
     materials=[
         ID(),
         M("《中国公民出入境证件申请表》（可网上预填）"),
         M("出入境证件相片（受理现场免费采集）", EXEMPT),
         M("原普通护照", lic("普通护照"), condition="换发护照的"),
         M("所在单位出具的意见", condition="登记备案的国家工作人员"),
     ],
     steps=[S("预约", "通过移民局App或微信小程序预约、预填申请表"),
            S("受理", "现场核验身份，采集相片、指纹，缴费"),
            S("审批", "公安机关出入境管理机构审批"),
            S("制证", "集中制证"),
            S("领证", "窗口自助领取或邮寄送达")],
     statutory=15, committed=7,
     fees=fee("普通护照每本120元", FEE_EXIT_ENTRY),
     legal=["《中华人民共和国护照法》第五条、第六条", "《中华人民共和国出境入境管理法》第九条"],
     depth="II", visits=1, result=licence("普通护照"), appointment=True, cross_region="全国通办",
     special=[],
     faq=[Q("不在户籍地能办护照吗？", "可以。内地居民可在全国任一公安机关出入境管理机构申请普通护照，无需提交居住证明。"),
          Q("护照到期前多久可以换发？", "护照有效期不足六个月或签证页不足三页的，可以申请换发。")])

item("hkmo_permit", code="000113022000", name="往来港澳通行证及签注签发", item_type="01", handling="new",
     main="往来港澳通行证及签注签发", department="国家移民管理局", audience=P, themes=["证件办理", "出行"],
     aliases=["港澳通行证", "去香港办证", "港澳签注", "港澳通行证续签"],
     case_kind="committed",
     conditions="内地居民因私前往香港、澳门旅游、探亲、商务、学习等，可以向公安机关出入境管理机构申请往来港澳通行证及相应签注，"
                "全国通办；持有效电子通行证的可在自助签注机或网上办理再次签注。",
     materials=[ID(), M("《中国公民出入境证件申请表》"), M("出入境证件相片（受理现场免费采集）", EXEMPT),
                M("探亲、商务等签注所需的证明材料", condition="申请探亲、商务、逗留等签注的")],
     steps=[S("预约", "网上预约或现场取号"), S("受理", "核验身份、采集相片指纹并缴费"),
            S("审批", "出入境管理机构审批"), S("领证", "自助领取或邮寄送达")],
     statutory=30, committed=7,
     fees=fee("往来港澳通行证（电子）每证60元；个人旅游、团队旅游签注每次15元", FEE_EXIT_ENTRY),
     legal=["《中国公民因私事往来香港地区或者澳门地区的暂行管理办法》",
            "《中华人民共和国出境入境管理法》"],
     depth="II", visits=1, result=licence("往来港澳通行证"), appointment=True, cross_region="全国通办")

# --- 卫生健康 ----------------------------------------------------------------------------------

item("birth_certificate", code="000116001000", name="出生医学证明首次签发", item_type="20", handling="new",
     main="出生医学证明办理", sub="首次签发", department="国家卫生健康委员会", audience=P, themes=["出生"],
     aliases=["出生证", "办出生证明", "新生儿出生证明"],
     case_kind="immediate",
     conditions="在本机构住院分娩的活产新生儿，由其父母或者监护人申请首次签发《出生医学证明》；原则上在新生儿出院前办理。",
     materials=[M("父母双方居民身份证", lic("居民身份证")), M("《出生医学证明首次签发登记表》（新生儿姓名等信息确认）")],
     steps=[S("登记", "父母核对新生儿及父母信息，确认新生儿姓名"), S("审核", "助产机构核对分娩记录"),
            S("签发", "签发纸质及电子《出生医学证明》")],
     statutory=1, committed=0, fees=FREE,
     legal=["《中华人民共和国母婴保健法》第二十三条",
            "《国家卫生计生委 公安部关于启用和规范管理新版〈出生医学证明〉的通知》（国卫妇幼发〔2013〕52号）"],
     depth="III", visits=1, result=licence("出生医学证明"),
     faq=[Q("出生医学证明信息填错了怎么办？", "可持原证向原签发机构申请换发，由签发机构核实后重新签发。")])

item("birth_service_registration", code="000116002000", name="生育登记服务", item_type="20", handling="new",
     main="生育登记", department="国家卫生健康委员会", audience=P, themes=["婚育", "出生"],
     aliases=["生育登记", "准生证", "生育服务证", "一孩登记", "二孩登记"],
     case_kind="immediate",
     conditions="生育子女的（含孕期及已生育），可自愿进行生育登记，不设前置条件；登记信息用于享受孕产期保健等公共服务。",
     materials=[M("夫妻双方或本人居民身份证", lic("居民身份证")),
                M("婚姻登记信息", shared("婚姻登记信息"), condition="已婚夫妻共同登记的")],
     steps=[S("网上申请", "通过政务服务App 填报生育登记信息"), S("核验", "系统核验身份和婚姻信息"),
            S("登记", "即时完成登记，生成电子生育登记凭证")],
     statutory=1, committed=0, fees=FREE,
     legal=["《中华人民共和国人口与计划生育法》第十八条"],
     depth="IV", visits=0, result=document("生育登记服务凭证"), cross_region="省内通办")

item("doctor_registration", code="000116011000", name="医师执业注册", item_type="01", handling="new",
     main="医师执业注册", sub="首次注册", department="国家卫生健康委员会", audience=P, themes=["就业", "证件办理"],
     aliases=["医师注册", "医生执业证", "执业医师注册"],
     case_kind="committed",
     conditions="取得医师资格的人员，可以向所在地县级以上地方人民政府卫生健康主管部门申请执业注册；实行电子化注册，"
                "由拟执业的医疗卫生机构通过医师电子化注册系统提交。",
     materials=[M("医师资格证书", lic("医师资格证书")), M("《医师执业注册申请审核表》", form="electronic"),
                M("近6个月内的健康体检证明"), M("拟执业医疗卫生机构的聘用证明")],
     steps=[S("机构提交", "医疗卫生机构通过电子化注册系统提交"), S("受理", "卫生健康主管部门受理"),
            S("审核", "审核资格与执业机构"), S("注册", "准予注册并发放电子医师执业证书")],
     statutory=20, committed=5, fees=FREE,
     legal=["《中华人民共和国医师法》第十三条", "《医师执业注册管理办法》（国家卫生和计划生育委员会令第13号）"],
     depth="IV", visits=0, result=licence("医师执业证书"))

item("nurse_registration", code="000116012000", name="护士执业注册", item_type="01", handling="new",
     main="护士执业注册", sub="首次注册", department="国家卫生健康委员会", audience=P, themes=["就业", "证件办理"],
     aliases=["护士注册", "护士执业证"],
     case_kind="committed",
     conditions="通过国家护士执业资格考试、完成规定学历教育和临床实习、符合健康标准的人员，应当自通过考试之日起3年内提出执业注册申请，"
                "由拟执业医疗卫生机构通过护士电子化注册系统提交。",
     materials=[M("护士执业资格考试成绩合格证明", shared("护士执业资格考试信息")), M("学历证书", shared("高等教育学历电子注册信息")),
                M("近6个月内的健康体检证明"), M("拟执业医疗卫生机构的接收证明")],
     steps=STEPS_LICENCE[:4] + [S("发证", "发放电子护士执业证书")],
     statutory=20, committed=5, fees=FREE,
     legal=["《护士条例》第七条、第八条", "《护士执业注册管理办法》"],
     depth="IV", visits=0, result=licence("护士执业证书"))

item("public_place_hygiene", code="000116021000", name="公共场所卫生许可", item_type="01", handling="new",
     main="公共场所卫生许可", sub="新办", department="国家卫生健康委员会", audience=PO, themes=["经营许可"],
     aliases=["卫生许可证", "理发店卫生许可", "宾馆卫生许可证", "美容院卫生许可"],
     case_kind="committed",
     conditions="住宿场所、沐浴场所、美容美发场所、游泳场所等公共场所经营者，应当在营业前取得公共场所卫生许可证；"
                "可选择告知承诺方式办理。",
     materials=[M("《公共场所卫生许可申请表》", form="electronic"), LICENCE(),
                M("公共场所地址方位示意图、平面图和卫生设施平面布局图"),
                M("卫生管理制度及从业人员健康证明", shared("从业人员健康体检信息")),
                M("卫生检测（评价）报告", condition="游泳场所或集中空调通风系统等需要检测的")],
     steps=STEPS_LICENCE,
     special=[SP("现场审查", 5)],
     statutory=20, committed=5, fees=FREE,
     legal=["《公共场所卫生管理条例》第八条", "《公共场所卫生管理条例实施细则》（原卫生部令第80号）"],
     depth="III", visits=0, result=licence("公共场所卫生许可证"))

# --- 民政、老龄、残联 ---------------------------------------------------------------------------

item("marriage", code="000109001000", name="内地居民结婚登记", item_type="07", handling="new",
     main="婚姻登记", sub="内地居民结婚登记", department="民政部", audience=P, themes=["婚育"],
     aliases=["领结婚证", "领证", "登记结婚", "结婚证"],
     case_kind="immediate",
     conditions="男年满二十二周岁、女年满二十周岁，双方完全自愿，均无配偶，且没有直系血亲或者三代以内旁系血亲关系的内地居民，"
                "应当双方共同亲自到婚姻登记机关申请结婚登记，全国通办。",
     materials=[
         M("双方居民身份证", lic("居民身份证")),
         M("本人无配偶以及与对方当事人没有直系血亲和三代以内旁系血亲关系的签字声明（现场签署）", form="paper"),
         M("双方近期半身免冠合影2寸照片3张", form="paper", copies=3),
     ],
     steps=[S("预约", "网上预约登记日期（可选）"), S("申请", "双方共同到场，填写申请表并签署声明"),
            S("审查", "婚姻登记员询问、审查"), S("登记颁证", "符合条件的当场登记并颁发结婚证")],
     statutory=0, committed=0, fees=FREE,
     legal=["《中华人民共和国民法典》第一千零四十六条、第一千零四十七条、第一千零四十九条", "《婚姻登记条例》"],
     depth="II", visits=1, result=licence("结婚证"), appointment=True, cross_region="全国通办",
     faq=[Q("结婚登记还要带户口簿吗？", "不需要。内地居民凭本人居民身份证即可在全国任一婚姻登记机关办理结婚登记。"),
          Q("可以一方代办吗？", "不可以。结婚登记须男女双方共同亲自到婚姻登记机关办理。")])

item("divorce", code="000109002000", name="内地居民离婚登记", item_type="07", handling="cancel",
     main="婚姻登记", sub="内地居民离婚登记", department="民政部", audience=P, themes=["婚育"],
     aliases=["协议离婚", "办离婚", "离婚证"],
     case_kind="immediate",
     conditions="夫妻双方自愿离婚，对子女抚养、财产及债务处理等事项协商一致并签订书面离婚协议的内地居民，应当双方共同亲自到婚姻登记机关"
                "申请离婚登记；申请后须经三十日离婚冷静期。",
     materials=[M("双方居民身份证", lic("居民身份证")), M("双方结婚证", lic("结婚证")),
                M("双方共同签署的离婚协议书", copies=3, form="paper")],
     steps=[S("申请", "双方共同到场提交离婚登记申请，领取受理回执"),
            S("冷静期", "自受理之日起三十日内，任何一方不愿离婚的可以撤回申请"),
            S("申请发证", "冷静期届满后三十日内，双方共同到场申请发给离婚证"),
            S("审查登记", "符合条件的当场登记并发给离婚证")],
     special=[SP("离婚冷静期（三十日）", 30)],
     statutory=0, committed=0, fees=FREE,
     legal=["《中华人民共和国民法典》第一千零七十六条、第一千零七十七条、第一千零七十八条", "《婚姻登记条例》"],
     depth="II", visits=2, result=licence("离婚证"), appointment=True, cross_region="全国通办")

item("dibao", code="000109011000", name="最低生活保障审核确认", item_type="05", handling="new",
     main="最低生活保障", department="民政部", audience=P, themes=["社会救助"],
     aliases=["低保", "申请低保", "吃低保", "困难补助"],
     case_kind="committed",
     conditions="共同生活的家庭成员人均收入低于当地最低生活保障标准，且家庭财产状况符合当地规定的，可以向户籍所在地或经常居住地乡镇人民政府"
                "（街道办事处）申请最低生活保障。",
     materials=[M("《最低生活保障申请书》"), M("家庭成员居民身份证或户口簿", lic("居民身份证")),
                M("家庭经济状况核对授权书", form="paper"), M("家庭收入及财产状况声明"),
                M("残疾人证", lic("中华人民共和国残疾人证"), condition="家庭成员有残疾的")],
     steps=[S("申请", "向乡镇（街道）或网上提出申请"), S("家庭经济状况调查", "入户调查和信息核对"),
            S("审核", "乡镇（街道）提出审核意见"), S("公示", "在申请人所在村（社区）公示"),
            S("确认", "县级民政部门或受委托的乡镇（街道）作出确认决定"), S("发放", "按月发放低保金")],
     special=[SP("家庭经济状况信息核对", 10), SP("审核结果公示", 7)],
     statutory=30, committed=20, fees=FREE,
     legal=["《社会救助暂行办法》第九条、第十一条", "《最低生活保障审核确认办法》（民发〔2021〕57号）"],
     depth="III", visits=1, result=document("最低生活保障审核确认决定"), cross_region="省内通办")

item("longevity_allowance", code="000109021000", name="高龄津贴申领", item_type="05", handling="new",
     main="高龄老年人津贴发放", department="民政部", audience=P, themes=["养老"],
     aliases=["高龄补贴", "长寿金", "老人津贴", "80岁补贴"],
     case_kind="committed",
     conditions="具有本地户籍、年满80周岁的老年人，可以申领高龄津贴，按年龄段分档按月发放。",
     materials=[ID("老年人"), M("户籍信息", shared("户籍信息")), M("本人社会保障卡或银行账户信息"),
                M("代办人居民身份证", lic("居民身份证"), condition="由亲属代办的")],
     steps=[S("申请", "本人或亲属向街道（乡镇）或网上申请"), S("初审", "街道（乡镇）核实年龄与户籍"),
            S("审核", "区（县）民政部门审核"), S("发放", "次月起按月发放至本人账户")],
     statutory=20, committed=10, fees=FREE,
     legal=["《中华人民共和国老年人权益保障法》第三十三条"],
     depth="III", visits=0, result=document("高龄津贴核定通知"))

item("disability_card", code="000150001000", name="残疾人证新办", item_type="20", handling="new",
     main="残疾人证办理", sub="新办", department="中国残疾人联合会", audience=P, themes=["社会救助", "证件办理"],
     aliases=["办残疾证", "残疾证申请", "残疾评定"],
     case_kind="committed",
     conditions="符合《残疾人残疾分类和分级》国家标准的视力、听力、言语、肢体、智力、精神及多重残疾人，可以向户籍所在地县级残联申请办理残疾人证；"
                "已实现跨省通办，可在居住地申请。",
     materials=[ID(), M("《中华人民共和国残疾人证申请表》"), M("近期2寸免冠彩色照片", copies=2),
                M("监护人居民身份证", lic("居民身份证"), condition="申请人为未成年人或无民事行为能力人的")],
     steps=[S("申请", "向县级残联或网上提交申请"), S("残疾评定", "到指定医疗机构进行残疾评定"),
            S("审核", "县级残联审核评定结果"), S("发证", "核发残疾人证（含电子证照）")],
     special=[SP("指定医疗机构残疾评定", 15)],
     statutory=20, committed=10, fees=FREE,
     legal=["《中华人民共和国残疾人保障法》", "《中华人民共和国残疾人证管理办法》（中国残联2017年修订）"],
     depth="III", visits=1, result=licence("中华人民共和国残疾人证"), cross_region="跨省通办")

item("elder_card", code="000116031000", name="老年人优待证办理", item_type="20", handling="new",
     main="老年人优待证办理", department="国家卫生健康委员会", audience=P, themes=["养老"],
     aliases=["老年证", "敬老卡", "老人卡", "老年优待卡"],
     case_kind="immediate",
     conditions="年满60周岁的本地户籍老年人及符合条件的常住老年人，可以申领老年人优待证，凭证享受公共交通、游览参观等优待服务。",
     materials=[ID("老年人"), M("近期1寸免冠照片（可现场采集或调取身份证相片）", EXEMPT)],
     steps=[S("申请", "本人或亲属向街道（乡镇）、区县老龄工作机构或网上申请"), S("核验", "核验年龄、户籍或居住信息"),
            S("发证", "当场发放或邮寄优待证（含电子优待证）")],
     statutory=5, committed=0, fees=FREE,
     legal=["《中华人民共和国老年人权益保障法》", "《关于进一步加强新时代老龄工作的意见》（2021年）"],
     depth="III", visits=1, result=licence("老年人优待证"))

# --- 人力资源和社会保障、医保 --------------------------------------------------------------------

item("ss_card", code="000114001000", name="社会保障卡申领", item_type="20", handling="new",
     main="社会保障卡服务", sub="申领", department="人力资源社会保障部", audience=P, themes=["社保", "就业", "出生"],
     aliases=["办社保卡", "申领社保卡", "第三代社保卡", "电子社保卡"],
     case_kind="committed",
     conditions="在本市参加社会保险或有意在本市参保的人员（含新生儿、港澳台居民、外国人）可以申领社会保障卡；同步签发电子社保卡。",
     materials=[ID(), M("社会保障卡相片", shared("居民身份证相片")),
                M("新生儿出生医学证明或户口簿", lic("出生医学证明"), condition="为新生儿申领的"),
                M("监护人居民身份证", lic("居民身份证"), condition="为未成年人申领的")],
     steps=[S("申请", "通过App 或合作银行网点申请"), S("审核", "核验参保信息"), S("制卡", "制卡并开通金融功能"),
            S("领卡", "银行网点领取或邮寄，即时制卡网点可当场领卡")],
     statutory=20, committed=10, fees=FREE,
     legal=["《中华人民共和国社会保险法》第五十八条"],
     depth="IV", visits=0, result=licence("社会保障卡"), cross_region="跨省通办")

item("pension_transfer", code="000114011000", name="企业职工基本养老保险关系转移接续（跨省）", item_type="20",
     handling="change", main="养老保险关系转移接续", sub="城镇企业职工基本养老保险关系转移接续（跨省）",
     department="人力资源社会保障部", audience=P, themes=["社保", "就业"],
     aliases=["社保转移", "养老保险转移", "社保跨省转移", "转社保"],
     case_kind="committed",
     conditions="参加城镇企业职工基本养老保险的人员跨省流动就业的，可向新参保地社会保险经办机构申请转移接续，个人账户储存额和统筹基金按规定随同转移，"
                "缴费年限累计计算。",
     materials=[ID(), M("参保缴费凭证", shared("社会保险参保缴费信息")),
                M("《基本养老保险关系转移接续申请表》", form="electronic")],
     steps=[S("申请", "通过国家社会保险公共服务平台、掌上12333 或新参保地窗口申请"),
            S("发联系函", "新参保地审核后向原参保地发出联系函"),
            S("转出", "原参保地办理转出并转移基金"),
            S("转入", "新参保地接收基金、记录缴费信息并告知申请人")],
     statutory=45, committed=30, fees=FREE,
     legal=["《中华人民共和国社会保险法》第十九条",
            "《国务院办公厅关于转发人力资源社会保障部 财政部城镇企业职工基本养老保险关系转移接续暂行办法的通知》（国办发〔2009〕66号）"],
     depth="IV", visits=0, result=document("基本养老保险关系转移接续完成告知"), cross_region="全国通办",
     faq=[Q("转移后缴费年限会丢吗？", "不会。缴费年限累计计算，个人账户储存额全额转移。")])

item("unemployment_benefit", code="000114021000", name="失业保险金申领", item_type="05", handling="new",
     main="失业保险待遇申领", sub="失业保险金申领", department="人力资源社会保障部", audience=P, themes=["就业", "社保"],
     aliases=["领失业金", "失业补助", "失业保险金", "失业了怎么领钱"],
     case_kind="committed",
     conditions="失业前用人单位和本人已经缴纳失业保险费满一年，非因本人意愿中断就业，已经进行失业登记并有求职要求的失业人员，可以申领失业保险金。",
     materials=[M("社会保障卡或居民身份证", lic("居民身份证")),
                M("解除或终止劳动关系信息", shared("用人单位就业登记及解除劳动关系信息")),
                M("本人银行账户信息（未开通社保卡金融功能的）", condition="社会保障卡未开通金融功能的")],
     steps=[S("失业登记", "网上或窗口办理失业登记"), S("申领", "提交失业保险金申领"),
            S("资格审核", "经办机构审核参保缴费和失业情况"), S("发放", "按月发放失业保险金")],
     statutory=10, committed=5, fees=FREE,
     legal=["《中华人民共和国社会保险法》第四十五条、第五十条", "《失业保险条例》第十四条"],
     depth="IV", visits=0, result=document("失业保险待遇核定通知"),
     faq=[Q("领取失业保险金期间的医保怎么办？", "领取失业保险金期间，失业人员应当缴纳的基本医疗保险费从失业保险基金中支付，个人不缴纳。")])

item("retirement_pension", code="000114031000", name="职工基本养老保险待遇申领（按月领取）", item_type="05", handling="new",
     main="基本养老保险待遇申领", department="人力资源社会保障部", audience=P, themes=["退休", "社保"],
     aliases=["办退休", "退休手续", "领养老金", "退休金申领"],
     case_kind="committed",
     conditions="参加职工基本养老保险的个人，达到法定退休年龄时累计缴费满15年（自2030年起最低缴费年限逐步提高至20年）的，可以申领按月领取的基本养老金。",
     materials=[ID(), M("参保缴费记录", shared("社会保险参保缴费信息")),
                M("本人社会保障卡", lic("社会保障卡")),
                M("特殊工种、视同缴费年限等认定材料", condition="涉及特殊工种提前退休或视同缴费年限认定的")],
     steps=[S("申请", "本人或单位网上、窗口申请"), S("审核", "审核参保缴费、出生日期和退休条件"),
            S("核定", "核定基本养老金"), S("发放", "次月起按月发放")],
     statutory=20, committed=10, fees=FREE,
     legal=["《中华人民共和国社会保险法》第十六条",
            "《全国人民代表大会常务委员会关于实施渐进式延迟法定退休年龄的决定》（2024年）"],
     depth="IV", visits=0, result=document("基本养老金核定表"))

item("funeral_grant", code="000114032000", name="丧葬补助金、抚恤金申领", item_type="05", handling="new",
     main="基本养老保险待遇申领", sub="丧葬补助金、抚恤金", department="人力资源社会保障部", audience=P,
     themes=["身后事", "社保"], aliases=["丧葬费", "抚恤金", "死亡待遇", "遗属领钱"],
     case_kind="committed",
     conditions="参加职工基本养老保险的个人因病或者非因工死亡的，其遗属可以领取丧葬补助金和抚恤金。",
     materials=[M("死亡信息（死亡医学证明或火化信息）", shared("死亡医学证明信息")), ID("申领人"),
                M("申领人与死者的亲属关系证明", shared("户籍信息")), M("申领人银行账户信息")],
     steps=[S("申请", "遗属网上或窗口申请"), S("审核", "核验死亡信息和亲属关系"),
            S("核定", "核定丧葬补助金和抚恤金"), S("支付", "一次性支付至申领人账户")],
     statutory=20, committed=10, fees=FREE,
     legal=["《中华人民共和国社会保险法》第十七条"],
     depth="IV", visits=0, result=document("丧葬补助金、抚恤金核定结果"))

item("hr_service_licence", code="000114041000", name="人力资源服务许可", item_type="01", handling="new",
     main="经营性人力资源服务机构从事职业中介活动许可", department="人力资源社会保障部", audience=O, themes=["经营许可"],
     aliases=["职业中介许可", "人力资源服务许可证", "开中介公司"],
     case_kind="committed",
     conditions="经营性人力资源服务机构从事职业中介活动的，应当有明确的章程和管理制度，有开展业务必备的固定场所、办公设施，"
                "并有一定数量具备相应职业资格的专职工作人员。",
     materials=[M("人力资源服务许可申请书", form="electronic"), LICENCE(), M("经营场所使用证明"),
                M("专职工作人员名单及职业资格或学历证明"), M("工作章程和管理制度")],
     steps=STEPS_LICENCE,
     statutory=20, committed=5, fees=FREE,
     legal=["《人力资源市场暂行条例》第十八条", "《中华人民共和国就业促进法》第四十条"],
     depth="IV", visits=0, result=licence("人力资源服务许可证"))

item("labour_dispatch", code="000114042000", name="劳务派遣经营许可", item_type="01", handling="new",
     main="劳务派遣经营许可", sub="新设", department="人力资源社会保障部", audience=O, themes=["经营许可"],
     aliases=["劳务派遣许可证", "办劳务派遣"],
     case_kind="committed",
     conditions="经营劳务派遣业务，应当注册资本不得少于人民币二百万元，有与开展业务相适应的固定的经营场所和设施，"
                "有符合法律、行政法规规定的劳务派遣管理制度。",
     materials=[M("劳务派遣经营许可申请书", form="electronic"), LICENCE(), M("公司章程以及验资机构出具的验资报告或者财务审计报告"),
                M("经营场所的使用证明以及与开展业务相适应的办公设施设备、信息管理系统等清单"),
                M("法定代表人的身份证明", lic("居民身份证")), M("劳务派遣管理制度")],
     steps=STEPS_LICENCE,
     statutory=20, committed=10, fees=FREE,
     legal=["《中华人民共和国劳动合同法》第五十七条", "《劳务派遣行政许可实施办法》（人力资源和社会保障部令第19号）"],
     depth="III", visits=0, result=licence("劳务派遣经营许可证"))

item("remote_medical_filing", code="000118001000", name="跨省异地就医直接结算备案", item_type="20", handling="new",
     main="异地就医备案", sub="跨省异地就医备案", department="国家医疗保障局", audience=P, themes=["医疗", "社保"],
     aliases=["异地医保备案", "外地看病报销", "异地就医", "医保异地结算"],
     case_kind="immediate",
     conditions="参加基本医疗保险的异地长期居住人员（含异地安置退休、异地长期居住、常驻异地工作人员）和临时外出就医人员，"
                "可以在参保地办理跨省异地就医直接结算备案。",
     materials=[M("医保电子凭证或居民身份证", lic("居民身份证")),
                M("《跨省异地就医直接结算备案表》", form="electronic"),
                M("个人承诺书", form="electronic", condition="以承诺制方式备案的")],
     steps=[S("申请", "通过国家医保服务平台App、地方App或窗口申请"), S("审核", "参保地经办机构即时审核"),
            S("备案", "备案信息实时上传国家平台，就医地可直接结算")],
     statutory=1, committed=0, fees=FREE,
     legal=["《中华人民共和国社会保险法》第二十九条",
            "《国家医保局 财政部关于进一步做好基本医疗保险跨省异地就医直接结算工作的通知》（医保发〔2022〕22号）"],
     depth="IV", visits=0, result=document("跨省异地就医备案凭证"), cross_region="全国通办",
     faq=[Q("临时外出就医备案有效期多久？", "临时外出就医人员备案有效期原则上不少于6个月，有效期内可在就医地多次就诊并直接结算。")])

item("resident_medical_insurance", code="000118002000", name="城乡居民基本医疗保险参保登记", item_type="20", handling="new",
     main="基本医疗保险参保登记", sub="城乡居民基本医疗保险", department="国家医疗保障局", audience=P,
     themes=["医疗", "出生"], aliases=["居民医保", "城乡医保参保", "新生儿医保", "交医保"],
     case_kind="immediate",
     conditions="未参加职工基本医疗保险的本地户籍居民、持有本地居住证的常住人口、在校学生及新生儿等，可以办理城乡居民基本医疗保险参保登记，"
                "按年度缴纳个人缴费。",
     materials=[M("居民身份证或户口簿", lic("居民身份证")),
                M("居住证", lic("居住证"), condition="非本地户籍常住人员参保的"),
                M("出生医学证明", lic("出生医学证明"), condition="新生儿参保的")],
     steps=[S("登记", "网上或窗口办理参保登记"), S("核验", "核验身份与参保状态"), S("缴费", "通过税务渠道缴纳年度个人缴费")],
     statutory=1, committed=0, fees=FREE,
     legal=["《中华人民共和国社会保险法》第二十五条"],
     depth="IV", visits=0, result=document("参保登记确认"), cross_region="省内通办")

# --- 住房公积金 ---------------------------------------------------------------------------------

HPF_LEGAL = "《住房公积金管理条例》第二十四条、第二十五条"

item("hpf_rent", code="000115101000", name="住房公积金提取（租赁住房）", item_type="20", handling="new",
     main="住房公积金提取", sub="租赁住房提取", department="住房和城乡建设部", audience=P, themes=["住房"],
     aliases=["租房提取公积金", "取公积金付房租", "公积金租房提取", "提公积金"],
     case_kind="immediate",
     conditions="职工及配偶在缴存城市无自有住房且租赁住房的，可以按规定额度提取住房公积金支付房租；申请时住房公积金账户应处于正常缴存状态且无住房公积金贷款。",
     materials=[ID(), M("无自有住房信息", shared("不动产登记信息")), M("婚姻状况信息", shared("婚姻登记信息")),
                M("住房租赁合同及登记备案证明", condition="按实际房租金额提取的"),
                M("本人银行卡信息")],
     steps=[S("申请", "通过App、网上服务厅或窗口申请"), S("核验", "核验缴存、无房和婚姻信息"),
            S("审批", "即时作出准予提取决定"), S("到账", "提取资金划入本人银行账户")],
     statutory=3, committed=0, fees=FREE,
     legal=[HPF_LEGAL, "《住房城乡建设部 财政部 中国人民银行关于放宽提取住房公积金支付房租条件的通知》（建金〔2015〕19号）"],
     depth="IV", visits=0, result=document("住房公积金提取核准通知"),
     faq=[Q("多久可以提取一次？", "租房提取一般可按月、按季或按年提取，具体频次和额度以缴存地住房公积金管理中心规定为准。")])

item("hpf_buy", code="000115102000", name="住房公积金提取（购买自住住房）", item_type="20", handling="new",
     main="住房公积金提取", sub="购买自住住房提取", department="住房和城乡建设部", audience=P, themes=["住房"],
     aliases=["买房提取公积金", "购房提取", "首付提取公积金"],
     case_kind="committed",
     conditions="职工购买、建造、翻建、大修自住住房的，可以在规定期限内提取本人及配偶的住房公积金，提取金额不超过购房款。",
     materials=[ID(), M("购房合同或不动产权证书", lic("不动产权证书")), M("购房发票或契税完税信息", shared("契税缴纳信息")),
                M("婚姻状况信息", shared("婚姻登记信息")), M("配偶居民身份证", lic("居民身份证"), condition="提取配偶住房公积金的")],
     steps=[S("申请", "网上或窗口申请"), S("核验", "核验购房信息与缴存状态"), S("审批", "作出准予提取决定"),
            S("到账", "资金划入本人账户")],
     statutory=3, committed=1, fees=FREE, legal=[HPF_LEGAL],
     depth="IV", visits=0, result=document("住房公积金提取核准通知"), cross_region="跨省通办")

item("hpf_retire", code="000115103000", name="住房公积金提取（离休、退休）", item_type="20", handling="cancel",
     main="住房公积金提取", sub="离休、退休销户提取", department="住房和城乡建设部", audience=P, themes=["退休", "住房"],
     aliases=["退休提取公积金", "公积金销户", "退休取公积金"],
     case_kind="immediate",
     conditions="职工离休、退休的，可以提取住房公积金账户全部余额并办理销户；有未结清住房公积金贷款的应先结清。",
     materials=[ID(), M("离休、退休信息", shared("社会保险退休信息")), M("本人银行卡信息")],
     steps=[S("申请", "网上或窗口申请"), S("核验", "核验退休信息与贷款状态"), S("销户提取", "全额提取并销户")],
     statutory=3, committed=0, fees=FREE, legal=[HPF_LEGAL],
     depth="IV", visits=0, result=document("住房公积金销户提取核准通知"), cross_region="跨省通办")

item("hpf_loan", code="000115104000", name="住房公积金个人住房贷款", item_type="20", handling="new",
     main="住房公积金个人住房贷款", sub="购买自住住房贷款", department="住房和城乡建设部", audience=P, themes=["住房"],
     aliases=["公积金贷款", "公积金买房贷款", "公积金房贷"],
     case_kind="committed",
     conditions="连续足额缴存住房公积金满规定期限，购买、建造、翻建、大修自住住房且具有偿还能力的缴存职工，可以申请住房公积金个人住房贷款。",
     materials=[M("借款人及配偶居民身份证", lic("居民身份证")), M("婚姻状况信息", shared("婚姻登记信息")),
                M("购房合同", shared("商品房网签备案信息")), M("首付款支付凭证"),
                M("借款人收入证明", condition="需核定还款能力的"), M("《住房公积金个人住房贷款申请表》")],
     steps=[S("申请", "向受托银行或管理中心提出申请"), S("调查", "核实缴存、征信和购房信息"),
            S("审批", "作出准予或不准予贷款决定"), S("签约", "签订借款合同并办理抵押登记"), S("放款", "发放贷款至售房人账户")],
     special=[SP("房屋价值评估", 5), SP("不动产抵押登记", 5)],
     statutory=15, committed=10, fees=FREE,
     legal=["《住房公积金管理条例》第二十六条"],
     depth="III", visits=1, result=document("住房公积金个人住房贷款审批决定"), appointment=True)

# --- 市场监管 ----------------------------------------------------------------------------------

REG_LEGAL = "《中华人民共和国市场主体登记管理条例》第十九条"


def F(name, label, label_en, *, help="", widget=None, prefill=(), show_if=None):
    """A form field's layout hints."""
    f = {"name": name, "label": label, "label_en": label_en}
    if help:
        f["help"] = help
    if widget:
        f["widget"] = widget
    if prefill:
        f["prefill"] = list(prefill)
    if show_if:
        f["show_if"] = {"field": show_if[0], "equals": show_if[1]}
    return f


# 《个体工商户登记（备案）申请书》 as an online form.
IND_REGISTER_FORM = {
    "schema": {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": {
            "operator_name": {"type": "string", "minLength": 1, "maxLength": 50},
            "phone": {"type": "string", "pattern": "^1[3-9][0-9]{9}$"},
            "business_name": {"type": "string", "maxLength": 50},
            "organization_form": {"enum": ["个人经营", "家庭经营"]},
            "family_members": {"type": "string", "minLength": 1, "maxLength": 200},
            "address": {"type": "string", "minLength": 5, "maxLength": 200},
            "business_scope": {"type": "string", "minLength": 2, "maxLength": 1000},
            "employees": {"type": "integer", "minimum": 0, "maximum": 9999},
            "capital": {"type": "number", "minimum": 0, "maximum": 100000},
        },
        "required": ["operator_name", "phone", "organization_form", "address", "business_scope", "employees"],
        "if": {"properties": {"organization_form": {"const": "家庭经营"}}, "required": ["organization_form"]},
        "then": {"required": ["family_members"]},
        "additionalProperties": False,
    },
    "sections": [
        {"title": "经营者信息", "title_en": "Operator", "fields": [
            F("operator_name", "经营者姓名", "Operator's name", prefill=["person_name"]),
            F("phone", "联系电话", "Phone", widget="tel", help="11 位手机号码", prefill=["person_phone", "earlier"]),
        ]},
        {"title": "个体工商户信息", "title_en": "The business", "fields": [
            F("business_name", "个体工商户名称", "Business name", help="个体工商户可以不使用名称；不使用的请留空"),
            F("organization_form", "组成形式", "Form of operation", widget="select"),
            F("family_members", "参加经营的家庭成员", "Family members taking part",
              help="姓名，用顿号分隔", show_if=("organization_form", "家庭经营")),
            F("address", "经营场所", "Business premises", help="详细地址，写到门牌号", prefill=["earlier"]),
            F("business_scope", "经营范围", "Business scope", widget="textarea",
              help="按《经营范围登记规范表述目录》选择或填写"),
        ]},
        {"title": "从业人员与资金", "title_en": "Staff and capital", "fields": [
            F("employees", "从业人数", "Number of staff", widget="number"),
            F("capital", "资金数额（万元）", "Capital (10,000 yuan)", widget="number"),
        ]},
    ],
}

item("ind_register", code="000105001000", name="个体工商户设立登记", item_type="07", handling="new",
     main="个体工商户登记", sub="设立登记", department="国家市场监督管理总局", audience=P, themes=["开办企业"],
     aliases=["开个体户", "个体户注册", "办营业执照", "个体营业执照"],
     case_kind="committed",
     conditions="有经营能力的公民，经营范围不属于法律、行政法规禁止进入的行业的，可以申请登记为个体工商户；个体工商户可以个人经营，也可以家庭经营。",
     materials=[M("经营者身份证明", lic("居民身份证")),
                M("《个体工商户登记（备案）申请书》（网上申请时由在线填写的申请表生成，免于提交）", EXEMPT),
                M("经营场所使用相关文件（或经营场所申报承诺）"), PROXY()],
     steps=[S("网上申报", "通过市场主体登记全程电子化系统申报"), S("受理审查", "登记机关形式审查"),
            S("登记", "材料齐全、符合法定形式的予以登记"), S("领照", "发放电子营业执照，纸质执照可邮寄")],
     statutory=3, committed=1, fees=FREE,
     legal=["《中华人民共和国市场主体登记管理条例》第三条、第十九条", "《促进个体工商户发展条例》"],
     depth="IV", visits=0, result=licence("营业执照"),
     faq=[Q("办个体户营业执照收费吗？", "不收费。市场主体登记不收取登记费，营业执照免费发放。")],
     form=IND_REGISTER_FORM, review_steps=["审核", "登记决定"])

item("ind_cancel", code="000105002000", name="个体工商户注销登记", item_type="07", handling="cancel",
     main="个体工商户登记", sub="注销登记", department="国家市场监督管理总局", audience=P, themes=["注销企业"],
     aliases=["个体户注销", "注销营业执照", "关店注销"],
     case_kind="immediate",
     conditions="个体工商户终止经营的，应当办理注销登记；未发生债权债务或者已将债权债务清偿完结、无未结清税款等情形的，可以适用简易注销程序。",
     materials=[M("《个体工商户注销登记申请书》", form="electronic"), M("营业执照", lic("营业执照")),
                M("清税信息", shared("税务清税信息"))],
     steps=[S("申请", "网上或窗口提交注销申请"), S("核验", "核验清税信息"), S("注销", "准予注销并出具通知书")],
     statutory=3, committed=0, fees=FREE,
     legal=["《中华人民共和国市场主体登记管理条例》第三十一条、第三十三条", "《促进个体工商户发展条例》"],
     depth="IV", visits=0, result=document("准予注销登记通知书"))

item("company_register", code="000105011000", name="有限责任公司设立登记", item_type="07", handling="new",
     main="企业登记", sub="公司设立登记", department="国家市场监督管理总局", audience=PO, themes=["开办企业"],
     aliases=["注册公司", "开公司", "公司注册", "办执照", "开办企业一件事"],
     case_kind="committed",
     conditions="设立有限责任公司，应当由一个以上五十个以下股东出资，有符合规定的公司名称、住所、章程和组织机构；全体股东认缴的出资额应当自公司成立之日起五年内缴足。",
     materials=[M("《公司登记（备案）申请书》", form="electronic"), M("公司章程", form="electronic"),
                M("股东主体资格文件（自然人身份证明）", lic("居民身份证")),
                M("股东主体资格文件（法人营业执照）", lic("营业执照"), condition="股东为企业法人的"),
                M("法定代表人、董事、监事、高级管理人员的任职文件"),
                M("住所使用相关文件", shared("不动产登记信息")), PROXY()],
     steps=[S("名称自主申报", "通过企业名称自主申报系统申报名称"), S("网上申请", "全程电子化提交登记申请和电子签名"),
            S("审查", "登记机关形式审查"), S("核准发照", "核发营业执照并同步推送刻章、涉税、社保、公积金等事项"),
            S("领照", "下载电子营业执照或邮寄纸质执照")],
     statutory=3, committed=1, fees=FREE,
     legal=["《中华人民共和国公司法》第二十九条、第四十七条", "《中华人民共和国市场主体登记管理条例》第十六条、第十九条"],
     depth="IV", visits=0, result=licence("营业执照"),
     faq=[Q("注册资本需要实缴吗？", "有限责任公司实行认缴制，但全体股东认缴的出资额应当自公司成立之日起五年内缴足。")])

item("company_change", code="000105012000", name="公司变更登记", item_type="07", handling="change",
     main="企业登记", sub="公司变更登记", department="国家市场监督管理总局", audience=O, themes=["开办企业"],
     aliases=["公司变更", "变更法人", "变更地址", "变更经营范围"],
     case_kind="immediate",
     conditions="公司登记事项发生变更的，应当自作出变更决议、决定或者法定变更事项发生之日起30日内向登记机关申请变更登记。",
     materials=[M("《公司登记（备案）申请书》", form="electronic"), M("股东会决议或者股东决定", form="electronic"),
                M("修改后的公司章程或章程修正案", condition="变更事项涉及章程修改的"),
                M("新住所使用相关文件", condition="变更住所的"), M("营业执照", lic("营业执照"))],
     steps=STEPS_REGISTRATION,
     statutory=3, committed=0, fees=FREE,
     legal=["《中华人民共和国市场主体登记管理条例》第二十四条", "《中华人民共和国公司法》第三十四条"],
     depth="IV", visits=0, result=licence("营业执照"))

item("company_cancel", code="000105013000", name="公司注销登记", item_type="07", handling="cancel",
     main="企业登记", sub="公司注销登记", department="国家市场监督管理总局", audience=O, themes=["注销企业"],
     aliases=["公司注销", "关闭公司", "简易注销", "企业注销一网通办"],
     case_kind="committed",
     conditions="公司解散依法清算完毕的，应当申请注销登记；未发生债权债务或者已将债权债务清偿完结、未发生或者已结清清偿费用、职工工资、"
                "社会保险费用、法定补偿金、应缴纳税款，并由全体投资人书面承诺对上述情况的真实性承担法律责任的，可以按照简易程序办理注销登记。",
     materials=[M("《公司注销登记申请书》", form="electronic"), M("清算报告", condition="适用普通注销程序的"),
                M("全体投资人承诺书", form="electronic", condition="适用简易注销程序的"),
                M("清税信息", shared("税务清税信息")), M("营业执照", lic("营业执照"))],
     steps=[S("清算或公示", "普通注销清算并公告；简易注销在国家企业信用信息公示系统公示"),
            S("申请", "通过企业注销“一网通办”平台提交注销申请"), S("审查", "登记机关审查"),
            S("注销", "作出准予注销决定，同步推送税务、社保等部门")],
     special=[SP("简易注销公示（20日）", 20)],
     statutory=3, committed=1, fees=FREE,
     legal=["《中华人民共和国市场主体登记管理条例》第三十一条、第三十二条、第三十三条", "《中华人民共和国公司法》"],
     depth="IV", visits=0, result=document("准予注销登记通知书"))

FOOD_LEGAL = ["《中华人民共和国食品安全法》第三十五条", "《食品经营许可和备案管理办法》（国家市场监督管理总局令第78号）"]

item("food_licence", code="000105021000", name="食品经营许可（新办）", item_type="01", handling="new",
     main="食品经营许可", sub="新办", department="国家市场监督管理总局", audience=PO, themes=["经营许可"],
     aliases=["食品经营许可证", "餐饮许可证", "开饭店", "开餐馆许可", "卖食品办证"],
     case_kind="committed",
     conditions="从事食品销售和餐饮服务活动的，应当依法取得食品经营许可（仅销售预包装食品的实行备案）；"
                "申请人应当具有与经营的食品品种、数量相适应的经营场所、设备设施、食品安全管理人员和管理制度。",
     materials=[M("《食品经营许可申请书》", form="electronic"), LICENCE(),
                M("与食品经营相适应的主要设备设施、经营布局、操作流程等文件"),
                M("食品安全自查、从业人员健康管理、进货查验记录等食品安全管理制度"), PROXY()],
     steps=STEPS_LICENCE,
     special=[SP("现场核查", 5)],
     statutory=10, committed=5, fees=FREE, legal=FOOD_LEGAL,
     depth="III", visits=0, result=licence("食品经营许可证"),
     faq=[Q("只卖预包装食品要办许可证吗？", "仅销售预包装食品的，实行备案管理，无需取得食品经营许可证。"),
          Q("许可证有效期多久？", "食品经营许可证有效期为5年。")])

item("food_licence_renew", code="000105022000", name="食品经营许可（延续）", item_type="01", handling="renew",
     main="食品经营许可", sub="延续", department="国家市场监督管理总局", audience=PO, themes=["经营许可"],
     aliases=["食品经营许可证到期", "食品许可证延续", "餐饮许可证续期"],
     case_kind="committed",
     conditions="食品经营者需要延续依法取得的食品经营许可有效期的，应当在许可有效期届满前90个工作日至15个工作日期间，向原发证部门提出申请。",
     materials=[M("《食品经营许可延续申请书》", form="electronic"), M("食品经营许可证", lic("食品经营许可证")),
                M("与延续食品经营许可事项相关的其他材料", condition="经营条件发生变化的")],
     steps=STEPS_LICENCE,
     special=[SP("现场核查", 5)],
     statutory=10, committed=3, fees=FREE, legal=FOOD_LEGAL,
     depth="IV", visits=0, result=licence("食品经营许可证"))

item("drug_retail", code="000105031000", name="药品零售企业许可", item_type="01", handling="new",
     main="药品经营许可", sub="药品零售企业许可（新办）", department="国家药品监督管理局", audience=O, themes=["经营许可"],
     aliases=["开药店", "药品经营许可证", "药店许可证"],
     case_kind="committed",
     conditions="开办药品零售企业，应当有依法经过资格认定的药师或者其他药学技术人员，有与所经营药品相适应的营业场所、设备、仓储设施和卫生环境，"
                "有保证药品质量的规章制度，并符合药品经营质量管理规范要求。",
     materials=[M("《药品经营许可证申请表》", form="electronic"), LICENCE(),
                M("执业药师注册证", lic("执业药师注册证")), M("经营场所、仓库平面布置图及使用证明"),
                M("质量管理文件及主要设施设备目录")],
     steps=STEPS_LICENCE,
     special=[SP("现场检查", 10)],
     statutory=20, committed=10, fees=FREE,
     legal=["《中华人民共和国药品管理法》第五十一条、第五十二条",
            "《药品经营和使用质量监督管理办法》（国家市场监督管理总局令第84号）"],
     depth="III", visits=0, result=licence("药品经营许可证"))

item("special_equipment", code="000105041000", name="特种设备使用登记", item_type="01", handling="new",
     main="特种设备使用登记", department="国家市场监督管理总局", audience=O, themes=["经营许可", "工程建设"],
     aliases=["电梯登记", "锅炉使用登记", "叉车登记", "特种设备登记证"],
     case_kind="committed",
     conditions="特种设备使用单位应当在特种设备投入使用前或者投入使用后30日内，向负责特种设备安全监督管理的部门办理使用登记，取得使用登记证书。",
     materials=[M("《特种设备使用登记表》", form="electronic"), M("使用单位营业执照", lic("营业执照")),
                M("特种设备产品合格证"), M("监督检验、定期检验证明", shared("特种设备检验信息"))],
     steps=STEPS_REGISTRATION,
     statutory=15, committed=5, fees=FREE,
     legal=["《中华人民共和国特种设备安全法》第三十三条", "《特种设备使用管理规则》（TSG 08-2017）"],
     depth="IV", visits=0, result=licence("特种设备使用登记证"))

# --- 税务 --------------------------------------------------------------------------------------

item("invoice", code="000121001000", name="发票领用", item_type="10", handling="new",
     main="发票领用", department="国家税务总局", audience=PO, themes=["纳税缴费", "开办企业"],
     aliases=["领发票", "申领发票", "发票申领", "开票额度", "数电发票"],
     case_kind="immediate",
     conditions="已完成市场主体登记信息确认的纳税人，可以向主管税务机关申请领用发票；使用全面数字化的电子发票的，由税务机关核定开具金额总额度。",
     materials=[M("经办人身份证明", lic("居民身份证")), M("市场主体登记信息", shared("市场主体登记信息"))],
     steps=[S("申请", "通过电子税务局或办税服务厅申请"), S("核定", "核定票种或开票额度"), S("领用", "即时开通或发放发票")],
     statutory=1, committed=0, fees=FREE,
     legal=["《中华人民共和国税收征收管理法》第二十一条", "《中华人民共和国发票管理办法》"],
     depth="IV", visits=0, result=document("发票领用（开票额度）确认"), cross_region="全国通办")

item("tax_clearance", code="000121002000", name="清税注销", item_type="10", handling="cancel",
     main="注销税务登记", sub="清税申报", department="国家税务总局", audience=PO, themes=["注销企业", "纳税缴费"],
     aliases=["税务注销", "清税证明", "注销税务登记"],
     case_kind="immediate",
     conditions="纳税人发生解散、破产、撤销等情形依法终止纳税义务的，应当在办理市场主体注销登记前向税务机关申报办理清税；"
                "未办理过涉税事宜或符合条件的纳税人可即时出具清税文书。",
     materials=[M("《清税申报表》", form="electronic"), M("经办人身份证明", lic("居民身份证")),
                M("上级主管部门批复或董事会（股东会）决议", condition="非简易注销的单位纳税人")],
     steps=[S("申请", "电子税务局或办税服务厅提交清税申报"), S("清缴", "结清应纳税款、滞纳金、罚款，缴销发票"),
            S("出具文书", "出具清税文书")],
     statutory=20, committed=0, fees=FREE,
     legal=["《中华人民共和国税收征收管理法》第十六条", "《中华人民共和国税收征收管理法实施细则》第十五条"],
     depth="IV", visits=0, result=document("清税证明"))

# --- 住房城乡建设、自然资源、生态环境、水务、城管 -------------------------------------------------

item("construction_permit", code="000115001000", name="建筑工程施工许可", item_type="01", handling="new",
     main="建筑工程施工许可证核发", department="住房和城乡建设部", audience=O, themes=["工程建设"],
     aliases=["施工许可证", "开工许可", "办施工证"],
     case_kind="committed",
     conditions="在境内从事各类房屋建筑及其附属设施的建造、装修装饰和与其配套的线路、管道、设备的安装，以及城镇市政基础设施工程的施工，"
                "工程投资额在30万元以上或者建筑面积在300平方米以上的，建设单位应当在开工前申请领取施工许可证（地方可以调整限额）。",
     materials=[M("《建筑工程施工许可申请表》", form="electronic"),
                M("建设工程规划许可证", lic("建设工程规划许可证")),
                M("用地批准手续（不动产权证书）", lic("不动产权证书")),
                M("中标通知书及施工合同", shared("招标投标及合同备案信息")),
                M("施工图设计文件审查合格信息", shared("施工图审查信息")),
                M("建设资金已经落实承诺书", form="electronic")],
     steps=STEPS_LICENCE,
     statutory=7, committed=3, fees=FREE,
     legal=["《中华人民共和国建筑法》第七条、第八条", "《建筑工程施工许可管理办法》（住房和城乡建设部令第18号，2021年修正）"],
     depth="IV", visits=0, result=licence("建筑工程施工许可证"))

item("planning_permit", code="000120001000", name="建设工程规划许可", item_type="01", handling="new",
     main="建设工程规划许可证核发", department="自然资源部", audience=O, themes=["工程建设"],
     aliases=["规划许可证", "工程规划证", "建设工程规划许可证"],
     case_kind="committed",
     conditions="在城市、镇规划区内进行建筑物、构筑物、道路、管线和其他工程建设的，建设单位或者个人应当向城乡规划主管部门申请办理建设工程规划许可证。",
     materials=[M("《建设工程规划许可申请表》", form="electronic"), M("使用土地的有关证明文件（不动产权证书）", lic("不动产权证书")),
                M("建设工程设计方案（含总平面图）", form="electronic"),
                M("建设用地规划许可证", lic("建设用地规划许可证"), condition="以划拨方式取得国有土地使用权的")],
     steps=STEPS_LICENCE,
     special=[SP("专家评审", 10), SP("批前公示", 7)],
     statutory=20, committed=10, fees=FREE,
     legal=["《中华人民共和国城乡规划法》第四十条"],
     depth="III", visits=0, result=licence("建设工程规划许可证"))

item("pollution_permit", code="000119001000", name="排污许可证核发（重点管理）", item_type="01", handling="new",
     main="排污许可", sub="重点管理排污许可证核发", department="生态环境部", audience=O, themes=["经营许可", "工程建设"],
     aliases=["排污许可证", "排污证", "办排污许可"],
     case_kind="committed",
     conditions="依照法律规定实行排污许可管理的企业事业单位和其他生产经营者，应当在实际排污之前申请取得排污许可证；"
                "纳入重点管理的范围按照《固定污染源排污许可分类管理名录》确定。",
     materials=[M("排污许可证申请表（通过全国排污许可证管理信息平台填报）", form="electronic"),
                M("守法承诺书", form="electronic"), M("环境影响评价文件审批意见", shared("环境影响评价审批信息")),
                M("排污口和监测孔规范化设置情况说明", form="electronic"),
                M("污染物排放总量控制指标来源说明", condition="属于新建、改建、扩建项目需要取得总量指标的")],
     steps=[S("网上申请", "通过全国排污许可证管理信息平台提交申请并公开"), S("受理", "审批部门受理"),
            S("技术评估", "组织技术机构评估，必要时现场核查"), S("决定", "作出核发或不予核发决定"),
            S("发证", "核发排污许可证并在平台公开")],
     special=[SP("技术评估及现场核查", 10)],
     statutory=30, committed=15, fees=FREE,
     legal=["《排污许可管理条例》（国务院令第736号）", "《排污许可管理办法》（生态环境部令第32号）"],
     depth="III", visits=0, result=licence("排污许可证"))

item("drainage_permit", code="000115011000", name="城镇污水排入排水管网许可", item_type="01", handling="new",
     main="城镇污水排入排水管网许可证核发", department="住房和城乡建设部", audience=O, themes=["经营许可", "工程建设"],
     aliases=["排水许可证", "排水证", "污水排放许可"],
     case_kind="committed",
     conditions="从事工业、建筑、餐饮、医疗等活动的企业事业单位、个体工商户（排水户）向城镇排水设施排放污水的，应当申请领取污水排入排水管网许可证。",
     materials=[M("《城镇污水排入排水管网许可申请表》", form="electronic"), LICENCE(),
                M("排水户内部排水管网、专用检测井、污水排放口位置和口径的图纸及说明"),
                M("排水水质检测报告", condition="排放工业废水或需要进行预处理的"),
                M("排水户承诺书", form="electronic")],
     steps=STEPS_LICENCE,
     special=[SP("现场核查", 5)],
     statutory=20, committed=10, fees=FREE,
     legal=["《城镇排水与污水处理条例》第二十一条", "《城镇污水排入排水管网许可管理办法》（住房和城乡建设部令第21号）"],
     depth="III", visits=0, result=licence("城镇污水排入排水管网许可证"))

item("road_occupation", code="000126001000", name="临时占用城市道路许可", item_type="01", handling="new",
     main="城市道路占用、挖掘许可", sub="临时占用城市道路", department="住房和城乡建设部", audience=PO,
     themes=["工程建设"], aliases=["占道许可", "占用道路审批", "施工围挡占道"],
     case_kind="joint",
     conditions="因特殊情况需要临时占用城市道路的，应当经市政工程行政主管部门和公安交通管理部门批准，并按照批准的位置、面积、期限占用。",
     materials=[M("《临时占用城市道路申请表》", form="electronic"), M("申请人身份证明或营业执照", lic("营业执照")),
                M("占道位置平面图及施工方案"), M("交通组织方案", condition="占道影响交通通行的")],
     steps=[S("申请", "一窗受理，提交申请材料"), S("联合审查", "城市道路主管部门与公安交通管理部门并联审查"),
            S("现场勘查", "必要时现场勘查"), S("决定", "作出许可决定并明确占用期限和要求")],
     special=[SP("现场勘查", 3)],
     statutory=20, committed=5, fees=FREE,
     legal=["《城市道路管理条例》第三十一条"],
     depth="III", visits=1, result=document("临时占用城市道路许可决定书"))

item("outdoor_advert", code="000126002000", name="户外广告设施设置许可", item_type="01", handling="new",
     main="户外广告设施设置审批", department="住房和城乡建设部", audience=PO, themes=["经营许可"],
     aliases=["户外广告审批", "广告牌审批", "招牌广告许可"],
     case_kind="committed",
     conditions="在城市建筑物、构筑物和公共场地设置户外广告设施的，应当符合户外广告设施设置规划和技术规范，并依法取得许可。",
     materials=[M("《户外广告设施设置申请表》", form="electronic"), M("申请人营业执照或身份证明", lic("营业执照")),
                M("设施设计效果图及设置位置图"), M("场地或载体使用权证明"),
                M("结构安全性检测报告", condition="设置大型户外广告设施的")],
     steps=STEPS_LICENCE,
     special=[SP("专家评审", 10)],
     statutory=20, committed=5, fees=FREE,
     legal=["《城市市容和环境卫生管理条例》第十一条", "《中华人民共和国广告法》第四十一条"],
     depth="III", visits=0, result=licence("户外广告设施设置许可证"))

item("real_estate_transfer", code="000120011000", name="国有建设用地使用权及房屋所有权转移登记", item_type="07",
     handling="change", main="不动产登记", sub="转移登记", department="自然资源部", audience=PO, themes=["住房"],
     aliases=["过户", "房产过户", "二手房过户", "买房过户"],
     case_kind="joint",
     conditions="因买卖、赠与、继承、互换等导致国有建设用地使用权及房屋所有权发生转移的，当事人应当申请转移登记；买卖、赠与等由双方共同申请，"
                "继承、受遗赠可由单方申请。",
     materials=[M("不动产登记申请书", form="either"), M("双方身份证明", lic("居民身份证")),
                M("不动产权证书", lic("不动产权证书")), M("存量房买卖合同", shared("存量房网签备案信息")),
                M("税费缴纳信息", shared("不动产交易税收缴纳信息")),
                M("继承、赠与等权属转移证明材料", condition="因继承、赠与等非买卖原因转移的")],
     steps=[S("预约", "网上预约或“一窗受理”取号"), S("受理", "交易、税务、登记一窗受理"),
            S("缴税缴费", "缴纳相关税费和登记费"), S("审核登簿", "登记机构审核并记载于不动产登记簿"),
            S("发证", "发放不动产权证书或电子证照，可邮寄")],
     statutory=30, committed=5,
     fees=fee("住宅类每件80元，非住宅类每件550元（含第一本证书工本费）；每增加一本证书加收工本费10元", FEE_REAL_ESTATE),
     legal=["《中华人民共和国民法典》第二百零九条、第二百一十四条", "《不动产登记暂行条例》第十四条、第二十条"],
     depth="III", visits=1, result=licence("不动产权证书"), appointment=True)

item("real_estate_mortgage", code="000120012000", name="不动产抵押权首次登记", item_type="07", handling="new",
     main="不动产登记", sub="抵押权登记", department="自然资源部", audience=PO, themes=["住房"],
     aliases=["抵押登记", "房屋抵押", "房贷抵押登记"],
     case_kind="immediate",
     conditions="以建设用地使用权、房屋等不动产设定抵押的，抵押人和抵押权人应当共同申请抵押登记；抵押权自登记时设立。",
     materials=[M("不动产登记申请书", form="electronic"), M("抵押人、抵押权人身份证明", lic("居民身份证")),
                M("不动产权证书", lic("不动产权证书")), M("主债权合同和抵押合同", form="electronic")],
     steps=[S("申请", "银行端或窗口共同申请"), S("审核", "登记机构审核"), S("登簿", "记载于不动产登记簿"),
            S("发证", "向抵押权人发放不动产登记证明（电子）")],
     statutory=30, committed=0,
     fees=fee("住宅类每件80元，非住宅类每件550元，向登记为抵押权人的一方收取；小微企业（含个体工商户）申请的免收", FEE_REAL_ESTATE),
     legal=["《中华人民共和国民法典》第三百九十五条、第四百零二条", "《不动产登记暂行条例》第十四条、第二十条"],
     depth="IV", visits=0, result=licence("不动产登记证明"))

# --- 交通运输 ----------------------------------------------------------------------------------

item("freight_licence", code="000117001000", name="道路货物运输经营许可", item_type="01", handling="new",
     main="道路运输经营许可", sub="道路普通货物运输经营许可", department="交通运输部", audience=PO, themes=["经营许可"],
     aliases=["道路运输经营许可证", "货运许可证", "跑货运办证"],
     case_kind="committed",
     conditions="使用总质量4500千克以上普通货运车辆从事道路货物运输经营的，应当有与其经营业务相适应并经检测合格的车辆、符合条件的驾驶人员和健全的安全生产管理制度；"
                "使用总质量4500千克及以下普通货运车辆的无需办理。",
     materials=[M("《道路货物运输经营申请表》", form="electronic"), LICENCE(),
                M("负责人身份证明", lic("居民身份证")), M("拟投入车辆承诺书"),
                M("驾驶人员从业资格证", lic("道路运输从业人员从业资格证")), M("安全生产管理制度文本")],
     steps=STEPS_LICENCE,
     statutory=20, committed=5, fees=FREE,
     legal=["《中华人民共和国道路运输条例》", "《道路货物运输及站场管理规定》（交通运输部令）"],
     depth="IV", visits=0, result=licence("道路运输经营许可证"), cross_region="省内通办")

# --- 教育 --------------------------------------------------------------------------------------

item("primary_enrolment", code="000108001000", name="义务教育阶段小学一年级新生入学", item_type="20", handling="new",
     main="义务教育入学", sub="小学一年级新生入学", department="教育部", audience=P, themes=["上学"],
     aliases=["小学报名", "一年级入学", "幼升小", "小学招生", "随迁子女入学"],
     case_kind="committed",
     conditions="年满6周岁的适龄儿童，其父母或者其他法定监护人应当送其入学接受义务教育；按照户籍、住房等信息在学区内免试就近入学，"
                "非本地户籍随迁子女按照居住证等当地政策入学。",
     materials=[M("儿童及监护人户籍信息", shared("户籍信息")), M("住房信息", shared("不动产登记信息")),
                M("居住证", lic("居住证"), condition="非本地户籍随迁子女"),
                M("预防接种证查验信息", shared("预防接种信息"))],
     steps=[S("网上报名", "在规定时间内通过义务教育招生报名系统报名"), S("信息核验", "教育部门会同公安、不动产等部门核验"),
            S("学位分配", "按学区划分和入学政策分配学位"), S("结果告知", "发布录取结果，学校发放入学通知")],
     statutory=20, committed=15, fees=FREE,
     legal=["《中华人民共和国义务教育法》第十一条、第十二条"],
     depth="IV", visits=0, result=document("入学通知书"))

item("teacher_qualification", code="000108011000", name="教师资格认定", item_type="01", handling="new",
     main="教师资格认定", sub="幼儿园、小学、初级中学教师资格认定", department="教育部", audience=P, themes=["就业"],
     aliases=["教资认定", "教师资格证", "认定教师资格"],
     case_kind="committed",
     conditions="具备《教师法》规定的学历条件，中小学教师资格考试合格（或符合免试认定改革条件），普通话水平达到二级乙等以上，"
                "身体条件和思想品德符合要求的中国公民，可以在公布的受理期内申请认定教师资格。",
     materials=[ID(), M("学历证书", shared("高等教育学历电子注册信息")), M("普通话水平测试等级证书", shared("普通话水平测试信息")),
                M("中小学教师资格考试合格证明", shared("教师资格考试信息")), M("指定医院出具的体检表", form="paper"),
                M("个人承诺书", form="electronic")],
     steps=[S("网上申报", "在中国教师资格网报名"), S("现场确认", "按规定确认材料（部分地区免现场确认）"),
            S("体格检查", "到指定医院体检"), S("审查认定", "认定机构审查并作出认定结论"), S("发证", "颁发教师资格证书")],
     special=[SP("体格检查", 10)],
     statutory=30, committed=20, fees=FREE,
     legal=["《中华人民共和国教师法》第十条、第十一条、第十三条", "《教师资格条例》", "《〈教师资格条例〉实施办法》"],
     depth="III", visits=1, result=licence("教师资格证书"))

item("degree_verification", code="000108021000", name="高等教育学历认证（学历证书电子注册备案表）", item_type="20",
     handling="new", main="高等教育学历认证", department="教育部", audience=P, themes=["就业", "上学"],
     aliases=["学历认证", "学信网认证", "学历验证", "学历查询"],
     case_kind="immediate",
     conditions="取得国家承认学历的高等教育毕业生，可以在线申请《教育部学历证书电子注册备案表》，用于求职、深造等学历核验。",
     materials=[ID(), M("高等教育学历证书电子注册信息", shared("高等教育学历电子注册信息"))],
     steps=[S("注册登录", "实名注册学信网账号"), S("申请", "选择学历申请备案表"), S("出具", "即时生成电子备案表及在线验证码")],
     statutory=1, committed=0, fees=FREE,
     legal=["《中华人民共和国高等教育法》", "《高等学校学生学籍学历电子注册办法》（教学〔2014〕11号）"],
     depth="IV", visits=0, result=document("教育部学历证书电子注册备案表"), cross_region="全国通办")

# --- 文化旅游、出版、烟草 -------------------------------------------------------------------------

item("performance_licence", code="000122001000", name="营业性演出许可（文艺表演团体）", item_type="01", handling="new",
     main="营业性演出审批", sub="文艺表演团体设立", department="文化和旅游部", audience=O, themes=["经营许可"],
     aliases=["演出许可证", "营业性演出许可证", "成立演出团体"],
     case_kind="committed",
     conditions="文艺表演团体申请从事营业性演出活动的，应当有与其演出业务相适应的专职演员和器材设备。",
     materials=[M("营业性演出许可申请书", form="electronic"), LICENCE(),
                M("专职演员的身份证明及艺术表演能力证明"), M("演出器材设备清单")],
     steps=STEPS_LICENCE,
     statutory=20, committed=5, fees=FREE,
     legal=["《营业性演出管理条例》第六条", "《营业性演出管理条例实施细则》"],
     depth="IV", visits=0, result=licence("营业性演出许可证"))

item("internet_culture", code="000122002000", name="网络文化经营许可", item_type="01", handling="new",
     main="经营性互联网文化单位设立审批", department="文化和旅游部", audience=O, themes=["经营许可"],
     aliases=["网络文化经营许可证", "文网文", "直播许可证"],
     case_kind="committed",
     conditions="申请从事经营性互联网文化活动（网络音乐、网络表演、网络动漫等）的单位，应当有确定的互联网文化活动范围，"
                "有适应互联网文化活动需要的专业人员、设备、工作场所以及相应的经营管理技术措施。",
     materials=[M("网络文化经营许可申请表", form="electronic"), LICENCE(), M("公司章程"),
                M("业务发展报告及内容审核制度"), M("专业人员资质证明"), M("网站域名登记证明")],
     steps=STEPS_LICENCE,
     special=[SP("实地核查", 10)],
     statutory=20, committed=15, fees=FREE,
     legal=["《互联网信息服务管理办法》", "《互联网文化管理暂行规定》（文化部令第57号）"],
     depth="IV", visits=0, result=licence("网络文化经营许可证"))

item("publication_retail", code="000122011000", name="出版物零售业务经营许可", item_type="01", handling="new",
     main="出版物经营许可", sub="出版物零售", department="国家新闻出版署", audience=PO, themes=["经营许可"],
     aliases=["开书店", "出版物经营许可证", "卖书办证"],
     case_kind="committed",
     conditions="单位和个体工商户从事出版物零售业务，应当已经取得营业执照，有固定的经营场所，并符合出版物零售的其他规定条件。",
     materials=[M("出版物零售业务经营许可申请书", form="electronic"), LICENCE(), M("经营场所情况说明"),
                M("法定代表人或经营者身份证明", lic("居民身份证"))],
     steps=STEPS_LICENCE,
     statutory=20, committed=10, fees=FREE,
     legal=["《出版管理条例》", "《出版物市场管理规定》"],
     depth="III", visits=0, result=licence("出版物经营许可证"))

item("tobacco_retail", code="000123001000", name="烟草专卖零售许可", item_type="01", handling="new",
     main="烟草专卖零售许可证核发", sub="新办", department="国家烟草专卖局", audience=PO, themes=["经营许可"],
     aliases=["烟草证", "卖烟许可证", "烟草零售许可证", "办烟证"],
     case_kind="committed",
     conditions="有与经营烟草制品零售业务相适应的资金和固定经营场所，符合当地烟草制品零售点合理布局要求的企业或者个人，"
                "可以申请烟草专卖零售许可证；中小学校周边等禁止区域不予许可。",
     materials=[M("《烟草专卖零售许可证申请表》", form="electronic"), LICENCE(),
                M("经营者居民身份证", lic("居民身份证")), M("经营场所使用证明")],
     steps=STEPS_LICENCE,
     special=[SP("实地核查", 5)],
     statutory=20, committed=10, fees=FREE,
     legal=["《中华人民共和国烟草专卖法》第十六条", "《中华人民共和国烟草专卖法实施条例》", "《烟草专卖许可证管理办法》"],
     depth="III", visits=0, result=licence("烟草专卖零售许可证"))

# --- 消防、民航、工信 ---------------------------------------------------------------------------

item("fire_inspection", code="000124001000", name="公众聚集场所投入使用、营业前消防安全检查", item_type="01",
     handling="new", main="公众聚集场所投入使用、营业前消防安全检查", department="应急管理部", audience=O,
     themes=["经营许可"], aliases=["消防检查", "消防许可", "开业消防审批", "消防安全检查合格证"],
     case_kind="committed",
     conditions="公众聚集场所在投入使用、营业前，建设单位或者使用单位应当向场所所在地的县级以上地方人民政府消防救援机构申请消防安全检查；"
                "可以选择告知承诺方式办理。",
     materials=[M("《公众聚集场所投入使用、营业前消防安全检查申请表》", form="electronic"), LICENCE(),
                M("场所平面布置图、场所消防设施平面图"), M("消防安全制度、灭火和应急疏散预案"),
                M("告知承诺书", form="electronic", condition="选择告知承诺方式办理的")],
     steps=[S("申请", "网上或窗口提交申请"), S("受理", "消防救援机构受理"),
            S("检查", "采用告知承诺的当场作出许可，事后核查；其余进行现场检查"), S("决定", "作出准予或不予许可决定")],
     statutory=10, committed=5, fees=FREE,
     legal=["《中华人民共和国消防法》第十五条"],
     depth="III", visits=0, result=licence("公众聚集场所投入使用、营业前消防安全检查合格证"))

item("drone_registration", code="000130001000", name="民用无人驾驶航空器实名登记", item_type="07", handling="new",
     main="民用无人驾驶航空器实名登记", department="中国民用航空局", audience=PO, themes=["出行", "证件办理"],
     aliases=["无人机登记", "无人机实名", "无人机注册"],
     case_kind="immediate",
     conditions="民用无人驾驶航空器所有者应当依法进行实名登记，并在无人驾驶航空器上粘贴登记标志。",
     materials=[M("所有者身份证明", lic("居民身份证")), M("单位所有者营业执照", lic("营业执照"), condition="所有者为单位的"),
                M("产品型号、序列号等产品信息", form="electronic")],
     steps=[S("注册", "在民用无人驾驶航空器综合管理平台实名注册"), S("填报", "填报产品和用途信息"),
            S("登记", "即时生成登记标志二维码")],
     statutory=1, committed=0, fees=FREE,
     legal=["《无人驾驶航空器飞行管理暂行条例》第十条"],
     depth="IV", visits=0, result=document("民用无人驾驶航空器登记标志"), cross_region="全国通办")

item("vats_licence", code="000131001000", name="增值电信业务经营许可（跨地区）", item_type="01", handling="new",
     main="电信业务经营许可", sub="跨地区增值电信业务经营许可", department="工业和信息化部", audience=O,
     themes=["经营许可"], aliases=["ICP许可证", "增值电信许可证", "EDI许可证", "跨地区经营许可"],
     case_kind="committed",
     conditions="在全国或者跨省、自治区、直辖市范围内经营增值电信业务的，经营者应当为依法设立的公司，注册资本最低限额为1000万元人民币，"
                "有与开展经营活动相适应的资金、专业人员、场地、设施及网络与信息安全保障措施。",
     materials=[M("电信业务经营许可申请表", form="electronic"), LICENCE(), M("公司章程及股权结构说明"),
                M("业务发展、实施计划及技术方案"), M("网络与信息安全保障措施"), M("依法经营电信业务的承诺书", form="electronic")],
     steps=STEPS_LICENCE,
     special=[SP("专家评审", 15)],
     statutory=60, committed=40, fees=FREE,
     legal=["《中华人民共和国电信条例》", "《电信业务经营许可管理办法》（工业和信息化部令第42号）"],
     depth="IV", visits=0, result=licence("增值电信业务经营许可证"))

item("icp_filing", code="000131002000", name="非经营性互联网信息服务备案", item_type="10", handling="new",
     main="互联网信息服务备案", department="工业和信息化部", audience=PO, themes=["经营许可"],
     aliases=["ICP备案", "网站备案", "App备案", "小程序备案"],
     case_kind="committed",
     conditions="从事非经营性互联网信息服务的网站、App 和小程序主办者，应当在提供服务前通过接入服务商向住所所在地省级通信管理局履行备案手续。",
     materials=[M("主办者身份证明或营业执照", lic("营业执照")), M("网站或App 负责人居民身份证", lic("居民身份证")),
                M("网站、App 基本信息及域名证书", form="electronic"),
                M("前置审批文件", condition="涉及新闻、出版、教育、医疗保健、药品和医疗器械等需前置审批的")],
     steps=[S("提交", "通过接入服务商提交备案信息并核验"), S("初审", "接入服务商初审"),
            S("审核", "省级通信管理局审核"), S("备案", "分配备案号")],
     statutory=20, committed=10, fees=FREE,
     legal=["《互联网信息服务管理办法》第四条、第八条", "《非经营性互联网信息服务备案管理办法》（信息产业部令第33号）"],
     depth="IV", visits=0, result=document("ICP备案号"))

# ---------------------------------------------------------------------------------------------
# Offerings: (item, agency, local overrides)
# ---------------------------------------------------------------------------------------------
#
# Overrides replace the item's value for that field; `legal_extra`, `faq_extra` and
# `aliases_extra` append to the item's list.

OFFERINGS = [
    # 居民身份证
    ("id_renew", "bjdc_ga", dict(committed_limit=10)),
    ("id_renew", "gzth_ga", dict(committed_limit=15, aliases_extra=["广东身份证异地换领"])),
    ("id_renew", "cdjj_ga", dict(committed_limit=15)),
    ("id_renew", "hzxh_ga", dict(committed_limit=7)),
    ("id_renew", "njxw_ga", dict(committed_limit=15)),
    ("id_first", "shxh_ga", dict(committed_limit=10)),
    ("id_first", "bjdc_ga", dict(committed_limit=10)),
    # 户口
    ("hukou_move_in_province", "hzxh_ga", dict(committed_limit=3)),
    ("hukou_move_in_province", "gzth_ga", dict(committed_limit=5)),
    ("hukou_move_cross", "cdjj_ga", dict(committed_limit=10)),
    ("hukou_move_cross", "njxw_ga", dict(committed_limit=7)),
    ("birth_registration", "bjdhm_pcs", dict(online_depth="IV", visits=0,
                                             conditions="婴儿出生后一个月以内申报出生登记；在京助产机构出生的新生儿可通过"
                                                        "“出生一件事”全程网办，户口簿邮寄送达。")),
    ("birth_registration", "gzws_pcs", dict()),
    ("death_cancel", "bjdhm_pcs", dict()),
    ("death_cancel", "gzws_pcs", dict(online_depth="I", visits=1)),
    ("residence_permit", "gzth_ga", dict(name="广东省居住证申领", committed_limit=10)),
    ("residence_permit", "shxh_ga", dict(name="上海市居住证申领", committed_limit=15,
                                         legal_extra=["《上海市居住证管理办法》"])),
    ("residence_permit", "hzxh_ga", dict(name="浙江省居住证申领", committed_limit=7)),
    # 交通管理
    ("dl_renew", "cd_cgs", dict()),
    ("dl_renew", "hz_cgs", dict()),
    ("dl_renew", "gz_cgs", dict()),
    ("dl_reissue", "gz_cgs", dict()),
    ("dl_reissue", "cd_cgs", dict()),
    ("inspection_mark", "cd_cgs", dict()),
    ("inspection_mark", "hz_cgs", dict()),
    ("vehicle_registration", "hz_cgs", dict(committed_limit=1)),
    ("vehicle_registration", "gz_cgs", dict(case_kind="immediate", committed_limit=0)),
    # 出入境
    ("passport", "bj_crj", dict(committed_limit=7)),
    ("passport", "sh_crj", dict(committed_limit=7)),
    ("passport", "gz_crj", dict(committed_limit=7)),
    ("passport", "cd_crj", dict(committed_limit=7)),
    ("hkmo_permit", "hz_crj", dict(committed_limit=7)),
    ("hkmo_permit", "gz_crj", dict(committed_limit=5)),
    ("hkmo_permit", "cd_crj", dict(committed_limit=7)),
    # 卫生健康
    ("birth_certificate", "hz_fck", dict()),
    ("birth_certificate", "cd_fy", dict()),
    ("birth_service_registration", "sc_wjw", dict(legal_extra=["《四川省生育登记服务管理办法》"],
                                                  conditions="生育子女的公民可自愿进行生育登记，不设婚姻等前置条件；"
                                                             "通过天府通办全程网办。")),
    ("birth_service_registration", "bjdhm_jd", dict()),
    ("birth_service_registration", "hzxx_jd", dict()),
    ("doctor_registration", "zj_wjw", dict(committed_limit=1)),
    ("doctor_registration", "bjdc_wjw", dict(committed_limit=5)),
    ("nurse_registration", "gz_wjw", dict(committed_limit=5)),
    ("nurse_registration", "hz_wjw", dict(committed_limit=3)),
    ("public_place_hygiene", "bjdc_wjw", dict(committed_limit=5)),
    ("public_place_hygiene", "cdwh_sp", dict(committed_limit=3)),
    ("public_place_hygiene", "hzxh_wj", dict(case_kind="immediate", committed_limit=0,
                                             conditions="住宿、沐浴、美容美发、游泳等公共场所经营者应当在营业前取得公共场所卫生许可证；"
                                                        "选择告知承诺方式且材料齐全的当场发证，事后现场核查。")),
    # 民政、老龄、残联
    ("marriage", "bjdc_mz", dict(location="北京市东城区婚姻登记处")),
    ("marriage", "gzth_mz", dict()),
    ("marriage", "cdjj_mz", dict(location="成都市锦江区婚姻登记处")),
    ("marriage", "shxh_mz", dict()),
    ("divorce", "shxh_mz", dict()),
    ("divorce", "cdjj_mz", dict(location="成都市锦江区婚姻登记处")),
    ("dibao", "bjdc_mz", dict(committed_limit=20)),
    ("dibao", "cdjj_mz", dict(committed_limit=15)),
    ("dibao", "hzxx_jd", dict(case_kind="committed", committed_limit=15,
                              conditions="共同生活的家庭成员人均收入低于当地最低生活保障标准且家庭财产符合规定的，"
                                         "可向西溪街道申请；低保审核确认权限已委托街道行使。")),
    ("longevity_allowance", "gzws_jd", dict(name="高龄老人长寿保健金申领", case_kind="reported", committed_limit=15,
                                            aliases_extra=["长寿保健金"])),
    ("longevity_allowance", "cdjj_mz", dict(committed_limit=10)),
    ("disability_card", "bjdc_cl", dict()),
    ("disability_card", "cdjj_cl", dict(committed_limit=7)),
    ("elder_card", "cdjj_wj", dict()),
    ("elder_card", "hzxx_jd", dict(online_depth="IV", visits=0)),
    # 人社、医保
    ("ss_card", "gz_rsj", dict()),
    ("ss_card", "cd_rsj", dict(committed_limit=7)),
    ("pension_transfer", "sh_sb", dict(committed_limit=30)),
    ("pension_transfer", "cd_sb", dict(committed_limit=30)),
    ("pension_transfer", "gz_sb", dict(committed_limit=25)),
    ("unemployment_benefit", "gzth_rsj", dict(committed_limit=5)),
    ("unemployment_benefit", "hzxh_rsj", dict(committed_limit=3)),
    ("retirement_pension", "sh_sb", dict(committed_limit=10)),
    ("retirement_pension", "gz_sb", dict(committed_limit=10)),
    ("funeral_grant", "cd_sb", dict(committed_limit=10)),
    ("funeral_grant", "gz_sb", dict(committed_limit=5)),
    ("hr_service_licence", "gzth_rsj", dict()),
    ("hr_service_licence", "hzxh_rsj", dict(committed_limit=3)),
    ("labour_dispatch", "cdwh_sp", dict(committed_limit=10)),
    ("labour_dispatch", "shpd_rsj", dict(committed_limit=10)),
    ("remote_medical_filing", "cd_yb", dict()),
    ("remote_medical_filing", "gz_yb", dict()),
    ("remote_medical_filing", "hz_yb", dict()),
    ("resident_medical_insurance", "cd_yb", dict()),
    ("resident_medical_insurance", "hz_yb", dict()),
    # 住房公积金
    ("hpf_rent", "bj_gjj", dict()),
    ("hpf_rent", "gz_gjj", dict()),
    ("hpf_rent", "cd_gjj", dict()),
    ("hpf_rent", "nj_gjj", dict()),
    ("hpf_buy", "sh_gjj", dict(committed_limit=1)),
    ("hpf_buy", "gz_gjj", dict(case_kind="immediate", committed_limit=0)),
    ("hpf_retire", "cd_gjj", dict()),
    ("hpf_retire", "hz_gjj", dict()),
    ("hpf_loan", "hz_gjj", dict(committed_limit=7)),
    ("hpf_loan", "sh_gjj", dict(committed_limit=10)),
    # 市场监管
    ("ind_register", "bjdc_sj", dict(committed_limit=1)),
    ("ind_register", "gzth_sj", dict(case_kind="immediate", committed_limit=0)),
    ("ind_register", "cdjj_sj", dict(committed_limit=1)),
    ("ind_register", "hzxh_sj", dict(case_kind="immediate", committed_limit=0)),
    ("ind_register", "njxw_sj", dict(committed_limit=1)),
    ("ind_cancel", "cdjj_sj", dict()),
    ("ind_cancel", "bjdc_sj", dict()),
    ("company_register", "gz_sj", dict(case_kind="joint", committed_limit=1,
                                       aliases_extra=["开办企业一网通办"])),
    ("company_register", "shpd_sj", dict(committed_limit=1)),
    ("company_register", "cdwh_sp", dict(committed_limit=1)),
    ("company_register", "hz_sj", dict(case_kind="immediate", committed_limit=0)),
    ("company_change", "shpd_sj", dict()),
    ("company_change", "hzxh_sj", dict()),
    ("company_cancel", "gz_sj", dict()),
    ("company_cancel", "cdwh_sp", dict()),
    ("food_licence", "gzth_sj", dict(committed_limit=5)),
    ("food_licence", "cdwh_sp", dict(committed_limit=3)),
    ("food_licence", "hzxh_sj", dict(committed_limit=5)),
    ("food_licence", "bjdc_sj", dict(committed_limit=5, online_depth="III", visits=1)),
    ("food_licence_renew", "shxh_sj", dict()),
    ("drug_retail", "hzxh_sj", dict(committed_limit=10)),
    ("drug_retail", "cdwh_sp", dict(committed_limit=8)),
    ("special_equipment", "hz_sj", dict()),
    ("special_equipment", "gzth_sj", dict(committed_limit=3)),
    # 税务
    ("invoice", "gzth_sw", dict()),
    ("invoice", "cdjj_sw", dict()),
    ("invoice", "hzxh_sw", dict()),
    ("tax_clearance", "cdjj_sw", dict()),
    # 工程建设、不动产
    ("construction_permit", "gz_zj", dict(committed_limit=3)),
    ("construction_permit", "shpd_jjw", dict(committed_limit=3)),
    ("construction_permit", "cdwh_sp", dict(committed_limit=2)),
    ("planning_permit", "gz_gz", dict(committed_limit=10)),
    ("planning_permit", "hz_gz", dict(committed_limit=8)),
    ("pollution_permit", "cd_sthj", dict(committed_limit=15)),
    ("pollution_permit", "gz_sthj", dict(committed_limit=15)),
    ("drainage_permit", "gz_sw", dict(committed_limit=7)),
    ("drainage_permit", "cd_sw", dict(committed_limit=10)),
    ("road_occupation", "bjdc_cgw", dict(committed_limit=5)),
    ("road_occupation", "hzxh_cg", dict(committed_limit=5, online_depth="I", visits=2)),
    ("outdoor_advert", "shxh_lh", dict(committed_limit=5, legal_extra=["《上海市户外广告设施管理办法》"])),
    ("outdoor_advert", "gzth_cg", dict(committed_limit=5)),
    ("real_estate_transfer", "shpd_bdc", dict(committed_limit=5)),
    ("real_estate_transfer", "cd_bdc", dict(committed_limit=3)),
    ("real_estate_mortgage", "shpd_bdc", dict()),
    ("real_estate_mortgage", "cd_bdc", dict()),
    # 交通运输
    ("freight_licence", "cdsl_jt", dict(committed_limit=5)),
    ("freight_licence", "hzyh_jt", dict(case_kind="immediate", committed_limit=0)),
    # 教育
    ("primary_enrolment", "gzth_jy", dict()),
    ("primary_enrolment", "cdjj_jy", dict()),
    ("primary_enrolment", "hzxh_jy", dict()),
    ("teacher_qualification", "hzxh_jy", dict(committed_limit=20)),
    ("teacher_qualification", "cdjj_jy", dict(committed_limit=20)),
    ("degree_verification", "moe_csd", dict()),
    # 文化旅游、出版、烟草
    ("performance_licence", "gzth_wg", dict()),
    ("performance_licence", "shxh_wl", dict(committed_limit=5)),
    ("internet_culture", "gd_wlt", dict(committed_limit=15)),
    ("internet_culture", "zj_wg", dict(committed_limit=10)),
    ("publication_retail", "hzxh_wg", dict(committed_limit=5)),
    ("publication_retail", "gzth_wg", dict(committed_limit=10)),
    ("tobacco_retail", "hz_yc", dict(committed_limit=5)),
    ("tobacco_retail", "cd_yc", dict(committed_limit=10)),
    # 消防、民航、工信
    ("fire_inspection", "gzth_xf", dict()),
    ("fire_inspection", "cdjj_xf", dict()),
    ("drone_registration", "caac", dict()),
    ("vats_licence", "miit", dict()),
    ("icp_filing", "gd_tca", dict()),
    ("icp_filing", "zj_tca", dict(committed_limit=7)),
]

# ---------------------------------------------------------------------------------------------
# Assembly
# ---------------------------------------------------------------------------------------------

ALL_SERVICES = ["互联网咨询", "互联网收件", "互联网预审", "互联网受理", "互联网办理", "互联网办理结果信息反馈", "互联网电子证照反馈"]


def online_services(depth: str, result_kind: str) -> list:
    """The multi-select online services a depth implies."""
    if depth == "I":
        return ["互联网咨询"]
    if depth == "II":
        return ["互联网咨询", "互联网预审"]
    if depth == "III":
        return ["互联网咨询", "互联网收件", "互联网预审", "互联网受理", "互联网办理结果信息反馈"]
    services = ALL_SERVICES[:-1]
    return services + ["互联网电子证照反馈"] if result_kind == "licence" else services


APPENDABLE = {"legal_extra": "legal_basis", "faq_extra": "faq", "aliases_extra": "aliases"}


def offering_code(agency_code: str, item_ref: dict) -> str:
    """31 characters: the agency's credit code, the item type (2) and the item code without its
    leading digit (11)."""
    return agency_code + item_ref["item_type"] + item_ref["code"][1:]


def build(item_key: str, agency_key: str, overrides: dict) -> dict:
    it = copy.deepcopy(ITEMS[item_key])
    ag = AGENCIES[agency_key]
    fields = dict(it)
    fields["location"] = ag["hall"]
    fields["hours"] = ag["hours"]
    fields["consultation_phone"] = ag["tel"]
    fields["complaint_phone"] = ag["complaint"]
    for key, value in overrides.items():
        if key in APPENDABLE:
            fields[APPENDABLE[key]] = fields[APPENDABLE[key]] + list(value)
        elif key in fields:
            fields[key] = value
        else:
            raise KeyError(f"{item_key}@{agency_key}: unknown override {key}")
    agency_ref = {k: ag[k] for k in ("credit_code", "name", "division_code", "level")}
    # Field order follows the Rust struct, for readable diffs.
    return {
        "offering_code": offering_code(ag["credit_code"], it["item"]),
        "item": it["item"],
        "agency": agency_ref,
        "name": fields["name"],
        "aliases": fields["aliases"],
        "division_code": ag["division_code"],
        "level": ag["level"],
        "audience": fields["audience"],
        "themes": fields["themes"],
        "case_kind": fields["case_kind"],
        "conditions": fields["conditions"],
        "materials": fields["materials"],
        "steps": fields["steps"],
        "special_procedures": fields["special_procedures"],
        "statutory_limit": fields["statutory_limit"],
        "committed_limit": fields["committed_limit"],
        "fees": fields["fees"],
        "location": fields["location"],
        "hours": fields["hours"],
        "consultation_phone": fields["consultation_phone"],
        "complaint_phone": fields["complaint_phone"],
        "legal_basis": fields["legal_basis"],
        "online_depth": fields["online_depth"],
        "online_services": online_services(fields["online_depth"], fields["result"]["kind"]),
        "visits": fields["visits"],
        "result": fields["result"],
        "faq": fields["faq"],
        "appointment": fields["appointment"],
        "cross_region": fields["cross_region"],
        **({"form": fields["form"]} if fields["form"] else {}),
        **({"review_steps": fields["review_steps"]} if fields["review_steps"] else {}),
    }


def render() -> str:
    codes = [a["credit_code"] for a in AGENCIES.values()]
    assert len(set(codes)) == len(codes), "duplicate agency credit codes"
    lines = [json.dumps(build(i, a, o), ensure_ascii=False, separators=(",", ":")) for i, a, o in OFFERINGS]
    return "\n".join(lines) + "\n"


def main(argv) -> int:
    text = render()
    if "--check" in argv:
        if not OUT.exists() or OUT.read_text(encoding="utf-8") != text:
            print(f"{OUT} is out of date: run gen_demo.py", file=sys.stderr)
            return 1
        print(f"{OUT.name} is up to date ({text.count(chr(10))} offerings)")
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT} ({text.count(chr(10))} offerings, {len(ITEMS)} items, {len(AGENCIES)} agencies)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
