internal import Crypto

/// The uuid of a row that came from a file: the first 16 bytes of SHA-256 of `credrules:` and
/// the file id, stamped as an RFC 9562 version-8 uuid. SQL's `credrules_id(text)` computes the
/// same value, so `prov-000001` has one uuid everywhere and an import is an upsert by id.
public enum RowID {
    public static func uuid(forExternalID externalID: String) -> String {
        var digest = Array(SHA256.hash(data: Array(("credrules:" + externalID).utf8)).prefix(16))
        digest[6] = (digest[6] & 0x0f) | 0x80
        digest[8] = (digest[8] & 0x3f) | 0x80
        let hex = Hex.encode(digest)
        let utf8 = Array(hex.utf8)
        func part(_ range: Range<Int>) -> String { String(decoding: utf8[range], as: UTF8.self) }
        return "\(part(0..<8))-\(part(8..<12))-\(part(12..<16))-\(part(16..<20))-\(part(20..<32))"
    }
}
