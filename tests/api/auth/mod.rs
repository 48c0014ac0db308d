//! `--auth verify` (`src/auth/`): signed calls end to end on both faces, what is refused and
//! why, and the verifiers against the request vectors recorded from the official SDKs. The
//! signer and the credentials these tests verify against are in `support::auth`.

mod refusals;
mod signatures;
mod signed_calls;
