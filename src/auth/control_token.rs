//! The control API's token (`--control-token`): kept as its SHA-256 digest, compared in
//! constant time, never printed. The control API's layer (`control::token`) asks for it.

use std::fmt;
use std::str::FromStr;

use sha2::{Digest, Sha256};

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
