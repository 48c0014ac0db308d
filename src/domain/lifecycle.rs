//! The flow-log life cycle, defined once: which statuses exist, which operations move between
//! them, and what each transitional status settles into.

use std::time::Duration;

use chrono::{DateTime, Utc};

/// What a settling pass completed: how many transitions, and when those were due.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settled {
    pub count: u64,
    /// The due time of each completed transition (on Postgres, of each the pass locked; a row
    /// that came due between its read and its update completes uncounted here).
    pub due: Vec<DateTime<Utc>>,
}

/// What the worker completed: how many transitions, and how late each completed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Completed {
    pub count: u64,
    /// Completion time minus due time, of each transition that was due when it completed (a
    /// tick that completes transitions early adds none).
    pub lags: Vec<Duration>,
}

impl Completed {
    /// Adds what a pass that completed at `at` settled.
    pub fn add(&mut self, settled: Settled, at: DateTime<Utc>) {
        self.count += settled.count;
        self.lags.extend(
            settled
                .due
                .into_iter()
                .filter_map(|due| (at - due).to_std().ok()),
        );
    }

    pub fn merge(&mut self, other: Completed) {
        self.count += other.count;
        self.lags.extend(other.lags);
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    Activating,
    Active,
    Deactivating,
    Inactive,
    Deleting,
}

/// Where a transitional status ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settlement {
    Becomes(Status),
    Gone,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::Activating,
        Status::Active,
        Status::Deactivating,
        Status::Inactive,
        Status::Deleting,
    ];
    pub const TRANSITIONAL: [Status; 3] =
        [Status::Activating, Status::Deactivating, Status::Deleting];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Activating => "activating",
            Status::Active => "active",
            Status::Deactivating => "deactivating",
            Status::Inactive => "inactive",
            Status::Deleting => "deleting",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == value)
    }

    /// `None` for a settled status.
    pub fn settlement(self) -> Option<Settlement> {
        match self {
            Status::Activating => Some(Settlement::Becomes(Status::Active)),
            Status::Deactivating => Some(Settlement::Becomes(Status::Inactive)),
            Status::Deleting => Some(Settlement::Gone),
            Status::Active | Status::Inactive => None,
        }
    }

    pub fn is_settled(self) -> bool {
        self.settlement().is_none()
    }

    /// Whether the flow log is (becoming) enabled: Huawei's `admin_state`.
    pub fn is_enabled(self) -> bool {
        matches!(self, Status::Activating | Status::Active)
    }
}

/// A life-cycle operation a caller asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    Activate,
    Deactivate,
    Delete,
}

impl Operation {
    /// The statuses the operation may start from.
    pub fn allowed_from(self) -> &'static [Status] {
        match self {
            Operation::Activate => &[Status::Inactive],
            Operation::Deactivate => &[Status::Active],
            Operation::Delete => &[Status::Active, Status::Inactive],
        }
    }

    fn transitional_status(self) -> Status {
        match self {
            Operation::Activate => Status::Activating,
            Operation::Deactivate => Status::Deactivating,
            Operation::Delete => Status::Deleting,
        }
    }

    /// Plans the operation: through its transitional status for `delay`, or straight to its end
    /// when the delay is zero.
    pub fn plan(self, delay: Duration, now: DateTime<Utc>) -> Step {
        let transitional = self.transitional_status();
        if delay.is_zero() {
            let settlement = transitional
                .settlement()
                .expect("an operation's status is transitional");
            return Step::Settle(settlement);
        }
        Step::Pending {
            status: transitional,
            due_at: due_time(now, delay),
        }
    }
}

/// What an operation does to the stored row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Enter a transitional status that the worker completes at `due_at`.
    Pending {
        status: Status,
        due_at: DateTime<Utc>,
    },
    /// Apply the end state at once.
    Settle(Settlement),
}

/// Whether a due time is the end of time that a `manual` (or stuck) transition is given: only
/// `tick?all=true` completes it.
pub fn waits_for_tick(due_at: DateTime<Utc>) -> bool {
    due_at > DateTime::<Utc>::MAX_UTC - chrono::Duration::days(1)
}

/// `now` plus `delay`, saturating.
pub(super) fn due_time(now: DateTime<Utc>, delay: Duration) -> DateTime<Utc> {
    // A delay too large for chrono saturates instead of panicking.
    chrono::Duration::from_std(delay)
        .ok()
        .and_then(|d| now.checked_add_signed(d))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transitional_statuses_settle_where_the_life_cycle_says() {
        assert_eq!(
            Status::Activating.settlement(),
            Some(Settlement::Becomes(Status::Active))
        );
        assert_eq!(
            Status::Deactivating.settlement(),
            Some(Settlement::Becomes(Status::Inactive))
        );
        assert_eq!(Status::Deleting.settlement(), Some(Settlement::Gone));
        assert!(Status::Active.is_settled() && Status::Inactive.is_settled());
        for status in Status::TRANSITIONAL {
            assert!(!status.is_settled());
        }
    }

    #[test]
    fn operations_start_only_from_settled_states() {
        for op in [
            Operation::Activate,
            Operation::Deactivate,
            Operation::Delete,
        ] {
            assert!(op.allowed_from().iter().all(|s| s.is_settled()), "{op:?}");
        }
        assert_eq!(Operation::Activate.allowed_from(), &[Status::Inactive]);
        assert_eq!(Operation::Deactivate.allowed_from(), &[Status::Active]);
    }

    #[test]
    fn zero_delay_settles_at_once() {
        let now = Utc::now();
        assert_eq!(
            Operation::Deactivate.plan(Duration::ZERO, now),
            Step::Settle(Settlement::Becomes(Status::Inactive))
        );
        assert_eq!(
            Operation::Delete.plan(Duration::ZERO, now),
            Step::Settle(Settlement::Gone)
        );
        assert_eq!(
            Operation::Activate.plan(Duration::ZERO, now),
            Step::Settle(Settlement::Becomes(Status::Active))
        );
    }

    #[test]
    fn a_delay_passes_through_the_transitional_status() {
        let now = Utc::now();
        let step = Operation::Activate.plan(Duration::from_secs(2), now);
        assert_eq!(
            step,
            Step::Pending {
                status: Status::Activating,
                due_at: now + chrono::Duration::seconds(2)
            }
        );
    }

    #[test]
    fn a_huge_delay_saturates() {
        let step = Operation::Activate.plan(Duration::from_secs(u64::MAX), Utc::now());
        assert!(matches!(step, Step::Pending { due_at, .. } if due_at == DateTime::<Utc>::MAX_UTC));
    }

    #[test]
    fn statuses_round_trip() {
        for status in Status::ALL {
            assert_eq!(Status::parse(status.as_str()), Some(status));
        }
    }
}
