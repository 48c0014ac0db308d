//! `--control-token`: when set, every control route but health asks for
//! `Authorization: Bearer <token>` (or the console's sign-in cookie, with the console's header
//! on a call that changes something), checked by one layer before any handler runs.
//!
//! Only the token's SHA-256 digest is kept, and a presented token is compared by its digest in
//! constant time, so neither a log line, an error nor the timing of a refusal tells the token.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::ControlError;
use crate::state::AppState;

pub use crate::auth::control_token::ControlToken;
use crate::auth::control_token::{self, Presented};

/// The layer: passes the request on when no token is set or the request bears it; otherwise
/// 401 in the control envelope, and the handler never runs.
pub async fn require(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let Some(token) = &state.control_token else {
        return next.run(request).await;
    };
    match control_token::presented(request.headers()) {
        Some(Presented::Cookie(_))
            if !request.method().is_safe()
                && !request
                    .headers()
                    .contains_key(control_token::CONSOLE_HEADER) =>
        {
            ControlError::Unauthorized(
                "a call signed by the console's cookie alone must come from the console \
                 (X-Flowplane-Console); send Authorization: Bearer <token>",
            )
            .into_response()
        }
        Some(presented) if token.matches(presented.token()) => next.run(request).await,
        Some(_) => {
            ControlError::Unauthorized("the control token is not the right one").into_response()
        }
        None => ControlError::Unauthorized(
            "the control API asks for Authorization: Bearer <token> (--control-token)",
        )
        .into_response(),
    }
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
}
