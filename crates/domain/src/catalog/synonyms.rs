//! What people say for what the catalog calls a service (同义词与口语词): 生孩子 for 生育, 补办 for
//! 补领, 社保 for 社会保险. A list of rules, one a line, `说法 => 目录用词[, 另一个用词…]`, kept as
//! data that administrators edit; a search also looks for the query with each rule's words put in.

use serde::Serialize;

/// The most rules one list may hold, the longest phrase of a rule, and the most words one way
/// of saying may stand for.
pub const MAX_RULES: usize = 2_000;
pub const MAX_PHRASE_CHARS: usize = 20;
pub const MAX_MEANT: usize = 10;

/// One rule: a way of saying (`said`) and the catalog's words for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Synonym {
    pub said: String,
    pub meant: Vec<String>,
}

/// A checked list of rules.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Synonyms {
    pub rules: Vec<Synonym>,
}

/// Why a list is refused: its line (1-based) and what is wrong, in Chinese and English.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("第 {line} 行：{reason}")]
pub struct SynonymError {
    pub line: usize,
    pub reason: String,
}

impl Synonyms {
    /// Parses the list: `说法 => 用词, 用词` a line; blank lines and lines starting with `#` are
    /// skipped. A phrase is 1–20 characters without spaces or `,`; a way of saying appears once.
    pub fn parse(text: &str) -> Result<Self, SynonymError> {
        let mut rules: Vec<Synonym> = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = i + 1;
            let err = |reason: &str| SynonymError { line, reason: reason.to_owned() };
            let l = raw.trim();
            if l.is_empty() || l.starts_with('#') {
                continue;
            }
            let (said, meant) = l.split_once("=>").ok_or_else(|| {
                err("应写作“说法 => 目录用词”，多个用词用逗号分隔 (write “phrase => catalog words”, comma-separated)")
            })?;
            let phrase = |p: &str| -> Result<String, SynonymError> {
                let p = p.trim();
                let n = p.chars().count();
                if n == 0 || n > MAX_PHRASE_CHARS || p.chars().any(|c| c.is_whitespace()) {
                    let shown: String = p.chars().take(MAX_PHRASE_CHARS).collect();
                    let more = if n > MAX_PHRASE_CHARS { "…" } else { "" };
                    Err(err(&format!(
                        "“{shown}{more}”：每个词应为 1 至 {MAX_PHRASE_CHARS} 个字、不含空格 (1 to {MAX_PHRASE_CHARS} characters, no spaces)"
                    )))
                } else {
                    Ok(p.to_owned())
                }
            };
            let said = phrase(said)?;
            // A one-character way of saying would read into every query that has the character.
            if said.chars().count() < 2 {
                return Err(err(&format!("“{said}”：说法至少 2 个字 (a phrase of at least 2 characters)")));
            }
            let meant = meant.split([',', '，', '、']).map(phrase).collect::<Result<Vec<_>, _>>()?;
            if meant.len() > MAX_MEANT {
                return Err(err(&format!("一条最多 {MAX_MEANT} 个目录用词 (at most {MAX_MEANT} words a rule)")));
            }
            if meant.contains(&said) {
                return Err(err(&format!("“{said}”不能是它自己的同义词 (a phrase cannot mean itself)")));
            }
            if rules.iter().any(|r| r.said == said) {
                return Err(err(&format!("“{said}”已在前面出现 (already listed above)")));
            }
            rules.push(Synonym { said, meant });
            if rules.len() > MAX_RULES {
                return Err(err(&format!("最多 {MAX_RULES} 条 (at most {MAX_RULES} rules)")));
            }
        }
        Ok(Self { rules })
    }

    /// The list as text, one rule a line: what `parse` reads back.
    pub fn to_text(&self) -> String {
        self.rules.iter().map(|r| format!("{} => {}\n", r.said, r.meant.join(", "))).collect()
    }

    /// The other ways to read `query`: for each rule whose way of saying it contains, the query
    /// with that phrase replaced by each of the rule's words (the longest phrases first, so that
    /// 补办身份证 is read by its own rule before 补办's). At most eight readings.
    pub fn readings(&self, query: &str) -> Vec<String> {
        let mut rules: Vec<&Synonym> = self.rules.iter().filter(|r| query.contains(r.said.as_str())).collect();
        rules.sort_by_key(|r| std::cmp::Reverse(r.said.chars().count()));
        let mut out: Vec<String> = Vec::new();
        let mut frontier = vec![query.to_owned()];
        for r in rules {
            let mut next = Vec::new();
            for text in &frontier {
                if !text.contains(r.said.as_str()) {
                    continue;
                }
                // 居民身份证 is not read again as 居民居民身份证.
                for m in r.meant.iter().filter(|m| !text.contains(m.as_str())) {
                    let read = text.replace(r.said.as_str(), m);
                    if read != query && !out.contains(&read) && out.len() < 8 {
                        out.push(read.clone());
                        next.push(read);
                    }
                }
            }
            frontier.extend(next);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_parse_and_read_back() {
        let s = Synonyms::parse("# 口语\n生孩子 => 生育, 出生\n\n补办 => 补领\n社保=>社会保险、社保卡\n").unwrap();
        assert_eq!(s.rules.len(), 3);
        assert_eq!(s.rules[0].meant, ["生育", "出生"]);
        assert_eq!(Synonyms::parse(&s.to_text()).unwrap(), s);
    }

    #[test]
    fn a_query_is_read_with_each_rules_words() {
        let s = Synonyms::parse("生孩子 => 生育, 出生\n补办 => 补领\n身份证 => 居民身份证").unwrap();
        assert_eq!(s.readings("生孩子"), ["生育", "出生"]);
        assert_eq!(s.readings("补办身份证"), ["补办居民身份证", "补领身份证", "补领居民身份证"]);
        assert!(s.readings("居民身份证").is_empty(), "the catalog's words are not read again");
        assert!(s.readings("结婚登记").is_empty());
    }

    #[test]
    fn bad_lines_are_named() {
        let e = Synonyms::parse("生孩子 => 生育\n补办 补领").unwrap_err();
        assert_eq!(e.line, 2);
        assert_eq!(Synonyms::parse("a => a").unwrap_err().line, 1);
        assert_eq!(Synonyms::parse("生孩子 => 生育\n生孩子 => 出生").unwrap_err().line, 2);
        assert_eq!(Synonyms::parse("生 孩子 => 生育").unwrap_err().line, 1);
        assert_eq!(Synonyms::parse("生孩子 => ").unwrap_err().line, 1);
        assert!(Synonyms::parse(&format!("{} => 生育", "字".repeat(21))).is_err());
        assert_eq!(Synonyms::parse("生 => 医").unwrap_err().line, 1, "a one-character phrase is refused");
        let many = (0..11).map(|i| format!("词{i}")).collect::<Vec<_>>().join(", ");
        assert!(Synonyms::parse(&format!("生孩子 => {many}")).is_err());
        let long = Synonyms::parse(&format!("生孩子 => {}", "字".repeat(3000))).unwrap_err();
        assert!(long.reason.chars().count() < 100, "the error does not repeat the whole word: {}", long.reason);
    }
}
