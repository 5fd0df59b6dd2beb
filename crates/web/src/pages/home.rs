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
    Router::new().route("/", get(home))
}

#[derive(Template)]
#[template(path = "home.html")]
struct Home<'a> {
    f: &'a Frame,
    /// Themes (life events) of the published catalog with their number of services.
    themes: Vec<(String, u64)>,
}

async fn home(State(s): State<AppState>, uri: Uri, q: QueryPairs, headers: HeaderMap) -> Response {
    let f = Frame::new(&s, &uri, &q, &headers).with_user(&s, &headers).await;
    let themes = match tongban_app::catalog::search(&s.app, &Default::default()).await {
        Ok(r) => r.facets.get("theme").map(|m| m.iter().map(|(k, n)| (k.clone(), *n)).collect()).unwrap_or_default(),
        Err(e) => {
            tracing::warn!(error = %e, "no themes for the home page");
            vec![]
        }
    };
    f.respond(StatusCode::OK, &Home { f: &f, themes })
}
