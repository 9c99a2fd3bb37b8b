/// Share control / share data code tables [MS-RDPBCGR 2.2.8.1.1.1.1,
/// 2.2.8.1.1.1.2, 2.2.1.13.1.1.1]. Unknown → nil.
public enum ShareCodes {
    public static let demandActive: UInt8 = 0x1
    public static let confirmActive: UInt8 = 0x3
    public static let deactivateAll: UInt8 = 0x6
    public static let data: UInt8 = 0x7
    public static let serverRedirect: UInt8 = 0xA
    public static let setErrorInfo: UInt8 = 0x2F

    public static func pduTypeName(_ type: UInt8) -> String? {
        switch type {
        case 0x1: "PDUTYPE_DEMANDACTIVEPDU"
        case 0x3: "PDUTYPE_CONFIRMACTIVEPDU"
        case 0x6: "PDUTYPE_DEACTIVATEALLPDU"
        case 0x7: "PDUTYPE_DATAPDU"
        case 0xA: "PDUTYPE_SERVER_REDIR_PKT"
        default: nil
        }
    }

    public static func pduType2Name(_ type: UInt8) -> String? {
        switch type {
        case 0x02: "PDUTYPE2_UPDATE"
        case 0x14: "PDUTYPE2_CONTROL"
        case 0x1B: "PDUTYPE2_POINTER"
        case 0x1C: "PDUTYPE2_INPUT"
        case 0x1F: "PDUTYPE2_SYNCHRONIZE"
        case 0x21: "PDUTYPE2_REFRESH_RECT"
        case 0x22: "PDUTYPE2_PLAY_SOUND"
        case 0x23: "PDUTYPE2_SUPPRESS_OUTPUT"
        case 0x24: "PDUTYPE2_SHUTDOWN_REQUEST"
        case 0x25: "PDUTYPE2_SHUTDOWN_DENIED"
        case 0x26: "PDUTYPE2_SAVE_SESSION_INFO"
        case 0x27: "PDUTYPE2_FONTLIST"
        case 0x28: "PDUTYPE2_FONTMAP"
        case 0x29: "PDUTYPE2_SET_KEYBOARD_INDICATORS"
        case 0x2B: "PDUTYPE2_BITMAPCACHE_PERSISTENT_LIST"
        case 0x2C: "PDUTYPE2_BITMAPCACHE_ERROR_PDU"
        case 0x2D: "PDUTYPE2_SET_KEYBOARD_IME_STATUS"
        case 0x2E: "PDUTYPE2_OFFSCRCACHE_ERROR_PDU"
        case 0x2F: "PDUTYPE2_SET_ERROR_INFO_PDU"
        case 0x30: "PDUTYPE2_DRAWNINEGRID_ERROR_PDU"
        case 0x31: "PDUTYPE2_DRAWGDIPLUS_ERROR_PDU"
        case 0x32: "PDUTYPE2_ARC_STATUS_PDU"
        case 0x36: "PDUTYPE2_STATUS_INFO_PDU"
        case 0x37: "PDUTYPE2_MONITOR_LAYOUT_PDU"
        default: nil
        }
    }

    public static func capabilitySetName(_ type: UInt16) -> String? {
        switch type {
        case 1: "CAPSTYPE_GENERAL"
        case 2: "CAPSTYPE_BITMAP"
        case 3: "CAPSTYPE_ORDER"
        case 4: "CAPSTYPE_BITMAPCACHE"
        case 5: "CAPSTYPE_CONTROL"
        case 7: "CAPSTYPE_ACTIVATION"
        case 8: "CAPSTYPE_POINTER"
        case 9: "CAPSTYPE_SHARE"
        case 10: "CAPSTYPE_COLORCACHE"
        case 12: "CAPSTYPE_SOUND"
        case 13: "CAPSTYPE_INPUT"
        case 14: "CAPSTYPE_FONT"
        case 15: "CAPSTYPE_BRUSH"
        case 16: "CAPSTYPE_GLYPHCACHE"
        case 17: "CAPSTYPE_OFFSCREENCACHE"
        case 18: "CAPSTYPE_BITMAPCACHE_HOSTSUPPORT"
        case 19: "CAPSTYPE_BITMAPCACHE_REV2"
        case 20: "CAPSTYPE_VIRTUALCHANNEL"
        case 21: "CAPSTYPE_DRAWNINEGRIDCACHE"
        case 22: "CAPSTYPE_DRAWGDIPLUS"
        case 23: "CAPSTYPE_RAIL"
        case 24: "CAPSTYPE_WINDOW"
        case 25: "CAPSETTYPE_COMPDESK"
        case 26: "CAPSETTYPE_MULTIFRAGMENTUPDATE"
        case 27: "CAPSETTYPE_LARGE_POINTER"
        case 28: "CAPSETTYPE_SURFACE_COMMANDS"
        case 29: "CAPSETTYPE_BITMAP_CODECS"
        case 30: "CAPSSETTYPE_FRAME_ACKNOWLEDGE"
        default: nil
        }
    }
}
