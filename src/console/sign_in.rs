//! With `--control-token`, the console asks for the token once: the sign-in form keeps it in
//! an `HttpOnly`, `SameSite=Strict` cookie that the control API also accepts, so the page's
//! own control calls carry it and no other site's requests do.

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::header::{LOCATION, SET_COOKIE};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use maud::html;
use serde::Deserialize;

use super::html::{self, Section};
use super::{EVENTS, SIGN_IN, UI};
use crate::auth::control_token;
use crate::state::AppState;

/// The layer before every page: passes when no token is set or the request presents it;
/// otherwise a page goes to the sign-in form (the event stream is refused: it cannot follow).
pub async fn require(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let Some(token) = &state.control_token else {
        return next.run(request).await;
    };
    if control_token::presented(request.headers())
        .is_some_and(|presented| token.matches(presented.token()))
    {
        return next.run(request).await;
    }
    if request.uri().path() == EVENTS {
        return (
            StatusCode::UNAUTHORIZED,
            "sign in at /_flowplane/ui/sign-in",
        )
            .into_response();
    }
    html::with_headers((StatusCode::SEE_OTHER, [(LOCATION, SIGN_IN)]).into_response())
}

pub async fn form(State(state): State<AppState>) -> Response {
    form_page(&state, StatusCode::OK, None)
}

fn form_page(state: &AppState, status: StatusCode, problem: Option<&str>) -> Response {
    let controls = html! {
        @if state.control_token.is_none() {
            p { "This server has no control token: the console is open. " a href=(UI) { "Go to the overview" } }
        } @else {
            @if let Some(problem) = problem { p.error role="alert" { (problem) } }
            form #sign-in method="post" action=(SIGN_IN) {
                label { "Control token (--control-token) " input type="password" name="token" autocomplete="current-password" required autofocus; }
                button type="submit" { "Sign in" }
            }
        }
    };
    let mut response = html::page("Sign in", Section::None, controls, html! {});
    *response.status_mut() = status;
    response
}

#[derive(Deserialize)]
struct SignIn {
    token: String,
}

pub async fn submit(State(state): State<AppState>, body: Bytes) -> Response {
    let Some(token) = &state.control_token else {
        return html::with_headers((StatusCode::SEE_OTHER, [(LOCATION, UI)]).into_response());
    };
    let presented = serde_html_form::from_bytes::<SignIn>(&body).map(|form| form.token);
    match presented {
        Ok(presented) if token.matches(&presented) => html::with_headers(
            (
                StatusCode::SEE_OTHER,
                [
                    (LOCATION, UI.to_owned()),
                    (SET_COOKIE, control_token::cookie_for(&presented)),
                ],
            )
                .into_response(),
        ),
        Ok(_) => form_page(
            &state,
            StatusCode::UNAUTHORIZED,
            Some("That is not the control token."),
        ),
        Err(_) => form_page(
            &state,
            StatusCode::BAD_REQUEST,
            Some("The form did not carry a token."),
        ),
    }
}
