//! Run-time transition settings: per provider and resource kind, whether a transitional
//! operation settles at once, after a delay, or only when an operator ticks every pending
//! transition (`POST /_flowplane/transitions/tick?all=true`). Stored in the database, so every
//! process sharing it applies the same settings; a kind with no setting keeps its default.

use std::fmt;
use std::time::Duration;

use super::model::{Provider, ResourceKind};

/// What a transition setting is about: flow logs, or one kind of network resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TransitionKind {
    FlowLog,
    Network(ResourceKind),
}

impl TransitionKind {
    pub const ALL: [TransitionKind; 4] = [
        TransitionKind::FlowLog,
        TransitionKind::Network(ResourceKind::Vpc),
        TransitionKind::Network(ResourceKind::Subnet),
        TransitionKind::Network(ResourceKind::NetworkInterface),
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TransitionKind::FlowLog => "flow_log",
            TransitionKind::Network(kind) => kind.as_str(),
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == value)
    }

    /// A kind as a user names it: its own name, or the name a product has for it (SPEC §5: "as
    /// the products have them"): Alibaba's `vswitch` and `eni`, Huawei's `port`.
    pub fn named(value: &str) -> Option<Self> {
        Self::parse(match value {
            "vswitch" => "subnet",
            "eni" | "port" => "network_interface",
            other => other,
        })
    }
}

/// How a transition of one kind completes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransitionMode {
    /// Settled in the same request (no transitional status).
    Immediate,
    /// Through the transitional status for this long.
    Delay(Duration),
    /// Through the transitional status until `tick?all=true`.
    Manual,
}

impl TransitionMode {
    /// The mode a delay stands for: zero is immediate.
    pub fn from_delay(delay: Duration) -> Self {
        if delay.is_zero() {
            TransitionMode::Immediate
        } else {
            TransitionMode::Delay(delay)
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            TransitionMode::Immediate => "immediate",
            TransitionMode::Delay(_) => "delay",
            TransitionMode::Manual => "manual",
        }
    }

    /// The delay the life cycle plans with: a manual transition is due at the end of time
    /// (saturating), which only `tick?all=true` reaches.
    pub fn delay(self) -> Duration {
        match self {
            TransitionMode::Immediate => Duration::ZERO,
            TransitionMode::Delay(delay) => delay,
            TransitionMode::Manual => Duration::MAX,
        }
    }

    /// The delay in whole milliseconds, for `delay` only.
    pub fn delay_millis(self) -> Option<i64> {
        match self {
            TransitionMode::Delay(delay) => {
                Some(i64::try_from(delay.as_millis()).unwrap_or(i64::MAX))
            }
            _ => None,
        }
    }

    /// From a stored mode and its delay in milliseconds.
    pub fn from_stored(mode: &str, delay_ms: Option<i64>) -> Option<Self> {
        match (mode, delay_ms) {
            ("immediate", _) => Some(TransitionMode::Immediate),
            ("manual", _) => Some(TransitionMode::Manual),
            ("delay", Some(ms)) => Some(TransitionMode::Delay(Duration::from_millis(
                u64::try_from(ms).ok()?,
            ))),
            _ => None,
        }
    }
}

/// One stored setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransitionSetting {
    pub provider: Provider,
    pub kind: TransitionKind,
    pub mode: TransitionMode,
}

/// Why a setting is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingRefused(pub String);

impl fmt::Display for SettingRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TransitionSetting {
    /// Whether the setting fits the provider's documented contract. Huawei's flow-log API has no
    /// pending state on the wire (a flow log is answered `ACTIVE`/`DOWN` at once), so a Huawei
    /// flow log can only be `immediate`; a `delay` of zero is refused as ambiguous.
    pub fn check(&self) -> Result<(), SettingRefused> {
        if let TransitionMode::Delay(delay) = self.mode {
            if delay.is_zero() {
                return Err(SettingRefused(
                    "a delay must be positive; use mode \"immediate\"".into(),
                ));
            }
        }
        if self.provider == Provider::Huawei
            && self.kind == TransitionKind::FlowLog
            && self.mode != TransitionMode::Immediate
        {
            return Err(SettingRefused(
                "Huawei flow logs have no pending state in Huawei's API: only mode \"immediate\" \
                 applies to them"
                    .into(),
            ));
        }
        Ok(())
    }
}

/// The settings' defaults: `--transition-delay` for Alibaba; Huawei's resources settle at once.
/// An interface's create always settles at once (the clouds answer it available); its setting
/// governs its delete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransitionDefaults {
    pub huawei: Duration,
    pub alibaba: Duration,
}

impl TransitionDefaults {
    pub fn mode(self, provider: Provider, kind: TransitionKind) -> TransitionMode {
        match (provider, kind) {
            (Provider::Huawei, TransitionKind::FlowLog) => TransitionMode::Immediate,
            (Provider::Huawei, _) => TransitionMode::from_delay(self.huawei),
            (Provider::Alibaba, _) => TransitionMode::from_delay(self.alibaba),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip() {
        for kind in TransitionKind::ALL {
            assert_eq!(TransitionKind::parse(kind.as_str()), Some(kind));
        }
    }

    #[test]
    fn huawei_flow_logs_only_take_immediate() {
        let setting = |mode| TransitionSetting {
            provider: Provider::Huawei,
            kind: TransitionKind::FlowLog,
            mode,
        };
        assert!(setting(TransitionMode::Immediate).check().is_ok());
        assert!(setting(TransitionMode::Manual).check().is_err());
        assert!(setting(TransitionMode::Delay(Duration::from_secs(1)))
            .check()
            .is_err());
    }

    #[test]
    fn stored_modes_round_trip() {
        for mode in [
            TransitionMode::Immediate,
            TransitionMode::Manual,
            TransitionMode::Delay(Duration::from_millis(1500)),
        ] {
            assert_eq!(
                TransitionMode::from_stored(mode.name(), mode.delay_millis()),
                Some(mode)
            );
        }
    }
}
