//! The bootstrap's permissions boundary (the most any role of the
//! application may do) allows every action the application's roles are
//! given: an action outside it would be denied in a deployed stack, where
//! every role carries the boundary, and nowhere else.

use deploy_checks::{actions, allowed, statements, template, yaml_file};

/// Whether `pattern` (an IAM action, `*` as a wildcard at its end) covers
/// `action`.
fn covers(pattern: &str, action: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => action.starts_with(prefix),
        None => pattern.eq_ignore_ascii_case(action),
    }
}

#[test]
fn the_boundary_allows_every_action_of_the_applications_roles() {
    let bootstrap = yaml_file("deploy/bootstrap.yaml");
    let allowed: Vec<&str> = allowed(&bootstrap, "AppPermissionsBoundary")
        .into_iter()
        .flat_map(actions)
        .collect();
    assert!(!allowed.is_empty(), "the boundary allows nothing");
    let t = template();
    let mut checked = 0;
    for (owner, s) in statements(&t) {
        if s["Effect"] != "Allow" {
            continue;
        }
        for action in actions(s) {
            checked += 1;
            assert!(
                allowed.iter().any(|pattern| covers(pattern, action)),
                "{owner} is given {action}, which the permissions boundary denies"
            );
        }
    }
    assert!(checked >= 20, "only {checked} actions checked");
}

#[test]
fn a_wildcard_covers_only_what_it_starts() {
    assert!(covers("kms:GenerateDataKey*", "kms:GenerateDataKey"));
    assert!(covers("s3:GetObject", "s3:getobject"));
    assert!(!covers("s3:GetObject", "s3:GetObjectVersion"));
    assert!(!covers("sqs:Send*", "sqs:ReceiveMessage"));
}
