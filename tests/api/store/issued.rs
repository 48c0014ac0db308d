//! Issued tokens and temporary keys in the store (`src/store/issued.rs`): only hashes of tokens,
//! the database's own rules (one key per id, one row per token, no lifetime that ends before
//! it starts), and expired rows pruned whenever something is issued.

use chrono::{TimeDelta, Utc};
use flowplane::auth::credentials::Secret;
use flowplane::auth::issued::{IssuedRepository, TemporaryKeyRecord, TokenRecord};
use flowplane::domain::{Provider, StorageError};
use sha2::{Digest, Sha256};

use crate::support::identity::*;

fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn token_record(token: &str, lifetime: TimeDelta) -> TokenRecord {
    let now = Utc::now();
    TokenRecord {
        token_hash: hash(token),
        principal: "{}".into(),
        issued_at: now,
        expires_at: now + lifetime,
    }
}

fn key_record(access_key_id: &str, token: &str, lifetime: TimeDelta) -> TemporaryKeyRecord {
    let now = Utc::now();
    TemporaryKeyRecord {
        provider: Provider::Alibaba,
        access_key_id: access_key_id.into(),
        secret: Secret::new("secret"),
        token_hash: hash(token),
        principal: "{}".into(),
        issued_at: now,
        expires_at: now + lifetime,
    }
}

#[tokio::test]
async fn tokens_are_stored_as_hashes_only() {
    let (app, _dir) = identity_app().await;
    let token = app.alice_token().await;
    let store = app.store();
    assert!(store.token(&token).await.unwrap().is_none());
    let record = store
        .token(&hash(&token))
        .await
        .unwrap()
        .expect("stored by its hash");
    assert!(!record.principal.contains(&token));
    assert!(record.principal.contains(ALICE), "{}", record.principal);

    let key = app.huawei_temporary_key(&token).await;
    let record = store
        .temporary_key(Provider::Huawei, &key.access)
        .await
        .unwrap()
        .expect("stored");
    assert_eq!(record.token_hash, hash(&key.security_token));
    assert!(!record.principal.contains(&key.security_token));
    assert_eq!(
        record.secret.expose(),
        key.secret,
        "the secret signs, so it is kept"
    );
    assert!(store
        .temporary_key(Provider::Alibaba, &key.access)
        .await
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn the_database_keeps_keys_unique_and_lifetimes_forward() {
    let (app, _dir) = identity_app().await;
    let store = app.store();
    let now = Utc::now();
    let hour = TimeDelta::hours(1);
    store
        .insert_temporary_key(&key_record("STS.a", "t1", hour), now)
        .await
        .unwrap();
    for duplicate in [
        key_record("STS.a", "t2", hour),
        key_record("STS.b", "t1", hour),
    ] {
        let err = store
            .insert_temporary_key(&duplicate, now)
            .await
            .unwrap_err();
        assert!(matches!(err, StorageError::UniqueViolation), "{err}");
    }
    // The same id under the other cloud is another key.
    let mut huawei = key_record("STS.a", "t3", hour);
    huawei.provider = Provider::Huawei;
    store.insert_temporary_key(&huawei, now).await.unwrap();
    let backwards = key_record("STS.c", "t4", -hour);
    assert!(store
        .insert_temporary_key(&backwards, now - hour * 2)
        .await
        .is_err());
    store
        .insert_token(&token_record("x", hour), now)
        .await
        .unwrap();
    let err = store
        .insert_token(&token_record("x", hour), now)
        .await
        .unwrap_err();
    assert!(matches!(err, StorageError::UniqueViolation), "{err}");
    let mut short = token_record("y", hour);
    short.token_hash = "abc".into();
    assert!(
        store.insert_token(&short, now).await.is_err(),
        "not a SHA-256"
    );
}

#[tokio::test]
async fn expired_rows_are_pruned_when_something_is_issued() {
    let (app, _dir) = identity_app().await;
    let store = app.store();
    let now = Utc::now();
    store
        .insert_token(&token_record("short", TimeDelta::seconds(10)), now)
        .await
        .unwrap();
    store
        .insert_token(&token_record("long", TimeDelta::hours(1)), now)
        .await
        .unwrap();
    store
        .insert_temporary_key(&key_record("STS.short", "s", TimeDelta::seconds(10)), now)
        .await
        .unwrap();
    store
        .insert_temporary_key(&key_record("STS.long", "l", TimeDelta::hours(1)), now)
        .await
        .unwrap();
    // Later, past the short ones' expiry, something new is issued.
    let later = now + TimeDelta::minutes(1);
    store
        .insert_token(&token_record("new", TimeDelta::hours(1)), later)
        .await
        .unwrap();
    store
        .insert_temporary_key(&key_record("STS.new", "n", TimeDelta::hours(1)), later)
        .await
        .unwrap();
    assert!(store.token(&hash("short")).await.unwrap().is_none());
    assert!(store.token(&hash("long")).await.unwrap().is_some());
    assert!(store
        .temporary_key(Provider::Alibaba, "STS.short")
        .await
        .unwrap()
        .is_none());
    assert!(store
        .temporary_key(Provider::Alibaba, "STS.long")
        .await
        .unwrap()
        .is_some());
}
