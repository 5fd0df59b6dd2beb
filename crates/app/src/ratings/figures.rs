//! The published figures (好差评公示): the six rates by agency, offering, division or month over a
//! range of months, summed in the database from the counts kept with every change — the coarsest
//! level that answers, a few rows whatever the number of ratings.

use crate::{App, AppError};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use tongban_domain::calendar::china_today;
use tongban_domain::ratings::Counts;
use tongban_store::ratings::{FigureFilter, FigureGroup, FigureLevel};

/// What the public figures are asked for: months `from..=to` (`YYYY-MM`, the last twelve by
/// default), grouped by `agency`, `offering`, `division` or `month`, optionally within one
/// agency, offering or division subtree.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema, utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct FigureQuery {
    /// The first month, `YYYY-MM` (eleven months before `to` by default).
    pub from: Option<String>,
    /// The last month, `YYYY-MM` (this month by default).
    pub to: Option<String>,
    /// `agency` (default), `offering`, `division` or `month`.
    pub by: Option<String>,
    /// Only this agency (统一社会信用代码).
    pub agency: Option<String>,
    /// Only this offering (实施编码).
    pub offering: Option<String>,
    /// Only this division and those within it (行政区划代码).
    pub division: Option<String>,
}

/// One line of the figures: the group, its counts and the rates (fractions, none where nothing
/// is divided).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FigureLine {
    /// The agency's credit code, the offering's code, the division's code or the month.
    pub group: String,
    /// The agency's, the offering's or the division's name (empty for a month).
    pub name: String,
    pub rateable: i64,
    pub rated: i64,
    pub good: i64,
    pub bad: i64,
    pub good_rate: Option<f64>,
    pub bad_rate: Option<f64>,
    pub unrated_rate: Option<f64>,
    pub bad_answered_rate: Option<f64>,
    pub rectified_rate: Option<f64>,
    pub satisfied_rate: Option<f64>,
}

/// The figures asked for, a line per group and the total.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Figures {
    pub from: String,
    pub to: String,
    pub by: String,
    pub lines: Vec<FigureLine>,
    pub total: FigureLine,
}

fn line(group: String, name: String, c: Counts) -> FigureLine {
    let r = c.rates();
    FigureLine {
        group,
        name,
        rateable: c.rateable,
        rated: c.rated,
        good: c.good,
        bad: c.bad,
        good_rate: r.good,
        bad_rate: r.bad,
        unrated_rate: r.unrated,
        bad_answered_rate: r.bad_answered,
        rectified_rate: r.rectified,
        satisfied_rate: r.satisfied,
    }
}

fn month_field(field: &str, v: &str) -> Result<String, AppError> {
    let ok = v.len() == 7 && NaiveDate::parse_from_str(&format!("{v}-01"), "%Y-%m-%d").is_ok();
    if ok {
        Ok(v.to_owned())
    } else {
        Err(AppError::field(field, "应为年月，如 2026-12 (a month such as 2026-12)"))
    }
}

/// The published figures (no login): read from the counts kept per month, agency, offering and
/// division — a few rows, whatever the number of ratings.
pub async fn figures(app: &App, q: &FigureQuery) -> Result<Figures, AppError> {
    let today = china_today();
    let to = match q.to.as_deref().filter(|s| !s.is_empty()) {
        Some(v) => month_field("to", v)?,
        None => today.format("%Y-%m").to_string(),
    };
    let from = match q.from.as_deref().filter(|s| !s.is_empty()) {
        Some(v) => month_field("from", v)?,
        None => (today - chrono::Months::new(11)).format("%Y-%m").to_string(),
    };
    if from > to {
        return Err(AppError::field("from", "起始月份不能晚于截止月份 (from must not be after to)"));
    }
    let by = q.by.as_deref().filter(|s| !s.is_empty()).unwrap_or("agency");
    if !["agency", "offering", "division", "month"].contains(&by) {
        return Err(AppError::field("by", "应为 agency、offering、division 或 month"));
    }
    let nonempty = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
    let division_prefix = match nonempty(&q.division) {
        Some(d) => {
            let code =
                tongban_domain::DivisionCode::parse(&d).map_err(|e| AppError::field("division", e.to_string()))?;
            Some(code.subtree_prefix().to_owned())
        }
        None => None,
    };
    let (agency, offering) = (nonempty(&q.agency), nonempty(&q.offering));
    // The coarsest rows that answer: per division unless an agency or offering is asked about.
    let level = if by == "offering" || offering.is_some() {
        FigureLevel::Offering
    } else if by == "agency" || agency.is_some() {
        FigureLevel::Agency
    } else {
        FigureLevel::Division
    };
    let filter = FigureFilter { level, from: from.clone(), to: to.clone(), agency, offering, division_prefix };
    let group = match by {
        "offering" => FigureGroup::Offering,
        "division" => FigureGroup::Division,
        "month" => FigureGroup::Month,
        _ => FigureGroup::Agency,
    };
    let groups: BTreeMap<String, Counts> = app.store.rating_figures(&filter, group).await?.into_iter().collect();
    let mut total = Counts::default();
    for c in groups.values() {
        total += *c;
    }
    let keys: Vec<String> = groups.keys().cloned().collect();
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    match by {
        "agency" => names.extend(app.store.agency_names(&keys).await?),
        "offering" => names.extend(app.store.offering_names(&keys).await?),
        "division" => {
            for k in &keys {
                if let Some(d) = app.store.division(k).await? {
                    names.insert(d.code, d.name);
                }
            }
        }
        _ => {}
    }
    Ok(Figures {
        from,
        to,
        by: by.to_owned(),
        lines: groups
            .into_iter()
            .map(|(g, c)| {
                let name = names.remove(&g).unwrap_or_default();
                line(g, name, c)
            })
            .collect(),
        total: line("合计 (total)".into(), String::new(), total),
    })
}
