//! The catalog pages: search results with filters and the division picker, and the guide page.
//! Both work without JavaScript: filters are a GET form, facets are links.

use super::Frame;
use crate::AppState;
use crate::api::catalog::search_params;
use crate::extract::Path;
use crate::extract::QueryPairs;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::Response;
use axum::routing::get;
use tongban_app::AppError;
use tongban_app::catalog;
use tongban_app::divisions::DivisionRecord;
use tongban_domain::catalog::{ITEM_TYPES, MaterialSource, Offering, OnlineDepth};
use tongban_search::{SearchHit, SearchResults};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/search", get(search))
        .route("/offerings/{code}", get(offering))
        .route("/location", get(location))
}

#[derive(Template)]
#[template(path = "location.html")]
struct LocationPage<'a> {
    f: &'a Frame,
    /// The division looked at, from the province down (statistical nodes left out), and the
    /// divisions under it people name.
    path: Vec<DivisionRecord>,
    choices: Vec<DivisionRecord>,
    /// Where to go back to once chosen.
    next: String,
}

/// The location picker (所在地区): province, then city, then district, each a link (no script);
/// 选定 remembers the division in a cookie for every search, and goes back where the visitor was.
async fn location(State(s): State<AppState>, uri: Uri, q: QueryPairs, headers: HeaderMap) -> Response {
    let next = super::local(q.first("next"));
    if let Some(set) = q.first("set") {
        let known = set.is_empty() || tongban_app::datasets::division_known(set);
        let value = if known { set } else { "" };
        let max_age = if value.is_empty() { 0 } else { 31_536_000 };
        let mut res = super::forms::see_other(&next);
        let cookie = format!("division={value}; Path=/; Max-Age={max_age}; SameSite=Lax");
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            res.headers_mut().append(SET_COOKIE, v);
        }
        return res;
    }
    let f = Frame::new(&s, &uri, &q, &headers).with_user(&s, &headers).await;
    let at = q.first("at").unwrap_or("");
    let (path, choices) = division_picker(&s, at).await;
    f.respond(StatusCode::OK, &LocationPage { f: &f, path, choices, next })
}

/// A link target that keeps the current query but sets (or, with "", removes) one parameter
/// and goes back to the first page.
pub struct Links {
    pairs: Vec<(String, String)>,
}

impl Links {
    pub fn with(&self, key: &str, value: &str) -> String {
        let mut pairs: Vec<(&str, &str)> =
            self.pairs.iter().filter(|(k, _)| k != key && k != "page").map(|(k, v)| (k.as_str(), v.as_str())).collect();
        if !value.is_empty() {
            pairs.push((key, value));
        }
        format!("/search?{}", form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish())
    }

    pub fn page(&self, page: usize) -> String {
        let mut pairs: Vec<(String, String)> = self.pairs.iter().filter(|(k, _)| k != "page").cloned().collect();
        pairs.push(("page".into(), page.to_string()));
        format!("/search?{}", form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish())
    }

    /// The filters in force, as hidden inputs of the keyword form carry them.
    pub fn filters(&self) -> Vec<(&str, &str)> {
        const KEYS: [&str; 6] = ["audience", "theme", "depth", "case_kind", "agency", "division"];
        self.pairs.iter().filter(|(k, _)| KEYS.contains(&k.as_str())).map(|(k, v)| (k.as_str(), v.as_str())).collect()
    }

    pub fn get(&self, key: &str) -> &str {
        self.pairs.iter().find(|(k, _)| k == key).map_or("", |(_, v)| v.as_str())
    }
}

/// How many agencies the agency facet lists.
const AGENCY_FACETS: usize = 10;

/// The civil date in China (UTC+8, no daylight saving) of a moment.
fn china_date(t: chrono::DateTime<chrono::Utc>) -> String {
    tongban_domain::calendar::china_time(t).format("%Y-%m-%d").to_string()
}

/// The depth filter's choices.
const DEPTHS: [(&str, OnlineDepth); 4] =
    [("I", OnlineDepth::I), ("II", OnlineDepth::II), ("III", OnlineDepth::III), ("IV", OnlineDepth::IV)];

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage<'a> {
    f: &'a Frame,
    q: String,
    links: Links,
    results: Option<SearchResults>,
    errors: Vec<(String, String)>,
    /// The chosen division's path and the divisions under it (or the provinces).
    path: Vec<DivisionRecord>,
    choices: Vec<DivisionRecord>,
    page: usize,
    pages: usize,
    /// Agency credit code → name, for the agency facet.
    agency_names: Vec<(String, String)>,
    /// The page's results, the same service of several places together.
    groups: Vec<HitGroup>,
}

