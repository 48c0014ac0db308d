//! The control API's token (`--control-token`): kept as its SHA-256 digest, compared in
//! constant time, never printed. The control API's layer (`control::token`) asks for it.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::HeaderMap;
use percent_encoding::{percent_decode_str, utf8_percent_encode, NON_ALPHANUMERIC};
use sha2::{Digest, Sha256};

/// The cookie the console's sign-in sets: the token, percent-encoded (a token may hold
/// characters a cookie may not), which the browser then sends with the page's own calls.
pub const TOKEN_COOKIE: &str = "flowplane_token";

/// The header the console's script adds to its control calls. A browser sends a cookie with a
/// form another page on the same site (`localhost` on another port, say) submits, but lets no
/// other page add a header without the CORS approval Flowplane never gives: a state-changing
/// call signed by the cookie alone must carry it.
pub const CONSOLE_HEADER: &str = "x-flowplane-console";

/// How a request presents the token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Presented<'a> {
    /// `Authorization: Bearer <token>` (the scheme in any case).
    Bearer(&'a str),
    /// The console's cookie, decoded.
    Cookie(Cow<'a, str>),
}

impl Presented<'_> {
    pub fn token(&self) -> &str {
        match self {
            Presented::Bearer(token) => token,
            Presented::Cookie(token) => token,
        }
    }
}

/// The token a request presents: `Authorization: Bearer <token>`, or else the console's cookie.
pub fn presented(headers: &HeaderMap) -> Option<Presented<'_>> {
    if let Some(value) = headers.get(AUTHORIZATION) {
        return value.to_str().ok().and_then(bearer).map(Presented::Bearer);
    }
    cookie(headers).map(Presented::Cookie)
}

fn cookie(headers: &HeaderMap) -> Option<Cow<'_, str>> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .find_map(|pair| {
            let (name, value) = pair.trim().split_once('=')?;
            (name == TOKEN_COOKIE).then(|| percent_decode_str(value).decode_utf8().ok())?
        })
        .filter(|token| !token.is_empty())
}

/// The `Set-Cookie` value that keeps `token` for the console: only sent back to `/_flowplane`,
/// never to another site's requests, never readable by scripts.
pub fn cookie_for(token: &str) -> String {
    let value = utf8_percent_encode(token, NON_ALPHANUMERIC);
    format!("{TOKEN_COOKIE}={value}; Path=/_flowplane; HttpOnly; SameSite=Strict")
}

/// The credentials of a `Bearer` authorization (the scheme in any case).
fn bearer(value: &str) -> Option<&str> {
    let (scheme, credentials) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| credentials.trim())
        .filter(|credentials| !credentials.is_empty())
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_takes_the_scheme_in_any_case() {
        assert_eq!(bearer("Bearer abc"), Some("abc"));
        assert_eq!(bearer("bearer abc"), Some("abc"));
        assert_eq!(bearer("Basic abc"), None);
        assert_eq!(bearer("Bearer "), None);
        assert_eq!(bearer("Bearerabc"), None);
    }

    #[test]
    fn the_cookie_carries_any_token_and_bearer_comes_first() {
        let token = "a;b=c %";
        let set = cookie_for(token);
        let value = set.split(';').next().unwrap();
        let mut headers = HeaderMap::new();
        headers.insert(COOKIE, format!("other=1; {value}").parse().unwrap());
        assert_eq!(presented(&headers), Some(Presented::Cookie(token.into())));
        headers.insert(AUTHORIZATION, "Bearer xyz".parse().unwrap());
        assert_eq!(presented(&headers), Some(Presented::Bearer("xyz")));
        assert!(set.contains("HttpOnly") && set.contains("SameSite=Strict"));
    }
}
