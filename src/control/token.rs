//! `--control-token`: when set, every control route but health asks for
//! `Authorization: Bearer <token>`, checked by one layer before any handler runs.
//!
//! Only the token's SHA-256 digest is kept, and a presented token is compared by its digest in
//! constant time, so neither a log line, an error nor the timing of a refusal tells the token.

use std::fmt;
use std::str::FromStr;

use axum::extract::{Request, State};
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use super::ControlError;
use crate::state::AppState;

/// The control API's token, as its digest. `Debug` prints `***`.
#[derive(Clone, PartialEq, Eq)]
pub struct ControlToken([u8; 32]);

impl ControlToken {
    pub fn new(token: &str) -> Self {
        ControlToken(Sha256::digest(token.as_bytes()).into())
    }

    /// Whether `presented` is the token, in time that does not depend on where they differ.
    pub fn matches(&self, presented: &str) -> bool {
        let presented: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        let difference = self
            .0
            .iter()
            .zip(presented.iter())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b));
        std::hint::black_box(difference) == 0
    }
}

impl fmt::Debug for ControlToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// For clap: a token is 1 to 1024 visible ASCII characters (what a header can carry).
impl FromStr for ControlToken {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        if value.is_empty() || value.len() > 1024 {
            return Err("the control token must be 1 to 1024 characters".into());
        }
        if !value.bytes().all(|b| b.is_ascii_graphic()) {
            return Err("the control token must be visible ASCII characters, no spaces".into());
        }
        Ok(ControlToken::new(value))
    }
}

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
