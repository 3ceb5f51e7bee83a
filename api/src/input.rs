//! Reading the snarkjs documents a command is given, refusing oversized files before reading
//! them whole, and parsing them with the aggregator's strict parsers.

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use sheaf_aggregator::snarkjs::MAX_JSON_BYTES;
use sheaf_aggregator::{
    FormatError, PreparedVerifyingKey, Proof, VerifyingKey, public_signals_from_json,
};

/// Why a file could not be used, with the file's path as it was given.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// The file could not be opened or read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: io::Error,
    },
    /// The file was read but its content was rejected (too large, malformed, invalid).
    #[error("{}: {source}", path.display())]
    Format {
        /// The file.
        path: PathBuf,
        /// Why it was rejected.
        source: FormatError,
    },
}

/// Reads at most `max` bytes of the file at `path`: a file whose metadata says it is larger is
/// refused before any of it is read, and one that turns out larger while being read (a pipe, a
/// growing file) is refused after `max + 1` bytes.
pub fn read_capped(path: &Path, max: usize) -> Result<Vec<u8>, InputError> {
    let io_error = |source| InputError::Io {
        path: path.to_owned(),
        source,
    };
    let too_large = |len: u64| InputError::Format {
        path: path.to_owned(),
        source: FormatError::TooLarge {
            len: usize::try_from(len).unwrap_or(usize::MAX),
            max,
        },
    };
    let file = File::open(path).map_err(io_error)?;
    let len = file.metadata().map_err(io_error)?.len();
    if len > max as u64 {
        return Err(too_large(len));
    }
    let mut bytes = Vec::with_capacity(len as usize);
    file.take(max as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(io_error)?;
    if bytes.len() > max {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
}

/// Reads a file of at most [`MAX_JSON_BYTES`] and parses it with `parse`, naming the file in
/// the error.
pub(crate) fn parse_file<T>(
    path: &Path,
    parse: impl FnOnce(&[u8]) -> Result<T, FormatError>,
) -> Result<T, InputError> {
    let bytes = read_capped(path, MAX_JSON_BYTES)?;
    parse(&bytes).map_err(|source| InputError::Format {
        path: path.to_owned(),
        source,
    })
}

/// Verifies one Groth16 proof given as snarkjs files: `Ok(true)` when it is valid, `Ok(false)`
/// when the files are well-formed but the proof does not verify, an error naming the first
/// file that could not be read or was rejected (the key, then the proof, then the signals).
pub fn verify_files(vk: &Path, proof: &Path, public: &Path) -> Result<bool, InputError> {
    let key = parse_file(vk, VerifyingKey::from_snarkjs_json)?;
    let proof = parse_file(proof, Proof::from_snarkjs_json)?;
    let n_public = key.n_public();
    let signals = parse_file(public, |json| public_signals_from_json(json, n_public))?;
    // The count was checked when parsing the signals, so `verify` cannot fail here; its error
    // is still the signals file's if it does.
    PreparedVerifyingKey::new(key)
        .verify(&proof, &signals)
        .map_err(|source| InputError::Format {
            path: public.to_owned(),
            source,
        })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]
    use super::*;

    #[test]
    fn reads_small_files_and_refuses_large_ones() {
        let dir = std::env::temp_dir().join(format!("sheaf-read-capped-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("doc.json");
        std::fs::write(&path, b"[\"1\"]").unwrap();
        assert_eq!(read_capped(&path, 5).unwrap(), b"[\"1\"]");
        match read_capped(&path, 4) {
            Err(InputError::Format {
                source: FormatError::TooLarge { len: 5, max: 4 },
                ..
            }) => {}
            other => panic!("{other:?}"),
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// A device whose metadata says 0 bytes but that never ends: the `take` cap stops it.
    #[cfg(unix)]
    #[test]
    fn an_endless_file_is_cut_off() {
        match read_capped(Path::new("/dev/zero"), 16) {
            Err(InputError::Format {
                source: FormatError::TooLarge { len: 17, max: 16 },
                ..
            }) => {}
            other => panic!("{other:?}"),
        }
    }
}
