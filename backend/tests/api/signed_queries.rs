//! Signed queries as the simulator signs them (OAuth callbacks and app loads), the published
//! vector, and every way one can be wrong.

use seglink::clock::UnixTime;
use seglink::shopify::signed_query::{SignedQueryError, verify};
use shopify_sim::signing::signed_query;

use crate::helpers::{PREVIOUS_SECRET, SECRET};

const NOW: i64 = 1_790_812_800;

fn decode(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(key, value)| (unescape(key), unescape(value)))
        .collect()
}

fn unescape(text: &str) -> String {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%' && index + 2 < bytes.len() {
            out.push(u8::from_str_radix(&text[index + 1..index + 3], 16).unwrap());
            index += 3;
        } else {
            out.push(bytes[index]);
            index += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

fn callback(secret: &str, timestamp: i64) -> Vec<(String, String)> {
    let timestamp = timestamp.to_string();
    decode(&signed_query(
        secret,
        &[
            ("code", "0907a61c0c8d55e99db179b68161bc00"),
            ("shop", "some-shop.myshopify.com"),
            ("state", "a b/c"),
            ("timestamp", &timestamp),
        ],
    ))
}

#[test]
fn an_oauth_callback_signed_by_shopify_is_accepted() {
    assert_eq!(verify(&callback(SECRET, NOW), &[SECRET], UnixTime::from_secs(NOW)), Ok(()));
    assert_eq!(
        verify(&callback(PREVIOUS_SECRET, NOW), &[SECRET, PREVIOUS_SECRET], UnixTime::from_secs(NOW)),
        Ok(())
    );
    let mut reordered = callback(SECRET, NOW);
    reordered.reverse();
    assert_eq!(verify(&reordered, &[SECRET], UnixTime::from_secs(NOW)), Ok(()), "order does not matter");
}

#[test]
fn the_published_vectors_verify() {
    // Vectors computed by hand (secret "hush"): Shopify's documented example, and one with
    // host and state.
    let docs = "code=0907a61c0c8d55e99db179b68161bc00&shop=some-shop.myshopify.com&timestamp=1337178173&hmac=4712bf92ffc2917d15a2f5a273e39f0116667419aa4b6ac0b3baaf26fa3c4d20";
    assert_eq!(verify(&decode(docs), &["hush"], UnixTime::from_secs(1_337_178_173)), Ok(()));
    let with_state = "state=0.6784241404160823&hmac=9fe3d5ea81959305fd96bd3d2d44e878654e753bc8e455b5369c15a009412163&host=YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvc29tZS1zaG9w&code=0907a61c0c8d55e99db179b68161bc00&shop=some-shop.myshopify.com&timestamp=1337178173";
    assert_eq!(verify(&decode(with_state), &["hush"], UnixTime::from_secs(1_337_178_173)), Ok(()));
    assert_eq!(
        verify(&decode(docs), &["hush!"], UnixTime::from_secs(1_337_178_173)),
        Err(SignedQueryError::BadHmac)
    );
}

#[test]
fn stale_forged_or_tampered_queries_are_refused() {
    assert_eq!(
        verify(&callback(SECRET, NOW - 91), &[SECRET], UnixTime::from_secs(NOW)),
        Err(SignedQueryError::Stale)
    );
    assert_eq!(
        verify(&callback(SECRET, NOW + 91), &[SECRET], UnixTime::from_secs(NOW)),
        Err(SignedQueryError::Stale)
    );
    assert_eq!(verify(&callback(SECRET, NOW - 90), &[SECRET], UnixTime::from_secs(NOW)), Ok(()));
    assert_eq!(
        verify(&callback("wrong", NOW), &[SECRET], UnixTime::from_secs(NOW)),
        Err(SignedQueryError::BadHmac)
    );
    let mut tampered = callback(SECRET, NOW);
    tampered[1].1 = "evil.myshopify.com".to_owned();
    assert_eq!(verify(&tampered, &[SECRET], UnixTime::from_secs(NOW)), Err(SignedQueryError::BadHmac));
    let mut unsigned = callback(SECRET, NOW);
    unsigned.retain(|(key, _)| key != "hmac");
    assert_eq!(verify(&unsigned, &[SECRET], UnixTime::from_secs(NOW)), Err(SignedQueryError::MissingHmac));
    let mut doubled = callback(SECRET, NOW);
    doubled.push(("hmac".to_owned(), "00".to_owned()));
    assert_eq!(verify(&doubled, &[SECRET], UnixTime::from_secs(NOW)), Err(SignedQueryError::MissingHmac));
    let mut odd = callback(SECRET, NOW);
    odd.iter_mut().filter(|(key, _)| key == "hmac").for_each(|(_, value)| value.push('z'));
    assert_eq!(verify(&odd, &[SECRET], UnixTime::from_secs(NOW)), Err(SignedQueryError::MissingHmac));
}
