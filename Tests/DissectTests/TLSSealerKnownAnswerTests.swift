import Testing
import TestSupport
@testable import Dissect

/// The record sealer of the synthesized captures (Sources/TestSupport/TLSSealer.swift) against
/// known answers from outside this project, and against the decryptor it must be the inverse of.
@Suite struct TLSSealerKnownAnswerTests {
    /// TLS 1.2 PRF with P_SHA256: the IETF TLS WG test vector (as in TLSDecryptPRFTests).
    @Test func prf12SHA256() {
        let out = TLSKeyDerivation.prf12(.sha256, secret: hexBytes("9bbe436ba940f017b17652849a71db35"), label: "test label",
                                         seed: hexBytes("a0ba9f936cda311827a6f796ffd5198c"), length: 100)
        #expect(out == hexBytes("""
            e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a
            6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab
            4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff701
            87347b66
            """))
    }

    /// RFC 8448 §3 ("Simple 1-RTT Handshake", TLS_AES_128_GCM_SHA256): the sealer reproduces the
    /// client's first application data record and the server's second one byte for byte.
    @Test func tls13RecordsOfRFC8448() {
        let data: [UInt8] = Array(0...0x31)
        var client = TLSRecordSealer.tls13(
            trafficSecret: hexBytes("9e40646ce79a7f9dc05af8889bce6552875afa0b06df0087f792ebb7c17504a5"), hash: .sha256, keyLength: 16)
        #expect(client.seal(type: 23, data) == hexBytes("""
            17 03 03 00 43 a2 3f 70 54 b6 2c 94 d0 af fa fe 82 28 ba 55 cb ef ac ea 42 f9 14 aa 66 bc ab 3f 2b
            98 19 a8 a5 b4 6b 39 5b d5 4a 9a 20 44 1e 2b 62 97 4e 1f 5a 62 92 a2 97 70 14 bd 1e 3d ea e6 3a ee
            bb 21 69 49 15 e4
            """))
        var server = TLSRecordSealer.tls13(
            trafficSecret: hexBytes("a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643"), hash: .sha256, keyLength: 16)
        _ = server.seal(type: 22, [0x04, 0x00, 0x00, 0x00])  // sequence 0 was the NewSessionTicket
        #expect(server.seal(type: 23, data) == hexBytes("""
            17 03 03 00 43 2e 93 7e 11 ef 4a c7 40 e5 38 ad 36 00 5f c4 a4 69 32 fc 32 25 d0 5f 82 aa 1b 36 e3
            0e fa f9 7d 90 e6 df fc 60 2d cb 50 1a 59 a8 fc c4 9c 4b f2 e5 f0 a2 1c 00 47 c2 ab f3 32 54 0d d0
            32 e1 67 c2 95 5d
            """))
    }

    /// HKDF-Expand-Label and the TLS 1.2 key block agree with the decryptor's key schedule.
    @Test func derivationsAgreeWithTheDecryptor() {
        let secret = (0..<48).map { UInt8(truncatingIfNeeded: $0 * 7 + 1) }
        for label in ["key", "iv", "finished", "traffic upd"] {
            #expect(TLSKeyDerivation.hkdfExpandLabel(.sha384, secret: secret, label: label, length: 40)
                    == TLSKeySchedule.hkdfExpandLabel(.sha384, secret: secret, label: label, length: 40))
        }
        #expect(TLSKeyDerivation.prf12(.sha384, secret: secret, label: "key expansion", seed: Array(secret.prefix(20)), length: 72)
                == TLSKeySchedule.prf12(.sha384, secret: secret, label: "key expansion", seed: Array(secret.prefix(20)), length: 72))
    }

    /// A TLS 1.2 AES-256-GCM-SHA384 record sealed here opens with the decryptor's keys.
    @Test func tls12RecordOpensWithTheDecryptor() throws {
        let master = (0..<48).map { UInt8($0) }, clientRandom = [UInt8](repeating: 0xC1, count: 32), serverRandom = [UInt8](repeating: 0x5E, count: 32)
        var sealers = TLSRecordSealer.tls12(masterSecret: master, clientRandom: clientRandom, serverRandom: serverRandom, prf: .sha384, keyLength: 32)
        _ = sealers.server.seal(type: 22, [20, 0, 0, 12] + [UInt8](repeating: 9, count: 12))
        let record = sealers.server.seal(type: 23, Array("RDP inside TLS".utf8))
        let suite = TLSCipherSuite(rawValue: 0xC030)
        let keys = TLSKeySchedule.keyBlock(masterSecret: master, serverRandom: serverRandom, clientRandom: clientRandom, version: .tls12,
                                           parameters: try #require(TLSDecryptParameters(suite: suite)))
        var opener = TLSRecordOpener(cipher: .aesGCM, layout: .aead12, key: keys.server.key, iv: keys.server.iv)
        let opened = record.withUnsafeBytes { raw -> Result<TLSOpenedRecord, TLSDecryptFailure> in
            guard case let .parsed(header, _) = TLSRecordHeader.parse(raw) else { return .failure(.recordLengthInvalid) }
            return opener.open(header, fragment: UnsafeRawBufferPointer(rebasing: raw[5...]), sequence: 1)
        }
        #expect(try opened.get() == TLSOpenedRecord(contentType: .applicationData, plaintext: Array("RDP inside TLS".utf8)))
    }
}
