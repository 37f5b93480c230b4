//! Address blocks (`address/prefix`), as Kubernetes' `ipBlock` reads them.

use std::net::IpAddr;

/// An address family.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Family {
    V4,
    V6,
}

impl Family {
    /// `IPv4` or `IPv6`.
    pub(crate) const fn name(self) -> &'static str {
        match self {
            Self::V4 => "IPv4",
            Self::V6 => "IPv6",
        }
    }
}

/// A parsed `address/prefix` block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Block {
    /// The address, IPv4 in the low 32 bits.
    address: u128,
    /// The prefix length.
    pub(crate) prefix: u8,
    pub(crate) family: Family,
}

impl Block {
    /// Parses `address/prefix`; `None` unless the address parses and the prefix fits
    /// its family.
    pub(crate) fn parse(text: &str) -> Option<Self> {
        let (address, prefix) = text.split_once('/')?;
        let prefix: u8 = prefix.parse().ok()?;
        let (address, family) = match address.parse::<IpAddr>().ok()? {
            IpAddr::V4(v4) => (u128::from(u32::from(v4)), Family::V4),
            IpAddr::V6(v6) => (u128::from(v6), Family::V6),
        };
        (prefix <= Self::bits(family)).then_some(Self { address, prefix, family })
    }

    const fn bits(family: Family) -> u8 {
        match family {
            Family::V4 => 32,
            Family::V6 => 128,
        }
    }

    /// The address with every bit past `prefix` cleared.
    fn network(self, prefix: u8) -> u128 {
        let host_bits = u32::from(Self::bits(self.family) - prefix);
        self.address & u128::MAX.checked_shl(host_bits).unwrap_or(0)
    }

    /// Whether `inner` is a strict subset of this block, as Kubernetes requires of an
    /// `except` block: the same family, a longer prefix, and the same leading bits.
    pub(crate) fn strictly_contains(self, inner: Self) -> bool {
        self.family == inner.family
            && inner.prefix > self.prefix
            && self.network(self.prefix) == inner.network(self.prefix)
    }
}

#[cfg(test)]
mod tests {
    use super::{Block, Family};

    fn block(text: &str) -> Block {
        Block::parse(text).unwrap_or_else(|| panic!("{text} parses"))
    }

    #[test]
    fn blocks_parse_only_with_a_prefix_that_fits_the_family() {
        assert_eq!(block("10.1.0.0/16").prefix, 16);
        assert_eq!(block("::/0").family, Family::V6);
        for bad in ["10.1.0.0/33", "::/129", "10.1.0.0", "10.1.0/16", "nope/8", "10.1.0.0/-1"] {
            assert_eq!(Block::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn containment_is_strict_per_family_and_ignores_host_bits() {
        let outer = block("10.1.0.0/16");
        assert!(outer.strictly_contains(block("10.1.2.0/24")));
        assert!(outer.strictly_contains(block("10.1.255.255/32")));
        assert!(block("10.1.7.7/16").strictly_contains(block("10.1.2.0/24")), "host bits");
        assert!(!outer.strictly_contains(block("10.1.0.0/16")), "equal is not strict");
        assert!(!outer.strictly_contains(block("10.0.0.0/8")));
        assert!(!outer.strictly_contains(block("10.2.0.0/24")));
        assert!(block("0.0.0.0/0").strictly_contains(block("192.168.0.0/16")));
        assert!(block("::/0").strictly_contains(block("fc00::/7")));
        assert!(!block("::/0").strictly_contains(block("10.0.0.0/8")), "family");
        assert!(!block("0.0.0.0/0").strictly_contains(block("::ffff:0:0/96")), "family");
    }
}
