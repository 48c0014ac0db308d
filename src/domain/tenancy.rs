//! What every tenant has without creating it. An Alibaba account has resource groups from the
//! start: its default group, which holds every resource created without a `ResourceGroupId`, and
//! a second one (the providers' acceptance tests move resources into `ids.1`). Their ids are
//! derived from the account, so every process sharing a database agrees on them.

use sha2::{Digest, Sha256};

/// A resource group of an Alibaba account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceGroup {
    pub id: String,
    /// The group's unique name (`default` for the default group).
    pub name: &'static str,
    pub display_name: &'static str,
    pub account_id: String,
}

/// The groups every account has, the default group first.
const GROUPS: [(&str, &str); 2] = [
    ("default", "default resource group"),
    ("flowplane", "flowplane resource group"),
];

/// The account's resource groups, the default group first.
pub fn resource_groups(account_id: &str) -> Vec<ResourceGroup> {
    GROUPS
        .iter()
        .map(|(name, display_name)| ResourceGroup {
            id: group_id(account_id, name),
            name,
            display_name,
            account_id: account_id.to_owned(),
        })
        .collect()
}

/// The id of the account's default resource group.
pub fn default_resource_group_id(account_id: &str) -> String {
    group_id(account_id, GROUPS[0].0)
}

/// Whether `id` names one of the account's resource groups.
pub fn is_resource_group_of(account_id: &str, id: &str) -> bool {
    GROUPS
        .iter()
        .any(|(name, _)| group_id(account_id, name) == id)
}

/// `rg-acfm` and 11 lowercase alphanumerics, as the cloud writes default groups' ids.
fn group_id(account_id: &str, name: &str) -> String {
    const ALPHABET: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let digest = Sha256::digest(format!("{account_id}/{name}").as_bytes());
    let mut bits = u128::from_be_bytes(digest[..16].try_into().expect("16 bytes"));
    let mut id = String::from("rg-acfm");
    for _ in 0..11 {
        id.push(ALPHABET[(bits % 36) as usize] as char);
        bits /= 36;
    }
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_account_has_a_default_group_first_and_ids_are_its_own() {
        let groups = resource_groups("1234567890123456");
        assert_eq!(groups[0].name, "default");
        assert_eq!(groups[0].id, default_resource_group_id("1234567890123456"));
        assert_eq!(groups.len(), 2);
        for group in &groups {
            assert!(
                group.id.starts_with("rg-acfm") && group.id.len() == 18,
                "{group:?}"
            );
            assert!(is_resource_group_of("1234567890123456", &group.id));
            assert!(!is_resource_group_of("9999999999999999", &group.id));
        }
        assert_ne!(groups[0].id, groups[1].id);
        assert_eq!(resource_groups("1234567890123456"), groups, "stable");
    }
}
