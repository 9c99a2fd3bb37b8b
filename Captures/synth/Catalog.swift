import Capture
import TestSupport

/// The synthesized captures, in the order they are written. Everything is
/// fixed (times, addresses, ports, ISNs, IP IDs, seeds of the pseudo-random
/// bytes), so a run rewrites byte-identical files.
enum Catalog {
    static func all() -> [SynthCapture] {
        [
            licensingNoLicenseServer(),
            setErrorInfoDenied(),
            forgedResetByIPS(),
            genuineResetByServer(),
            resetAtSYNByFirewall(),
            portClosed(),
            tls12LicensingNoLicenseServer(),
            tls13SetErrorInfoDenied(),
            tls12NLALogonFailure(),
        ]
    }
}

/// Round-trip times from the capture point, in microseconds.
struct Path {
    /// Capture point → server → capture point.
    var toServer: Double
    /// Capture point → client → capture point.
    var toClient: Double

    /// A SPAN port between the client site's router and the edge router: the server is
    /// ~20 ms away across the WAN, the client under a millisecond.
    static let midPath = Path(toServer: 20_000, toClient: 600)
    /// Wireshark on the client itself: the client's stack answers in tens of microseconds.
    static let onClient = Path(toServer: 20_000, toClient: 40)
}

/// Hosts and link addresses shared by the scenarios.
enum Site {
    static let serverAddress = "10.20.30.40"
    /// The Windows server's IP ID counter at the start of each capture (Windows counts up globally).
    static let serverFirstIPID: UInt16 = 0x6B21
    static let clientFirstIPID: UInt16 = 0x3A10
    /// MAC of the router the client's packets come through, and of the one the server's come through.
    static let clientSideMAC: [UInt8] = [0x00, 0x1B, 0x54, 0x0C, 0x21, 0x01]
    static let serverSideMAC: [UInt8] = [0x00, 0x1B, 0x54, 0x0C, 0x7A, 0x02]

    /// A Windows host 128 - `routers` at the capture point.
    static func windows(_ address: String, routers: UInt8, firstIPID: UInt16, mac: [UInt8]) -> Host {
        Host(address, mac: mac, ttl: 128 - routers, firstIPID: firstIPID)
    }
}

/// Capture start times: 2026-11-26, inside the server certificate's validity.
enum Clock {
    /// 2026-11-26T00:00:00Z.
    static let day: Int64 = 1_795_651_200

    static func at(hour: Int64, minute: Int64, second: Int64, microsecond: Int64 = 0) -> CaptureTime {
        CaptureTime(seconds: day + hour * 3600 + minute * 60 + second, nanoseconds: microsecond * 1000)
    }
}
