//! Value codec: one version byte, then bincode 2 (serde, standard config) with a size limit;
//! or, for event records in a store that has a dictionary, version 2: the same bincode
//! bytes compressed by zstd with the store's dictionary.
//!
//! The limit bounds what a damaged or hostile store file can make decoding allocate.
//! Event records are small (a few hundred bytes) and alike, so general compression gains
//! little on each alone; a dictionary trained on a store's own events gains several times.

use serde::de::DeserializeOwned;
use serde::Serialize;
use std::sync::Mutex;

/// Version of the value encoding; bumped when a stored type changes shape.
pub const VALUE_VERSION: u8 = 1;

/// A version-1 value's bincode bytes, compressed with the store's dictionary.
pub const COMPRESSED_VERSION: u8 = 2;

/// zstd level for event records: fast, and with a dictionary most of the gain is there.
const LEVEL: i32 = 3;

/// The most a trained dictionary may weigh.
pub const MAX_DICTIONARY_BYTES: usize = 64 * 1024;

/// A store's compression dictionary: trained once from its first large import, never
/// changed afterwards (every compressed record depends on it).
pub struct Dictionary {
    raw: Vec<u8>,
    decompressor: Mutex<zstd::bulk::Decompressor<'static>>,
}

impl Dictionary {
    pub fn new(raw: Vec<u8>) -> Result<Dictionary, String> {
        let decompressor = zstd::bulk::Decompressor::with_dictionary(&raw).map_err(|e| e.to_string())?;
        Ok(Dictionary {
            raw,
            decompressor: Mutex::new(decompressor),
        })
    }

    /// Train a dictionary from version-1 values.
    pub fn train(samples: &[Vec<u8>]) -> Result<Vec<u8>, String> {
        let bodies: Vec<&[u8]> = samples.iter().filter_map(|s| s.get(1..)).collect();
        zstd::dict::from_samples(&bodies, MAX_DICTIONARY_BYTES).map_err(|e| e.to_string())
    }

    pub fn raw(&self) -> &[u8] {
        &self.raw
    }

    pub fn compressor(&self) -> Result<zstd::bulk::Compressor<'static>, String> {
        zstd::bulk::Compressor::with_dictionary(LEVEL, &self.raw).map_err(|e| e.to_string())
    }

    fn decompress(&self, data: &[u8]) -> Result<Vec<u8>, String> {
        // A poisoned lock only means another decode panicked; the decompressor keeps no
        // state between calls.
        let mut d = self.decompressor.lock().unwrap_or_else(|p| p.into_inner());
        // The frame header records the content size (the compressor writes it); without it
        // the zstd crate would reserve the whole capacity for every value.
        let size = match zstd::zstd_safe::get_frame_content_size(data) {
            Ok(Some(n)) if n <= MAX_VALUE_BYTES as u64 => n as usize,
            Ok(Some(n)) => return Err(format!("a compressed value claims {n} bytes, more than the limit")),
            _ => return Err("a compressed value without a readable size".into()),
        };
        d.decompress(data, size).map_err(|e| format!("cannot decompress: {e}"))
    }
}

/// Compress a version-1 value into a version-2 one.
pub fn compress(compressor: &mut zstd::bulk::Compressor<'static>, value: &[u8]) -> Result<Vec<u8>, String> {
    match value.split_first() {
        Some((&VALUE_VERSION, body)) => {
            let mut out = Vec::with_capacity(body.len() / 2 + 16);
            out.push(COMPRESSED_VERSION);
            out.extend_from_slice(&compressor.compress(body).map_err(|e| e.to_string())?);
            Ok(out)
        }
        _ => Err("only version-1 values can be compressed".into()),
    }
}

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

/// Decode a version-1 value, or say why it cannot be decoded.
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    decode_with(bytes, None)
}

/// Decode a value of either version; version 2 needs the store's dictionary.
pub fn decode_with<T: DeserializeOwned>(bytes: &[u8], dictionary: Option<&Dictionary>) -> Result<T, String> {
    let body = |rest: &[u8]| -> Result<T, String> {
        let (value, used) = bincode::serde::decode_from_slice(rest, config()).map_err(|e| e.to_string())?;
        if used != rest.len() {
            return Err(format!("{} trailing bytes after the value", rest.len() - used));
        }
        Ok(value)
    };
    match bytes.split_first() {
        Some((&VALUE_VERSION, rest)) => body(rest),
        Some((&COMPRESSED_VERSION, rest)) => match dictionary {
            Some(d) => body(&d.decompress(rest)?),
            None => Err("a compressed value, but the store has no dictionary".into()),
        },
        Some((v, _)) => Err(format!("unknown value encoding version {v}")),
        None => Err("empty value".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Entity, PropValue};

    #[test]
    fn compressed_values_round_trip_with_the_dictionary_only() {
        let events: Vec<Vec<u8>> = (0..2000)
            .map(|i| {
                let e = Entity {
                    key: format!("person:{i:05}"),
                    entity_type: "person".into(),
                    name: format!("Person number {i} of the Ministry of Foreign Affairs"),
                    aliases: vec![format!("الشخص رقم {i}")],
                    country: Some("MAR".into()),
                    sector: Some("diplomacy".into()),
                    props: Default::default(),
                };
                encode(&e).unwrap()
            })
            .collect();
        let dict = Dictionary::new(Dictionary::train(&events).unwrap()).unwrap();
        let mut c = dict.compressor().unwrap();
        let packed = compress(&mut c, &events[7]).unwrap();
        assert_eq!(packed[0], COMPRESSED_VERSION);
        assert!(
            packed.len() < events[7].len() / 2,
            "{} vs {}",
            packed.len(),
            events[7].len()
        );
        let back: Entity = decode_with(&packed, Some(&dict)).unwrap();
        assert_eq!(back.key, "person:00007");
        assert!(decode_with::<Entity>(&packed, None)
            .unwrap_err()
            .contains("no dictionary"));
        assert!(decode_with::<Entity>(&packed[..packed.len() - 2], Some(&dict)).is_err());
    }

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
