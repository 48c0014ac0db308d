//! The store (`src/store/`) under the service: state that survives restarts, the uniqueness and
//! quota rules under concurrency, several processes on one database, and Postgres going away.

mod destinations;
mod issued;
mod multiprocess;
mod network;
mod outage;
mod persistence;
