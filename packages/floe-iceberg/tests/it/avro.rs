//! An empty Iceberg manifest list: an Avro object container file with the v2
//! `manifest_file` schema and no data block. Real catalogs read the manifest list of a
//! snapshot before they accept it, so a snapshot commit needs one on disk.

use std::path::Path;

/// The v2 manifest list schema of the Iceberg table spec (required fields, by field id).
const MANIFEST_FILE_SCHEMA: &str = r#"{"type":"record","name":"manifest_file","fields":[
{"name":"manifest_path","type":"string","field-id":500},
{"name":"manifest_length","type":"long","field-id":501},
{"name":"partition_spec_id","type":"int","field-id":502},
{"name":"content","type":"int","field-id":517},
{"name":"sequence_number","type":"long","field-id":515},
{"name":"min_sequence_number","type":"long","field-id":516},
{"name":"added_snapshot_id","type":"long","field-id":503},
{"name":"added_files_count","type":"int","field-id":504},
{"name":"existing_files_count","type":"int","field-id":505},
{"name":"deleted_files_count","type":"int","field-id":506},
{"name":"added_rows_count","type":"long","field-id":512},
{"name":"existing_rows_count","type":"long","field-id":513},
{"name":"deleted_rows_count","type":"long","field-id":514}]}"#;

/// Avro's zig-zag variable-length `long`.
fn long(value: i64) -> Vec<u8> {
    let mut n = ((value << 1) ^ (value >> 63)).cast_unsigned();
    let mut out = Vec::new();
    loop {
        let byte = u8::try_from(n & 0x7f).expect("seven bits fit a byte");
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return out;
        }
        out.push(byte | 0x80);
    }
}

fn bytes(value: &[u8]) -> Vec<u8> {
    let mut out = long(i64::try_from(value.len()).expect("a short value"));
    out.extend_from_slice(value);
    out
}

/// Writes an empty manifest list at `path`, creating its directory.
pub(crate) fn write_empty_manifest_list(path: &Path) {
    let metadata: [(&[u8], &[u8]); 3] = [
        (b"avro.schema", MANIFEST_FILE_SCHEMA.as_bytes()),
        (b"avro.codec", b"null"),
        (b"format-version", b"2"),
    ];
    let mut file = b"Obj\x01".to_vec();
    file.extend(long(3));
    for (key, value) in metadata {
        file.extend(bytes(key));
        file.extend(bytes(value));
    }
    file.extend(long(0));
    file.extend(*b"floe-sync-marker");
    std::fs::create_dir_all(path.parent().expect("a file path has a parent")).expect("mkdir");
    std::fs::write(path, file).expect("writing the manifest list");
}
