//! The rating pages (好差评): the applicant rates a concluded case and judges the rectification of
//! a bad review (`/cases/{number}/rating`), and finds every rating they gave — their window
//! visits' too — under `/account/ratings`; the deciding agency's staff record callbacks and
//! answers (`/workbench/rectifications`); anyone reads the figures (`/ratings`, with an SVG chart
//! and its data table, and `/ratings.csv`). `tongban_app::ratings` decides who may.

use super::filters;
use super::forms::{Page, Req, see_other};
use crate::AppState;
use crate::extract::{FormPairs, Path};
use crate::rating_labels::RatingLabels;
use askama::Template;
use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use std::collections::BTreeMap;
use tongban_app::ratings::{
    self, AppealView, FigureLine, FigureQuery, Figures, NewRating, RatingView, RectificationView, Step,
};
use tongban_domain::cases::Warning;
use tongban_domain::ratings::{Channel, rateable};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cases/{number}/rating", get(rating_page).post(rate))
        .route("/cases/{number}/rating/verdict", post(verdict))
        .route("/account/ratings", get(mine_page))
        .route("/account/ratings/{id}/verdict", post(verdict_mine))
        .route("/workbench/rectifications", get(queue_page))
        .route("/workbench/rectifications/{id}", post(work))
        .route("/admin/appeals", get(appeals_page))
        .route("/admin/appeals/{id}", post(decide))
}

/// The public figures, for everyone and any cache.
pub fn public_routes() -> Router<AppState> {
    Router::new().route("/ratings", get(figures_page)).route("/ratings.csv", get(figures_csv))
}

/// A level's name on this page (1–5).
fn level_name(l: &RatingLabels, level: u8) -> &'static str {
    l.level_names.get(usize::from(level.clamp(1, 5)) - 1).copied().unwrap_or_default()
}

fn state_name(l: &RatingLabels, state: &str) -> &'static str {
    l.state_names.iter().find(|s| s.0 == state).map_or("", |s| s.1)
}

fn appeal_state(l: &RatingLabels, state: &str) -> &'static str {
    l.appeal_states.iter().find(|s| s.0 == state).map_or("", |s| s.1)
}

#[derive(Template)]
#[template(path = "rating.html")]
struct RatingPage<'a> {
    f: &'a super::Frame,
    l: &'static RatingLabels,
    csrf: String,
    number: String,
    service: String,
    can_rate: bool,
    rating: Option<RatingView>,
    /// The form changes the rating shown (once, while it may).
    changing: bool,
    /// The level's and the rectification state's names, for the rating shown.
    level_text: &'static str,
    state_text: &'static str,
    /// The levels of the form, 5 first: value, the radio's id, label, whether chosen.
    levels: Vec<(u8, String, String, bool)>,
    /// The indicators of the form: name, label, the score chosen.
    indicators: Vec<(&'static str, &'static str, String)>,
    /// A select's options after 同总体评价: value and label.
    options: Vec<(String, String)>,
    comment: String,
    anonymous: bool,
    notice: Option<&'static str>,
    errors: Vec<(String, String)>,
}

async fn rating_page_with(
    r: &Req,
    number: &str,
    form: Option<&crate::extract::QueryPairs>,
    status: StatusCode,
    errors: Vec<(String, String)>,
) -> Page {
    let who = r.signed_in().await?;
    let l = r.f.lang.ratings();
    let c = tongban_app::cases::own_case(&r.s.app, &who, number).await.map_err(|e| r.error(e))?;
    let rating = ratings::of_case(&r.s.app, &who, number).await.map_err(|e| r.error(e))?;
    // What the form shows: what was posted, else the rating being changed.
    let shown: BTreeMap<String, String> = match (form, &rating) {
        (Some(f), _) => f.0.iter().cloned().collect(),
        (None, Some(x)) => {
            let mut m: BTreeMap<String, String> =
                x.indicators.iter().map(|(k, v)| (format!("indicators.{k}"), v.to_string())).collect();
            m.insert("level".into(), x.level.to_string());
            m.insert("comment".into(), x.comment.clone());
            m.insert("anonymous".into(), if x.anonymous { "yes".into() } else { String::new() });
            m
        }
        (None, None) => BTreeMap::new(),
    };
    let value = |k: &str| shown.get(k).cloned().unwrap_or_default();
    let indicators = Channel::Online
        .indicators()
        .iter()
        .zip(l.indicator_names)
        .map(|((name, _, _), label)| (*name, label, value(&format!("indicators.{name}"))))
        .collect();
    let notice = match r.q.first("done") {
        Some("rated") => Some(l.rated),
        Some("judged") => Some(l.judged),
        _ => None,
    };
    let level_text = rating.as_ref().map_or("", |x| level_name(l, x.level));
    let state_text = rating.as_ref().and_then(|x| x.rectification.as_ref()).map_or("", |x| state_name(l, &x.state));
    Ok(r.with_csrf(|csrf| {
        let page = RatingPage {
            f: &r.f,
            l,
            csrf,
            number: c.case_number.clone(),
            service: c.offering_name.clone(),
            can_rate: rateable(c.state),
            changing: rating.as_ref().is_some_and(|x| x.changeable),
            rating,
            level_text,
            state_text,
            levels: (1..=5u8)
                .rev()
                .map(|n| {
                    let id = if n == 5 { "level".to_owned() } else { format!("level-{n}") };
                    (n, id, format!("{n} · {}", level_name(l, n)), value("level") == n.to_string())
                })
                .collect(),
            indicators,
            options: (1..=5u8).rev().map(|n| (n.to_string(), format!("{n} · {}", level_name(l, n)))).collect(),
            comment: value("comment"),
            anonymous: value("anonymous") == "yes",
            notice,
            errors,
        };
        r.respond(status, &page)
    }))
}

