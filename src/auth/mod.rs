//! Who may call, in one place: the credentials (SPEC §4), the signing primitives both clouds'
//! signature schemes are built from (one `Authorization` parser, one canonical-URI builder, one
//! replay window), the nonces that make a signed request usable once, and the tokens and
//! temporary keys the identity APIs issue ([`issued`]). Each cloud's gateway
//! holds its own scheme (`huawei::signature`, `alibaba::signature`) on top of these.

pub mod control_token;
pub mod credentials;
pub mod issued;
pub mod nonces;
pub mod signing;

use chrono::TimeDelta;

/// How far a request's signing time may be from the server's clock, for every scheme of both
/// clouds; a nonce is kept this long after its signing time.
pub const REPLAY_WINDOW: TimeDelta = TimeDelta::minutes(15);

/// Whether cloud requests' signatures are checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AuthMode {
    /// Every cloud request must carry a valid signature from a known credential.
    Verify,
    /// Signatures are not checked; the access key alone names the caller.
    Off,
}
