/// Self-signed server certificates (DER) that the generated TLS handshakes carry, so that
/// an analyzer summarising X.509 sees real certificates of the sizes RDP servers send
/// (RSA 2048/3072/4096, 1.0–1.5 KB). Made once with
/// `openssl req -x509 -newkey rsa:BITS -days 3650 -subj ... -addext subjectAltName=...`;
/// valid from 2026-11-25 for ten years, so the capture times (from 2026-12-01) fall inside.
enum Certificates {
    static let der: [[UInt8]] = base64.map { decodeBase64($0) }

    private static let base64: [String] = [
        // RSA 2048, CN=rds2048.corp.example.com
        """
        MIID2jCCAsKgAwIBAgIUede2cGhTrKllNtws9Pqqzygn04QwDQYJKoZIhvcNAQELBQAwRzELMAkGA1UEBhMCVVMxFTATBgNV
        BAoMDEV4YW1wbGUgQ29ycDEhMB8GA1UEAwwYcmRzMjA0OC5jb3JwLmV4YW1wbGUuY29tMB4XDTI2MTEyNTAwMjQwN1oXDTM2
        MTEyMjAwMjQwN1owRzELMAkGA1UEBhMCVVMxFTATBgNVBAoMDEV4YW1wbGUgQ29ycDEhMB8GA1UEAwwYcmRzMjA0OC5jb3Jw
        LmV4YW1wbGUuY29tMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAv6n/Zj8VIz3d6vSKwQgYmnJu/BHZBxmCS7Bs
        4v8ndAxzvS3bPkiRt27StsJ3fqyjaYa3LkbM5CqX6ZmMsrs4RO11V5a7qHNoT/l+0GrUvMjkqWng1/C9j35y9SgBSRGn0PZN
        EBG8PWDuz3w0epvxfDNXcUgUc3YbLOCmoTXw+tJuPkP6MOq6IFgq08aH/aAp6bfZ/0qd7sVqEKSALEoQOhc+iLGqB1iexyqH
        dYopxmcoMC7qGryTBNBkg3LKRzTzfnehjf0w8IeE5xuC4kYnG3zcRWHhaUnjZ1Cg8ZCXa7Jts4Eve4Gek1z9cyTcOp7Q8rSU
        8TAMzjCnJ4J5umvvCwIDAQABo4G9MIG6MB0GA1UdDgQWBBT839/BSdrXxe39b1Skm8wGs9wdJDAfBgNVHSMEGDAWgBT839/B
        SdrXxe39b1Skm8wGs9wdJDAPBgNVHRMBAf8EBTADAQH/MBMGA1UdJQQMMAoGCCsGAQUFBwMBMAsGA1UdDwQEAwIEMDBFBgNV
        HREEPjA8ghhyZHMyMDQ4LmNvcnAuZXhhbXBsZS5jb22CB3JkczIwNDiCF3JlbW90ZS5jb3JwLmV4YW1wbGUuY29tMA0GCSqG
        SIb3DQEBCwUAA4IBAQCtRfv85REMxUAz79MRT2QLp3RypO0+9SXg1eMQWzvJV00kOjLDgun4w3nk0s/zwqTncQn1gEGNhe0d
        4cviWc2RbjQ/DNulXJtlvQEtyubQeOK80bXDWTYuQchge+SZRzTwav8djd3N5ozAT3UcRZ9o1SUh/SeDT9t5L5/HPjc7hY5b
        lyfIuF66n2RtcY22fmKLU8wt4w1haKIOXuQrdHikxhKCutu4BtNR4vSUX1MpLYdf3vtwg6AbYLdz8GQ/jBScEjUMsCRA5r48
        TgFL0BHfmOiyRPWk41SZPHs4lknCMQsifFgzbGnikuOhlTAR98R83fn4UYxaXgQ/usJ2T0cW
        """,
        // RSA 3072, CN=rds3072.corp.example.com
        """
        MIIEwTCCAymgAwIBAgIUHapcgf4qBPfm9FB4yoSTAfNG5CMwDQYJKoZIhvcNAQELBQAwRzELMAkGA1UEBhMCVVMxFTATBgNV
        BAoMDEV4YW1wbGUgQ29ycDEhMB8GA1UEAwwYcmRzMzA3Mi5jb3JwLmV4YW1wbGUuY29tMB4XDTI2MTEyNTAwMjQxMVoXDTM2
        MTEyMjAwMjQxMVowRzELMAkGA1UEBhMCVVMxFTATBgNVBAoMDEV4YW1wbGUgQ29ycDEhMB8GA1UEAwwYcmRzMzA3Mi5jb3Jw
        LmV4YW1wbGUuY29tMIIBojANBgkqhkiG9w0BAQEFAAOCAY8AMIIBigKCAYEAyoJeQ1qjX3nVUFr1HX8Zg/d8l/TBrKUrhly/
        rtDd8lyDNJ54X9zDMm8daY+ZILf2xtN1bp9DRP5M7MSn0QHt0F+5CkoIJC5vBxCmqGXoRvcuHLdJ6EcmCc9aVFmf8eftb2nd
        TgCZDmTdzqTUflfkEIkHXG+3KAaJxLSFwohpVngoUb/3zBXKSc30N6RaK/nulK1q42CjN5T+oL9t4F81PM8viGMecgFoZW+g
        HGqSpqDs1Bz8OzTNKMZImjMXRxjvrlbzEDeC+COV/K4rIRdA9Uxx5321npQ+2KCLSSFVkN/v9CSgssoeQ3M4veGpyfNZLANp
        ccpViLYdqqxjnaYmFkGQiz+rfXQatyMG1sW+8eGPhTmJvP/E3BaR2iil8/PALPBWi2W+/jjo+psO4+LyW8v2r5z8ptQuoOsy
        IMamXoGXt6blHf6rqJarYHs59vejswNNL19MMhtyA8USci6OMH0ZS+rU4Af3Pp/2bo+lPAiYMTwDTRmuAGYh5lTVK/oZAgMB
        AAGjgaQwgaEwHQYDVR0OBBYEFO4MQFZ0S8INrtxgBmEa3HqHl4ooMB8GA1UdIwQYMBaAFO4MQFZ0S8INrtxgBmEa3HqHl4oo
        MA8GA1UdEwEB/wQFMAMBAf8wEwYDVR0lBAwwCgYIKwYBBQUHAwEwCwYDVR0PBAQDAgQwMCwGA1UdEQQlMCOCGHJkczMwNzIu
        Y29ycC5leGFtcGxlLmNvbYIHcmRzMzA3MjANBgkqhkiG9w0BAQsFAAOCAYEArD2Z6EDTdcAZMMJ9bEH9TVhwDo75BLEwufxQ
        2aw2VpKPiRthgo/kl66uVH8xcuuirHSncQ1V16LUzyUAyrJohAZsI0j8KVP0VEBdOBvrNsdCxYfB+vrHL0QkUQY1YzCw+oQD
        ESnO2NTwR11kUZ5DfaWXH+VpijbsPn/g4M4FC7lcqsL3LLSrffzqkANbUz6lQVgIWuK2sg+yD/MkBjn6Mr5hQsUFLAbcYeho
        pu7il1aE9XGURWaAKyo3ugCT/xmeq3D5ku/cp0zLqbLBsFsYCVEScW5Z8uLmv7gtPQY1HdFX87iJIx8BsItt6XBdCuve6Jrk
        T7oVsA9cETr3ftkCTX2f2q9NzvtR8+x6J0XZB1+JKmAMFMucsBeHYVMi4RjOPh6o79woogQivLVMbCXRMcsnuTCmRb7LhLBz
        KScYHkGbwIihBWJkJ5gTBgFHkZbN0hMMJr2YcDK9Jf5SgyTld4xeJn1uZL7zCWC0hrB64eKX9YXJ6NI1O7zNWSpbnxw/
        """,
        // RSA 4096, CN=rds4096.corp.example.com
        """
        MIIF2jCCA8KgAwIBAgIULLljLHTxqB+9Oq1ItEDwPDponu8wDQYJKoZIhvcNAQELBQAwRzELMAkGA1UEBhMCVVMxFTATBgNV
        BAoMDEV4YW1wbGUgQ29ycDEhMB8GA1UEAwwYcmRzNDA5Ni5jb3JwLmV4YW1wbGUuY29tMB4XDTI2MTEyNTAwMjQwOVoXDTM2
        MTEyMjAwMjQwOVowRzELMAkGA1UEBhMCVVMxFTATBgNVBAoMDEV4YW1wbGUgQ29ycDEhMB8GA1UEAwwYcmRzNDA5Ni5jb3Jw
        LmV4YW1wbGUuY29tMIICIjANBgkqhkiG9w0BAQEFAAOCAg8AMIICCgKCAgEA16l9J/DUHW7z6aFtsRf5lyGuZ/meku5fNbQd
        bZRAyDewsy8jew89DB7+2F+sbavHMRKP5Qqz3Uf7OMn76gTHc12b8iVv5+hweZRgIOFdM4c+uaV3+IkjYOlkZmo97rWxcNa1
        /s6n+7J3Qfwk86PZjPk/sWTRQpCldWjMQ6l5UXJ3fsARJy9cWnpViyJenYpZkpPPpLhdfn6dwLHHT5+JPUXx2iUHWbO0Xb9d
        l8+/1SXLs8nig5UeimlPjlH/GwmihylWJa01vv6FAYUUjx2ScE4w3gQxRijsq0EzqdaR+BZzSLRYLheQaOWHj5ITg79OEuqo
        OAeXZ/xYx4i2RFt434uGy7ySs06EZHcDNowidA2HUgkXWWfCkfCpWfHHX4a1cf01uNcQ1dB0IR15nsxklHs0KkJt62NQa7zH
        P9yXZyV76IlFSqs4NrrEnJHOOrev5rv4HM/kMvaNulErkK0CXNm2JQ51vtaV0DiPXtdOrVW+9uAYc0YJBMTgOlPItJkSBygx
        DUV1n1yD4ZdfX3S3bV18MwyTFaaUmmC0lkqXYVsgeNBmo3GWrqaXf0b33GSocmOhUTinw5Xz1Vfhfl8YwJ1UcDbqn32SOJMv
        MRnKY0EP+Pzc67kcu8Da1HzBdbkyKfkT7Y6fcqHoIxioRQwc4bRDz1nLEk4CKrOipOFbqm8CAwEAAaOBvTCBujAdBgNVHQ4E
        FgQUdKyIKPJSbzvoiwycLPxZqcGPS7owHwYDVR0jBBgwFoAUdKyIKPJSbzvoiwycLPxZqcGPS7owDwYDVR0TAQH/BAUwAwEB
        /zATBgNVHSUEDDAKBggrBgEFBQcDATALBgNVHQ8EBAMCBDAwRQYDVR0RBD4wPIIYcmRzNDA5Ni5jb3JwLmV4YW1wbGUuY29t
        ggdyZHM0MDk2ghdyZW1vdGUuY29ycC5leGFtcGxlLmNvbTANBgkqhkiG9w0BAQsFAAOCAgEAWG+bfAK7oukkOAErsGXIXm0z
        BhLj6Da9ixPBK8yCUBFQowyCLtKIbpE5gSoHoblazvyMfmyUmNa4O665Ur8eZJWZ5zq0HyRek3eqaHVT6sh31gqwFNssO8Zw
        h0KVB+XD2h48AxNewPs44fbB5QBQtwD96z0Urr1GR/hiViGL3QG9uen4I/Z1Fkdt+CjLP8RREq4P5OPWY49vo9cFSOZDLiOB
        ezCqoc4ETZZl7RKRTd69vpX9iUENnV34LvEpmNFlvmfRjYpYUV9Yp2/4CCc9CYSe0UkONVkzIo8biHF+UuPfoBgJjzvWrQmU
        BfHrxmubn82LXQGt43wHGUXhYVan7aa/F8Kdgckn4g8KGMFRWuhEDChNFewoBIrSzHXpsEzl+jtOjcNzTwxEL57eoY7smSt5
        ZAJOdMAog8Tp9tPcjrxboPcI47ZhI+MvTJ70d59brwgvlvBChQuywsN9V5NsgrvCMJNLH8MyWi3Cq9j03vuTUBrASxzTu1e0
        Mm7A19ftsJuwTcv3RAeNX+mFcDGp8Zz45prSdRjtxlo6O8sBeQv/rgr5KCG7fPimuNJNu2RENUZmvYe46rJostse9gjmRmV4
        NwjI6jtUgfj1g1VL69h+45OdR96TSdMw3ZKC1sqXpWUTohhhbbJbZOVkQwHh3BXkMEjfhQ7kr9k9AXkzDPg=
        """,
    ]
}

/// RFC 4648 base64, ignoring whitespace (the literals above are wrapped); Foundation-free.
func decodeBase64(_ text: String) -> [UInt8] {
    var out: [UInt8] = []
    var accumulator: UInt32 = 0
    var bits = 0
    for c in text.utf8 {
        let v: UInt32
        switch c {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): v = UInt32(c - UInt8(ascii: "A"))
        case UInt8(ascii: "a")...UInt8(ascii: "z"): v = UInt32(c - UInt8(ascii: "a")) + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): v = UInt32(c - UInt8(ascii: "0")) + 52
        case UInt8(ascii: "+"): v = 62
        case UInt8(ascii: "/"): v = 63
        default: continue
        }
        accumulator = accumulator << 6 | v
        bits += 6
        if bits >= 8 {
            bits -= 8
            out.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
        }
    }
    return out
}