/// One service on a results page, with each place that offers it (one or more).
struct HitGroup {
    hit: SearchHit,
    /// (offering code, agency, place) of each place, in rank order.
    places: Vec<(String, String, String)>,
}

/// Groups the hits of a page: a hit of the same item and name as the one before joins its group
/// (the ranking puts the same service of several places together).
fn group_hits(hits: &[SearchHit]) -> Vec<HitGroup> {
    let mut groups: Vec<HitGroup> = Vec::new();
    for h in hits {
        let place = (h.offering_code.clone(), h.agency.clone(), tongban_app::datasets::place_name(&h.division_code));
        match groups.last_mut() {
            Some(g) if g.hit.item_code == h.item_code && g.hit.name == h.name => g.places.push(place),
            _ => groups.push(HitGroup { hit: h.clone(), places: vec![place] }),
        }
    }
    groups
}

impl SearchPage<'_> {
    fn facet(&self, group: &str) -> Vec<(String, u64)> {
        let Some(r) = &self.results else { return vec![] };
        let mut v: Vec<(String, u64)> =
            r.facets.get(group).map(|m| m.iter().map(|(k, n)| (k.clone(), *n)).collect()).unwrap_or_default();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v
    }

    fn agency_name<'b>(&'b self, code: &'b str) -> &'b str {
        self.agency_names.iter().find(|(c, _)| c == code).map_or(code, |(_, n)| n.as_str())
    }
}

async fn search(State(s): State<AppState>, uri: Uri, q: QueryPairs, headers: HeaderMap) -> Response {
    let f = Frame::new(&s, &uri, &q, &headers).with_user(&s, &headers).await;
    let mut params = search_params(&q);
    // The division picker remembers the visitor's choice.
    let chosen = q.first("division").map(str::to_owned);
    // A remembered division that no longer exists (GB/T 2260 changes) is forgotten, not an error.
    let mut forget = false;
    if chosen.is_none()
        && let Some(d) = super::division_cookie(&headers)
    {
        if tongban_app::datasets::division_known(d) {
            params.division = Some(d.to_owned());
        } else {
            forget = true;
        }
    }
    let mut pairs: Vec<(String, String)> = q.0.iter().filter(|(k, v)| k != "lang" && !v.is_empty()).cloned().collect();
    if let (None, Some(d)) = (&chosen, &params.division) {
        pairs.push(("division".into(), d.clone()));
    }
    let mut page = SearchPage {
        f: &f,
        q: params.q.clone().unwrap_or_default().chars().take(catalog::MAX_QUERY_CHARS).collect(),
        links: Links { pairs },
        results: None,
        errors: vec![],
        path: vec![],
        choices: vec![],
        page: 1,
        pages: 0,
        groups: vec![],
        agency_names: vec![],
    };
    match catalog::search(&s.app, &params).await {
        Ok(r) => {
            let per_page = params.per_page.as_deref().and_then(|p| p.parse().ok()).unwrap_or(10usize).max(1);
            page.page = params.page.as_deref().and_then(|p| p.parse().ok()).unwrap_or(1);
            page.pages = r.total.div_ceil(per_page);
            page.groups = group_hits(&r.items);
            page.results = Some(r);
            let mut codes: Vec<String> = page.facet("agency").into_iter().take(AGENCY_FACETS).map(|(c, _)| c).collect();
            codes.extend(params.agency.clone());
            page.agency_names = s.app.store.agency_names(&codes).await.unwrap_or_default();
        }
        Err(AppError::Validation { fields }) => {
            let c = f.c;
            let labels = [
                ("q", f.t.search_label),
                ("division", c.division),
                ("audience", c.audience),
                ("depth", c.depth),
                ("case_kind", c.case_kind),
                ("theme", c.theme),
                ("agency", c.agency),
                ("page", c.page_number),
                ("per_page", c.page_number),
            ];
            page.errors = super::labelled(fields, &labels, f.lang);
        }
        Err(e) => page.errors.push((String::new(), crate::ApiError::from(e).message)),
    }
    let division = page.links.get("division").to_owned();
    let (path, choices) = division_picker(&s, &division).await;
    page.path = path;
    page.choices = choices;
    let status = if page.errors.is_empty() { StatusCode::OK } else { StatusCode::BAD_REQUEST };
    let mut res = f.respond(status, &page);
    let remembered = match chosen {
        Some(d) if d.is_empty() || page.path.last().is_some_and(|p| p.code == d) => Some(d),
        None if forget => Some(String::new()),
        _ => None,
    };
    if let Some(d) = remembered {
        let max_age = if d.is_empty() { 0 } else { 31_536_000 };
        let cookie = format!("division={d}; Path=/; Max-Age={max_age}; SameSite=Lax");
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            res.headers_mut().append(SET_COOKIE, v);
        }
    }
    res
}

