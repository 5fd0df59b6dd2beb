//! Synthetic data; `tongban gen catalog --offerings N`: a synthetic national catalog for scale tests and the
//! search benchmark. Names come from real item patterns, placed at real divisions with agencies
//! named after them; guides have realistic lengths. Deterministic for a given seed.

use tongban_app::datasets;
use tongban_domain::DivisionLevel;
use tongban_domain::catalog::{
    AgencyRef, Audience, CaseKind, ExerciseLevel, Fees, HandlingKind, ItemRef, Material, MaterialForm, MaterialSource,
    Offering, OnlineDepth, Original, ResultSpec, Step,
};
use tongban_domain::codes::credit_code_check_char;

/// A real item pattern: name, implementing agency (suffix of its name), item type, audience,
/// theme, statutory and committed limits, result.
struct Pattern(&'static str, &'static str, &'static str, Audience, &'static str, u32, u32, &'static str);

const PATTERNS: &[Pattern] = {
    use Audience::{Organization as O, Person as P};
    &[
        Pattern("居民身份证换领", "公安局", "07", P, "证件办理", 60, 20, "居民身份证"),
        Pattern("居民身份证首次申领", "公安局", "07", P, "证件办理", 60, 20, "居民身份证"),
        Pattern("临时居民身份证申领", "公安局", "07", P, "证件办理", 1, 0, "临时居民身份证"),
        Pattern("户口迁移", "公安局", "07", P, "户籍", 20, 5, "户口迁移证明"),
        Pattern("出生登记", "公安局", "07", P, "出生", 5, 0, "居民户口簿"),
        Pattern("机动车驾驶证换证", "公安局交通警察支队", "07", P, "出行", 5, 1, "机动车驾驶证"),
        Pattern("机动车检验标志核发", "公安局交通警察支队", "07", P, "出行", 5, 0, "机动车检验标志"),
        Pattern("出生医学证明办理", "卫生健康委员会", "07", P, "出生", 5, 1, "出生医学证明"),
        Pattern("结婚登记", "民政局", "07", P, "婚育", 1, 0, "结婚证"),
        Pattern("离婚登记", "民政局", "07", P, "婚育", 30, 30, "离婚证"),
        Pattern("最低生活保障申请", "民政局", "05", P, "社会救助", 30, 20, "最低生活保障金领取证"),
        Pattern("高龄津贴申领", "民政局", "05", P, "养老", 20, 10, "津贴发放通知"),
        Pattern("社会保障卡申领", "人力资源和社会保障局", "20", P, "社保", 20, 10, "社会保障卡"),
        Pattern("失业保险金申领", "人力资源和社会保障局", "05", P, "就业", 20, 5, "失业保险金核定通知"),
        Pattern("基本养老保险关系转移", "人力资源和社会保障局", "20", P, "退休", 45, 15, "转移接续函"),
        Pattern("异地就医备案", "医疗保障局", "20", P, "医疗", 5, 0, "备案回执"),
        Pattern("住房公积金提取", "住房公积金管理中心", "20", P, "住房", 5, 1, "提取审批结果"),
        Pattern("住房公积金个人住房贷款", "住房公积金管理中心", "20", P, "住房", 20, 10, "贷款审批结果"),
        Pattern("残疾人证办理", "残疾人联合会", "07", P, "社会救助", 30, 20, "残疾人证"),
        Pattern("义务教育入学登记", "教育局", "20", P, "上学", 20, 10, "入学通知"),
        Pattern("个体工商户设立登记", "市场监督管理局", "07", P, "开办企业", 15, 1, "营业执照"),
        Pattern("个体工商户注销登记", "市场监督管理局", "07", P, "注销企业", 15, 1, "注销通知书"),
        Pattern("企业设立登记", "市场监督管理局", "07", O, "开办企业", 15, 1, "营业执照"),
        Pattern("企业变更登记", "市场监督管理局", "07", O, "开办企业", 15, 1, "营业执照"),
        Pattern("企业注销登记", "市场监督管理局", "07", O, "注销企业", 15, 1, "准予注销登记通知书"),
        Pattern("食品经营许可", "市场监督管理局", "01", O, "经营许可", 10, 5, "食品经营许可证"),
        Pattern("药品零售企业许可", "市场监督管理局", "01", O, "经营许可", 30, 15, "药品经营许可证"),
        Pattern("特种设备使用登记", "市场监督管理局", "01", O, "经营许可", 15, 5, "特种设备使用登记证"),
        Pattern("建筑工程施工许可", "住房和城乡建设局", "01", O, "工程建设", 7, 3, "建筑工程施工许可证"),
        Pattern("建设工程规划许可", "自然资源和规划局", "01", O, "工程建设", 20, 10, "建设工程规划许可证"),
        Pattern("不动产转移登记", "不动产登记中心", "07", P, "住房", 30, 5, "不动产权证书"),
        Pattern("不动产抵押登记", "不动产登记中心", "07", P, "住房", 30, 5, "不动产登记证明"),
        Pattern("排污许可", "生态环境局", "01", O, "经营许可", 20, 15, "排污许可证"),
        Pattern("道路运输经营许可", "交通运输局", "01", O, "经营许可", 20, 10, "道路运输经营许可证"),
        Pattern("公共场所卫生许可", "卫生健康委员会", "01", O, "经营许可", 20, 10, "公共场所卫生许可证"),
        Pattern("医师执业注册", "卫生健康委员会", "01", P, "就业", 20, 10, "医师执业证书"),
        Pattern("护士执业注册", "卫生健康委员会", "01", P, "就业", 20, 10, "护士执业证书"),
        Pattern("烟草专卖零售许可", "烟草专卖局", "01", O, "经营许可", 20, 10, "烟草专卖零售许可证"),
        Pattern("营业性演出许可", "文化和旅游局", "01", O, "经营许可", 20, 10, "营业性演出许可证"),
        Pattern("人力资源服务许可", "人力资源和社会保障局", "01", O, "经营许可", 20, 10, "人力资源服务许可证"),
        Pattern("劳务派遣经营许可", "人力资源和社会保障局", "01", O, "经营许可", 20, 10, "劳务派遣经营许可证"),
        Pattern("城镇污水排入排水管网许可", "水务局", "01", O, "工程建设", 20, 10, "排水许可证"),
        Pattern("临时占用城市道路许可", "城市管理局", "01", O, "工程建设", 20, 5, "占道许可决定书"),
        Pattern("户外广告设置许可", "城市管理局", "01", O, "经营许可", 20, 5, "户外广告设置许可决定书"),
        Pattern("税务登记信息确认", "税务局", "07", O, "纳税缴费", 1, 0, "税务登记信息"),
        Pattern("发票领用", "税务局", "20", O, "纳税缴费", 1, 0, "发票"),
        Pattern("老年人优待证办理", "民政局", "20", P, "养老", 10, 5, "老年人优待证"),
        Pattern("生育登记服务", "卫生健康委员会", "20", P, "婚育", 1, 0, "生育登记服务单"),
        Pattern("普通护照签发", "公安局出入境管理支队", "01", P, "证件办理", 15, 7, "普通护照"),
    ]
};

/// The everyday names people search for, as real catalogs list them among an item's aliases.
fn aliases(item: &str) -> Vec<String> {
    let known: &[(&str, &[&str])] = &[
        ("社会保障卡申领", &["社保卡申领", "办社保卡"]),
        ("基本养老保险关系转移", &["社保转移"]),
        ("住房公积金提取", &["公积金提取"]),
        ("机动车驾驶证换证", &["驾照换证"]),
        ("普通护照签发", &["办护照"]),
        ("个体工商户设立登记", &["个体户营业执照办理"]),
    ];
    known
        .iter()
        .find(|(name, _)| *name == item)
        .map(|(_, a)| a.iter().map(|s| s.to_string()).collect())
        .unwrap_or_default()
}

const TEMPLATE_CONDITIONS: &str = "申请人应当符合法律、法规规定的条件，提交的申请材料齐全、符合法定形式；\
属于本机关职权范围；依法需要核实的事项已经核实。";

/// A small deterministic generator (xorshift64*), so the same seed makes the same catalog.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed.max(1))
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// A credit code for agency number `n` at `division`: authority 1 (机构编制), category 1 (机关).
fn credit_code(division: &str, n: u64) -> String {
    const CHARSET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    let mut body = format!("11{division}");
    let mut x = n;
    for _ in 0..9 {
        body.push(CHARSET[(x % 31) as usize] as char);
        x /= 31;
    }
    body.push(credit_code_check_char(&body));
    body
}

/// The synthetic catalog: `count` offerings spread over the counties, prefectures and
/// provinces of the vendored divisions.
pub struct Generator {
    rng: Rng,
    places: Vec<(String, String, ExerciseLevel)>,
    n: u64,
}

impl Generator {
    pub fn new(seed: u64) -> Self {
        let places = datasets::divisions()
            .into_iter()
            .filter_map(|d| {
                let level = match d.level {
                    DivisionLevel::Province => ExerciseLevel::Provincial,
                    DivisionLevel::Prefecture => ExerciseLevel::City,
                    DivisionLevel::County => ExerciseLevel::County,
                    _ => return None,
                };
                Some((d.code, d.name, level))
            })
            .collect();
        Self { rng: Rng::new(seed), places, n: 0 }
    }

    pub fn next_offering(&mut self) -> Offering {
        self.n += 1;
        let p = &PATTERNS[self.rng.below(PATTERNS.len())];
        let (division, place, level) = self.places[self.rng.below(self.places.len())].clone();
        // One agency per (place, agency kind): its number is derived from both.
        let kind = PATTERNS.iter().position(|q| q.1 == p.1).unwrap_or(0) as u64;
        let agency_code = credit_code(&division, kind);
        let agency_name = format!("{place}{}", p.1);
        let depth = [OnlineDepth::II, OnlineDepth::III, OnlineDepth::IV, OnlineDepth::IV][self.rng.below(4)];
        let visits = match depth {
            OnlineDepth::IV => 0,
            OnlineDepth::III => 1,
            _ => 2,
        };
        let (statutory, committed) = (p.5, p.6);
        let materials = vec![
            material(&format!("{}申请表", p.0), MaterialSource::Applicant, true),
            material("申请人身份证明", MaterialSource::Licence { licence_type: "居民身份证".into() }, true),
            material("委托代理人办理的，提交授权委托书", MaterialSource::Applicant, false),
            material("相关证明材料", MaterialSource::Shared { resource: format!("{}相关信息", p.1) }, true),
        ];
        Offering {
            offering_code: format!("{agency_code}{:013}", self.n),
            item: ItemRef {
                code: format!("{:012}", 1000 + PATTERNS.iter().position(|q| q.0 == p.0).unwrap_or(0)),
                name: p.0.into(),
                item_type: p.2.into(),
                main_item: None,
                sub_item: None,
                handling: HandlingKind::New,
                competent_department: p.1.into(),
            },
            agency: AgencyRef {
                credit_code: agency_code,
                name: agency_name.clone(),
                division_code: division.clone(),
                level,
            },
            name: p.0.into(),
            aliases: aliases(p.0),
            division_code: division,
            level,
            audience: vec![p.3],
            themes: vec![p.4.into()],
            case_kind: if committed == 0 { CaseKind::Immediate } else { CaseKind::Committed },
            conditions: format!("{TEMPLATE_CONDITIONS}办理{}须由本人或其委托的代理人向{agency_name}提出申请。", p.0),
            materials,
            steps: ["申请", "受理", "审查", "决定", "送达"]
                .iter()
                .map(|s| Step { name: (*s).into(), description: format!("{agency_name}依法{s}。") })
                .collect(),
            special_procedures: vec![],
            statutory_limit: statutory,
            committed_limit: committed,
            fees: Fees { charged: false, ..Fees::default() },
            location: format!("{place}政务服务中心综合窗口"),
            hours: "工作日上午9:00-12:00，下午13:30-17:00（法定节假日除外）".into(),
            consultation_phone: format!("0{:03}-{:08}", self.rng.below(1000), self.rng.below(100_000_000)),
            complaint_phone: "12345".into(),
            legal_basis: vec![format!("《中华人民共和国行政许可法》；{}相关法律法规", p.0)],
            online_depth: depth,
            online_services: vec!["互联网咨询".into(), "互联网收件".into()],
            visits,
            result: ResultSpec { kind: "document".into(), name: p.7.into() },
            faq: vec![],
            appointment: self.rng.below(2) == 0,
            cross_region: String::new(),
            form: None,
            review_steps: Vec::new(),
            joint_agencies: Vec::new(),
        }
    }
}

fn material(name: &str, source: MaterialSource, required: bool) -> Material {
    Material {
        name: name.into(),
        original: Original::Original,
        copies: 1,
        form: MaterialForm::Either,
        required,
        condition: (!required).then(|| "委托他人代为办理的".into()),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_offerings_are_valid_and_deterministic() {
        let mut a = Generator::new(7);
        let mut b = Generator::new(7);
        for _ in 0..500 {
            let o = a.next_offering();
            assert_eq!(o, b.next_offering());
            let v = o.validate(&datasets::division_known);
            assert!(v.is_empty(), "{}: {v:?}", o.offering_code);
        }
    }
}
