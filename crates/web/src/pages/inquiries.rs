//! The consultation and complaint pages (咨询投诉举报): anyone brings one (`/inquiries/new`, linked
//! from every page, a case and a guide), follows it by signing in or with its tracking code
//! (`/inquiries`, `/inquiries/{number}`) and rates the answer; the handlers answer and transfer
//! (`/workbench/inquiries`). `tongban_app::inquiries` decides who may.

use super::filters;
use super::forms::{Page, Req, field, see_other};
use crate::AppState;
use crate::extract::{FormPairs, Path};
use crate::inquiry_labels::InquiryLabels;
use askama::Template;
use axum::Router;
use axum::http::StatusCode;
use axum::routing::{get, post};
use tongban_app::inquiries::{self, InquiryView, NewInquiry};
use tongban_domain::cases::Warning;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/inquiries", get(list_page).post(submit))
        .route("/inquiries/new", get(new_page))
        .route("/inquiries/find", get(find))
        .route("/inquiries/{number}", get(one_page))
        .route("/inquiries/{number}/rating", post(rate))
        .route("/workbench/inquiries", get(queue_page))
        .route("/workbench/inquiries/{number}", post(work))
}

fn name_of(pairs: &[(&'static str, &'static str)], key: &str) -> &'static str {
    pairs.iter().find(|p| p.0 == key).map_or("", |p| p.1)
}

fn kind_name(l: &InquiryLabels, kind: &str) -> &'static str {
    l.kinds.iter().find(|k| k.0 == kind).map_or("", |k| k.1)
}

/// An item with its names in the page's language.
struct Item {
    x: InquiryView,
    kind: &'static str,
    state: &'static str,
    warning: Option<(&'static str, &'static str)>,
    /// Each step: when, what, its note.
    steps: Vec<(chrono::DateTime<chrono::Utc>, &'static str, String)>,
}

fn item(r: &Req, x: InquiryView) -> Item {
    let l = r.f.lang.inquiries();
    let warning = match Warning::parse(&x.warning) {
        Some(w @ (Warning::Yellow | Warning::Red)) => Some((w.as_str(), r.f.lang.cases().warning(w))),
        _ => None,
    };
    Item {
        kind: kind_name(l, &x.kind),
        state: name_of(&l.state_names, &x.state),
        warning,
        steps: x.steps.iter().map(|s| (s.at, name_of(&l.action_names, &s.action), s.note.clone())).collect(),
        x,
    }
}

#[derive(Template)]
#[template(path = "inquiry_new.html")]
struct NewPage<'a> {
    f: &'a super::Frame,
    l: &'static InquiryLabels,
    csrf: String,
    signed_in: bool,
    /// This page's address, to come back to after logging in.
    here: String,
    kind: String,
    subject: String,
    body: String,
    case_number: String,
    offering_code: String,
    offering_name: String,
    division_code: String,
    anonymous: bool,
    errors: Vec<(String, String)>,
}

/// The form, filled from the query (what it is about) or from what was posted.
async fn new_with(
    r: &Req,
    form: &crate::extract::QueryPairs,
    status: StatusCode,
    errors: Vec<(String, String)>,
) -> Page {
    let l = r.f.lang.inquiries();
    let get = |k: &str, alt: &str| form.first(k).or_else(|| r.q.first(alt)).unwrap_or("").trim().to_owned();
    // Only a published service is named; anything else in the address is dropped.
    let asked = get("offering_code", "offering");
    let published = match asked.is_empty() {
        true => None,
        false => r.s.app.store.published(&asked).await.ok().flatten(),
    };
    let (offering_code, offering_name) = published.map(|g| (asked, g.offering.name)).unwrap_or_default();
    let signed_in = r.signed_in().await.is_ok();
    let kind = get("kind", "kind");
    let kind = if tongban_domain::inquiries::Kind::parse(&kind).is_some() { kind } else { "inquiry".into() };
    Ok(r.with_csrf(|csrf| {
        let page = NewPage {
            f: &r.f,
            l,
            csrf,
            signed_in,
            kind,
            here: form_urlencoded::byte_serialize(r.f.here.as_bytes()).collect(),
            subject: get("subject", ""),
            body: get("body", ""),
            case_number: get("case_number", "case"),
            offering_code,
            offering_name,
            division_code: get("division_code", ""),
            anonymous: form.first("anonymous") == Some("yes"),
            errors,
        };
        r.respond(status, &page)
    }))
}

