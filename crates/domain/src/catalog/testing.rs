//! A valid example offering for the tests of this and the upper crates.

use super::Offering;

/// A valid offering: 个体工商户设立登记 at a county market regulator.
pub fn sample() -> Offering {
    let agency = "11110105MB0000000X";
    let agency = format!("{}{}", &agency[..17], crate::codes::credit_code_check_char(&agency[..17]));
    serde_json::from_value(serde_json::json!({
        "offering_code": format!("{agency}2000011000100"),
        "item": {"code": "000105001000", "name": "个体工商户设立登记", "item_type": "07",
                 "handling": "new", "competent_department": "国家市场监督管理总局"},
        "agency": {"credit_code": agency, "name": "北京市朝阳区市场监督管理局",
                   "division_code": "110105", "level": "county"},
        "name": "个体工商户设立登记",
        "aliases": ["个体户注册", "开个体户"],
        "division_code": "110105",
        "level": "county",
        "audience": ["person"],
        "themes": ["开办企业"],
        "case_kind": "committed",
        "conditions": "有经营能力的公民",
        "materials": [{"name": "经营者身份证明", "original": "original", "copies": 1, "form": "either",
                       "required": true, "source": {"kind": "licence", "licence_type": "居民身份证"}}],
        "steps": [{"name": "申请"}, {"name": "受理"}, {"name": "决定"}],
        "statutory_limit": 15, "committed_limit": 1,
        "fees": {"charged": false},
        "location": "朝阳区政务服务中心", "hours": "工作日 9:00-17:00",
        "consultation_phone": "010-12345678", "complaint_phone": "12345",
        "legal_basis": ["《促进个体工商户发展条例》第八条"],
        "online_depth": "IV", "online_services": ["互联网受理"], "visits": 0,
        "result": {"kind": "licence", "name": "营业执照"},
    }))
    .unwrap()
}