async fn rating_page(r: Req, Path(number): Path<String>) -> Page {
    rating_page_with(&r, &number, None, StatusCode::OK, Vec::new()).await
}

/// A whole number of the form, or 0 (which the rating's check names) when missing or not one.
fn number_of(form: &crate::extract::QueryPairs, key: &str) -> i64 {
    form.first(key).and_then(|v| v.trim().parse().ok()).unwrap_or(0)
}

async fn rate(r: Req, Path(number): Path<String>, FormPairs(form): FormPairs) -> Page {
    let who = r.posted(&form).await?;
    let mut indicators = BTreeMap::new();
    for (name, _, _) in Channel::Online.indicators() {
        let key = format!("indicators.{name}");
        if form.first(&key).is_some_and(|v| !v.is_empty()) {
            indicators.insert((*name).to_owned(), number_of(&form, &key));
        }
    }
    let new = NewRating {
        level: number_of(&form, "level"),
        indicators,
        comment: form.first("comment").unwrap_or("").to_owned(),
        anonymous: form.first("anonymous") == Some("yes"),
    };
    let done = if form.first("change") == Some("yes") {
        ratings::change(&r.s.app, &who, &number, new).await
    } else {
        ratings::rate(&r.s.app, &who, &number, new).await
    };
    match done {
        Ok(_) => Ok(see_other(&format!("/cases/{number}/rating?done=rated"))),
        Err(e) => {
            let (status, errors) = r.form_errors(e)?;
            rating_page_with(&r, &number, Some(&form), status, errors).await
        }
    }
}

async fn verdict(r: Req, Path(number): Path<String>, FormPairs(form): FormPairs) -> Page {
    let who = r.posted(&form).await?;
    let satisfied = form.first("satisfied") == Some("yes");
    match ratings::judge(&r.s.app, &who, &number, satisfied).await {
        Ok(_) => Ok(see_other(&format!("/cases/{number}/rating?done=judged"))),
        Err(e) => {
            let (status, errors) = r.form_errors(e)?;
            rating_page_with(&r, &number, None, status, errors).await
        }
    }
}

/// A rating of `/account/ratings`, with its names in the page's language.
struct MineItem {
    r: RatingView,
    level_text: &'static str,
    state_text: &'static str,
}

#[derive(Template)]
#[template(path = "my_ratings.html")]
struct MinePage<'a> {
    f: &'a super::Frame,
    l: &'static RatingLabels,
    csrf: String,
    items: Vec<MineItem>,
    notice: Option<&'static str>,
    errors: Vec<(String, String)>,
}

async fn mine_with(r: &Req, status: StatusCode, errors: Vec<(String, String)>) -> Page {
    let who = r.signed_in().await?;
    let l = r.f.lang.ratings();
    let items = ratings::mine(&r.s.app, &who)
        .await
        .map_err(|e| r.error(e))?
        .into_iter()
        .map(|x| MineItem {
            level_text: level_name(l, x.level),
            state_text: x.rectification.as_ref().map_or("", |x| state_name(l, &x.state)),
            r: x,
        })
        .collect();
    let notice = (r.q.first("done") == Some("judged")).then_some(l.judged);
    Ok(r.with_csrf(|csrf| r.respond(status, &MinePage { f: &r.f, l, csrf, items, notice, errors })))
}

async fn mine_page(r: Req) -> Page {
    mine_with(&r, StatusCode::OK, Vec::new()).await
}

async fn verdict_mine(r: Req, Path(id): Path<String>, FormPairs(form): FormPairs) -> Page {
    let who = r.posted(&form).await?;
    let satisfied = form.first("satisfied") == Some("yes");
    match ratings::judge_rating(&r.s.app, &who, &id, satisfied).await {
        Ok(_) => Ok(see_other("/account/ratings?done=judged")),
        Err(e) => {
            let (status, errors) = r.form_errors(e)?;
            mine_with(&r, status, errors).await
        }
    }
}

