//! The dashboard's uploads in AWS: S3 presigned POST forms. The recipe
//! server signs a POST policy with its role's credentials (SigV4, as S3
//! documents for browser uploads); the policy fixes the bucket, the key,
//! the content type, the size range and a short expiry, and S3 refuses a
//! form that breaks any of them. The browser then posts the file straight
//! to the bucket, and the upload's event starts the chain as any other.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;

use crate::described::describe;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use base64::Engine as _;
use shared::ports::uploads::{FormRequest, UploadError, UploadForm, UploadForms};
use time::OffsetDateTime;
use time::macros::format_description;

/// Signs S3 POST policies for one bucket.
pub struct S3Forms {
    client: Option<aws_sdk_s3::Client>,
    credentials: SharedCredentialsProvider,
    region: String,
    bucket: String,
    url: String,
    origin: String,
}

impl S3Forms {
    /// Forms for `bucket` in `region`, signed with `credentials` (the
    /// function's role). `endpoint` is S3's URL for tests (moto: the
    /// bucket in the path); by default the bucket's virtual-hosted address
    /// in the region.
    pub fn new(
        credentials: SharedCredentialsProvider,
        region: impl Into<String>,
        bucket: impl Into<String>,
        endpoint: Option<&str>,
    ) -> Self {
        let region = region.into();
        let bucket = bucket.into();
        let origin = match endpoint {
            Some(endpoint) => endpoint.trim_end_matches('/').to_owned(),
            None => format!("https://{bucket}.s3.{region}.amazonaws.com"),
        };
        // moto takes the bucket in the path; S3 in the host name.
        let url = match endpoint {
            Some(_) => format!("{origin}/{bucket}"),
            None => origin.clone(),
        };
        Self {
            client: None,
            credentials,
            region,
            bucket,
            url,
            origin,
        }
    }
}

impl S3Forms {
    /// The same forms, and the server's own puts (an imported page) made
    /// with `client`: a PutObject under the key a form would fix, checked
    /// against the same conditions first.
    #[must_use]
    pub fn with_client(mut self, client: aws_sdk_s3::Client) -> Self {
        self.client = Some(client);
        self
    }
}

/// The signing identity of a form.
struct Signer<'a> {
    access_key: &'a str,
    secret_key: &'a str,
    session_token: Option<&'a str>,
    region: &'a str,
}

/// A SigV4 POST form for `request` into `bucket`, signed at `now`.
fn signed_form(
    signer: &Signer<'_>,
    bucket: &str,
    url: &str,
    request: &FormRequest,
    now: SystemTime,
) -> Result<UploadForm, UploadError> {
    let at = OffsetDateTime::from(now);
    let date = format(at, format_description!("[year][month][day]"))?;
    let stamp = format(
        at,
        format_description!("[year][month][day]T[hour][minute][second]Z"),
    )?;
    let expires_at = shared::clock::format_rfc3339(at + Duration::from_secs(request.expires_in));
    let credential = format!(
        "{}/{date}/{}/s3/aws4_request",
        signer.access_key, signer.region
    );
    let mut fields = BTreeMap::from([
        ("key".to_owned(), request.key.clone()),
        ("Content-Type".to_owned(), request.content_type.clone()),
        ("x-amz-algorithm".to_owned(), "AWS4-HMAC-SHA256".to_owned()),
        ("x-amz-credential".to_owned(), credential),
        ("x-amz-date".to_owned(), stamp),
    ]);
    if let Some(token) = signer.session_token {
        fields.insert("x-amz-security-token".to_owned(), token.to_owned());
    }
    let mut conditions = vec![
        serde_json::json!({ "bucket": bucket }),
        serde_json::json!(["content-length-range", 1, request.max_bytes]),
    ];
    conditions.extend(
        fields
            .iter()
            .map(|(name, value)| serde_json::json!({ name: value })),
    );
    let policy = serde_json::json!({ "expiration": expires_at, "conditions": conditions });
    let encoded = base64::engine::general_purpose::STANDARD.encode(policy.to_string());
    let signature = signature(signer.secret_key, now, signer.region, &encoded);
    fields.insert("policy".to_owned(), encoded);
    fields.insert("x-amz-signature".to_owned(), signature);
    Ok(UploadForm {
        url: url.to_owned(),
        fields,
        key: request.key.clone(),
        expires_at,
    })
}

/// The SigV4 signature of a POST policy (`string_to_sign`: the policy in
/// base64) under the S3 signing key of `secret_key` for `region` and the
/// day of `at`.
fn signature(secret_key: &str, at: SystemTime, region: &str, string_to_sign: &str) -> String {
    let key = aws_sigv4::sign::v4::generate_signing_key(secret_key, at, region, "s3");
    aws_sigv4::sign::v4::calculate_signature(key, string_to_sign.as_bytes())
}

