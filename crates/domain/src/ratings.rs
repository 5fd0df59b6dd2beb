//! Ratings (好差评, 国办发〔2019〕51号, GB/T 39734/39735-2020): the five levels, the fixed
//! indicator sets of the online and on-site channels, what a rating must hold, which cases may
//! be rated, and the published figures computed from counts kept per agency, offering, division
//! and month (never from the ratings themselves).

use crate::cases::CaseState;
use std::collections::BTreeMap;

/// The five levels [fixed], from 非常不满意 (1) to 非常满意 (5).
pub const LEVELS: [(u8, &str, &str); 5] = [
    (5, "非常满意", "very satisfied"),
    (4, "满意", "satisfied"),
    (3, "基本满意", "fairly satisfied"),
    (2, "不满意", "dissatisfied"),
    (1, "非常不满意", "very dissatisfied"),
];

/// The longest comment, in characters.
pub const COMMENT_MAX: usize = 500;

/// Where the service was given: online (一事一评, a case) or at a window (一次一评, a visit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Online,
    OnSite,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Online => "online",
            Self::OnSite => "on_site",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "online" => Some(Self::Online),
            "on_site" => Some(Self::OnSite),
            _ => None,
        }
    }

    /// The channel's indicators [fixed]: name, Chinese, English.
    pub fn indicators(self) -> &'static [(&'static str, &'static str, &'static str)] {
        match self {
            Self::Online => &[
                ("overall", "整体满意度", "overall satisfaction"),
                ("efficiency", "办事效率", "efficiency"),
                ("guide_accuracy", "办事指南精确度", "accuracy of the guide"),
                ("convenience", "办事便捷度", "convenience"),
                ("usability", "平台操作性", "ease of use of the platform"),
            ],
            Self::OnSite => &[
                ("overall", "整体满意度", "overall satisfaction"),
                ("service_efficiency", "服务效率", "efficiency of service"),
                ("service_level", "服务水平", "quality of service"),
                ("attitude", "服务态度", "attitude"),
            ],
        }
    }
}

/// The name of a level, Chinese and English.
pub fn level_name(level: u8) -> (&'static str, &'static str) {
    LEVELS.iter().find(|l| l.0 == level).map_or(("", ""), |l| (l.1, l.2))
}

/// 差评: 1 or 2.
pub fn is_bad(level: u8) -> bool {
    (1..=2).contains(&level)
}

/// 好评: 4 or 5.
pub fn is_good(level: u8) -> bool {
    (4..=5).contains(&level)
}

/// The month a moment is counted in, China time: `YYYY-MM`.
pub fn month_of(at: chrono::DateTime<chrono::Utc>) -> String {
    crate::calendar::china_time(at).format("%Y-%m").to_string()
}

/// Whether a case in this state may be rated: once it is concluded, delivered, refused or denied.
pub fn rateable(state: CaseState) -> bool {
    matches!(state, CaseState::Concluded | CaseState::Delivered | CaseState::Refused | CaseState::Denied)
}

/// A rating as given, checked: the level, a level per indicator of the channel (those not given
/// take the overall level) and the comment, trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub level: u8,
    pub indicators: BTreeMap<String, u8>,
    pub comment: String,
}

/// Checks a rating: the field and a bilingual message of the first fault.
pub fn check(
    channel: Channel,
    level: i64,
    indicators: &BTreeMap<String, i64>,
    comment: &str,
) -> Result<Checked, (String, String)> {
    let in_range = |v: i64| (1..=5).contains(&v);
    if !in_range(level) {
        return Err(("level".into(), "请选择 1 至 5 星 (choose 1 to 5 stars)".into()));
    }
    let known = channel.indicators();
    let mut scores = BTreeMap::new();
    for (name, value) in indicators {
        if !known.iter().any(|k| k.0 == name) {
            return Err((format!("indicators.{name}"), format!("没有指标 {name} (no such indicator)")));
        }
        if !in_range(*value) {
            return Err((format!("indicators.{name}"), "指标评分应为 1 至 5 (a score of 1 to 5)".into()));
        }
        scores.insert(name.clone(), *value as u8);
    }
    for k in known {
        scores.entry(k.0.to_owned()).or_insert(level as u8);
    }
    let comment = comment.trim();
    if comment.chars().count() > COMMENT_MAX {
        return Err(("comment".into(), format!("评价内容不超过 {COMMENT_MAX} 字 (at most {COMMENT_MAX} characters)")));
    }
    if is_bad(level as u8) && comment.is_empty() {
        return Err((
            "comment".into(),
            "差评请写明不满意的原因，以便整改 (say what went wrong, so that it can be put right)".into(),
        ));
    }
    Ok(Checked { level: level as u8, indicators: scores, comment: comment.to_owned() })
}

/// What the figures are computed from, per agency, offering, division and month.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Cases that became rateable.
    pub rateable: i64,
    pub rated: i64,
    pub good: i64,
    pub bad: i64,
    /// Bad reviews the agency answered (差评回复).
    pub bad_answered: i64,
    /// Bad reviews called back and rectified (回访整改).
    pub rectified: i64,
    /// Raters who said whether the rectification satisfied them, and those satisfied.
    pub judged: i64,
    pub satisfied: i64,
}