async fn new_page(r: Req) -> Page {
    new_with(&r, &crate::extract::QueryPairs(Vec::new()), StatusCode::OK, Vec::new()).await
}

#[derive(Template)]
#[template(path = "inquiry_received.html")]
struct ReceivedPage<'a> {
    f: &'a super::Frame,
    l: &'static InquiryLabels,
    number: String,
    code: String,
}

async fn submit(r: Req, FormPairs(form): FormPairs) -> Page {
    r.check_csrf(&form)?;
    let who = r.signed_in().await.ok();
    let new = NewInquiry {
        kind: field(&form, "kind"),
        subject: field(&form, "subject"),
        body: field(&form, "body"),
        case_number: field(&form, "case_number"),
        offering_code: field(&form, "offering_code"),
        division_code: field(&form, "division_code"),
        anonymous: who.is_none() || form.first("anonymous") == Some("yes"),
    };
    match inquiries::submit(&r.s.app, who.as_ref(), new, &r.client().address).await {
        Ok(done) => {
            let l = r.f.lang.inquiries();
            let page = ReceivedPage { f: &r.f, l, number: done.inquiry.number, code: done.tracking_code };
            Ok(r.respond(StatusCode::CREATED, &page))
        }
        Err(e) => {
            let (status, errors) = r.form_errors(e)?;
            new_with(&r, &form, status, errors).await
        }
    }
}

#[derive(Template)]
#[template(path = "inquiries.html")]
struct ListPage<'a> {
    f: &'a super::Frame,
    l: &'static InquiryLabels,
    signed_in: bool,
    items: Vec<Item>,
}

async fn list_page(r: Req) -> Page {
    let l = r.f.lang.inquiries();
    let (signed_in, items) = match r.signed_in().await {
        Ok(who) => {
            let mine = inquiries::mine(&r.s.app, &who).await.map_err(|e| r.error(e))?;
            (true, mine.into_iter().map(|x| item(&r, x)).collect())
        }
        Err(_) => (false, Vec::new()),
    };
    Ok(r.respond(StatusCode::OK, &ListPage { f: &r.f, l, signed_in, items }))
}

/// The lookup form's answer: the item's page with its code.
async fn find(r: Req) -> Page {
    let number: String = r.q.first("number").unwrap_or("").trim().chars().filter(char::is_ascii_alphanumeric).collect();
    let code: String = form_urlencoded::byte_serialize(r.q.first("code").unwrap_or("").trim().as_bytes()).collect();
    if number.is_empty() {
        return Ok(see_other("/inquiries"));
    }
    Ok(see_other(&format!("/inquiries/{number}?code={code}")))
}

#[derive(Template)]
#[template(path = "inquiry.html")]
struct OnePage<'a> {
    f: &'a super::Frame,
    l: &'static InquiryLabels,
    csrf: String,
    i: Item,
    code: String,
    /// The author may rate the answer.
    can_rate: bool,
    rating_text: &'static str,
    notice: Option<&'static str>,
    errors: Vec<(String, String)>,
}

async fn one_with(
    r: &Req,
    number: &str,
    code: Option<&str>,
    status: StatusCode,
    errors: Vec<(String, String)>,
) -> Page {
    let l = r.f.lang.inquiries();
    let who = r.signed_in().await.ok();
    let x = inquiries::get(&r.s.app, who.as_ref(), number, code).await.map_err(|e| r.error(e))?;
    // Staff handling it read it here too; only its author rates.
    let can_rate = x.yours && x.state == "answered";
    let rating_text = x.rating.map_or("", |n| l.level_names.get(usize::from(n.clamp(1, 5)) - 1).copied().unwrap_or(""));
    let notice = (r.q.first("done") == Some("rated")).then_some(l.rated);
    let i = item(r, x);
    let code = code.unwrap_or("").to_owned();
    Ok(r.with_csrf(|csrf| {
        r.respond(status, &OnePage { f: &r.f, l, csrf, i, code, can_rate, rating_text, notice, errors })
    }))
}

