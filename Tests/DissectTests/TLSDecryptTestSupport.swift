import Crypto
import _CryptoExtras
@testable import Dissect
import Foundation
import Reassembly

// A test-side TLS record *encryptor*, written from the RFCs independently of
// the decryptor (only swift-crypto primitives and the PRF/HKDF, which have
// their own known-answer tests, are shared), and a harness that runs a
// synthetic handshake through a TLSConnection with a TLSDecryptor attached.

func seqBytes(_ v: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: v >> UInt64(56 - 8 * $0)) } }

enum SealerMode {
    case gcm12
    case chacha12
    /// AES-CBC + HMAC; `explicitIV` false is TLS 1.0 (IV chained from the previous record).
    case cbc(mac: TLSHashAlgorithm, encryptThenMAC: Bool, explicitIV: Bool)
    case aead13(TLSBulkCipher)
}

/// Seals records of one direction [RFC 5246 §6.2.3, RFC 5288, RFC 7905, RFC 7366, RFC 8446 §5.2].
struct TestRecordSealer {
    var mode: SealerMode
    var key: [UInt8]
    var iv: [UInt8]
    var macKey: [UInt8] = []
    var version: UInt16 = 0x0303
    var sequence: UInt64 = 0

    /// `padding`: TLS 1.3 zero bytes, or extra CBC padding blocks; `badPadding`
    /// makes the first CBC padding byte disagree with the padding length.
    mutating func seal(_ type: UInt8, _ content: [UInt8], padding: Int = 0, badPadding: Bool = false) -> [UInt8] {
        defer { sequence += 1 }
        let k = SymmetricKey(data: key)
        let version = self.version
        func header(_ length: Int) -> [UInt8] { [type] + u16(version) + u16(UInt16(length)) }
        let aad12 = seqBytes(sequence) + [type] + u16(version) + u16(UInt16(content.count))
        switch mode {
        case .gcm12:
            let explicit = seqBytes(sequence ^ 0x5A5A)  // any unique value: the sender picks it
            let box = try! AES.GCM.seal(content, using: k, nonce: AES.GCM.Nonce(data: iv + explicit), authenticating: aad12)
            let body = explicit + Array(box.ciphertext) + Array(box.tag)
            return header(body.count) + body
        case .chacha12:
            let box = try! ChaChaPoly.seal(content, using: k, nonce: ChaChaPoly.Nonce(data: nonceXOR(iv, sequence)), authenticating: aad12)
            let body = Array(box.ciphertext) + Array(box.tag)
            return header(body.count) + body
        case let .aead13(cipher):
            let inner = content + [type] + [UInt8](repeating: 0, count: padding)
            let outer = [UInt8(23)] + u16(0x0303) + u16(UInt16(inner.count + 16))
            let nonce = nonceXOR(iv, sequence)
            let body: [UInt8]
            if cipher == .chaCha20Poly1305 {
                let box = try! ChaChaPoly.seal(inner, using: k, nonce: ChaChaPoly.Nonce(data: nonce), authenticating: outer)
                body = Array(box.ciphertext) + Array(box.tag)
            } else {
                let box = try! AES.GCM.seal(inner, using: k, nonce: AES.GCM.Nonce(data: nonce), authenticating: outer)
                body = Array(box.ciphertext) + Array(box.tag)
            }
            return outer + body
        case let .cbc(mac, etm, explicitIV):
            let recordIV = explicitIV ? (0..<16).map { UInt8(truncatingIfNeeded: Int(sequence) * 31 + $0) } : iv
            var plain = content
            if !etm { plain += hmac(mac, macKey, aad12 + content) }
            let padLength = 15 - plain.count % 16 + (padding * 16)
            plain += [UInt8](repeating: UInt8(padLength), count: padLength + 1)
            if badPadding { plain[plain.count - padLength - 1] ^= 0x01 }
            let ct = Array(try! AES._CBC.encrypt(plain, using: k, iv: AES._CBC.IV(ivBytes: recordIV), noPadding: true))
            if !explicitIV { iv = Array(ct.suffix(16)) }
            var body = (explicitIV ? recordIV : []) + ct
            if etm {
                body += hmac(mac, macKey, seqBytes(sequence) + [type] + u16(version) + u16(UInt16(body.count)) + body)
            }
            return header(body.count) + body
        }
    }
}

func nonceXOR(_ iv: [UInt8], _ seq: UInt64) -> [UInt8] {
    var n = iv
    for (i, b) in seqBytes(seq).enumerated() { n[n.count - 8 + i] ^= b }
    return n
}

func hmac(_ hash: TLSHashAlgorithm, _ key: [UInt8], _ data: [UInt8]) -> [UInt8] {
    let k = SymmetricKey(data: key)
    switch hash {
    case .sha1: return Array(HMAC<Insecure.SHA1>.authenticationCode(for: data, using: k))
    case .sha256: return Array(HMAC<SHA256>.authenticationCode(for: data, using: k))
    case .sha384: return Array(HMAC<SHA384>.authenticationCode(for: data, using: k))
    case .md5: return Array(HMAC<Insecure.MD5>.authenticationCode(for: data, using: k))
    }
}

// MARK: hellos

let testClientRandom: [UInt8] = (0..<32).map { UInt8(0xC0 &+ $0) }
let testServerRandom: [UInt8] = (0..<32).map { UInt8(0x50 &+ $0 &* 3) }

func clientHelloRecord(random: [UInt8] = testClientRandom, suites: [UInt16]) -> [UInt8] {
    let body = u16(0x0303) + random + vec8([]) + vec16(suites.flatMap(u16)) + vec8([0])
    return record(22, handshakeMessage(1, body), version: 0x0301)
}

/// A ServerHello; TLS 1.3 adds supported_versions, `extensions` more (type, data).
func serverHelloRecord(suite: UInt16, tls13: Bool, version: UInt16 = 0x0303, extensions: [(UInt16, [UInt8])] = []) -> [UInt8] {
    var ext: [UInt8] = []
    if tls13 { ext += u16(43) + vec16(u16(0x0304)) }
    for (type, data) in extensions { ext += u16(type) + vec16(data) }
    let body = u16(version) + testServerRandom + vec8([]) + u16(suite) + [0] + (ext.isEmpty ? [] : vec16(ext))
    return record(22, handshakeMessage(2, body), version: version)
}

// MARK: harness

/// A connection with a decryptor attached; `send` feeds bytes with a frame number.
final class DecryptHarness {
    let connection = TLSConnection()
    let decryptor: TLSDecryptor
    var frame = 0
    var parserEvents: [(Direction, TLSEvent)] = []

    init(keyLog: TLSKeyLog) {
        decryptor = TLSDecryptor(keyLog: keyLog, session: connection.session)
        decryptor.attach(to: connection)
    }

    func send(_ direction: Direction, _ bytes: [UInt8]) {
        frame += 1
        bytes.withUnsafeBytes { connection.feed(direction, bytes: $0, frame: frame) }
        parserEvents += connection.parser(direction).takeEvents().map { (direction, $0) }
    }

    func events(_ direction: Direction) -> [TLSDecryptedEvent] { decryptor.takeEvents(direction) }

    /// Application data plaintexts of a direction, one per record.
    func applicationData(_ events: [TLSDecryptedEvent]) -> [[UInt8]] {
        events.compactMap { if case let .applicationData(b, _) = $0 { return b } else { return nil } }
    }
}

func keyLog(_ text: String) -> TLSKeyLog {
    var log = TLSKeyLog()
    log.add(text: text)
    return log
}

func hexString(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
