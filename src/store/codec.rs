//! Value codec: one version byte, then bincode 2 (serde, standard config) with a size limit.
//!
//! The limit bounds what a damaged or hostile store file can make decoding allocate.

use serde::de::DeserializeOwned;
use serde::Serialize;

/// Version of the value encoding; bumped when a stored type changes shape.
pub const VALUE_VERSION: u8 = 1;

/// No stored value may claim more than this many bytes.
pub const MAX_VALUE_BYTES: usize = 64 * 1024 * 1024;

fn config() -> impl bincode::config::Config {
    bincode::config::standard().with_limit::<MAX_VALUE_BYTES>()
}

pub fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, String> {
    let mut out = vec![VALUE_VERSION];
    bincode::serde::encode_into_std_write(value, &mut out, config()).map_err(|e| e.to_string())?;
    // The limit is enforced on encoding too, so that nothing is written that could not be
    // read back.
    if out.len() - 1 > MAX_VALUE_BYTES {
        return Err(format!(
            "the value is {} bytes, more than the limit of {MAX_VALUE_BYTES}",
            out.len() - 1
        ));
    }
    Ok(out)
}

/// Decode a value, or say why it cannot be decoded.
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    match bytes.split_first() {
        Some((&VALUE_VERSION, rest)) => {
            let (value, used) = bincode::serde::decode_from_slice(rest, config()).map_err(|e| e.to_string())?;
            if used != rest.len() {
                return Err(format!("{} trailing bytes after the value", rest.len() - used));
            }
            Ok(value)
        }
        Some((v, _)) => Err(format!("unknown value encoding version {v}")),
        None => Err("empty value".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Entity, PropValue};

    #[test]
    fn round_trips_and_rejects_damage() {
        let mut e = Entity {
            key: "MAR".into(),
            entity_type: "country".into(),
            name: "Morocco".into(),
            aliases: vec!["المغرب".into()],
            country: None,
            sector: None,
            props: Default::default(),
        };
        e.props.insert("lat".into(), PropValue::Float(34.02));
        let bytes = encode(&e).unwrap();
        assert_eq!(decode::<Entity>(&bytes).unwrap(), e);
        assert!(decode::<Entity>(&bytes[..bytes.len() - 3]).is_err());
        assert!(decode::<Entity>(&[9, 1, 2]).unwrap_err().contains("version 9"));
        // A length prefix claiming 2^60 bytes must fail without allocating it.
        let hostile = [VALUE_VERSION, 3, 0xFF, 0, 0, 0, 0, 0, 0, 0x10];
        assert!(decode::<Entity>(&hostile).is_err());
    }
}