async fn one_page(r: Req, Path(number): Path<String>) -> Page {
    let code = r.q.first("code").map(str::to_owned);
    one_with(&r, &number, code.as_deref(), StatusCode::OK, Vec::new()).await
}

async fn rate(r: Req, Path(number): Path<String>, FormPairs(form): FormPairs) -> Page {
    r.check_csrf(&form)?;
    let who = r.signed_in().await.ok();
    let code = form.first("code").filter(|c| !c.is_empty());
    let level = form.first("level").and_then(|v| v.parse().ok()).unwrap_or(0);
    match inquiries::rate(&r.s.app, who.as_ref(), &number, code, level).await {
        Ok(x) => {
            let code: String = form_urlencoded::byte_serialize(code.unwrap_or("").as_bytes()).collect();
            Ok(see_other(&format!("/inquiries/{}?code={code}&done=rated", x.number)))
        }
        Err(e) => {
            let (status, errors) = r.form_errors(e)?;
            one_with(&r, &number, code, status, errors).await
        }
    }
}

#[derive(Template)]
#[template(path = "inquiry_queue.html")]
struct QueuePage<'a> {
    f: &'a super::Frame,
    l: &'static InquiryLabels,
    csrf: String,
    all: bool,
    items: Vec<Item>,
    /// Where an item may be transferred: credit code and name (blank: the triage).
    agencies: Vec<(String, String)>,
    notice: Option<&'static str>,
    errors: Vec<(String, String)>,
}

async fn queue_with(r: &Req, status: StatusCode, errors: Vec<(String, String)>) -> Page {
    let who = r.signed_in().await?;
    let l = r.f.lang.inquiries();
    let all = r.q.first("all") == Some("yes");
    let list = inquiries::queue(&r.s.app, &who, !all).await.map_err(|e| r.error(e))?;
    let items = list.into_iter().map(|x| item(r, x)).collect();
    let mut agencies = vec![(String::new(), l.triage.to_owned())];
    let known = r.s.app.store.agencies().await.map_err(|e| r.error(e.into()))?;
    agencies.extend(known.into_iter().map(|(code, name, _)| (code, name)));
    let notice = (r.q.first("done") == Some("saved")).then_some(l.saved);
    Ok(r.with_csrf(|csrf| r.respond(status, &QueuePage { f: &r.f, l, csrf, all, items, agencies, notice, errors })))
}

async fn queue_page(r: Req) -> Page {
    queue_with(&r, StatusCode::OK, Vec::new()).await
}

async fn work(r: Req, Path(number): Path<String>, FormPairs(form): FormPairs) -> Page {
    let who = r.posted(&form).await?;
    let version = form.first("version").and_then(|v| v.parse().ok()).unwrap_or(0);
    let done = if form.first("step") == Some("transfer") {
        inquiries::transfer(&r.s.app, &who, &number, &field(&form, "agency_code"), &field(&form, "reason"), version)
            .await
    } else {
        let public = (form.first("public") == Some("yes")).then(|| field(&form, "question"));
        inquiries::answer(&r.s.app, &who, &number, &field(&form, "answer"), public.as_deref(), version).await
    };
    match done {
        Ok(_) => Ok(see_other("/workbench/inquiries?done=saved")),
        Err(e) => {
            let (status, errors) = r.form_errors(e)?;
            // The field is the one of this item's form; the others (version, state) are the item's.
            let errors = errors
                .into_iter()
                .map(|(f, m)| match f.as_str() {
                    "answer" | "agency_code" | "reason" => (format!("{f}-{number}"), m),
                    "public_question" => (format!("question-{number}"), m),
                    _ => (String::new(), m),
                })
                .collect();
            queue_with(&r, status, errors).await
        }
    }
}
