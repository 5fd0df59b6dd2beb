//! Server-rendered pages: one template struct per page, all sharing `Frame` (language, labels,
//! site name). Pages work without JavaScript.

mod account;
mod api_docs;
mod apply;
mod case_view;
mod catalog;
mod consent;
mod data;
mod forms;
mod forms_admin;
mod hall;
mod home;
mod inquiries;
mod licences;
mod materials;
mod organization;
mod password;
mod ratings;
mod staff;
mod tools;
mod workbench;

/// A moment as pages show it: China time to the minute.
pub(crate) fn china_time(t: chrono::DateTime<chrono::Utc>) -> String {
    tongban_domain::calendar::china_time(t).format("%Y-%m-%d %H:%M").to_string()
}

/// A QR code of `url` as inline SVG: without the XML declaration, and hidden from the
/// accessibility tree (its container is the image with a text alternative).
pub(crate) fn qr_svg(url: &str) -> Result<String, tongban_app::AppError> {
    let qr = qrcode::QrCode::new(url.as_bytes())
        .map_err(tongban_app::AppError::internal)?
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(160, 160)
        .build();
    let svg = &qr[qr.find("<svg").unwrap_or(0)..];
    Ok(svg.replacen("<svg", "<svg aria-hidden=\"true\" focusable=\"false\"", 1))
}

/// Template filters: times in China time, whatever form they are kept in.
pub(crate) mod filters {
    use chrono::{DateTime, Utc};

    /// A moment, China time to the minute.
    #[askama::filter_fn]
    pub fn china(t: &DateTime<Utc>, _: &dyn askama::Values) -> askama::Result<String> {
        Ok(super::china_time(*t))
    }

    /// A bilingual message of the application (`中文 (English)`) in the page's language.
    #[askama::filter_fn]
    pub fn in_lang(m: &str, _: &dyn askama::Values, lang: &crate::i18n::Lang) -> askama::Result<String> {
        Ok(crate::i18n::in_lang(m, *lang))
    }

    /// Text of the API document with its `code spans` as code: escaped first, then each pair of
    /// backticks made a <code> element.
    #[askama::filter_fn]
    pub fn code_spans(text: &str, _: &dyn askama::Values) -> askama::Result<askama::filters::Safe<String>> {
        let escaped = text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;");
        let ticks = escaped.matches('`').count();
        let mut out = String::with_capacity(escaped.len());
        for (i, part) in escaped.split('`').enumerate() {
            // Odd parts lie between backticks; after an unpaired last one, the text stays as typed.
            match (i % 2 == 1, ticks % 2 == 1 && i == ticks) {
                (true, false) => out.push_str(&format!("<code>{part}</code>")),
                (true, true) => out.push_str(&format!("`{part}")),
                _ => out.push_str(part),
            }
        }
        Ok(askama::filters::Safe(out))
    }

    /// An RFC 3339 moment (as sealed documents keep it), China time to the second.
    #[askama::filter_fn]
    pub fn china_moment(t: &str, _: &dyn askama::Values) -> askama::Result<String> {
        Ok(DateTime::parse_from_rfc3339(t).map_or_else(
            |_| t.to_owned(),
            |m| tongban_domain::calendar::china_time(m.to_utc()).format("%Y-%m-%d %H:%M:%S").to_string(),
        ))
    }
}

use crate::AppState;
use crate::extract::QueryPairs;
use crate::i18n::{Labels, Lang};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(home::routes())
        .merge(private(
            account::routes()
                .merge(password::routes())
                .merge(organization::routes())
                .merge(staff::routes())
                .merge(consent::routes())
                .merge(apply::routes())
                .merge(materials::routes())
                .merge(workbench::routes())
                .merge(forms_admin::routes())
                .merge(licences::routes())
                .merge(ratings::routes())
                .merge(inquiries::routes())
                .merge(hall::private_routes())
                .merge(data::routes()),
        ))
        .merge(catalog::routes())
        .merge(tools::routes())
        .merge(licences::public_routes())
        .merge(ratings::public_routes())
        .merge(hall::routes())
        .merge(api_docs::routes())
        .route("/static/app.css", get(css))
        .route("/favicon.svg", get(favicon))
        .route("/favicon.ico", get(favicon))
        .route("/static/form-preview.js", get(|| async { script(include_str!("../../static/form-preview.js")) }))
        .route("/static/display.js", get(|| async { script(include_str!("../../static/display.js")) }))
        .fallback(not_found)
}

