import Crypto
import _CryptoExtras
import Foundation

/// Why a protected record was not decrypted. The raw values are stable
/// snake_case codes for reports.
public enum TLSDecryptFailure: String, Error, Hashable, Sendable, CustomStringConvertible {
    /// The AEAD tag or the HMAC did not verify: wrong secret, wrong sequence
    /// number (a record missing from the capture) or damaged bytes.
    case badRecordMAC = "bad_record_mac"
    /// CBC padding bytes do not all equal the padding length [RFC 5246 §6.2.3.2].
    case paddingInvalid = "padding_invalid"
    /// The key log has secrets for the connection, but not those this
    /// record's keys come from (or the ServerHello was not seen).
    case noKeys = "no_keys"
    case unsupportedCipherSuite = "unsupported_cipher_suite"
    /// Shorter than nonce + tag, or (CBC) not whole blocks after the IV.
    case recordLengthInvalid = "record_length_invalid"
    /// TLS 1.3: the inner plaintext is all zeros [RFC 8446 §5.4].
    case innerContentTypeMissing = "inner_content_type_missing"
    /// TLS ≤ 1.2 renegotiation: new keys from a second key exchange.
    case renegotiationUnsupported = "renegotiation_unsupported"

    public var description: String { rawValue }
}

/// A decrypted record: the real content type and the content.
public struct TLSOpenedRecord: Hashable, Sendable {
    public var contentType: TLSContentType
    public var plaintext: [UInt8]
}

/// The read keys of one direction and one key epoch, and how records under
/// them are laid out. Sequence numbers are kept by the caller.
struct TLSRecordOpener {
    enum Layout {
        /// TLS 1.2 AEAD [RFC 5246 §6.2.3.3].
        case aead12
        /// TLS 1.3 AEAD [RFC 8446 §5.2].
        case aead13
        /// TLS ≤ 1.2 CBC + HMAC [RFC 5246 §6.2.3.2], or encrypt-then-MAC [RFC 7366].
        case cbc(encryptThenMAC: Bool, explicitIV: Bool)
    }

    let cipher: TLSBulkCipher
    let layout: Layout
    let key: SymmetricKey
    /// GCM salt, ChaCha20/TLS 1.3 IV; for TLS 1.0 CBC the IV of the next record.
    private(set) var iv: [UInt8]
    let mac: TLSHashAlgorithm?
    let macKey: [UInt8]

    static let tagLength = 16
    static let blockSize = 16

    init(cipher: TLSBulkCipher, layout: Layout, key: [UInt8], iv: [UInt8], mac: TLSHashAlgorithm? = nil, macKey: [UInt8] = []) {
        self.cipher = cipher
        self.layout = layout
        self.key = SymmetricKey(data: key)
        self.iv = iv
        self.mac = mac
        self.macKey = macKey
    }

    /// Decrypts and authenticates one record's fragment; `sequence` is its
    /// 64-bit record sequence number in this epoch.
    mutating func open(
        _ header: TLSRecordHeader, fragment: UnsafeRawBufferPointer, sequence: UInt64
    ) -> Result<TLSOpenedRecord, TLSDecryptFailure> {
        switch layout {
        case .aead12: return openAEAD12(header, fragment, sequence)
        case .aead13: return openAEAD13(header, fragment, sequence)
        case let .cbc(etm, explicitIV): return openCBC(header, fragment, sequence, encryptThenMAC: etm, explicitIV: explicitIV)
        }
    }

    // MARK: AEAD