/// The path to the chosen division and the divisions one level below it (the provinces when
/// none is chosen). Errors leave the picker at the top level.
async fn division_picker(s: &AppState, code: &str) -> (Vec<DivisionRecord>, Vec<DivisionRecord>) {
    let store = &s.app.store;
    if !code.is_empty()
        && let Ok(path) = store.division_path(code).await
        && path.last().is_some_and(|d| d.code == code)
    {
        let children = children_named(s, code).await;
        let path = path.into_iter().filter(|d| !tongban_app::datasets::statistical(&d.name)).collect();
        return (path, children);
    }
    (vec![], store.division_roots().await.unwrap_or_default())
}

/// The divisions under `code` that people name: a statistical node (市辖区, 县) is replaced by the
/// divisions under it, so 北京市 lists 东城区 … at once.
async fn children_named(s: &AppState, code: &str) -> Vec<DivisionRecord> {
    let store = &s.app.store;
    let mut out = Vec::new();
    for d in store.division_children(code).await.unwrap_or_default() {
        if tongban_app::datasets::statistical(&d.name) {
            out.extend(store.division_children(&d.code).await.unwrap_or_default());
        } else {
            out.push(d);
        }
    }
    out
}

#[derive(Template)]
#[template(path = "offering.html")]
struct OfferingPage<'a> {
    f: &'a Frame,
    o: Offering,
    version: i32,
    published_at: String,
    /// Version, date in China, note; newest first.
    history: Vec<(i32, String, String)>,
    item_type: &'static str,
    division_name: String,
    /// Materials licences stood in for in this offering's applications, when a licence can.
    materials_saved: Option<u64>,
    /// Answered inquiries its agency made public (知识库): question, answer.
    answers: Vec<(String, String)>,
}

async fn offering(
    State(s): State<AppState>,
    Path(code): Path<String>,
    uri: Uri,
    q: QueryPairs,
    headers: HeaderMap,
) -> Response {
    let f = Frame::new(&s, &uri, &q, &headers).with_user(&s, &headers).await;
    let guide = match catalog::get(&s.app.store, &code).await {
        Ok(g) => g,
        Err(e) => return super::error_page(&f, e),
    };
    let history = s
        .app
        .store
        .offering_versions(&code)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|v| (v.version, china_date(v.published_at), v.note))
        .collect();
    let division_name = s
        .app
        .store
        .division_path(&guide.offering.division_code)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|d| d.name)
        .collect::<Vec<_>>()
        .join(" ");
    let item_type = ITEM_TYPES.iter().find(|(c, _)| *c == guide.offering.item.item_type).map_or("", |(_, n)| n);
    let published_at = china_date(guide.published_at);
    let materials_saved = if guide
        .offering
        .materials
        .iter()
        .any(|m| matches!(m.source, MaterialSource::Licence { .. } | MaterialSource::Shared { .. }))
    {
        tongban_app::licences::uses::materials_saved(&s.app, Some(&code)).await.ok()
    } else {
        None
    };
    // The guide stands without its public answers when they cannot be read.
    let answers = tongban_app::inquiries::public_answers(&s.app, &code).await.unwrap_or_else(|e| {
        tracing::warn!(error = %e, offering = %code, "public answers could not be read");
        Vec::new()
    });
    let page = OfferingPage {
        answers,
        f: &f,
        o: guide.offering,
        version: guide.version,
        published_at,
        history,
        item_type,
        division_name,
        materials_saved,
    };
    f.respond(StatusCode::OK, &page)
}
