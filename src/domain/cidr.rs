//! IPv4 address blocks, parsed once at the edge: what a VPC or subnet covers, whether one block
//! lies inside or overlaps another, and which addresses a subnet can hand out.

use std::fmt;
use std::net::Ipv4Addr;
use std::str::FromStr;

/// An IPv4 block `a.b.c.d/n` whose host bits are zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Ipv4Cidr {
    network: u32,
    prefix: u8,
}

/// Why a text is not a block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CidrError {
    #[error("not of the form a.b.c.d/n")]
    Malformed,
    #[error("the prefix length is not 0 to 32")]
    BadPrefix,
    #[error("host bits are set")]
    HostBitsSet,
}

impl Ipv4Cidr {
    pub fn new(address: Ipv4Addr, prefix: u8) -> Result<Self, CidrError> {
        if prefix > 32 {
            return Err(CidrError::BadPrefix);
        }
        let network = u32::from(address);
        if network & !mask(prefix) != 0 {
            return Err(CidrError::HostBitsSet);
        }
        Ok(Self { network, prefix })
    }

    pub fn prefix(self) -> u8 {
        self.prefix
    }

    pub fn network(self) -> Ipv4Addr {
        Ipv4Addr::from(self.network)
    }

    fn last(self) -> u32 {
        self.network | !mask(self.prefix)
    }

    /// How many addresses the block spans.
    pub fn size(self) -> u64 {
        1u64 << (32 - u32::from(self.prefix))
    }

    /// Whether `other` lies wholly inside this block (or is it).
    pub fn contains(self, other: Ipv4Cidr) -> bool {
        other.prefix >= self.prefix && other.network & mask(self.prefix) == self.network
    }

    pub fn contains_address(self, address: Ipv4Addr) -> bool {
        u32::from(address) & mask(self.prefix) == self.network
    }

    /// Whether the two blocks share any address.
    pub fn overlaps(self, other: Ipv4Cidr) -> bool {
        self.network <= other.last() && other.network <= self.last()
    }

    /// The address at `offset` from the block's start, if inside it.
    pub fn address(self, offset: u64) -> Option<Ipv4Addr> {
        (offset < self.size()).then(|| Ipv4Addr::from(self.network + offset as u32))
    }
}

fn mask(prefix: u8) -> u32 {
    if prefix == 0 {
        0
    } else {
        u32::MAX << (32 - u32::from(prefix))
    }
}

impl FromStr for Ipv4Cidr {
    type Err = CidrError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (address, prefix) = text.split_once('/').ok_or(CidrError::Malformed)?;
        // Std's parser takes exactly four decimal octets without leading zeros.
        let address: Ipv4Addr = address.parse().map_err(|_| CidrError::Malformed)?;
        let digits_ok =
            !prefix.is_empty() && prefix.len() <= 2 && prefix.bytes().all(|b| b.is_ascii_digit());
        if !digits_ok {
            return Err(CidrError::Malformed);
        }
        let prefix: u8 = prefix.parse().map_err(|_| CidrError::Malformed)?;
        Self::new(address, prefix)
    }
}

impl fmt::Display for Ipv4Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.network(), self.prefix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cidr(text: &str) -> Ipv4Cidr {
        text.parse().unwrap()
    }

    #[test]
    fn parses_and_prints_blocks() {
        assert_eq!(cidr("192.168.0.0/16").to_string(), "192.168.0.0/16");
        assert_eq!(cidr("0.0.0.0/0").size(), 1 << 32);
        assert_eq!(cidr("10.0.0.1/32").size(), 1);
        for (bad, err) in [
            ("192.168.0.0", CidrError::Malformed),
            ("192.168.0/16", CidrError::Malformed),
            ("192.168.0.0/", CidrError::Malformed),
            ("192.168.0.0/+8", CidrError::Malformed),
            ("192.168.0.0/016", CidrError::Malformed),
            ("192.168.00.0/16", CidrError::Malformed),
            ("192.168.0.0/33", CidrError::BadPrefix),
            ("192.168.1.0/16", CidrError::HostBitsSet),
        ] {
            assert_eq!(bad.parse::<Ipv4Cidr>(), Err(err), "{bad}");
        }
    }

    #[test]
    fn containment_and_overlap() {
        let vpc = cidr("192.168.0.0/16");
        assert!(vpc.contains(cidr("192.168.1.0/24")));
        assert!(vpc.contains(vpc));
        assert!(!vpc.contains(cidr("192.169.0.0/24")));
        assert!(!cidr("192.168.1.0/24").contains(vpc));
        assert!(cidr("10.0.0.0/24").overlaps(cidr("10.0.0.128/25")));
        assert!(!cidr("10.0.0.0/25").overlaps(cidr("10.0.0.128/25")));
        assert!(vpc.contains_address("192.168.255.255".parse().unwrap()));
        assert!(!vpc.contains_address("192.169.0.0".parse().unwrap()));
        assert_eq!(
            cidr("10.0.1.0/24").address(1),
            Some("10.0.1.1".parse().unwrap())
        );
        assert_eq!(cidr("10.0.1.0/24").address(256), None);
    }
}