    /// TLS 1.2 [RFC 5246 §6.2.3.3]: `additional_data = seq_num + type + version + length`
    /// (length of the plaintext). AES-GCM [RFC 5288 §3]: nonce = salt(4) +
    /// the 8-byte explicit nonce that starts the fragment. ChaCha20-Poly1305
    /// [RFC 7905 §2]: no explicit nonce; nonce = IV XOR (0^32 + seq_num).
    private func openAEAD12(_ header: TLSRecordHeader, _ fragment: UnsafeRawBufferPointer, _ seq: UInt64)
        -> Result<TLSOpenedRecord, TLSDecryptFailure>
    {
        let explicit = cipher == .aesGCM ? 8 : 0
        guard fragment.count >= explicit + Self.tagLength else { return .failure(.recordLengthInvalid) }
        let nonce = explicit > 0 ? iv + Array(fragment[0..<explicit]) : xorSequence(iv, seq)
        let ciphertext = UnsafeRawBufferPointer(rebasing: fragment[explicit..<fragment.count - Self.tagLength])
        let tag = UnsafeRawBufferPointer(rebasing: fragment[(fragment.count - Self.tagLength)...])
        var aad = bigEndian(seq)
        aad.append(header.contentType.rawValue)
        aad += u16(header.legacyVersion.rawValue)
        aad += u16(UInt16(truncatingIfNeeded: ciphertext.count))
        return aeadOpen(nonce: nonce, ciphertext: ciphertext, tag: tag, aad: aad)
            .map { TLSOpenedRecord(contentType: header.contentType, plaintext: $0) }
    }

    /// TLS 1.3 [RFC 8446 §5.2, §5.3]: nonce = iv XOR padded seq_num;
    /// additional_data = the record header as sent; the plaintext is
    /// `content | ContentType type | zeros`.
    private func openAEAD13(_ header: TLSRecordHeader, _ fragment: UnsafeRawBufferPointer, _ seq: UInt64)
        -> Result<TLSOpenedRecord, TLSDecryptFailure>
    {
        guard fragment.count >= Self.tagLength + 1 else { return .failure(.recordLengthInvalid) }
        let ciphertext = UnsafeRawBufferPointer(rebasing: fragment[..<(fragment.count - Self.tagLength)])
        let tag = UnsafeRawBufferPointer(rebasing: fragment[(fragment.count - Self.tagLength)...])
        var aad: [UInt8] = [header.contentType.rawValue]
        aad += u16(header.legacyVersion.rawValue)
        aad += u16(UInt16(truncatingIfNeeded: fragment.count))
        switch aeadOpen(nonce: xorSequence(iv, seq), ciphertext: ciphertext, tag: tag, aad: aad) {
        case let .failure(f):
            return .failure(f)
        case var .success(inner):
            while let last = inner.last, last == 0 { inner.removeLast() }
            guard let type = inner.popLast() else { return .failure(.innerContentTypeMissing) }
            return .success(TLSOpenedRecord(contentType: TLSContentType(rawValue: type), plaintext: inner))
        }
    }

    private func aeadOpen(nonce: [UInt8], ciphertext: UnsafeRawBufferPointer, tag: UnsafeRawBufferPointer, aad: [UInt8])
        -> Result<[UInt8], TLSDecryptFailure>
    {
        do {
            switch cipher {
            case .aesGCM:
                let box = try AES.GCM.SealedBox(nonce: AES.GCM.Nonce(data: nonce), ciphertext: ciphertext, tag: tag)
                return .success(Array(try AES.GCM.open(box, using: key, authenticating: aad)))
            case .chaCha20Poly1305:
                let box = try ChaChaPoly.SealedBox(nonce: ChaChaPoly.Nonce(data: nonce), ciphertext: ciphertext, tag: tag)
                return .success(Array(try ChaChaPoly.open(box, using: key, authenticating: aad)))
            case .aesCBC:
                return .failure(.unsupportedCipherSuite)
            }
        } catch {
            return .failure(.badRecordMAC)
        }
    }

    // MARK: CBC

