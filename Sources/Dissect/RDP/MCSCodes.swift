/// T.125 / T.124 code tables used by the MCS and GCC parsers. Unknown → nil.
public enum MCSCodes {
    /// Result ENUMERATED [T.125 §7 part 2, "Result"], e.g. in Connect-Response,
    /// Attach User Confirm and Channel Join Confirm.
    public static func resultName(_ result: UInt32) -> String? {
        switch result {
        case 0: "rt-successful"
        case 1: "rt-domain-merging"
        case 2: "rt-domain-not-hierarchical"
        case 3: "rt-no-such-channel"
        case 4: "rt-no-such-domain"
        case 5: "rt-no-such-user"
        case 6: "rt-not-admitted"
        case 7: "rt-other-user-id"
        case 8: "rt-parameters-unacceptable"
        case 9: "rt-token-not-available"
        case 10: "rt-token-not-possessed"
        case 11: "rt-too-many-channels"
        case 12: "rt-too-many-tokens"
        case 13: "rt-too-many-users"
        case 14: "rt-unspecified-failure"
        case 15: "rt-user-rejected"
        default: nil
        }
    }

    /// Reason ENUMERATED of Disconnect Provider Ultimatum [T.125 §7 part 2, "Reason"].
    public static func reasonName(_ reason: UInt8) -> String? {
        switch reason {
        case 0: "rn-domain-disconnected"
        case 1: "rn-provider-initiated"
        case 2: "rn-token-purged"
        case 3: "rn-user-requested"
        case 4: "rn-channel-purged"
        default: nil
        }
    }

    /// DomainMCSPDU CHOICE alternatives [T.125 §7 part 10], by index (first byte >> 2).
    public static func domainPDUName(_ choice: UInt8) -> String? {
        let names = [
            "plumbDomainIndication", "erectDomainRequest", "mergeChannelsRequest", "mergeChannelsConfirm",
            "purgeChannelsIndication", "mergeTokensRequest", "mergeTokensConfirm", "purgeTokensIndication",
            "disconnectProviderUltimatum", "rejectMCSPDUUltimatum", "attachUserRequest", "attachUserConfirm",
            "detachUserRequest", "detachUserIndication", "channelJoinRequest", "channelJoinConfirm",
            "channelLeaveRequest", "channelConveneRequest", "channelConveneConfirm", "channelDisbandRequest",
            "channelDisbandIndication", "channelAdmitRequest", "channelAdmitIndication", "channelExpelRequest",
            "channelExpelIndication", "sendDataRequest", "sendDataIndication", "uniformSendDataRequest",
            "uniformSendDataIndication", "tokenGrabRequest", "tokenGrabConfirm", "tokenInhibitRequest",
            "tokenInhibitConfirm", "tokenGiveRequest", "tokenGiveIndication", "tokenGiveResponse",
            "tokenGiveConfirm", "tokenPleaseRequest", "tokenPleaseIndication", "tokenReleaseRequest",
            "tokenReleaseConfirm", "tokenTestRequest", "tokenTestConfirm",
        ]
        return Int(choice) < names.count ? names[Int(choice)] : nil
    }

    /// ConferenceCreateResponse result [T.124 §8.7 ASN.1].
    public static func gccResultName(_ result: UInt8) -> String? {
        switch result {
        case 0: "success"
        case 1: "userRejected"
        case 2: "resourcesNotAvailable"
        case 3: "rejectedForSymmetryBreaking"
        case 4: "lockedConferenceNotSupported"
        default: nil
        }
    }
}

/// GCC user data block types and the values they carry [MS-RDPBCGR 2.2.1.3.1,
/// 2.2.1.3.2-2.2.1.3.5, 2.2.1.4.1-2.2.1.4.4].
public enum GCCUserDataCodes {
    public static let csCore: UInt16 = 0xC001
    public static let csSecurity: UInt16 = 0xC002
    public static let csNet: UInt16 = 0xC003
    public static let csCluster: UInt16 = 0xC004
    public static let scCore: UInt16 = 0x0C01
    public static let scSecurity: UInt16 = 0x0C02
    public static let scNet: UInt16 = 0x0C03

    public static func blockTypeName(_ type: UInt16) -> String? {
        switch type {
        case 0xC001: "CS_CORE"
        case 0xC002: "CS_SECURITY"
        case 0xC003: "CS_NET"
        case 0xC004: "CS_CLUSTER"
        case 0xC005: "CS_MONITOR"
        case 0xC006: "CS_MCS_MSGCHANNEL"
        case 0xC008: "CS_MONITOR_EX"
        case 0xC00A: "CS_MULTITRANSPORT"
        case 0x0C01: "SC_CORE"
        case 0x0C02: "SC_SECURITY"
        case 0x0C03: "SC_NET"
        case 0x0C04: "SC_MCS_MSGCHANNEL"
        case 0x0C08: "SC_MULTITRANSPORT"
        default: nil
        }
    }

