//! SigV4 signing (feature `lambda`): the signature the sender sends is the
//! one AWS's algorithm gives for that request, recomputed here by an
//! independent implementation that is itself checked against AWS's test
//! suite.
#![cfg(feature = "lambda")]
#![allow(missing_docs, clippy::unwrap_used)]

mod common;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use common::*;
use sender::{HttpApi, Outcome, SigV4Signer, Signer, process_job};
use serde_json::json;

const ACCESS_KEY: &str = "ASIAEXAMPLEEXAMPLE";
const SECRET_KEY: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const SESSION_TOKEN: &str = "IQoJb3JpZ2luX2VjEXAMPLE/session+token==";
const REGION: &str = "eu-west-1";

/// 2026-11-22T19:03:58Z.
fn fixed_time() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_374_238)
}

#[tokio::test]
async fn requests_carry_a_valid_sigv4_signature_with_the_session_token() {
    let stub = Stub::start(201, json!({"status": "created"}), Duration::ZERO).await;
    let credentials = Credentials::new(
        ACCESS_KEY,
        SECRET_KEY,
        Some(SESSION_TOKEN.into()),
        None,
        "test",
    );
    let signer = SigV4Signer::new(SharedCredentialsProvider::new(credentials), REGION)
        .with_clock(fixed_time);
    let api = HttpApi::new(
        &format!("{}/prod", stub.url()),
        Signer::SigV4(signer),
        Duration::from_secs(5),
    )
    .unwrap();
    let deps = deps(Arc::new(api));
    let mut document = make();
    document["recipeId"] = json!("Lemon Tart");
    let job = make_job(document, "1");
    assert_eq!(process_job(&job, &deps).await, Outcome::Stored);

    let seen = stub.seen();
    assert_eq!(seen.len(), 1);
    let request = &seen[0];
    let headers = &request.headers;
    assert_eq!(request.path, "/prod/recipes/Lemon%20Tart/makes");
    assert_eq!(headers["x-amz-date"], "20261122T190358Z");
    assert_eq!(headers["x-amz-security-token"], SESSION_TOKEN);
    assert!(!headers.contains_key("x-amz-content-sha256"));

    let authorization = &headers["authorization"];
    let signed = "content-type;host;idempotency-key;x-amz-date;x-amz-security-token";
    let prefix = format!(
        "AWS4-HMAC-SHA256 Credential={ACCESS_KEY}/20261122/{REGION}/execute-api/aws4_request, SignedHeaders={signed}, Signature="
    );
    assert!(authorization.starts_with(&prefix), "{authorization}");

    // execute-api decodes the path once before checking: the canonical URI
    // is the sent path encoded again.
    let canonical_uri = request.path.replace('%', "%25");
    let canonical_headers: String = signed
        .split(';')
        .map(|name| format!("{name}:{}\n", headers[name].trim()))
        .collect();
    let canonical_request = format!(
        "POST\n{canonical_uri}\n\n{canonical_headers}\n{signed}\n{}",
        reference::sha256_hex(&request.body)
    );
    let expected = reference::signature(
        SECRET_KEY,
        "20261122T190358Z",
        REGION,
        "execute-api",
        &canonical_request,
    );
    assert_eq!(&authorization[prefix.len()..], expected);
    assert_eq!(
        headers["host"],
        stub.addr.to_string(),
        "the host signed is the host sent"
    );
}

#[test]
fn the_reference_implementation_agrees_with_aws_s_test_suite() {
    assert_eq!(
        reference::sha256_hex(b"abc"),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    assert_eq!(
        reference::sha256_hex(&[b'a'; 1000]),
        "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3"
    );
    // aws-signing-test-suite/v4/get-vanilla-with-session-token.
    let canonical_request = "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\
        x-amz-security-token:6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267\n\n\
        host;x-amz-date;x-amz-security-token\n\
        e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    assert_eq!(
        reference::sha256_hex(canonical_request.as_bytes()),
        "067b36aa60031588cea4a4cde1f21215227a047690c72247f1d70b32fbbfad2b"
    );
    assert_eq!(
        reference::signature(
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            "20150830T123600Z",
            "us-east-1",
            "service",
            canonical_request
        ),
        "07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8"
    );
}

/// SigV4 from its specification: SHA-256 (FIPS 180-4), HMAC (RFC 2104),
/// the string to sign and the derived key.
mod reference {
    const K: [u32; 64] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
        0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
        0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
        0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
        0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
        0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
        0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
        0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2,
    ];

    pub fn sha256(data: &[u8]) -> [u8; 32] {
        let mut h: [u32; 8] = [
            0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
            0x5be0cd19,
        ];
        let mut message = data.to_vec();
        message.push(0x80);
        while message.len() % 64 != 56 {
            message.push(0);
        }
        message.extend_from_slice(&((data.len() as u64) * 8).to_be_bytes());
        for block in message.chunks(64) {
            let mut w = [0u32; 64];
            for (i, word) in block.chunks(4).enumerate() {
                w[i] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
            }
            for i in 16..64 {
                let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
                let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
                w[i] = w[i - 16]
                    .wrapping_add(s0)
                    .wrapping_add(w[i - 7])
                    .wrapping_add(s1);
            }
            let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut hh] = h;
            for i in 0..64 {
                let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
                let ch = (e & f) ^ (!e & g);
                let t1 = hh
                    .wrapping_add(s1)
                    .wrapping_add(ch)
                    .wrapping_add(K[i])
                    .wrapping_add(w[i]);
                let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
                let maj = (a & b) ^ (a & c) ^ (b & c);
                let t2 = s0.wrapping_add(maj);
                hh = g;
                g = f;
                f = e;
                e = d.wrapping_add(t1);
                d = c;
                c = b;
                b = a;
                a = t1.wrapping_add(t2);
            }
            for (state, value) in h.iter_mut().zip([a, b, c, d, e, f, g, hh]) {
                *state = state.wrapping_add(value);
            }
        }
        let mut out = [0u8; 32];
        for (chunk, word) in out.chunks_mut(4).zip(h) {
            chunk.copy_from_slice(&word.to_be_bytes());
        }
        out
    }

    pub fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    pub fn sha256_hex(data: &[u8]) -> String {
        hex(&sha256(data))
    }

    pub fn hmac(key: &[u8], message: &[u8]) -> [u8; 32] {
        let mut block = [0u8; 64];
        if key.len() > 64 {
            block[..32].copy_from_slice(&sha256(key));
        } else {
            block[..key.len()].copy_from_slice(key);
        }
        let inner: Vec<u8> = block
            .iter()
            .map(|b| b ^ 0x36)
            .chain(message.iter().copied())
            .collect();
        let outer: Vec<u8> = block
            .iter()
            .map(|b| b ^ 0x5c)
            .chain(sha256(&inner))
            .collect();
        sha256(&outer)
    }

    /// The signature of `canonical_request` at `amz_date` (`YYYYMMDDTHHMMSSZ`).
    pub fn signature(
        secret: &str,
        amz_date: &str,
        region: &str,
        service: &str,
        canonical_request: &str,
    ) -> String {
        let date = &amz_date[..8];
        let scope = format!("{date}/{region}/{service}/aws4_request");
        let string_to_sign = format!(
            "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
            sha256_hex(canonical_request.as_bytes())
        );
        let k_date = hmac(format!("AWS4{secret}").as_bytes(), date.as_bytes());
        let k_region = hmac(&k_date, region.as_bytes());
        let k_service = hmac(&k_region, service.as_bytes());
        let k_signing = hmac(&k_service, b"aws4_request");
        hex(&hmac(&k_signing, string_to_sign.as_bytes()))
    }
}
