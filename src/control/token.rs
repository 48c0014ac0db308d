//! `--control-token`: when set, every control route but health asks for
//! `Authorization: Bearer <token>`, checked by one layer before any handler runs.
//!
//! Only the token's SHA-256 digest is kept, and a presented token is compared by its digest in
//! constant time, so neither a log line, an error nor the timing of a refusal tells the token.

use axum::extract::{Request, State};
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::ControlError;
use crate::state::AppState;

pub use crate::auth::control_token::ControlToken;

/// The layer: passes the request on when no token is set or the request bears it; otherwise
/// 401 in the control envelope, and the handler never runs.
pub async fn require(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let Some(token) = &state.control_token else {
        return next.run(request).await;
    };
    let presented = request
        .headers()
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(bearer);
    match presented {
        Some(presented) if token.matches(presented) => next.run(request).await,
        Some(_) => {
            ControlError::Unauthorized("the control token is not the right one").into_response()
        }
        None => ControlError::Unauthorized(
            "the control API asks for Authorization: Bearer <token> (--control-token)",
        )
        .into_response(),
    }
}

/// The credentials of a `Bearer` authorization (the scheme in any case).
fn bearer(value: &str) -> Option<&str> {
    let (scheme, credentials) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| credentials.trim())
        .filter(|credentials| !credentials.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_matches_itself_only_and_never_prints() {
        let token: ControlToken = "s3cret-token".parse().unwrap();
        assert!(token.matches("s3cret-token"));
        assert!(!token.matches("s3cret-tokeN"));
        assert!(!token.matches(""));
        assert_eq!(format!("{token:?}"), "***");
        assert!("".parse::<ControlToken>().is_err());
        assert!("two words".parse::<ControlToken>().is_err());
    }

    #[test]
    fn bearer_takes_the_scheme_in_any_case() {
        assert_eq!(bearer("Bearer abc"), Some("abc"));
        assert_eq!(bearer("bearer abc"), Some("abc"));
        assert_eq!(bearer("Basic abc"), None);
        assert_eq!(bearer("Bearer "), None);
        assert_eq!(bearer("Bearerabc"), None);
    }
}