fn format(
    at: OffsetDateTime,
    description: &[time::format_description::BorrowedFormatItem<'_>],
) -> Result<String, UploadError> {
    at.format(description)
        .map_err(|e| UploadError::Unavailable(format!("a date: {e}")))
}

#[async_trait]
impl UploadForms for S3Forms {
    fn origin(&self) -> Option<String> {
        Some(self.origin.clone())
    }

    async fn form(&self, request: &FormRequest) -> Result<UploadForm, UploadError> {
        let credentials = self
            .credentials
            .provide_credentials()
            .await
            .map_err(|e| UploadError::Unavailable(format!("no credentials: {e}")))?;
        let signer = Signer {
            access_key: credentials.access_key_id(),
            secret_key: credentials.secret_access_key(),
            session_token: credentials.session_token(),
            region: &self.region,
        };
        signed_form(&signer, &self.bucket, &self.url, request, SystemTime::now())
    }

    async fn put(&self, request: &FormRequest, file: &[u8]) -> Result<String, UploadError> {
        let client = self.client.as_ref().ok_or_else(|| {
            UploadError::Unavailable("no S3 client for the server's own uploads".into())
        })?;
        if file.is_empty() || file.len() as u64 > request.max_bytes {
            return Err(UploadError::Condition(format!(
                "{} bytes, where 1 to {} are allowed",
                file.len(),
                request.max_bytes
            )));
        }
        client
            .put_object()
            .bucket(&self.bucket)
            .key(&request.key)
            .content_type(&request.content_type)
            .body(file.to_vec().into())
            .send()
            .await
            .map_err(|e| {
                UploadError::Unavailable(format!(
                    "the bucket did not take the object: {}",
                    describe(&e)
                ))
            })?;
        Ok(request.key.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// AWS's published example of a browser upload with SigV4 ("Example:
    /// Browser-Based Upload using HTTP POST"): its policy in base64, its
    /// credentials and day, and the signature S3 expects.
    #[test]
    fn the_signature_matches_the_example_aws_publishes() {
        let policy = "eyAiZXhwaXJhdGlvbiI6ICIyMDE1LTEyLTMwVDEyOjAwOjAwLjAwMFoiLA0KICAiY29uZGl0aW9ucyI6IFsNCiAgICB7ImJ1Y2tldCI6ICJzaWd2NGV4YW1wbGVidWNrZXQifSwNCiAgICBbInN0YXJ0cy13aXRoIiwgIiRrZXkiLCAidXNlci91c2VyMS8iXSwNCiAgICB7ImFjbCI6ICJwdWJsaWMtcmVhZCJ9LA0KICAgIHsic3VjY2Vzc19hY3Rpb25fcmVkaXJlY3QiOiAiaHR0cDovL3NpZ3Y0ZXhhbXBsZWJ1Y2tldC5zMy5hbWF6b25hd3MuY29tL3N1Y2Nlc3NmdWxfdXBsb2FkLmh0bWwifSwNCiAgICBbInN0YXJ0cy13aXRoIiwgIiRDb250ZW50LVR5cGUiLCAiaW1hZ2UvIl0sDQogICAgeyJ4LWFtei1tZXRhLXV1aWQiOiAiMTQzNjUxMjM2NTEyNzQifSwNCiAgICB7IngtYW16LXNlcnZlci1zaWRlLWVuY3J5cHRpb24iOiAiQUVTMjU2In0sDQogICAgWyJzdGFydHMtd2l0aCIsICIkeC1hbXotbWV0YS10YWciLCAiIl0sDQoNCiAgICB7IngtYW16LWNyZWRlbnRpYWwiOiAiQUtJQUlPU0ZPRE5ON0VYQU1QTEUvMjAxNTEyMjkvdXMtZWFzdC0xL3MzL2F3czRfcmVxdWVzdCJ9LA0KICAgIHsieC1hbXotYWxnb3JpdGhtIjogIkFXUzQtSE1BQy1TSEEyNTYifSwNCiAgICB7IngtYW16LWRhdGUiOiAiMjAxNTEyMjlUMDAwMDAwWiIgfQ0KICBdDQp9";
        let day = SystemTime::UNIX_EPOCH + Duration::from_secs(1_451_347_200); // 2015-12-29
        assert_eq!(
            signature(
                "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                day,
                "us-east-1",
                policy
            ),
            "8afdbf4008c03f22c2cd3cdb72e4afbb1f6a588f3255ac628749a66d7f09699e"
        );
    }

    #[test]
    fn the_policy_fixes_the_bucket_key_type_size_and_expiry() {
        let signer = Signer {
            access_key: "AKID",
            secret_key: "secret",
            session_token: Some("token"),
            region: "eu-west-2",
        };
        let request = FormRequest {
            key: "makes/user-1/m.json".into(),
            content_type: "application/json".into(),
            max_bytes: 1_048_576,
            expires_in: 300,
        };
        let at = SystemTime::UNIX_EPOCH + Duration::from_secs(1_764_720_000); // 2025-12-03
        let form =
            signed_form(&signer, "uploads", "https://u.example", &request, at).expect("form");
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(&form.fields["policy"])
            .expect("base64");
        let policy: serde_json::Value = serde_json::from_slice(&decoded).expect("JSON");
        assert_eq!(policy["expiration"], "2025-12-03T00:05:00.000Z");
        let conditions = policy["conditions"].as_array().expect("conditions");
        for condition in [
            serde_json::json!({"bucket": "uploads"}),
            serde_json::json!({"key": "makes/user-1/m.json"}),
            serde_json::json!({"Content-Type": "application/json"}),
            serde_json::json!(["content-length-range", 1, 1_048_576]),
            serde_json::json!({"x-amz-credential": "AKID/20251203/eu-west-2/s3/aws4_request"}),
            serde_json::json!({"x-amz-date": "20251203T000000Z"}),
            serde_json::json!({"x-amz-security-token": "token"}),
        ] {
            assert!(conditions.contains(&condition), "{condition} in {policy}");
        }
        assert_eq!(
            form.fields["x-amz-signature"],
            signature("secret", at, "eu-west-2", &form.fields["policy"])
        );
    }
}