/// A rectification as the queue shows it, with its names in the page's language.
struct QueueItem {
    x: RectificationView,
    level_text: &'static str,
    state_text: &'static str,
    /// The appeal's state, named, if the agency made one.
    appeal_text: &'static str,
    warning: Option<(&'static str, &'static str)>,
}

#[derive(Template)]
#[template(path = "rectifications.html")]
struct QueuePage<'a> {
    f: &'a super::Frame,
    l: &'static RatingLabels,
    csrf: String,
    all: bool,
    items: Vec<QueueItem>,
    /// The rater shown for a callback: the rating, name and phone.
    revealed: Option<(String, String, String)>,
    notice: Option<&'static str>,
    errors: Vec<(String, String)>,
}

async fn queue_with(r: &Req, status: StatusCode, errors: Vec<(String, String)>) -> Page {
    let who = r.signed_in().await?;
    let l = r.f.lang.ratings();
    let cl = r.f.lang.cases();
    let all = r.q.first("all") == Some("yes");
    let list = ratings::queue(&r.s.app, &who, !all).await.map_err(|e| r.error(e))?;
    let items = list
        .into_iter()
        .map(|x| QueueItem {
            level_text: level_name(l, x.level),
            state_text: state_name(l, &x.state),
            appeal_text: x.appeal.as_ref().map_or("", |a| appeal_state(l, &a.state)),
            warning: match tongban_domain::cases::Warning::parse(&x.warning) {
                Some(w @ (Warning::Yellow | Warning::Red)) => Some((w.as_str(), cl.warning(w))),
                _ => None,
            },
            x,
        })
        .collect();
    let notice = (r.q.first("done") == Some("saved")).then_some(l.saved);
    let revealed = match r.q.first("contact") {
        Some(id) => {
            let c = ratings::rater_contact(&r.s.app, &who, id).await.map_err(|e| r.error(e))?;
            Some((id.to_owned(), c.name, c.phone))
        }
        None => None,
    };
    Ok(r.with_csrf(|csrf| r.respond(status, &QueuePage { f: &r.f, l, csrf, all, items, revealed, notice, errors })))
}

async fn queue_page(r: Req) -> Page {
    queue_with(&r, StatusCode::OK, Vec::new()).await
}

async fn work(r: Req, Path(id): Path<String>, FormPairs(form): FormPairs) -> Page {
    let who = r.posted(&form).await?;
    let text = |k: &str| form.first(k).unwrap_or("").to_owned();
    let done = match form.first("step") {
        Some("appeal") => ratings::appeal(&r.s.app, &who, &id, &text("reason")).await.map(|_| ()),
        step => {
            let step = if step == Some("callback") {
                Step::Callback { outcome: text("outcome") }
            } else {
                Step::Answer { answer: text("answer") }
            };
            ratings::work(&r.s.app, &who, &id, step, number_of(&form, "version")).await.map(|_| ())
        }
    };
    match done {
        Ok(_) => Ok(see_other("/workbench/rectifications?done=saved")),
        Err(e) => {
            let (status, errors) = r.form_errors(e)?;
            // The field is the one of this rectification's form.
            let errors =
                errors.into_iter().map(|(f, m)| (if f.is_empty() { f } else { format!("{f}-{id}") }, m)).collect();
            queue_with(&r, status, errors).await
        }
    }
}

#[derive(Template)]
#[template(path = "appeals.html")]
struct AppealsPage<'a> {
    f: &'a super::Frame,
    l: &'static RatingLabels,
    csrf: String,
    /// Each pending appeal with the review's level named.
    items: Vec<(AppealView, &'static str)>,
    notice: Option<&'static str>,
    errors: Vec<(String, String)>,
}

async fn appeals_with(r: &Req, status: StatusCode, errors: Vec<(String, String)>) -> Page {
    let who = r.signed_in().await?;
    let l = r.f.lang.ratings();
    let list = ratings::pending_appeals(&r.s.app, &who).await.map_err(|e| r.error(e))?;
    let items = list
        .into_iter()
        .map(|a| {
            let name = level_name(l, a.level);
            (a, name)
        })
        .collect();
    let notice = (r.q.first("done") == Some("decided")).then_some(l.decided);
    Ok(r.with_csrf(|csrf| r.respond(status, &AppealsPage { f: &r.f, l, csrf, items, notice, errors })))
}

async fn appeals_page(r: Req) -> Page {
    appeals_with(&r, StatusCode::OK, Vec::new()).await
}

