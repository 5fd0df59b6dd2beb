//! The portal home page and the search page.

use super::Frame;
use crate::AppState;
use crate::extract::QueryPairs;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use axum::routing::get;

pub fn routes() -> Router<AppState> {
    Router::new().route("/", get(home)).route("/search", get(search))
}

#[derive(Template)]
#[template(path = "home.html")]
struct Home<'a> {
    f: &'a Frame,
}

async fn home(State(s): State<AppState>, uri: Uri, q: QueryPairs, headers: HeaderMap) -> Response {
    let f = Frame::new(&s, &uri, &q, &headers);
    f.respond(StatusCode::OK, &Home { f: &f })
}

#[derive(Template)]
#[template(path = "search.html")]
struct Search<'a> {
    f: &'a Frame,
    q: String,
}

async fn search(State(s): State<AppState>, uri: Uri, q: QueryPairs, headers: HeaderMap) -> Response {
    let f = Frame::new(&s, &uri, &q, &headers);
    let query: String = q.first("q").unwrap_or("").trim().chars().take(100).collect();
    f.respond(StatusCode::OK, &Search { f: &f, q: query })
}