/// Pages with personal data or secrets (my account, a second factor's key, an organization's
/// agents) are never kept by browsers or shared caches.
fn private(routes: Router<AppState>) -> Router<AppState> {
    routes.layer(tower_http::set_header::SetResponseHeaderLayer::overriding(
        CACHE_CONTROL,
        HeaderValue::from_static("no-store"),
    ))
}

/// A local path to go back to (never another site): `next` when it is one, else the home page.
pub(crate) fn local(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_owned(),
        _ => "/".to_owned(),
    }
}

/// The area the visitor chose, from its cookie.
pub(crate) fn division_cookie(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|kv| kv.trim().strip_prefix("division=")?.split(';').next())
        .filter(|d| !d.is_empty())
}

/// A page's errors, each naming its field by the label the page shows (`labels`: field → label)
/// and in the page's language.
pub(crate) fn labelled(
    errors: impl IntoIterator<Item = (String, String)>,
    labels: &[(&str, &str)],
    lang: Lang,
) -> Vec<(String, String)> {
    errors
        .into_iter()
        .map(|(field, m)| {
            let message = match labels.iter().find(|(f, _)| *f == field) {
                Some((_, label)) => crate::i18n::field_error(label, false, &m, lang),
                None => crate::i18n::in_lang(&m, lang),
            };
            (field, message)
        })
        .collect()
}

/// What every page's layout needs.
pub struct Frame {
    pub lang: Lang,
    pub t: &'static Labels,
    /// Labels of the catalog pages.
    pub c: &'static crate::catalog_labels::CatalogLabels,
    pub site_name: String,
    /// Link to this page in the other language.
    pub switch_href: String,
    remember_lang: bool,
    /// Who is signed in, for the header; `None` for a visitor.
    pub user: Option<HeaderUser>,
    /// The area the visitor chose (所在地区), as people write it; empty for none.
    pub place: String,
    /// This page's address, for the area picker to come back to.
    pub here: String,
}

/// The signed-in person as the header shows them: their name (or the organization they act
/// for) and the staff pages their roles open.
pub struct HeaderUser {
    pub name: String,
    /// 工作台: window staff and approvers.
    pub workbench: bool,
    /// 电子监察: auditors, agency administrators and approvers (as `/supervision` admits them).
    pub supervision: bool,
    /// 人员管理: administrators.
    pub staff: bool,
    /// 数据共享: data stewards and the data authority (the platform administrator).
    pub data: bool,
    /// 咨询投诉办理: the agencies' staff and the platform administrator (its triage).
    pub inquiries: bool,
    /// 差评申诉复核: the platform administrator.
    pub appeals: bool,
    /// 窗口叫号 / 大厅统计: window staff, agency administrators, the platform administrator.
    pub hall: bool,
}

impl HeaderUser {
    pub async fn of(s: &AppState, who: &tongban_app::access::Principal) -> Self {
        use tongban_domain::identity::StaffRole as R;
        let roles: Vec<R> = match tongban_app::access::roles(&s.app, &who.person_id).await {
            Ok(roles) if who.acting.is_none() => roles.into_iter().map(|a| a.role).collect(),
            _ => Vec::new(),
        };
        let any = |of: &[R]| roles.iter().any(|r| of.contains(r));
        Self {
            name: who.acting.as_ref().map_or_else(|| who.name.clone(), |a| a.name.clone()),
            workbench: any(&[R::WindowStaff, R::Approver]),
            supervision: any(&[R::Auditor, R::AgencyAdmin, R::Approver]),
            staff: any(&[R::AgencyAdmin, R::PlatformAdmin]),
            data: any(&[R::DataSteward, R::PlatformAdmin]),
            inquiries: any(&[R::AgencyAdmin, R::WindowStaff, R::Approver, R::PlatformAdmin]),
            appeals: any(&[R::PlatformAdmin]),
            hall: any(&[R::WindowStaff, R::AgencyAdmin, R::PlatformAdmin]),
        }
    }
}

