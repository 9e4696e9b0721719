//! Validation of topic and group names.

use crate::error::MqError;

/// Longest topic name. Topic names become directory names, so they are short and filesystem-safe.
pub const MAX_TOPIC_LEN: usize = 249;
/// Longest group name in bytes.
pub const MAX_GROUP_LEN: usize = 255;

/// Accepts 1 to [`MAX_TOPIC_LEN`] characters from `A-Z a-z 0-9 . _ -`, other than `.` and `..`.
pub(crate) fn validate_topic(name: &str) -> Result<(), MqError> {
    let charset_ok = name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if name.is_empty() || name.len() > MAX_TOPIC_LEN || !charset_ok || name == "." || name == ".." {
        return Err(MqError::InvalidTopic(name.to_string()));
    }
    Ok(())
}

/// Accepts any non-empty UTF-8 string of at most [`MAX_GROUP_LEN`] bytes.
pub(crate) fn validate_group(name: &str) -> Result<(), MqError> {
    if name.is_empty() || name.len() > MAX_GROUP_LEN {
        return Err(MqError::InvalidGroup(name.to_string()));
    }
    Ok(())
}
