//! The bounded cache of verified tokens. A request whose token the layer has verified before
//! skips the base64, HMAC and JSON work, and every time check still runs on each request.

use std::sync::Arc;

use quick_cache::sync::{Cache, DefaultLifecycle};
use quick_cache::{DefaultHashBuilder, OptionsBuilder, UnitWeighter};

use super::token::Claims;

/// The claims of a token whose signature, algorithm, claim types, issuer and audience passed.
/// None of these checks reads the clock, so they hold for as long as the config lives.
#[derive(Debug)]
pub(crate) struct Verified {
    pub(crate) claims: Arc<Claims>,
    /// The optional `nbf`, which the layer checks but never issues.
    pub(crate) nbf: Option<u64>,
    /// Whether the token was signed with the previous secret of a rotation.
    pub(crate) previous_secret: bool,
}

#[derive(Clone)]
struct Entry {
    verified: Arc<Verified>,
    /// The last second, by the layer's clock, at which a request can still get the overdue
    /// response: `exp`, which decoding caps at `iat` plus the lifetime and at the session cap,
    /// plus the leeway plus the grace period. Later lookups drop the entry.
    last_use: u64,
}

/// Verified tokens, keyed by the whole token string.
///
/// A lookup hashes the token to find its slot and then compares every byte of the stored key,
/// so a hash collision never passes for the token. Only verified tokens go in, which an attacker
/// cannot make without the secret, so failed tokens never take up room. The cache is split into
/// shards with a read-write lock each, and a hit takes only a read lock.
///
/// quick_cache locks the shards with std's `RwLock`, which poisons when a thread panics while
/// writing, and later lookups would then panic. The code under its write lock only hashes and
/// compares token strings, moves entries and drops `Arc`s, none of which panics.
pub(crate) struct TokenCache {
    entries: Cache<Box<str>, Entry>,
    /// The leeway plus the grace period, in seconds.
    tail: u64,
}

/// The maximum number of shards, each with its own lock.
const MAX_SHARDS: usize = 16;

/// The minimum number of entries per shard, so that each shard's eviction has entries to choose
/// from.
const MIN_SHARD_ENTRIES: usize = 64;

impl TokenCache {
    /// Creates a cache that stores at most `capacity` tokens, and drops each one `tail` seconds
    /// after its `exp`. `capacity` must be more than zero.
    pub(crate) fn new(capacity: usize, tail: u64) -> Self {
        // quick_cache gives each shard an equal part of the capacity, rounded up. A whole
        // multiple of a power-of-two shard count keeps the sum at or below `capacity`.
        let mut shards = 1;
        while shards * 2 <= MAX_SHARDS && capacity / (shards * 2) >= MIN_SHARD_ENTRIES {
            shards *= 2;
        }
        let total = capacity / shards * shards;
        let options = OptionsBuilder::new()
            .shards(shards)
            .estimated_items_capacity(total)
            .weight_capacity(total as u64)
            .build()
            .unwrap_or_else(|_| unreachable!("both required options are set"));
        Self {
            entries: Cache::with_options(
                options,
                UnitWeighter,
                DefaultHashBuilder::default(),
                DefaultLifecycle::default(),
            ),
            tail,
        }
    }

    /// Returns the verified claims of `token` when it is cached and `now` is no later than the
    /// end of its grace period. A lookup after that removes the entry and returns `None`.
    pub(crate) fn get(&self, token: &str, now: u64) -> Option<Arc<Verified>> {
        let entry = self.entries.get(token)?;
        if now > entry.last_use {
            self.entries.remove(token);
            return None;
        }
        Some(entry.verified)
    }

    /// Stores a token that has just verified. Pass only tokens that verified.
    pub(crate) fn insert(&self, token: &str, verified: Arc<Verified>) {
        let last_use = verified.claims.exp.saturating_add(self.tail);
        self.entries
            .insert(token.into(), Entry { verified, last_use });
    }

    /// Returns the number of cached tokens.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    /// Returns the maximum number of tokens the cache stores.
    #[cfg(test)]
    pub(crate) fn capacity(&self) -> u64 {
        self.entries.capacity()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verified(exp: u64) -> Arc<Verified> {
        Arc::new(Verified {
            claims: Arc::new(Claims {
                sub: "1".to_owned(),
                username: "ada".to_owned(),
                iat: 0,
                exp,
                jti: "00112233445566778899aabbccddeeff".to_owned(),
                auth_time: 0,
                sid: None,
                iss: None,
                aud: None,
                ext: None,
            }),
            nbf: None,
            previous_secret: false,
        })
    }

    #[test]
    fn capacity_never_exceeds_setting() {
        for capacity in [1, 2, 3, 63, 64, 100, 129, 1000, 4096, 5000, 100_000] {
            let cache = TokenCache::new(capacity, 0);
            assert!(
                cache.capacity() <= capacity as u64,
                "capacity {capacity}: the cache holds {}",
                cache.capacity()
            );
            assert!(
                cache.capacity() > 0,
                "capacity {capacity}: the cache holds something"
            );
        }
    }

    #[test]
    fn size_stays_bounded() {
        let cache = TokenCache::new(100, 0);
        for i in 0..5_000 {
            cache.insert(&format!("token-{i}"), verified(1_000));
            assert!(cache.len() <= 100, "after {i} inserts: {}", cache.len());
        }
        assert!(cache.len() > 0, "the cache keeps recent tokens");
    }

    #[test]
    fn entry_usable_through_grace_end() {
        let cache = TokenCache::new(10, 60);
        cache.insert("t", verified(1_000));
        assert!(cache.get("t", 1_060).is_some(), "last second of grace");
        assert!(cache.get("t", 1_061).is_none(), "one second past grace");
        assert_eq!(cache.len(), 0, "the expired entry is removed");
        assert!(
            cache.get("t", 1_000).is_none(),
            "gone for earlier times too"
        );
    }

    #[test]
    fn lookup_compares_whole_token() {
        let cache = TokenCache::new(10, 0);
        cache.insert("abc.def.ghi", verified(1_000));
        assert!(cache.get("abc.def.ghi", 0).is_some(), "exact token");
        assert!(cache.get("abc.def.ghj", 0).is_none(), "last byte differs");
        assert!(cache.get("abc.def.gh", 0).is_none(), "prefix");
        assert!(cache.get("abc.def.ghi.", 0).is_none(), "one byte longer");
    }
}
