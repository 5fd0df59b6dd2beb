//! UI labels in Chinese (default) and English, and how a visitor's language is chosen:
//! `?lang=` first (remembered in a cookie), then the `lang` cookie, then Chinese.

use axum::http::HeaderMap;
use axum::http::header::COOKIE;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    /// The value of `<html lang>`.
    pub fn html(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }

    pub fn catalog(self) -> &'static crate::catalog_labels::CatalogLabels {
        match self {
            Lang::Zh => &crate::catalog_labels::ZH,
            Lang::En => &crate::catalog_labels::EN,
        }
    }

    pub fn account(self) -> &'static crate::account_labels::AccountLabels {
        match self {
            Lang::Zh => &crate::account_labels::ZH,
            Lang::En => &crate::account_labels::EN,
        }
    }

    pub fn cases(self) -> &'static crate::case_labels::CaseLabels {
        match self {
            Lang::Zh => &crate::case_labels::ZH,
            Lang::En => &crate::case_labels::EN,
        }
    }

    pub fn data(self) -> &'static crate::data_labels::DataLabels {
        match self {
            Lang::Zh => &crate::data_labels::ZH,
            Lang::En => &crate::data_labels::EN,
        }
    }

    pub fn inquiries(self) -> &'static crate::inquiry_labels::InquiryLabels {
        match self {
            Lang::Zh => &crate::inquiry_labels::ZH,
            Lang::En => &crate::inquiry_labels::EN,
        }
    }

    pub fn hall(self) -> &'static crate::hall_labels::HallLabels {
        match self {
            Lang::Zh => &crate::hall_labels::ZH,
            Lang::En => &crate::hall_labels::EN,
        }
    }

    pub fn ratings(self) -> &'static crate::rating_labels::RatingLabels {
        match self {
            Lang::Zh => &crate::rating_labels::ZH,
            Lang::En => &crate::rating_labels::EN,
        }
    }

    pub fn licences(self) -> &'static crate::licence_labels::LicenceLabels {
        match self {
            Lang::Zh => &crate::licence_labels::ZH,
            Lang::En => &crate::licence_labels::EN,
        }
    }

    pub fn labels(self) -> &'static Labels {
        match self {
            Lang::Zh => &ZH,
            Lang::En => &EN,
        }
    }

    fn parse(s: &str) -> Option<Lang> {
        match s {
            "zh" | "zh-CN" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The visitor's language, and whether it came from the query (and so should be remembered).
    pub fn choose(query: Option<&str>, headers: &HeaderMap) -> (Lang, bool) {
        if let Some(l) = query.and_then(Lang::parse) {
            return (l, true);
        }
        let from_cookie = headers
            .get_all(COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|kv| kv.trim().strip_prefix("lang="))
            .find_map(Lang::parse);
        (from_cookie.unwrap_or(Lang::Zh), false)
    }
}

/// A message in the page's language. The application's messages are bilingual, `中文 (English)`:
/// a Chinese page shows the Chinese, an English page the English, never both.
pub fn in_lang(message: &str, lang: Lang) -> String {
    let m = message.trim();
    // The English is the last parenthesised part that ends the message, or follows its colon.
    let split = m.strip_suffix(')').and_then(|body| {
        let mut depth = 0;
        for (i, c) in body.char_indices().rev() {
            match c {
                ')' => depth += 1,
                '(' if depth == 0 => return Some((&m[..i], &body[i + 1..], "")),
                '(' => depth -= 1,
                _ => {}
            }
        }
        None
    });
    let split = split.or_else(|| {
        // `中文 (English): detail`: the detail belongs to both.
        let (head, detail) = m.split_once("): ")?;
        let (zh, en) = head.rsplit_once(" (")?;
        Some((zh, en, detail))
    });
    match split {
        Some((zh, en, detail)) if !zh.trim().is_empty() && !en.trim().is_empty() => {
            let (text, colon) = match lang {
                Lang::Zh => (zh.trim_end(), "："),
                Lang::En => (en.trim(), ": "),
            };
            if detail.is_empty() { text.to_owned() } else { format!("{text}{colon}{detail}") }
        }
        _ => m.to_owned(),
    }
}

/// What a form's error says, naming the field by its label and saying what to enter (GOV.UK's
/// pattern): 请输入经营者姓名, not 必填.
pub fn field_error(label: &str, choice: bool, message: &str, lang: Lang) -> String {
    let text = in_lang(message, lang);
    let zh = in_lang(message, Lang::Zh);
    match lang {
        Lang::Zh if zh.starts_with("必填") => format!("请{}{label}", if choice { "选择" } else { "输入" }),
        Lang::Zh if zh.starts_with("请从选项中选择") => format!("请选择{label}"),
        Lang::Zh if zh.starts_with("格式不正确") => format!("请按提示的格式输入{label}"),
        Lang::Zh if ["至少", "不能", "应", "最多", "只能", "必须"].iter().any(|p| text.starts_with(p)) => {
            format!("{label}{text}")
        }
        Lang::Zh => format!("{label}：{text}"),
        Lang::En if zh.starts_with("必填") || zh.starts_with("请从选项中选择") => {
            format!("{} {label}", if choice { "Select" } else { "Enter" })
        }
        Lang::En if zh.starts_with("格式不正确") => format!("Enter {label} in the format shown"),
        Lang::En => format!("{label}: {text}"),
    }
}

/// Every label a page shows. One struct, so a missing translation fails to compile.
pub struct Labels {
    /// The separator after a label: full-width in Chinese.
    pub colon: &'static str,
    pub skip_to_content: &'static str,
    pub switch_language: &'static str,
    pub switch_language_name: &'static str,
    pub tagline: &'static str,
    pub search_label: &'static str,
    pub search_placeholder: &'static str,
    pub search_button: &'static str,
    pub nav_label: &'static str,
    pub location_label: &'static str,
    pub location_none: &'static str,
    pub location_change: &'static str,
    pub location_title: &'static str,
    pub location_intro: &'static str,
    pub location_path: &'static str,
    pub location_choose: &'static str,
    pub location_provinces: &'static str,
    pub location_under: &'static str,
    pub location_clear: &'static str,
    pub api_docs_title: &'static str,
    pub api_docs_intro: &'static str,
    pub api_docs_raw: &'static str,
    pub api_version: &'static str,
    pub api_contents: &'static str,
    pub api_schemas: &'static str,
    pub api_needs_token: &'static str,
    pub api_params: &'static str,
    pub api_name: &'static str,
    pub api_in: &'static str,
    pub api_type: &'static str,
    pub api_body: &'static str,
    pub api_fields: &'static str,
    pub api_description: &'static str,
    pub api_values: &'static str,
    pub signed_in_as: &'static str,
    pub header_login: &'static str,
    pub header_register: &'static str,
    pub nav_workbench: &'static str,
    pub nav_supervision: &'static str,
    pub nav_staff: &'static str,
    pub nav_data: &'static str,
    pub nav_home: &'static str,
    pub nav_personal: &'static str,
    pub nav_business: &'static str,
    pub for_personal: &'static str,
    pub for_personal_text: &'static str,
    pub for_business: &'static str,
    pub for_business_text: &'static str,
    pub tools_heading: &'static str,
    pub tool_code: &'static str,
    pub tool_code_text: &'static str,
    pub tool_deadline: &'static str,
    pub tool_deadline_text: &'static str,
    pub search_results_for: &'static str,
    pub footer_about: &'static str,
    pub footer_api: &'static str,
    pub footer_rights: &'static str,
    pub error_heading: &'static str,
    pub back_home: &'static str,
    pub not_found: &'static str,
    pub method_not_allowed: &'static str,
    pub tool_value_label: &'static str,
    pub tool_check_button: &'static str,
    pub result_heading: &'static str,
    pub result_valid: &'static str,
    pub result_invalid: &'static str,
    pub result_kind: &'static str,
    pub result_normalized: &'static str,
    pub result_reason: &'static str,
    pub dl_from: &'static str,
    pub dl_workdays: &'static str,
    pub dl_suspend: &'static str,
    pub dl_suspend_hint: &'static str,
    pub dl_compute: &'static str,
    pub dl_due: &'static str,
    pub dl_provisional: &'static str,
    pub dl_final: &'static str,
    pub errors_heading: &'static str,
}

pub const ZH: Labels = Labels {
    colon: "：",
    skip_to_content: "跳到主要内容",
    switch_language: "Switch to English",
    switch_language_name: "English",
    tagline: "一网通办 · 一次认证、全网通办",
    search_label: "搜索政务服务事项",
    search_placeholder: "例如：身份证、公积金",
    search_button: "搜索",
    nav_label: "主导航",
    location_label: "所在地区：",
    location_none: "全国",
    location_change: "切换地区",
    location_title: "选择所在地区",
    location_intro: "选定后，搜索会列出您所在地区及其上级地区的事项和全国通办的事项，选择省或市时还包括其下各区县的事项。随时可以更换。",
    location_path: "当前位置",
    location_choose: "选定：",
    location_provinces: "省、自治区、直辖市",
    location_under: "下辖地区",
    location_clear: "不限地区（全国）",
    api_docs_title: "开放接口文档",
    api_docs_intro: "本平台的 JSON 接口，供部门系统和开发者对接。需要登录的接口使用 Bearer 令牌：先以 POST /api/v1/sessions 登录取得令牌，或通过本平台的 OpenID Connect 授权。带 * 的参数和字段必填。各接口的说明取自接口文档，为英文；错误信息为中文并附英文。",
    api_docs_raw: "下载 OpenAPI 3.1 文档（JSON）",
    api_version: "版本",
    api_contents: "目录",
    api_schemas: "数据结构",
    api_needs_token: "需令牌",
    api_params: "参数",
    api_name: "名称",
    api_in: "位置",
    api_type: "类型",
    api_body: "请求体",
    api_fields: "字段",
    api_description: "说明",
    api_values: "取值",
    signed_in_as: "已登录：",
    header_login: "登录",
    header_register: "注册",
    nav_workbench: "工作台",
    nav_supervision: "电子监察",
    nav_staff: "人员管理",
    nav_data: "数据共享",
    nav_home: "首页",
    nav_personal: "个人办事",
    nav_business: "法人办事",
    for_personal: "个人办事",
    for_personal_text: "出生、上学、就业、婚育、退休等个人事项，一次认证，全程网办。",
    for_business: "法人办事",
    for_business_text: "开办企业、工程建设、经营许可、注销企业等法人事项，一窗受理，限时办结。",
    tools_heading: "便民工具",
    tool_code: "代码校验",
    tool_code_text: "校验公民身份号码、统一社会信用代码、行政区划代码和电子证照标识。",
    tool_deadline: "办理时限计算",
    tool_deadline_text: "按国务院节假日安排计算法定工作日时限。",
    search_results_for: "搜索",
    footer_about: "本平台为一体化在线政务服务平台，数据多跑路，群众少跑腿。",
    footer_api: "开放接口",
    footer_rights: "主办单位：政务服务管理局",
    error_heading: "出错了",
    back_home: "返回首页",
    not_found: "您访问的页面不存在。",
    method_not_allowed: "该页面不支持这种请求方式。请从页面上的链接或按钮进入。",
    tool_value_label: "代码",
    tool_check_button: "校验",
    result_heading: "校验结果",
    result_valid: "有效",
    result_invalid: "无效",
    result_kind: "类型",
    result_normalized: "规范形式",
    result_reason: "原因",
    dl_from: "受理日期（YYYY-MM-DD）",
    dl_workdays: "工作日数",
    dl_suspend: "暂停计时区间（可选，YYYY-MM-DD..YYYY-MM-DD）",
    dl_suspend_hint: "补正、听证、检验检测等不计入时限的期间，首尾两日均不计。",
    dl_compute: "计算",
    dl_due: "到期日",
    dl_provisional: "暂定：所跨年份的国务院节假日安排尚未发布，按周末计算，发布后将重新计算。",
    dl_final: "已按国务院节假日安排计算。",
    errors_heading: "请修改以下内容",
};

pub const EN: Labels = Labels {
    colon: ": ",
    skip_to_content: "Skip to main content",
    switch_language: "切换到中文",
    switch_language_name: "中文",
    tagline: "One network for every government service",
    search_label: "Search government services",
    search_placeholder: "e.g. ID card, housing fund",
    search_button: "Search",
    nav_label: "Main navigation",
    location_label: "Your area: ",
    location_none: "all of China",
    location_change: "Change area",
    location_title: "Choose your area",
    location_intro: "Searches then list the services of your area and the areas it lies in, and nationwide ones; a province or city chosen includes its districts' services. You can change it at any time.",
    location_path: "Where you are",
    location_choose: "Choose: ",
    location_provinces: "Provinces",
    location_under: "Areas under it",
    location_clear: "Any area (all of China)",
    api_docs_title: "API reference",
    api_docs_intro: "The platform's JSON API, for agencies' systems and developers. Operations that need a login take a bearer token: log in with POST /api/v1/sessions, or authorize through the platform's OpenID Connect provider. Parameters and fields marked * are required.",
    api_docs_raw: "Download the OpenAPI 3.1 document (JSON)",
    api_version: "version",
    api_contents: "Contents",
    api_schemas: "Schemas",
    api_needs_token: "token needed",
    api_params: "Parameters",
    api_name: "Name",
    api_in: "In",
    api_type: "Type",
    api_body: "Request body",
    api_fields: "Fields",
    api_description: "Description",
    api_values: "Values",
    signed_in_as: "Signed in: ",
    header_login: "Log in",
    header_register: "Register",
    nav_workbench: "Workbench",
    nav_supervision: "Supervision",
    nav_staff: "Staff",
    nav_data: "Data sharing",
    nav_home: "Home",
    nav_personal: "For individuals",
    nav_business: "For organisations",
    for_personal: "For individuals",
    for_personal_text: "Birth, school, work, marriage, retirement: authenticate once and apply fully online.",
    for_business: "For organisations",
    for_business_text: "Starting a business, construction, operating permits, closing a business: one window, on time.",
    tools_heading: "Tools",
    tool_code: "Code check",
    tool_code_text: "Validate citizen id numbers, unified social credit codes, division codes and licence ids.",
    tool_deadline: "Deadline calculator",
    tool_deadline_text: "Count statutory working days on the State Council holiday calendar.",
    search_results_for: "Search",
    footer_about: "An integrated online government service platform: data travels so people don't have to.",
    footer_api: "Open API",
    footer_rights: "Operated by the Government Services Administration",
    error_heading: "Something went wrong",
    back_home: "Back to the home page",
    not_found: "The page you asked for does not exist.",
    method_not_allowed: "This page does not take that kind of request. Use the links and buttons on the pages.",
    tool_value_label: "Code",
    tool_check_button: "Check",
    result_heading: "Result",
    result_valid: "Valid",
    result_invalid: "Invalid",
    result_kind: "Kind",
    result_normalized: "Normalized",
    result_reason: "Reason",
    dl_from: "Accepted on (YYYY-MM-DD)",
    dl_workdays: "Working days",
    dl_suspend: "Suspended period (optional, YYYY-MM-DD..YYYY-MM-DD)",
    dl_suspend_hint: "Supplement requests, hearings, testing and other periods not counted; both days excluded.",
    dl_compute: "Calculate",
    dl_due: "Due on",
    dl_provisional: "Provisional: the holiday notice of a year it reaches is not yet published, so only weekends were excluded; it will be recomputed once published.",
    dl_final: "Computed on the State Council holiday calendar.",
    errors_heading: "Please correct the following",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_shows_its_language_only() {
        assert_eq!(in_lang("必填 (required)", Lang::Zh), "必填");
        assert_eq!(in_lang("必填 (required)", Lang::En), "required");
        assert_eq!(in_lang("应为 1 到 100 的整数 (an integer 1..=100)", Lang::En), "an integer 1..=100");
        assert_eq!(in_lang("不符合要求 (invalid): x > 3", Lang::Zh), "不符合要求：x > 3");
        assert_eq!(in_lang("两次输入的密码不一致", Lang::En), "两次输入的密码不一致", "one language: as it is");
        assert_eq!(
            in_lang("第 2 行：“a b”：每个词应为 1 至 20 个字（不含空格） (1 to 20 characters)", Lang::Zh),
            "第 2 行：“a b”：每个词应为 1 至 20 个字（不含空格）"
        );
    }

    #[test]
    fn errors_name_the_field_and_say_what_to_enter() {
        assert_eq!(field_error("经营者姓名", false, "必填 (required)", Lang::Zh), "请输入经营者姓名");
        assert_eq!(field_error("组成形式", true, "必填 (required)", Lang::Zh), "请选择组成形式");
        assert_eq!(
            field_error("经营范围", false, "至少 2 个字 (at least 2 characters)", Lang::Zh),
            "经营范围至少 2 个字"
        );
        assert_eq!(field_error("Operator's name", false, "必填 (required)", Lang::En), "Enter Operator's name");
        assert_eq!(
            field_error("Phone", false, "格式不正确 (invalid format)", Lang::En),
            "Enter Phone in the format shown"
        );
    }
}