async fn decide(r: Req, Path(id): Path<String>, FormPairs(form): FormPairs) -> Page {
    let who = r.posted(&form).await?;
    let upheld = form.first("upheld") == Some("yes");
    let reasons = form.first("reasons").unwrap_or("");
    match ratings::decide_appeal(&r.s.app, &who, &id, upheld, reasons).await {
        Ok(_) => Ok(see_other("/admin/appeals?done=decided")),
        Err(e) => {
            let (status, errors) = r.form_errors(e)?;
            let errors =
                errors.into_iter().map(|(f, m)| (if f.is_empty() { f } else { format!("{f}-{id}") }, m)).collect();
            appeals_with(&r, status, errors).await
        }
    }
}

/// A bar of the chart: its group, and the good and bad shares as widths out of 100.
struct Bar {
    group: String,
    good: f64,
    bad: f64,
    y: usize,
}

#[derive(Template)]
#[template(path = "rating_figures.html")]
struct FiguresPage<'a> {
    f: &'a super::Frame,
    l: &'static RatingLabels,
    q: FigureQuery,
    figures: Option<Figures>,
    bars: Vec<Bar>,
    chart_height: usize,
    csv_href: String,
    errors: Vec<(String, String)>,
}

/// A share as the page shows it: `87.5%`, or `—` with nothing to divide.
fn percent(v: &Option<f64>) -> String {
    v.map_or_else(|| "—".to_owned(), |v| format!("{:.1}%", v * 100.0))
}

/// The figures of a line in the order of `FIGURES`.
fn rates(line: &FigureLine) -> [String; 6] {
    [
        percent(&line.good_rate),
        percent(&line.bad_rate),
        percent(&line.unrated_rate),
        percent(&line.bad_answered_rate),
        percent(&line.rectified_rate),
        percent(&line.satisfied_rate),
    ]
}

fn query_of(r: &Req) -> FigureQuery {
    let get = |k: &str| r.q.first(k).map(|v| v.trim().chars().take(20).collect::<String>());
    FigureQuery {
        from: get("from"),
        to: get("to"),
        by: get("by"),
        agency: get("agency"),
        offering: get("offering"),
        division: get("division"),
    }
}

/// Bars at most on the chart (the table has every line).
const CHART_BARS: usize = 20;

async fn figures_page(r: Req) -> Page {
    let l = r.f.lang.ratings();
    let q = query_of(&r);
    let (figures, errors, status) = match ratings::figures(&r.s.app, &q).await {
        Ok(fig) => (Some(fig), Vec::new(), StatusCode::OK),
        Err(e) => {
            let (status, errors) = r.form_errors(e)?;
            (None, errors, status)
        }
    };
    let bars: Vec<Bar> = figures
        .iter()
        .flat_map(|fig| fig.lines.iter())
        .take(CHART_BARS)
        .enumerate()
        .map(|(i, line)| Bar {
            // Names cut to fit the chart's label column; the table has them whole.
            group: if line.name.is_empty() { line.group.clone() } else { line.name.chars().take(12).collect() },
            good: (line.good_rate.unwrap_or(0.0) * 100.0 * 10.0).round() / 10.0,
            bad: (line.bad_rate.unwrap_or(0.0) * 100.0 * 10.0).round() / 10.0,
            y: i * 44,
        })
        .collect();
    let chart_height = bars.len() * 44 + 4;
    let csv_href = r.f.here.replacen("/ratings", "/ratings.csv", 1);
    Ok(r.respond(status, &FiguresPage { f: &r.f, l, q, figures, bars, chart_height, csv_href, errors }))
}

/// A CSV field, quoted when it must be, and never read as a formula by a spreadsheet.
fn csv_field(v: &str) -> String {
    let v = if v.starts_with(['=', '+', '-', '@']) { format!("'{v}") } else { v.to_owned() };
    if v.contains([',', '"', '\n']) { format!("\"{}\"", v.replace('"', "\"\"")) } else { v }
}

async fn figures_csv(r: Req) -> Response {
    let l = r.f.lang.ratings();
    let figures = match ratings::figures(&r.s.app, &query_of(&r)).await {
        Ok(f) => f,
        Err(e) => return r.error(e),
    };
    let mut out = String::from("\u{feff}");
    let mut head = vec![l.group, l.name, l.rateable, l.rated_count];
    head.extend(l.figure_names);
    out.push_str(&head.join(","));
    out.push('\n');
    for line in figures.lines.iter().chain([&figures.total]) {
        let mut row =
            vec![csv_field(&line.group), csv_field(&line.name), line.rateable.to_string(), line.rated.to_string()];
        row.extend(rates(line));
        out.push_str(&row.join(","));
        out.push('\n');
    }
    let name = format!("attachment; filename=\"ratings-{}-{}.csv\"", figures.from, figures.to);
    ([(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()), (header::CONTENT_DISPOSITION, name)], out)
        .into_response()
}
