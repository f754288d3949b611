//! Loading of the demo server's HMAC secret.

use std::fmt;
use std::path::Path;

/// The environment variable that contains the secret. A file given with `--secret-file` takes
/// precedence over it.
pub const SECRET_VARIABLE: &str = "RENEW_FETCH_SECRET";

/// The source of the secret, for the start-up log line. It never contains the secret.
#[derive(Clone, Copy, Debug)]
pub enum SecretSource {
    File,
    Variable,
    Random,
}

impl fmt::Display for SecretSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SecretSource::File => "the secret file",
            SecretSource::Variable => SECRET_VARIABLE,
            SecretSource::Random => "a random secret made at start-up",
        })
    }
}

/// Returns the bytes before one final line ending, `\n` or `\r\n`, which editors and `echo` add.
/// Other trailing bytes, spaces included, are part of the secret.
fn without_line_ending(bytes: &[u8]) -> &[u8] {
    bytes
        .strip_suffix(b"\r\n")
        .or_else(|| bytes.strip_suffix(b"\n"))
        .unwrap_or(bytes)
}

/// Loads the secret from the file, else from [`SECRET_VARIABLE`], else makes a random one.
///
/// A random secret means that tokens from an earlier run are rejected after a restart.
pub fn load(file: Option<&Path>) -> Result<(Vec<u8>, SecretSource), String> {
    if let Some(path) = file {
        let bytes = std::fs::read(path).map_err(|error| {
            format!(
                "failed to read the secret file {}: {error}; check the path given to --secret-file",
                path.display()
            )
        })?;
        return Ok((without_line_ending(&bytes).to_vec(), SecretSource::File));
    }
    if let Some(value) = std::env::var_os(SECRET_VARIABLE) {
        let value = value.into_encoded_bytes();
        if !value.is_empty() {
            return Ok((value, SecretSource::Variable));
        }
    }
    let mut random = [0u8; 32];
    getrandom::fill(&mut random)
        .map_err(|error| format!("failed to make a random secret: {error}"))?;
    Ok((random.to_vec(), SecretSource::Random))
}

#[cfg(test)]
mod tests {
    use super::without_line_ending;

    #[test]
    fn secret_file_drops_one_line_ending() {
        assert_eq!(
            without_line_ending(b"key\n"),
            b"key",
            "a final \\n is dropped"
        );
        assert_eq!(
            without_line_ending(b"key\r\n"),
            b"key",
            "a final \\r\\n is dropped"
        );
        assert_eq!(
            without_line_ending(b"key\n\n"),
            b"key\n",
            "only one line ending is dropped"
        );
    }

    #[test]
    fn secret_file_keeps_trailing_space() {
        assert_eq!(
            without_line_ending(b"key "),
            b"key ",
            "a trailing space is part of the secret"
        );
        assert_eq!(
            without_line_ending(b"key \n"),
            b"key ",
            "the space before the line ending stays"
        );
    }
}
