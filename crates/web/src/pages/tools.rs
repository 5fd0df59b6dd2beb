//! Tools for the public and operators: the code check and the deadline calculator, as forms
//! that work without JavaScript.

use super::Frame;
use crate::AppState;
use crate::extract::QueryPairs;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use axum::routing::get;
use tongban_app::AppError;
use tongban_app::calendar::DeadlineQuery;
use tongban_domain::{CheckOutcome, Deadline};

pub fn routes() -> Router<AppState> {
    Router::new().route("/tools/code", get(code)).route("/tools/deadline", get(deadline))
}

#[derive(Template)]
#[template(path = "tools_code.html")]
struct CodePage<'a> {
    f: &'a Frame,
    value: String,
    outcome: Option<CheckOutcome>,
}

async fn code(State(s): State<AppState>, uri: Uri, q: QueryPairs, headers: HeaderMap) -> Response {
    let f = Frame::new(&s, &uri, &q, &headers).with_user(&s, &headers).await;
    let value = q.first("value").unwrap_or("").trim().chars().take(100).collect::<String>();
    let outcome = (!value.is_empty()).then(|| tongban_app::codes::check(&value));
    f.respond(StatusCode::OK, &CodePage { f: &f, value, outcome })
}

#[derive(Template)]
#[template(path = "tools_deadline.html")]
struct DeadlinePage<'a> {
    f: &'a Frame,
    from: String,
    workdays: String,
    suspend: String,
    result: Option<Deadline>,
    errors: Vec<(String, String)>,
}

async fn deadline(State(s): State<AppState>, uri: Uri, q: QueryPairs, headers: HeaderMap) -> Response {
    let f = Frame::new(&s, &uri, &q, &headers).with_user(&s, &headers).await;
    let from = q.first("from").unwrap_or("").to_owned();
    let workdays = q.first("workdays").unwrap_or("").to_owned();
    let suspend = q.first("suspend").unwrap_or("").trim().to_owned();
    let mut page = DeadlinePage { f: &f, from, workdays, suspend, result: None, errors: vec![] };
    if !page.from.is_empty() || !page.workdays.is_empty() {
        let suspensions: Vec<String> = (!page.suspend.is_empty()).then(|| page.suspend.clone()).into_iter().collect();
        let parsed = DeadlineQuery::parse(&page.from, &page.workdays, &suspensions);
        match parsed {
            Ok(query) => match s.app.calendar.deadline(&s.app.store, &query).await {
                Ok(d) => page.result = Some(d),
                Err(e) => page.errors.push(("".into(), crate::ApiError::from(e).message)),
            },
            Err(AppError::Validation { fields }) => {
                let labels = [("from", f.t.dl_from), ("workdays", f.t.dl_workdays), ("suspend", f.t.dl_suspend)];
                page.errors = super::labelled(fields, &labels, f.lang);
            }
            Err(e) => page.errors.push(("".into(), crate::ApiError::from(e).message)),
        }
    }
    let status = if page.errors.is_empty() { StatusCode::OK } else { StatusCode::BAD_REQUEST };
    f.respond(status, &page)
}