impl std::ops::AddAssign for Counts {
    fn add_assign(&mut self, o: Self) {
        self.rateable += o.rateable;
        self.rated += o.rated;
        self.good += o.good;
        self.bad += o.bad;
        self.bad_answered += o.bad_answered;
        self.rectified += o.rectified;
        self.judged += o.judged;
        self.satisfied += o.satisfied;
    }
}

impl std::ops::Neg for Counts {
    type Output = Counts;
    fn neg(self) -> Counts {
        Counts {
            rateable: -self.rateable,
            rated: -self.rated,
            good: -self.good,
            bad: -self.bad,
            bad_answered: -self.bad_answered,
            rectified: -self.rectified,
            judged: -self.judged,
            satisfied: -self.satisfied,
        }
    }
}

impl Counts {
    /// What one rating of `level` counts.
    pub fn of_rating(level: u8) -> Counts {
        Counts { rated: 1, good: i64::from(is_good(level)), bad: i64::from(is_bad(level)), ..Default::default() }
    }
}

/// The published figures, as fractions (none: nothing to divide by).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rates {
    /// 好评率: good of rated.
    pub good: Option<f64>,
    /// 差评率: bad of rated.
    pub bad: Option<f64>,
    /// 未评率: not rated of rateable.
    pub unrated: Option<f64>,
    /// 差评回复率: answered of bad.
    pub bad_answered: Option<f64>,
    /// 回访整改率: called back and rectified of bad.
    pub rectified: Option<f64>,
    /// 整改满意率: satisfied of judged.
    pub satisfied: Option<f64>,
}

fn share(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| (part.max(0) as f64 / whole as f64).min(1.0))
}

impl Counts {
    pub fn rates(&self) -> Rates {
        Rates {
            good: share(self.good, self.rated),
            bad: share(self.bad, self.rated),
            unrated: share(self.rateable - self.rated, self.rateable),
            bad_answered: share(self.bad_answered, self.bad),
            rectified: share(self.rectified, self.bad),
            satisfied: share(self.satisfied, self.judged),
        }
    }
}

/// The names of the published figures, in order: key, Chinese, English.
pub const FIGURES: [(&str, &str, &str); 6] = [
    ("good", "好评率", "good reviews"),
    ("bad", "差评率", "bad reviews"),
    ("unrated", "未评率", "not rated"),
    ("bad_answered", "差评回复率", "bad reviews answered"),
    ("rectified", "回访整改率", "called back and rectified"),
    ("satisfied", "整改满意率", "satisfied with the rectification"),
];

impl Rates {
    /// The figures in the order of `FIGURES`.
    pub fn list(&self) -> [Option<f64>; 6] {
        [self.good, self.bad, self.unrated, self.bad_answered, self.rectified, self.satisfied]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scores(pairs: &[(&str, i64)]) -> BTreeMap<String, i64> {
        pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
    }

    #[test]
    fn a_rating_is_checked_field_by_field() {
        let ok = check(Channel::Online, 4, &scores(&[("efficiency", 3)]), "  快  ").unwrap();
        assert_eq!(ok.level, 4);
        assert_eq!(ok.comment, "快");
        assert_eq!(ok.indicators.len(), 5);
        assert_eq!(ok.indicators["efficiency"], 3);
        assert_eq!(ok.indicators["overall"], 4);
        assert_eq!(check(Channel::Online, 0, &scores(&[]), "").unwrap_err().0, "level");
        assert_eq!(check(Channel::Online, 6, &scores(&[]), "").unwrap_err().0, "level");
        assert_eq!(check(Channel::Online, 3, &scores(&[("attitude", 3)]), "").unwrap_err().0, "indicators.attitude");
        assert_eq!(check(Channel::OnSite, 3, &scores(&[("attitude", 9)]), "").unwrap_err().0, "indicators.attitude");
        assert_eq!(check(Channel::Online, 5, &scores(&[]), &"好".repeat(501)).unwrap_err().0, "comment");
        assert!(check(Channel::Online, 5, &scores(&[]), &"好".repeat(500)).is_ok());
        // A bad review says why: rectification needs to know what to put right.
        assert_eq!(check(Channel::Online, 2, &scores(&[]), " ").unwrap_err().0, "comment");
    }

    #[test]
    fn levels_and_states() {
        assert!(is_bad(1) && is_bad(2) && !is_bad(3));
        assert!(is_good(4) && is_good(5) && !is_good(3));
        assert_eq!(level_name(3).0, "基本满意");
        assert!(rateable(CaseState::Delivered) && rateable(CaseState::Refused));
        assert!(!rateable(CaseState::UnderReview) && !rateable(CaseState::Withdrawn));
    }

    #[test]
    fn figures_come_from_counts() {
        let c =
            Counts { rateable: 10, rated: 8, good: 6, bad: 2, bad_answered: 1, rectified: 1, judged: 1, satisfied: 1 };
        let r = c.rates();
        assert_eq!(r.good, Some(0.75));
        assert_eq!(r.bad, Some(0.25));
        assert_eq!(r.unrated, Some(0.2));
        assert_eq!(r.bad_answered, Some(0.5));
        assert_eq!(r.satisfied, Some(1.0));
        assert_eq!(Counts::default().rates().good, None);
        // More ratings than rateable cases counted (a month boundary) reads 0 %, never negative.
        assert_eq!(Counts { rateable: 1, rated: 2, ..Default::default() }.rates().unrated, Some(0.0));
    }
}
