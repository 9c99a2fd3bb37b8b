/// The RDP server's self-signed TLS certificate (DER), as a Windows server makes
/// one for itself: RSA 2048, CN = the host's FQDN, EKU serverAuth, key usage
/// keyEncipherment + dataEncipherment. Made once, on 2026-11-25, with
///
///     openssl req -x509 -newkey rsa:2048 -nodes -keyout /dev/null -days 365 -sha256 \
///         -subj "/CN=RDS01.corp.example.com" -addext "extendedKeyUsage=serverAuth" \
///         -addext "keyUsage=keyEncipherment,dataEncipherment"
///
/// Valid 2026-11-25T00:55:48Z to 2027-11-25T00:55:48Z; the synthesized captures
/// are dated 2026-11-26, inside that window, so no certificate finding fires.
/// The private key was not kept: the handshakes carry no real signature.
enum ServerCertificateDER {
    static let rds01: [UInt8] = decodeBase64("""
        MIIDRTCCAi2gAwIBAgIUMuIf9GAotgY5W90PqV9UTw/r6ycwDQYJKoZIhvcNAQELBQAwITEfMB0GA1UEAwwWUkRTMDEuY29y
        cC5leGFtcGxlLmNvbTAeFw0yNjExMjUwMDU1NDhaFw0yNzExMjUwMDU1NDhaMCExHzAdBgNVBAMMFlJEUzAxLmNvcnAuZXhh
        bXBsZS5jb20wggEiMA0GCSqGSIb3DQEBAQUAA4IBDwAwggEKAoIBAQCatH//m9YGDyV1uyYmggD9iEJN7ACJMgF8ruQxtTPr
        PQsjVWlJyjuLi077nxqi2IMyRz3z2T0FvFdR7mi79/n2TE9Q/nfgylfuvBf1pNceNMD7GnKsx7AqItYXOYjP6ZRiP9pFyDjk
        Ea4SP+QLmVEbwTaCOArOjO4LcSSxrzM5atm0faDf0e9USveEZ0hUh2OOWhhvJcJQ+SRpkNp8h0uc/OwoVfvYJ28WqjuyXiSl
        36DuOb54osuXO0vXttkZl84DvYnjQ0sishYABS/uAvM6O0+oECZ/RFi59oHi8o7ke03xI0oujogOrnvE1IHWCLw3JTaI+mn7
        ri3gCkBO4WOFAgMBAAGjdTBzMB0GA1UdDgQWBBSyB5jfxlOvC1uTkgHmgfwEBsVNqTAfBgNVHSMEGDAWgBSyB5jfxlOvC1uT
        kgHmgfwEBsVNqTAPBgNVHRMBAf8EBTADAQH/MBMGA1UdJQQMMAoGCCsGAQUFBwMBMAsGA1UdDwQEAwIEMDANBgkqhkiG9w0B
        AQsFAAOCAQEAgjwDiR6mgppnI25AAP7Ki/7MbxLyZyOYT92YHQNCB9CniPM6iMdK002WzZWXCghlwr90vP8T9aQ18EEz2wH6
        hANGoKqM9j9gZttWgCAbI4YVowgD/iTyF2Zle6fXD00NbUmkB2QjdPdH9rMeO4VNUMrmQJdeOnywzFMdn/+JMy+11u98c5cv
        foolGDApAM3DzJSHcyQjQgPA1B8Om45s/FtSkl8y1Z3mo9d9Tllj8LDpegOYvXKdFuWmPTKGNieD9tRy8Gnm49gj1k0LRKrm
        daZArklo/SsP8SvfKdWDwIl+r5ceEcllAqh02pwhPW9KBuFuE2vh1q0V8Fjqno9/rg==
        """)
}

/// Standard base64 (RFC 4648 §4); whitespace is skipped, so the literal can wrap.
func decodeBase64(_ text: String) -> [UInt8] {
    var table = [UInt8](repeating: 0xFF, count: 256)
    for (i, c) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() { table[Int(c)] = UInt8(i) }
    var out: [UInt8] = []
    var buffer: UInt32 = 0
    var bits = 0
    for c in text.utf8 {
        let v = table[Int(c)]
        if v == 0xFF { continue }  // whitespace and "=" padding
        buffer = buffer << 6 | UInt32(v)
        bits += 6
        if bits >= 8 {
            bits -= 8
            out.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits)))
        }
    }
    return out
}