    /// Encryption methods [2.2.1.3.3, 2.2.1.4.3]: a bitmask from the client, one value from the server.
    public static func encryptionMethodNames(_ mask: UInt32) -> [String] {
        mask == 0 ? ["ENCRYPTION_METHOD_NONE"] : rdpFlagNames(mask, [
            (0x01, "ENCRYPTION_METHOD_40BIT"), (0x02, "ENCRYPTION_METHOD_128BIT"),
            (0x08, "ENCRYPTION_METHOD_56BIT"), (0x10, "ENCRYPTION_METHOD_FIPS"),
        ])
    }

    public static func encryptionMethodName(_ value: UInt32) -> String? {
        switch value {
        case 0x00: "ENCRYPTION_METHOD_NONE"
        case 0x01: "ENCRYPTION_METHOD_40BIT"
        case 0x02: "ENCRYPTION_METHOD_128BIT"
        case 0x08: "ENCRYPTION_METHOD_56BIT"
        case 0x10: "ENCRYPTION_METHOD_FIPS"
        default: nil
        }
    }

    /// Encryption level [2.2.1.4.3]: with TLS/CredSSP the server sends NONE.
    public static func encryptionLevelName(_ value: UInt32) -> String? {
        switch value {
        case 0: "ENCRYPTION_LEVEL_NONE"
        case 1: "ENCRYPTION_LEVEL_LOW"
        case 2: "ENCRYPTION_LEVEL_CLIENT_COMPATIBLE"
        case 3: "ENCRYPTION_LEVEL_HIGH"
        case 4: "ENCRYPTION_LEVEL_FIPS"
        default: nil
        }
    }

    /// CS_CORE earlyCapabilityFlags [2.2.1.3.2]. ERRINFO support matters most:
    /// without it the server never sends a Set Error Info PDU.
    public static func clientEarlyCapabilityNames(_ flags: UInt16) -> [String] {
        rdpFlagNames(flags, [
            (0x0001, "RNS_UD_CS_SUPPORT_ERRINFO_PDU"), (0x0002, "RNS_UD_CS_WANT_32BPP_SESSION"),
            (0x0004, "RNS_UD_CS_SUPPORT_STATUSINFO_PDU"), (0x0008, "RNS_UD_CS_STRONG_ASYMMETRIC_KEYS"),
            (0x0020, "RNS_UD_CS_VALID_CONNECTION_TYPE"), (0x0040, "RNS_UD_CS_SUPPORT_MONITOR_LAYOUT_PDU"),
            (0x0080, "RNS_UD_CS_SUPPORT_NETCHAR_AUTODETECT"), (0x0100, "RNS_UD_CS_SUPPORT_DYNVC_GFX_PROTOCOL"),
            (0x0200, "RNS_UD_CS_SUPPORT_DYNAMIC_TIME_ZONE"), (0x0400, "RNS_UD_CS_SUPPORT_HEARTBEAT_PDU"),
            (0x0800, "RNS_UD_CS_SUPPORT_SKIP_CHANNELJOIN"),
        ])
    }

    /// SC_CORE earlyCapabilityFlags [2.2.1.4.2].
    public static func serverEarlyCapabilityNames(_ flags: UInt32) -> [String] {
        rdpFlagNames(flags, [
            (0x1, "RNS_UD_SC_EDGE_ACTIONS_SUPPORTED_V1"), (0x2, "RNS_UD_SC_DYNAMIC_DST_SUPPORTED"),
            (0x4, "RNS_UD_SC_EDGE_ACTIONS_SUPPORTED_V2"), (0x8, "RNS_UD_SC_SKIP_CHANNELJOIN_SUPPORTED"),
        ])
    }

    /// CHANNEL_DEF options [2.2.1.3.4.1].
    public static func channelOptionNames(_ options: UInt32) -> [String] {
        rdpFlagNames(options, [
            (0x0010_0000, "CHANNEL_OPTION_REMOTE_CONTROL_PERSISTENT"), (0x0020_0000, "CHANNEL_OPTION_SHOW_PROTOCOL"),
            (0x0040_0000, "CHANNEL_OPTION_COMPRESS"), (0x0080_0000, "CHANNEL_OPTION_COMPRESS_RDP"),
            (0x0200_0000, "CHANNEL_OPTION_PRI_LOW"), (0x0400_0000, "CHANNEL_OPTION_PRI_MED"),
            (0x0800_0000, "CHANNEL_OPTION_PRI_HIGH"), (0x1000_0000, "CHANNEL_OPTION_ENCRYPT_CS"),
            (0x2000_0000, "CHANNEL_OPTION_ENCRYPT_SC"), (0x4000_0000, "CHANNEL_OPTION_ENCRYPT_RDP"),
            (0x8000_0000, "CHANNEL_OPTION_INITIALIZED"),
        ])
    }

    /// CS_CLUSTER flags [2.2.1.3.5] (bits 2-5 are the redirection version, not flags).
    public static func clusterFlagNames(_ flags: UInt32) -> [String] {
        rdpFlagNames(flags & ~0x3C, [
            (0x01, "REDIRECTION_SUPPORTED"), (0x02, "REDIRECTED_SESSIONID_FIELD_VALID"),
            (0x40, "REDIRECTED_SMARTCARD"),
        ])
    }
}
