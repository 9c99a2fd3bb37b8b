@testable import Dissect
import Reassembly
import Testing

// Known answers from outside this project.

@Suite struct TLSDecryptPRFTests {
    /// TLS 1.2 PRF with P_SHA256, 100 bytes: the test vector posted to the
    /// IETF TLS WG list (https://www.ietf.org/mail-archive/web/tls/current/msg03416.html),
    /// also what OpenSSL 3 `openssl kdf -kdfopt digest:SHA2-256 ... TLS1-PRF` gives.
    @Test func prfSHA256() {
        let out = TLSKeySchedule.prf12(
            .sha256, secret: hexBytes("9bbe436ba940f017b17652849a71db35"), label: "test label",
            seed: hexBytes("a0ba9f936cda311827a6f796ffd5198c"), length: 100
        )
        #expect(out == hexBytes("""
            e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a
            6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab
            4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff701
            87347b66
            """))
    }

    /// P_SHA384, 148 bytes: the SHA-384 vector of the same TLS WG post,
    /// checked against OpenSSL 3.0 `openssl kdf -keylen 148 -kdfopt digest:SHA2-384
    /// -kdfopt hexsecret:b80b... -kdfopt seed:"test label" -kdfopt hexseed:cd66... TLS1-PRF`.
    @Test func prfSHA384() {
        let out = TLSKeySchedule.prf12(
            .sha384, secret: hexBytes("b80b733d6ceefcdc71566ea48e5567df"), label: "test label",
            seed: hexBytes("cd665cf6a8447dd6ff8b27555edb7465"), length: 148
        )
        #expect(out == hexBytes("""
            7b0c18e9ced410ed1804f2cfa34a336a1c14dffb4900bb5fd7942107e81c83cd
            e9ca0faa60be9fe34f82b1233c9146a0e534cb400fed2700884f9dc236f80edd
            8bfa961144c9e8d792eca722a7b32fc3d416d473ebc2c5fd4abfdad05d918425
            9b5bf8cd4d90fa0d31e2dec479e4f1a26066f2eea9a69236a3e52655c9e9aee6
            91c8f3a26854308d5eaa3be85e0990703d73e56f
            """))
    }

    /// TLS 1.0/1.1 PRF (P_MD5 XOR P_SHA-1), 100 bytes, from OpenSSL 3.0
    /// `openssl kdf -keylen 100 -kdfopt digest:MD5-SHA1 -kdfopt hexsecret:9bbe...
    /// -kdfopt seed:"test label" -kdfopt hexseed:a0ba... TLS1-PRF`.
    @Test func prfTLS10() {
        let out = TLSKeySchedule.prf10(
            secret: hexBytes("9bbe436ba940f017b17652849a71db35"), label: "test label",
            seed: hexBytes("a0ba9f936cda311827a6f796ffd5198c"), length: 100
        )
        #expect(out == hexBytes("""
            661740e6f98bc901efd2738502a71c03f76dd2f86298549b1148eff06714cf0f
            6b7c532cd8c69f1530e0bb680eec34c495fa75a8bfcc9c335484c0d3d194ab6e
            32975903c50ebcdbe9d67c0591bdbd80dddcc36d33ccd58adf96caae173f48dc
            40f983e2
            """))
    }

    @Test(arguments: [
        (0xC02F, TLSBulkCipher.aesGCM, 16, TLSHashAlgorithm?.none, TLSHashAlgorithm.sha256),
        (0xC030, .aesGCM, 32, nil, .sha384),
        (0xCCA8, .chaCha20Poly1305, 32, nil, .sha256),
        (0xC013, .aesCBC, 16, .sha1, .sha256),
        (0xC028, .aesCBC, 32, .sha384, .sha384),
        (0x003D, .aesCBC, 32, .sha256, .sha256),
        (0x1302, .aesGCM, 32, nil, .sha384),
        (0x1303, .chaCha20Poly1305, 32, nil, .sha256),
    ] as [(UInt16, TLSBulkCipher, Int, TLSHashAlgorithm?, TLSHashAlgorithm)])
    func suiteParameters(_ suite: UInt16, _ cipher: TLSBulkCipher, _ keyLength: Int, _ mac: TLSHashAlgorithm?, _ prf: TLSHashAlgorithm) {
        let p = TLSDecryptParameters(suite: TLSCipherSuite(rawValue: suite))
        #expect(p?.cipher == cipher && p?.keyLength == keyLength && p?.mac == mac && p?.prfHash == prf)
    }

    @Test(arguments: [0xC09C, 0x1304, 0x1305, 0x000A, 0x0005, 0x0002, 0x00FF, 0xABCD] as [UInt16])
    func unsupportedSuites(_ suite: UInt16) {
        #expect(TLSDecryptParameters(suite: TLSCipherSuite(rawValue: suite)) == nil)
    }
}

// MARK: RFC 8448 §3, "Simple 1-RTT Handshake" (TLS_AES_128_GCM_SHA256)

private enum RFC8448 {
    static let clientRandom = hexBytes("cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef6283024dece7")
    static let clientHandshakeSecret = hexBytes("b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21")
    static let serverHandshakeSecret = hexBytes("b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38")
    static let clientApplicationSecret = hexBytes("9e40646ce79a7f9dc05af8889bce6552875afa0b06df0087f792ebb7c17504a5")
    static let serverApplicationSecret = hexBytes("a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643")

    /// "{server} send handshake record": EncryptedExtensions, Certificate,
    /// CertificateVerify, Finished under the server handshake keys, sequence 0.
    static let serverHandshakeRecord = hexBytes("""
        17 03 03 02 a2 d1 ff 33 4a 56 f5 bf f6 59 4a 07 cc 87 b5 80 23 3f 50 0f 45 e4 89 e7 f3 3a f3 5e df
        78 69 fc f4 0a a4 0a a2 b8 ea 73 f8 48 a7 ca 07 61 2e f9 f9 45 cb 96 0b 40 68 90 51 23 ea 78 b1 11
        b4 29 ba 91 91 cd 05 d2 a3 89 28 0f 52 61 34 aa dc 7f c7 8c 4b 72 9d f8 28 b5 ec f7 b1 3b d9 ae fb
        0e 57 f2 71 58 5b 8e a9 bb 35 5c 7c 79 02 07 16 cf b9 b1 18 3e f3 ab 20 e3 7d 57 a6 b9 d7 47 76 09
        ae e6 e1 22 a4 cf 51 42 73 25 25 0c 7d 0e 50 92 89 44 4c 9b 3a 64 8f 1d 71 03 5d 2e d6 5b 0e 3c dd
        0c ba e8 bf 2d 0b 22 78 12 cb b3 60 98 72 55 cc 74 41 10 c4 53 ba a4 fc d6 10 92 8d 80 98 10 e4 b7
        ed 1a 8f d9 91 f0 6a a6 24 82 04 79 7e 36 a6 a7 3b 70 a2 55 9c 09 ea d6 86 94 5b a2 46 ab 66 e5 ed
        d8 04 4b 4c 6d e3 fc f2 a8 94 41 ac 66 27 2f d8 fb 33 0e f8 19 05 79 b3 68 45 96 c9 60 bd 59 6e ea
        52 0a 56 a8 d6 50 f5 63 aa d2 74 09 96 0d ca 63 d3 e6 88 61 1e a5 e2 2f 44 15 cf 95 38 d5 1a 20 0c
        27 03 42 72 96 8a 26 4e d6 54 0c 84 83 8d 89 f7 2c 24 46 1a ad 6d 26 f5 9e ca ba 9a cb bb 31 7b 66
        d9 02 f4 f2 92 a3 6a c1 b6 39 c6 37 ce 34 31 17 b6 59 62 22 45 31 7b 49 ee da 0c 62 58 f1 00 d7 d9
        61 ff b1 38 64 7e 92 ea 33 0f ae ea 6d fa 31 c7 a8 4d c3 bd 7e 1b 7a 6c 71 78 af 36 87 90 18 e3 f2
        52 10 7f 24 3d 24 3d c7 33 9d 56 84 c8 b0 37 8b f3 02 44 da 8c 87 c8 43 f5 e5 6e b4 c5 e8 28 0a 2b
        48 05 2c f9 3b 16 49 9a 66 db 7c ca 71 e4 59 94 26 f7 d4 61 e6 6f 99 88 2b d8 9f c5 08 00 be cc a6
        2d 6c 74 11 6d bd 29 72 fd a1 fa 80 f8 5d f8 81 ed be 5a 37 66 89 36 b3 35 58 3b 59 91 86 dc 5c 69
        18 a3 96 fa 48 a1 81 d6 b6 fa 4f 9d 62 d5 13 af bb 99 2f 2b 99 2f 67 f8 af e6 7f 76 91 3f a3 88 cb
        56 30 c8 ca 01 e0 c6 5d 11 c6 6a 1e 2a c4 c8 59 77 b7 c7 a6 99 9b bf 10 dc 35 ae 69 f5 51 56 14 63
        6c 0b 9b 68 c1 9e d2 e3 1c 0b 3b 66 76 30 38 eb ba 42 f3 b3 8e dc 03 99 f3 a9 f2 3f aa 63 97 8c 31
        7f c9 fa 66 a7 3f 60 f0 50 4d e9 3b 5b 84 5e 27 55 92 c1 23 35 ee 34 0b bc 4f dd d5 02 78 40 16 e4
        b3 be 7e f0 4d da 49 f4 b4 40 a3 0c b5 d2 af 93 98 28 fd 4a e3 79 4e 44 f9 4d f5 a6 31 ed e4 2c 17
        19 bf da bf 02 53 fe 51 75 be 89 8e 75 0e dc 53 37 0d 2b
        """)
    /// The EncryptedExtensions message at the start of that record's plaintext.
    static let encryptedExtensions = hexBytes("""
        08 00 00 24 00 22 00 0a 00 14 00 12 00 1d 00 17 00 18 00 19 01 00 01 01 01 02 01 03 01 04 00 1c
        00 02 40 01 00 00 00 00
        """)
    /// The server Finished's verify_data.
    static let serverVerifyData = hexBytes("9b9b141d906337fbd2cbdce71df4deda4ab42c309572cb7fffee5454b78f0718")

    /// "{client} send handshake record": the client Finished, client handshake keys, sequence 0.
    static let clientFinishedRecord = hexBytes("""
        17 03 03 00 35 75 ec 4d c2 38 cc e6 0b 29 80 44 a7 1e 21 9c 56 cc 77 b0 51 7f e9 b9 3c 7a 4b fc 44
        d8 7f 38 f8 03 38 ac 98 fc 46 de b3 84 bd 1c ae ac ab 68 67 d7 26 c4 05 46
        """)
    /// "{client} send application_data record": sequence 0 under the client application keys.
    static let clientApplicationRecord = hexBytes("""
        17 03 03 00 43 a2 3f 70 54 b6 2c 94 d0 af fa fe 82 28 ba 55 cb ef ac ea 42 f9 14 aa 66 bc ab 3f 2b
        98 19 a8 a5 b4 6b 39 5b d5 4a 9a 20 44 1e 2b 62 97 4e 1f 5a 62 92 a2 97 70 14 bd 1e 3d ea e6 3a ee
        bb 21 69 49 15 e4
        """)
    /// "{server} send application_data record": sequence 1 (the NewSessionTicket was 0).
    static let serverApplicationRecord = hexBytes("""
        17 03 03 00 43 2e 93 7e 11 ef 4a c7 40 e5 38 ad 36 00 5f c4 a4 69 32 fc 32 25 d0 5f 82 aa 1b 36 e3
        0e fa f9 7d 90 e6 df fc 60 2d cb 50 1a 59 a8 fc c4 9c 4b f2 e5 f0 a2 1c 00 47 c2 ab f3 32 54 0d d0
        32 e1 67 c2 95 5d
        """)
    /// Both sides send the 50 bytes 00 01 ... 31.
    static let applicationData: [UInt8] = Array(0...0x31)

    static func open(_ record: [UInt8], secret: [UInt8], sequence: UInt64) -> Result<TLSOpenedRecord, TLSDecryptFailure> {
        let keys = TLSKeySchedule.trafficKeys(.sha256, secret: secret, keyLength: 16)
        var opener = TLSRecordOpener(cipher: .aesGCM, layout: .aead13, key: keys.key, iv: keys.iv)
        return record.withUnsafeBytes { raw in
            guard case let .parsed(header, _) = TLSRecordHeader.parse(raw) else { return .failure(.recordLengthInvalid) }
            return opener.open(header, fragment: UnsafeRawBufferPointer(rebasing: raw[5...]), sequence: sequence)
        }
    }
}

@Suite struct TLSDecryptRFC8448Tests {
    /// "{server} derive write traffic keys for handshake data" and the
    /// application data keys of both sides.
    @Test func trafficKeys() {
        let hs = TLSKeySchedule.trafficKeys(.sha256, secret: RFC8448.serverHandshakeSecret, keyLength: 16)
        #expect(hs.key == hexBytes("3fce516009c21727d0f2e4e86ee403bc"))
        #expect(hs.iv == hexBytes("5d313eb2671276ee13000b30"))
        let chs = TLSKeySchedule.trafficKeys(.sha256, secret: RFC8448.clientHandshakeSecret, keyLength: 16)
        #expect(chs.key == hexBytes("dbfaa693d1762c5b666af5d950258d01"))
        #expect(chs.iv == hexBytes("5bd3c71b836e0b76bb73265f"))
        let cap = TLSKeySchedule.trafficKeys(.sha256, secret: RFC8448.clientApplicationSecret, keyLength: 16)
        #expect(cap.key == hexBytes("17422dda596ed5d9acd890e3c63f5051"))
        #expect(cap.iv == hexBytes("5b78923dee08579033e523d9"))
        let sap = TLSKeySchedule.trafficKeys(.sha256, secret: RFC8448.serverApplicationSecret, keyLength: 16)
        #expect(sap.key == hexBytes("9f02283b6c9c07efc26bb9f2ac92e356"))
        #expect(sap.iv == hexBytes("cf782b88dd83549aadf1e984"))
    }

    /// "{server} calculate finished": HKDF-Expand-Label(server handshake
    /// traffic secret, "finished", "", 32), a label other than key/iv.
    @Test func finishedKey() {
        let key = TLSKeySchedule.hkdfExpandLabel(.sha256, secret: RFC8448.serverHandshakeSecret, label: "finished", length: 32)
        #expect(key == hexBytes("008d3b66f816ea559f96b537e885c31fc068bf492c652f01f288a1d8cdc19fc8"))
    }

    @Test func serverHandshakeRecord() throws {
        #expect(RFC8448.serverHandshakeRecord.count == 679)
        let opened = try RFC8448.open(RFC8448.serverHandshakeRecord, secret: RFC8448.serverHandshakeSecret, sequence: 0).get()
        #expect(opened.contentType == .handshake)
        let p = opened.plaintext
        #expect(p.count == 657)
        #expect(Array(p[0..<40]) == RFC8448.encryptedExtensions)
        // Certificate (11, 0x1b9), CertificateVerify (15, 0x84), Finished (20, 0x20).
        #expect(Array(p[40..<44]) == [0x0B, 0x00, 0x01, 0xB9])
        #expect(Array(p[485..<489]) == [0x0F, 0x00, 0x00, 0x84])
        #expect(Array(p[621..<625]) == [0x14, 0x00, 0x00, 0x20])
        #expect(Array(p[625...]) == RFC8448.serverVerifyData)
        // Not at another sequence number.
        #expect((try? RFC8448.open(RFC8448.serverHandshakeRecord, secret: RFC8448.serverHandshakeSecret, sequence: 1).get()) == nil)
    }

    @Test func applicationRecords() throws {
        let client = try RFC8448.open(RFC8448.clientApplicationRecord, secret: RFC8448.clientApplicationSecret, sequence: 0).get()
        #expect(client == TLSOpenedRecord(contentType: .applicationData, plaintext: RFC8448.applicationData))
        let server = try RFC8448.open(RFC8448.serverApplicationRecord, secret: RFC8448.serverApplicationSecret, sequence: 1).get()
        #expect(server == TLSOpenedRecord(contentType: .applicationData, plaintext: RFC8448.applicationData))
    }

    /// The whole client side and the server's handshake through a
    /// TLSDecryptor, secrets from a key log as OpenSSL would write it.
    @Test func throughTheDecryptor() {
        let r = hexString(RFC8448.clientRandom)
        let log = keyLog("""
            SERVER_HANDSHAKE_TRAFFIC_SECRET \(r) \(hexString(RFC8448.serverHandshakeSecret))
            CLIENT_HANDSHAKE_TRAFFIC_SECRET \(r) \(hexString(RFC8448.clientHandshakeSecret))
            SERVER_TRAFFIC_SECRET_0 \(r) \(hexString(RFC8448.serverApplicationSecret))
            CLIENT_TRAFFIC_SECRET_0 \(r) \(hexString(RFC8448.clientApplicationSecret))
            """)
        let h = DecryptHarness(keyLog: log)
        h.send(.clientToServer, clientHelloRecord(random: RFC8448.clientRandom, suites: [0x1301]))
        h.send(.serverToClient, serverHelloRecord(suite: 0x1301, tls13: true))
        h.send(.serverToClient, RFC8448.serverHandshakeRecord)
        h.send(.clientToServer, RFC8448.clientFinishedRecord)
        h.send(.clientToServer, RFC8448.clientApplicationRecord)
        let server = h.events(.serverToClient)
        let types = server.compactMap { if case let .handshake(m, _) = $0 { m.type } else { nil } }
        #expect(types == [.encryptedExtensions, .certificate, .certificateVerify, .finished])
        let chain = h.connection.session.serverCertificates
        #expect(chain?.count == 1)
        #expect(chain?.first.map { Array($0.prefix(4)) } == [0x30, 0x82, 0x01, 0xAC])
        #expect(chain?.first?.count == 0x1B0)
        let client = h.events(.clientToServer)
        #expect(h.applicationData(client) == [RFC8448.applicationData])
        #expect(h.decryptor.summary.client.failed == 0 && h.decryptor.summary.server.failed == 0)
    }
}
