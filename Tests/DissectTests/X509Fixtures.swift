import Foundation

/// DER certificates made with OpenSSL 3.0 for the X.509 tests (test keys, thrown away).
/// Each was made by `openssl ca -selfsign` with config section
/// `[rdp_ext] keyUsage=keyEncipherment,dataEncipherment;
/// extendedKeyUsage=serverAuth,1.3.6.1.4.1.311.54.1.2` (what Windows puts on
/// its RDP certificate), RSA 2048 keys from `openssl req -newkey rsa:2048`, then
/// `openssl x509 -outform DER`. Expected values in the tests come from
/// `openssl x509 -noout -subject -serial -dates -fingerprint -sha1` (and -sha256).
enum X509Fixtures {
    static func der(_ base64: String) -> [UInt8] {
        [UInt8](Data(base64Encoded: base64.filter { !$0.isWhitespace }) ?? Data())
    }

    /// `-subj /CN=WIN-RDPHOST.corp.example -startdate 20240101000000Z -enddate 20340101000000Z -md sha256`, serial 0x2A.
    static let rdpSelfSigned = der("""
        MIIDEDCCAfigAwIBAgIBKjANBgkqhkiG9w0BAQsFADAjMSEwHwYDVQQDDBhXSU4tUkRQSE9TVC5j
        b3JwLmV4YW1wbGUwHhcNMjQwMTAxMDAwMDAwWhcNMzQwMTAxMDAwMDAwWjAjMSEwHwYDVQQDDBhX
        SU4tUkRQSE9TVC5jb3JwLmV4YW1wbGUwggEiMA0GCSqGSIb3DQEBAQUAA4IBDwAwggEKAoIBAQCY
        2wSCkQdpfpKirZk/QfidT9Z+9yOxO7cQFrKYVt8WvZqlA2zxfoE2F5Yw0fIVwbK+thCmxGAk43jr
        CcUjCHSRLnw8U6dydai8MWjYFdNh3BjBWGi/+1dCa2B7GUWanAAj8bNVH7LtHPRNDoYaHnEKwEuE
        mevPJCqlZ6cUDkzcU+c+2LidbX5Wv7ru9Xl9gvenrRlJYo4+9xG/Aq8RNMtT+fKJjCcvNVIVfgbd
        L+ScNs61UzICR4WTjBFihGjR2RJmvLsBwCMOI394WEcXxvU3qKBui6EwXX+d/j1Iztdq/zRdBFcR
        49kdzqkJAyPw49S2VAna0Y/YbE3X+RNM8SLBAgMBAAGjTzBNMAsGA1UdDwQEAwIEMDAfBgNVHSUE
        GDAWBggrBgEFBQcDAQYKKwYBBAGCNzYBAjAdBgNVHQ4EFgQUAqQKOkxtcG7rGkK6HKLm433IPg8w
        DQYJKoZIhvcNAQELBQADggEBAJA3dDKjR7roIMq6D5trCdzVviIYou5qBoFB3eBOHLR1apZVgn8o
        WQA+wRyo47kZG5WGzoiAMNFOgFbniUdQ7ymrDoaTfQ+zCTVgAebPAp4i2ADNL5w/ssLwV+8jZ/oB
        13Y8rxmUmHUEf+64PlmqfaawShkUS+hrelvSaJORp715XM3v3963+s7HCY7NC9a6hNYjiddjG9Zu
        R9TLfVSO2EHnuTtjdkcIxlOPl1fTGutB1J1H8B9MXX/p0HDlwD5dx5kJ1eOUCAQ1jcIcv+pFN/C4
        9Z5VO1fefXzUtewGDGWy+ydR07kC+k+5ECBFaW/IR0uyPkHMqpeUkIwZSQqwphE=
        """)

