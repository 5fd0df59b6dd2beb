//! Consultations and complaints (咨询投诉举报, the 12345 pattern): one channel for a question
//! (咨询), a complaint (投诉) and a report (举报); what one must hold; its states; and the
//! answer's rating. Routing, deadlines and the trail are the application's.

/// What a person brings [fixed]: name, Chinese, English.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Inquiry,
    Complaint,
    Report,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Inquiry, Kind::Complaint, Kind::Report];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Inquiry => "inquiry",
            Self::Complaint => "complaint",
            Self::Report => "report",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Chinese and English.
    pub fn name(self) -> (&'static str, &'static str) {
        match self {
            Self::Inquiry => ("咨询", "inquiry"),
            Self::Complaint => ("投诉", "complaint"),
            Self::Report => ("举报", "report"),
        }
    }
}

/// Where an item is: waiting for its answer (`open`), answered and waiting for the person's
/// rating (`answered`), rated (`closed`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Open,
    Answered,
    Closed,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Answered => "answered",
            Self::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Open, Self::Answered, Self::Closed].into_iter().find(|k| k.as_str() == s)
    }
}

/// The longest subject and body, and the longest answer, in characters.
pub const SUBJECT_MAX: usize = 100;
pub const BODY_MAX: usize = 2000;
pub const ANSWER_MAX: usize = 2000;

/// A text field trimmed and within `1..=max` characters, without control characters (but line
/// breaks and tabs) or the bidirectional overrides that make text read otherwise than it is;
/// else the field's message.
pub fn text(field: &str, value: &str, max: usize) -> Result<String, (String, String)> {
    let v = value.trim();
    if v.is_empty() {
        return Err((field.into(), "请填写 (required)".into()));
    }
    let hidden = |c: char| {
        (c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    if v.chars().any(hidden) {
        return Err((field.into(), "含有不可见的控制字符，请删除 (contains control characters)".into()));
    }
    if v.chars().count() > max {
        return Err((field.into(), format!("不超过 {max} 字 (at most {max} characters)")));
    }
    Ok(v.to_owned())
}

/// The person's rating of an answer: 1 (非常不满意) to 5 (非常满意), as ratings.
pub fn check_rating(level: i64) -> Result<u8, (String, String)> {
    u8::try_from(level)
        .ok()
        .filter(|l| (1..=5).contains(l))
        .ok_or_else(|| ("level".into(), "请选择 1–5 (choose 1 to 5)".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_states_round_trip() {
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.as_str()), Some(k));
        }
        assert_eq!(Kind::parse("praise"), None);
        for s in [State::Open, State::Answered, State::Closed] {
            assert_eq!(State::parse(s.as_str()), Some(s));
        }
    }

    #[test]
    fn texts_are_trimmed_and_bounded() {
        assert_eq!(text("subject", "  办理时间  ", 10).unwrap(), "办理时间");
        assert_eq!(text("subject", "   ", 10).unwrap_err().0, "subject");
        assert!(text("body", &"字".repeat(11), 10).is_err());
        assert!(text("body", &"字".repeat(10), 10).is_ok());
        assert!(text("body", "两行\n文字\t", 10).is_ok());
        for hidden in ["a\u{0}b", "a\u{7}b", "a\u{1b}b", "abc\u{202e}def"] {
            assert_eq!(text("body", hidden, 10).unwrap_err().0, "body", "{hidden:?}");
        }
    }

    #[test]
    fn ratings_are_one_to_five() {
        assert_eq!(check_rating(5).unwrap(), 5);
        for bad in [0, 6, -1, 300] {
            assert_eq!(check_rating(bad).unwrap_err().0, "level");
        }
    }
}