impl Frame {
    pub fn new(state: &AppState, uri: &Uri, q: &QueryPairs, headers: &HeaderMap) -> Self {
        let (lang, remember_lang) = Lang::choose(q.first("lang"), headers);
        let mut pairs: Vec<(String, String)> = q.0.iter().filter(|(k, _)| k != "lang").cloned().collect();
        pairs.push(("lang".into(), lang.other().code().into()));
        let query: String = form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish();
        let site_name = match lang {
            Lang::Zh => state.config.site_name.clone(),
            Lang::En => state.config.site_name_en.clone(),
        };
        Self {
            lang,
            t: lang.labels(),
            c: lang.catalog(),
            site_name,
            switch_href: format!("{}?{query}", uri.path()),
            remember_lang,
            user: None,
            place: division_cookie(headers).map(tongban_app::datasets::place_name).unwrap_or_default(),
            here: uri.path_and_query().map_or_else(|| uri.path().to_owned(), |p| p.as_str().to_owned()),
        }
    }

    /// The frame with the signed-in person for the header (pages without a `Req`).
    pub async fn with_user(mut self, s: &AppState, headers: &HeaderMap) -> Self {
        if let Ok(Some(who)) = crate::session::current(s, headers).await {
            self.user = Some(HeaderUser::of(s, &who).await);
        }
        self
    }

    /// Renders a page, remembering a language chosen by `?lang=`.
    pub fn respond(&self, status: StatusCode, page: &impl Template) -> Response {
        let body = match page.render() {
            Ok(html) => html,
            Err(e) => {
                tracing::error!(error = %e, "template rendering failed");
                return (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response();
            }
        };
        let mut res = (status, Html(body)).into_response();
        if self.remember_lang {
            let cookie = format!("lang={}; Path=/; Max-Age=31536000; SameSite=Lax", self.lang.code());
            if let Ok(v) = HeaderValue::from_str(&cookie) {
                res.headers_mut().insert(SET_COOKIE, v);
            }
        }
        res
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    f: &'a Frame,
    message: &'a str,
}

/// An application error as a page: the status and message the API would give.
pub(crate) fn error_page(f: &Frame, e: tongban_app::AppError) -> Response {
    let e = crate::ApiError::from(e);
    error_page_with(f, e.status, &crate::i18n::in_lang(&e.message, f.lang))
}

pub(crate) fn error_page_with(f: &Frame, status: StatusCode, message: &str) -> Response {
    f.respond(status, &ErrorPage { f, message })
}

async fn not_found(State(s): State<AppState>, uri: Uri, q: QueryPairs, headers: HeaderMap) -> Response {
    let start = std::time::Instant::now();
    let f = Frame::new(&s, &uri, &q, &headers).with_user(&s, &headers).await;
    let res = f.respond(StatusCode::NOT_FOUND, &ErrorPage { f: &f, message: f.t.not_found });
    crate::middleware::record("fallback".into(), "GET".into(), StatusCode::NOT_FOUND, start);
    res
}

pub(crate) async fn method_not_allowed(
    State(s): State<AppState>,
    uri: Uri,
    q: QueryPairs,
    headers: HeaderMap,
) -> Response {
    if uri.path().starts_with("/api/") {
        return crate::ApiError::method_not_allowed().into_response();
    }
    let f = Frame::new(&s, &uri, &q, &headers);
    error_page_with(&f, StatusCode::METHOD_NOT_ALLOWED, f.t.method_not_allowed)
}

fn script(body: &'static str) -> impl IntoResponse {
    (
        [
            (CONTENT_TYPE, HeaderValue::from_static("text/javascript; charset=utf-8")),
            (CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600")),
        ],
        body,
    )
}

/// The site's icon, SVG (browsers asking for /favicon.ico take it too).
async fn favicon() -> impl IntoResponse {
    (
        [
            (CONTENT_TYPE, HeaderValue::from_static("image/svg+xml")),
            (CACHE_CONTROL, HeaderValue::from_static("public, max-age=86400")),
        ],
        include_str!("../../static/favicon.svg"),
    )
}

async fn css() -> impl IntoResponse {
    (
        [
            (CONTENT_TYPE, HeaderValue::from_static("text/css; charset=utf-8")),
            (CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600")),
        ],
        include_str!("../../static/app.css"),
    )
}