    /// Block cipher records [RFC 5246 §6.2.3.2; RFC 4346 §6.2.3.2; RFC 2246 §6.2.3.2]:
    /// ```
    /// TLS ≥ 1.1: IV(16) | E(content | MAC | padding | padding_length)
    /// TLS 1.0:   E(...) with the IV chained from the previous record's last block
    /// MAC = HMAC(mac_key, seq_num | type | version | length | content)
    /// ```
    /// Encrypt-then-MAC [RFC 7366 §3]: `IV | E(content | padding) | MAC`, the
    /// MAC over `seq_num | type | version | length(IV+ciphertext) | IV | ciphertext`.
    /// Timing does not matter here (we only read), so checks are plain.
    private mutating func openCBC(
        _ header: TLSRecordHeader, _ fragment: UnsafeRawBufferPointer, _ seq: UInt64, encryptThenMAC: Bool, explicitIV: Bool
    ) -> Result<TLSOpenedRecord, TLSDecryptFailure> {
        guard let mac else { return .failure(.unsupportedCipherSuite) }
        let block = Self.blockSize
        let macLength = mac.length
        let ivLength = explicitIV ? block : 0
        let trailer = encryptThenMAC ? macLength : 0
        let body = fragment.count - ivLength - trailer
        guard body >= block, body % block == 0 else { return .failure(.recordLengthInvalid) }
        let recordIV = explicitIV ? Array(fragment[0..<block]) : iv
        let ciphertext = Array(fragment[ivLength..<ivLength + body])
        if !explicitIV { iv = Array(ciphertext.suffix(block)) }

        if encryptThenMAC {
            let expected = mac.hmac(
                key: macKey, bigEndian(seq), [header.contentType.rawValue], u16(header.legacyVersion.rawValue),
                u16(UInt16(truncatingIfNeeded: ivLength + body)), Array(fragment[0..<ivLength + body])
            )
            guard expected.elementsEqual(fragment[(ivLength + body)...]) else { return .failure(.badRecordMAC) }
        }
        let padded: [UInt8]
        do {
            padded = Array(try AES._CBC.decrypt(ciphertext, using: key, iv: AES._CBC.IV(ivBytes: recordIV), noPadding: true))
        } catch {
            return .failure(.badRecordMAC)
        }
        guard let padLength = padded.last.map(Int.init), padLength + 1 + (encryptThenMAC ? 0 : macLength) <= padded.count,
              padded.suffix(padLength + 1).allSatisfy({ Int($0) == padLength })
        else { return .failure(.paddingInvalid) }
        let unpadded = padded.count - padLength - 1
        if encryptThenMAC {
            return .success(TLSOpenedRecord(contentType: header.contentType, plaintext: Array(padded[..<unpadded])))
        }
        let contentLength = unpadded - macLength
        let content = Array(padded[..<contentLength])
        let expected = mac.hmac(
            key: macKey, bigEndian(seq), [header.contentType.rawValue], u16(header.legacyVersion.rawValue),
            u16(UInt16(truncatingIfNeeded: contentLength)), content
        )
        guard expected.elementsEqual(padded[contentLength..<unpadded]) else { return .failure(.badRecordMAC) }
        return .success(TLSOpenedRecord(contentType: header.contentType, plaintext: content))
    }
}

// MARK: helpers

/// The 8-byte big-endian sequence number [RFC 5246 §6.1 seq_num].
func bigEndian(_ v: UInt64) -> [UInt8] {
    (0..<8).map { UInt8(truncatingIfNeeded: v >> (56 - 8 * UInt64($0))) }
}

private func u16(_ v: UInt16) -> [UInt8] { [UInt8(v >> 8), UInt8(v & 0xFF)] }

/// `iv XOR (sequence number left-padded to the IV length)` [RFC 8446 §5.3, RFC 7905 §2].
func xorSequence(_ iv: [UInt8], _ seq: UInt64) -> [UInt8] {
    var nonce = iv
    let s = bigEndian(seq)
    let offset = nonce.count - 8
    guard offset >= 0 else { return nonce }
    for i in 0..<8 { nonce[offset + i] ^= s[i] }
    return nonce
}
