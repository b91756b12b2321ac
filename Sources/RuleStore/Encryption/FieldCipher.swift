internal import Crypto
import Foundation

/// Field-level encryption of the protected columns (providers.npi, email, phone,
/// date_of_birth; provider_identifiers.id_value): AES-256-GCM under a key that never enters the
/// database, stored as `0x01 ‖ nonce(12) ‖ ciphertext ‖ tag(16)` beside the key's id.
///
/// From one 32-byte master key, HKDF-SHA-256 derives three keys: the AES key, a nonce key and a
/// blind-index key. The nonce is HMAC(nonce key, column ‖ plaintext) cut to 12 bytes, so one
/// plaintext under one key always encrypts the same way (a re-import of an unchanged row is
/// unchanged, and a nonce never repeats with a different plaintext); the cost is that equal
/// values have equal ciphertexts, which the blind index reveals anyway.
public struct FieldCipher {
    /// First 16 hex digits of SHA-256 of the key: names the key without revealing it.
    public let keyID: String
    private let encryptionKey: SymmetricKey
    private let nonceKey: SymmetricKey
    private let blindIndexKey: SymmetricKey

    private static let formatVersion: UInt8 = 1

    /// A cipher from the 32 bytes of a master key.
    public init(keyBytes: [UInt8]) throws(KeyError) {
        guard keyBytes.count == 32 else { throw KeyError(message: "an encryption key must be 32 bytes, got \(keyBytes.count)") }
        let master = SymmetricKey(data: keyBytes)
        func derive(_ purpose: String) -> SymmetricKey {
            HKDF<SHA256>.deriveKey(inputKeyMaterial: master, salt: Array("credrules".utf8), info: Array(purpose.utf8), outputByteCount: 32)
        }
        encryptionKey = derive("field-encryption-aes-256-gcm")
        nonceKey = derive("field-encryption-nonce")
        blindIndexKey = derive("blind-index")
        keyID = String(Hex.encode(SHA256.hash(data: Array("credrules-key-id:".utf8) + keyBytes)).prefix(16))
    }

    /// The key from `CREDRULES_ENCRYPTION_KEY` (base64 of 32 bytes) or from a file holding the
    /// same base64 text; a missing or malformed key is a ``KeyError`` saying which.
    public static func fromEnvironment(keyFile: String?, variable: String = "CREDRULES_ENCRYPTION_KEY",
                                       environment: [String: String] = ProcessInfo.processInfo.environment) throws(KeyError) -> FieldCipher {
        let text: String
        let origin: String
        if let keyFile {
            guard let data = FileManager.default.contents(atPath: keyFile), let content = String(data: data, encoding: .utf8) else {
                throw KeyError(message: "cannot read the key file `\(keyFile)`")
            }
            text = content
            origin = "key file `\(keyFile)`"
        } else if let value = environment[variable], !value.isEmpty {
            text = value
            origin = variable
        } else {
            throw KeyError(message: "no encryption key: set \(variable) to the base64 of 32 random bytes (e.g. `openssl rand -base64 32`) or pass --key-file")
        }
        guard let bytes = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw KeyError(message: "the \(origin) is not base64")
        }
        do {
            return try FieldCipher(keyBytes: [UInt8](bytes))
        } catch {
            throw KeyError(message: "the \(origin): \(error.message)")
        }
    }

    /// Ciphertext of `plaintext` for `column` (e.g. `providers.npi`).
    public func encrypt(_ plaintext: String, column: String) -> [UInt8] {
        let bytes = Array(plaintext.utf8)
        let tag = HMAC<SHA256>.authenticationCode(for: Array(column.utf8) + [0] + bytes, using: nonceKey)
        // 12 bytes from HMAC is always a valid AES-GCM nonce, so this cannot fail.
        let nonce = try! AES.GCM.Nonce(data: Array(tag.prefix(12)))
        let sealed = try! AES.GCM.seal(bytes, using: encryptionKey, nonce: nonce, authenticating: Array(column.utf8))
        return [FieldCipher.formatVersion] + Array(sealed.combined!)
    }

    /// The plaintext of a value this key encrypted for `column`, or a ``KeyError`` (wrong key,
    /// other column, or damaged bytes: AES-GCM authenticates all three).
    public func decrypt(_ ciphertext: [UInt8], column: String) throws(KeyError) -> String {
        guard ciphertext.first == FieldCipher.formatVersion, ciphertext.count >= 1 + 12 + 16 else {
            throw KeyError(message: "a \(column) value is not credrules ciphertext")
        }
        do {
            let box = try AES.GCM.SealedBox(combined: ciphertext.dropFirst())
            let plain = try AES.GCM.open(box, using: encryptionKey, authenticating: Array(column.utf8))
            guard let text = String(bytes: plain, encoding: .utf8) else { throw KeyError(message: "a \(column) value is not UTF-8") }
            return text
        } catch let error as KeyError {
            throw error
        } catch {
            throw KeyError(message: "a \(column) value does not decrypt with key \(keyID): wrong key or damaged value")
        }
    }

    /// The blind index of a value: HMAC-SHA-256 under the blind-index key, for equality lookup
    /// (`WHERE npi_blind_index = $1`) without decrypting in SQL.
    public func blindIndex(_ value: String, column: String) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Array(column.utf8) + [0] + Array(value.utf8), using: blindIndexKey))
    }
}

/// A missing, malformed or wrong encryption key.
public struct KeyError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