    /// `-subj /CN=WIN-OLDHOST.corp.example -startdate 20200101000000Z -enddate 20210101000000Z -md sha256`, serial 0x2B.
    static let expired = der("""
        MIIDEDCCAfigAwIBAgIBKzANBgkqhkiG9w0BAQsFADAjMSEwHwYDVQQDDBhXSU4tT0xESE9TVC5j
        b3JwLmV4YW1wbGUwHhcNMjAwMTAxMDAwMDAwWhcNMjEwMTAxMDAwMDAwWjAjMSEwHwYDVQQDDBhX
        SU4tT0xESE9TVC5jb3JwLmV4YW1wbGUwggEiMA0GCSqGSIb3DQEBAQUAA4IBDwAwggEKAoIBAQCa
        8Ne7zVyRm6Nd0pMqZ47AmeL6ufWkOeljP4nbpPUWEDZJ8MvFACi1t/QmXEsVTbjQcEZI3wo2c/L4
        xqAZ36EQoW4RjwD8nLlVtT4JXEAu5h3a6pxVsBA8O0Vj+jecd3+ZMrR0JSkHCIsSK1KC0GW4g6Dr
        riQb8HdzG0x5FZQ1BBVQUq1b6hEu3f/E79XAKcVKsEbR4GNoxlnlRc8MKzPOZwJ06/c6hURhDLP/
        4/PhUYbRSYMfIqjT5lPf+Na4Tn9Y9UWdlVVkCP8miXSlG/iRY8dQXgca2UxKBYzCX4WUJZRSfc2Z
        EQ1iisBf4B7GN+n4UIrwv1sqJiz2sKm91gKLAgMBAAGjTzBNMAsGA1UdDwQEAwIEMDAfBgNVHSUE
        GDAWBggrBgEFBQcDAQYKKwYBBAGCNzYBAjAdBgNVHQ4EFgQUgDbodG3FRQEY9+lNl2JElfAAQGMw
        DQYJKoZIhvcNAQELBQADggEBAIF7i9hWDpWZ+kRyMnjfrffz5/oYAW30MWqsr3SKXDvWZZI+EJE1
        JCef3rZcn0Ldgar+zup9ut+UrjcsI3Q8Pmw5/Zu/0yNzqF5ocYZq5DAcTCq1ZHr4drjRMonlVvYZ
        ds7VM2IUvMAxhgg/WE496KgjCiZTXbuV0wHtxGpISQAqXa+2MHlNDTLH+kS7FMCNf8V5coqVL++t
        naqwfZqV4ej/IAronV0a3tSMjqfD88mPdNr3ye+yEsyGkFgHaclNTeRJjO31aflMfINT/WgztTfl
        T38jfzpokOQZn3s30DkFSEE/EdzICQAtukfx+uQfoOv8R05omS1h3BCTvrqza8g=
        """)

    /// `-subj /CN=WIN-SHA1HOST.corp.example -startdate 20240101000000Z -enddate 20340101000000Z -md sha1`, serial 0x2C.
    static let sha1Signed = der("""
        MIIDEjCCAfqgAwIBAgIBLDANBgkqhkiG9w0BAQUFADAkMSIwIAYDVQQDDBlXSU4tU0hBMUhPU1Qu
        Y29ycC5leGFtcGxlMB4XDTI0MDEwMTAwMDAwMFoXDTM0MDEwMTAwMDAwMFowJDEiMCAGA1UEAwwZ
        V0lOLVNIQTFIT1NULmNvcnAuZXhhbXBsZTCCASIwDQYJKoZIhvcNAQEBBQADggEPADCCAQoCggEB
        AMHuL9Zhgq4l9Gg7DiQ3xOEM4yEOjTYFiqL0I+v0+PEPE086Euzt3CRU3basBUZlrAE9FFBrSyzR
        hv5idNCro/eYjge90Rmj83upUnVMdKDA1mL3MLZarMq2wG7+8nTb0m08kEeCa2mgy9XJriVFJdor
        kGQBaYzxojtDtdqxd833vMAsMwhBSWJjkhynf/mDQaUevEF2UDidpV7Q5KfBVdWMTUXRceEW9suk
        1BxeoCCqtzCbLwAA1a+oyHhjPctXAvJC89h2PDYTIkV6CbuhdKW9HV3NBR+dnQ9vX0W9bRRNQXLZ
        Kj87XgfSg7cQVbPb9CaQT6Nv+FgYwefu9JNpYd0CAwEAAaNPME0wCwYDVR0PBAQDAgQwMB8GA1Ud
        JQQYMBYGCCsGAQUFBwMBBgorBgEEAYI3NgECMB0GA1UdDgQWBBTnt88WQSgcavlVcwHN4g52BIHn
        VjANBgkqhkiG9w0BAQUFAAOCAQEAUx/6ptlFKMHwrGaItlDCD4m0tAgsyCi/IrJQ9TSFCNDx6wG1
        h3yAHhyatzVXfOaDOJXkU0R1K0WbCGlc4cS2be0uxcKnOnUhS7E7E0T9Xrm6CwgHlZazwVZRnmbh
        1kqX8nnhSoO1yP42hyXlAU8pZohFS3AX/vw3wijausKNI+tbP2FaWzmA2lls4oXQxInoGUhKaUYm
        skY1vezpf69aSv98KYfB52NQ2ZHX69EcSVc+94tmIHSjM7AP+JCOgcrTHts/VIbwxAcOS52Gmxr/
        agOOF8V0V7aXiVzSR8E4oNMk5WHHVXXbQ28pzYYHbT6H6ABZN9Ir1yUyV5w0OxEVdA==
        """)
}
